"""The owner's home page composed from each app's selectors: needs attention, money, pipeline,
the next 14 days, the charts and the team. A fixed number of queries however many rows (a test compares
10 and 1,000 engagements)."""

from itertools import groupby

from django.db.models import Max
from django.utils import timezone

from accounts.models import Membership
from accounts.together import read_together
from engagements.models import RUNNING_STATUSES
from engagements.selectors.agenda import owner_agenda_page
from engagements.selectors.reliability import on_time_by_freelancer
from freelancers.models import Freelancer
from freelancers.selectors import pipeline_rows, pipeline_summary
from payments.selectors.attention import owner_attention_page
from payments.selectors.charts import budget_burn, released_by_month, released_by_month_rows
from payments.selectors.dashboard import home_budgets, owner_money

from . import charts
from .forms import pending_teammate_invitations

AGENDA_DAYS = 14
# What the home page shows of each list however many rows there are (the page stays a page: the
# rest is one link away); the counts say how many there are in all.
ATTENTION_SHOWN = 15     # the most urgent items (all of them: the attention page, paginated)
BUDGETS_SHOWN = 6        # the budgets closest to their limit (all of them: the money overview)
AGENDA_SHOWN = 30        # the soonest entries of the next 14 days (all of them: the calendar feed)
BURN_CHARTS = 4          # the newest running engagements get a burn chart
ON_TIME_FREELANCERS = 8  # and their freelancers (at most this many) an on-time chart


def home_sections(workspace, *, user, now):
    tz = timezone.get_current_timezone()  # the reader's (accounts.middleware), as the times are shown
    money = owner_money(workspace, now=now, engagements=False)
    agenda, agenda_total = owner_agenda_page(workspace, now=now, days=AGENDA_DAYS, limit=AGENDA_SHOWN)
    budgets, running, burning = home_budgets(workspace, limit=BUDGETS_SHOWN, newest=BURN_CHARTS)
    attention, attention_total = owner_attention_page(workspace, user=user, now=now, limit=ATTENTION_SHOWN)
    # Small reads of four apps that need nothing from each other: one statement.
    pipeline, released, freelancers, members, invitations = read_together([
        pipeline_rows(workspace), released_by_month_rows(workspace, now=now), _on_time_freelancers(workspace),
        Membership.objects.filter(workspace=workspace).select_related("user"),
        pending_teammate_invitations(workspace)])
    return {
        "members": members,
        "pending_invitations": invitations,
        "attention": attention,
        "attention_total": attention_total,
        "money": {**money, "engagements": budgets},
        "budgets_total": running,
        "pipeline": pipeline_summary(workspace, rows=pipeline),
        "agenda_days": AGENDA_DAYS,
        "agenda": [(day, list(items)) for day, items in groupby(agenda,
                                                                key=lambda i: i.at.astimezone(tz).date())],
        "agenda_total": agenda_total,
        "charts": home_charts(workspace, now=now, burning=burning, released=released, freelancers=freelancers),
    }


def _on_time_freelancers(workspace):
    """The freelancers of the newest running engagements, each once, newest first."""
    return (Freelancer.objects.filter(engagements__workspace=workspace, engagements__status__in=RUNNING_STATUSES)
            .annotate(newest=Max("engagements__created_at"), newest_id=Max("engagements__id"))
            .order_by("-newest", "-newest_id")[:ON_TIME_FREELANCERS])


def home_charts(workspace, *, now, burning, released, freelancers):
    """Burn charts of the newest running engagements (`burning`: their budget bars), on-time
    charts of the freelancers of the newest running engagements (`freelancers`, each once), money
    released per month (`released`: released_by_month_rows' rows)."""
    burn = budget_burn([row.engagement for row in burning], tz_name=workspace.timezone or "UTC")
    records = on_time_by_freelancer([f.pk for f in freelancers], now=now)
    return {
        "released": [charts.released_chart(currency, months)
                     for currency, months in released_by_month(workspace, now=now, rows=released).items()],
        "burn": [charts.burn_chart(row, burn.get(row.engagement.pk, [])) for row in burning],
        "on_time": charts.on_time_chart(freelancers, records),
    }
