"""The owner's home page composed from each app's selectors: needs attention, money, pipeline,
the next 14 days and the charts. A fixed number of queries however many rows (a test compares
10 and 1,000 engagements)."""

from itertools import groupby

from django.utils import timezone

from engagements.selectors.agenda import owner_agenda
from engagements.selectors.reliability import on_time_by_freelancer
from freelancers.selectors import pipeline_summary
from payments.selectors.attention import owner_attention
from payments.selectors.charts import budget_burn, released_by_month
from payments.selectors.dashboard import owner_money

from . import charts

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
    money = owner_money(workspace, now=now)
    agenda = owner_agenda(workspace, now=now, days=AGENDA_DAYS)
    attention = owner_attention(workspace, user=user, now=now)
    budgets = money["engagements"]
    shown_budgets = sorted(budgets, key=lambda row: (not row.alert, -row.percent_committed))[:BUDGETS_SHOWN]
    return {
        "attention": attention[:ATTENTION_SHOWN],
        "attention_total": len(attention),
        "money": {**money, "engagements": shown_budgets},
        "budgets_total": len(budgets),
        "pipeline": pipeline_summary(workspace),
        "agenda_days": AGENDA_DAYS,
        "agenda": [(day, list(items)) for day, items in groupby(agenda[:AGENDA_SHOWN],
                                                                key=lambda i: i.at.astimezone(tz).date())],
        "agenda_total": len(agenda),
        "charts": home_charts(workspace, budgets, now=now),
    }


def home_charts(workspace, engagement_rows, *, now):
    burning = engagement_rows[:BURN_CHARTS]
    burn = budget_burn([row.engagement for row in burning], tz_name=workspace.timezone or "UTC")
    freelancers = list({row.engagement.freelancer_id: row.engagement.freelancer
                        for row in engagement_rows}.values())[:ON_TIME_FREELANCERS]
    records = on_time_by_freelancer([f.pk for f in freelancers], now=now)
    return {
        "released": [charts.released_chart(currency, months)
                     for currency, months in released_by_month(workspace, now=now).items()],
        "burn": [charts.burn_chart(row, burn.get(row.engagement.pk, [])) for row in burning],
        "on_time": charts.on_time_chart(freelancers, records),
    }
