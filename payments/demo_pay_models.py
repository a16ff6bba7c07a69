"""The pay models in the demo (called by payments.demo): a monthly retainer and a commission,
each with a few periods or reports in different states, so `make run` shows them.

- "Bookkeeping retainer" (Lucía): started about 80 days ago; its first period released at its
  end, the second disputed by the owner (money frozen, on the dashboard), the current one funded
  with more hours used than it includes (flagged).
- "Wholesale referrals" (Jonas, 10 % commission): three months reported; once Jonas can sign in
  (portal.demo) he accepts the oldest (paid) and disputes the next; the latest stays inside its
  dispute window.

Through the services, with fixed idempotency keys; an engagement whose title exists is skipped,
so running the demo again adds nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from engagements.models import Activity, Brief, Engagement, StatusUpdate
from engagements.selectors import current_brief
from engagements.services.brief import brief_save
from engagements.services.lifecycle import brief_acknowledge, engagement_create, engagement_offer
from engagements.services.reporting import status_update_post
from freelancers.models import Freelancer

from . import services
from .models import CommissionReport, CommissionStatus, RetainerPeriod
from .reminders.pay_models import retainers_flag_hours_over

RETAINER_TITLE = "Bookkeeping retainer"
COMMISSION_TITLE = "Wholesale referrals"


def _running(workspace, owner, freelancer, *, title, started, goal, **terms):
    """A brief, the offer and its acknowledgement on `started`: an active engagement."""
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title=title,
                                   **terms)
    brief_save(engagement=engagement, actor=owner, goal=goal,
               deliverables="As agreed each month.", acceptance_criteria="Done on time, as agreed.")
    engagement_offer(engagement=engagement, actor=owner)
    brief = current_brief(engagement)
    brief_acknowledge(brief_id=brief.pk, freelancer=freelancer)
    moment = timezone.now().replace(year=started.year, month=started.month, day=started.day)
    Brief.objects.filter(pk=brief.pk).update(sent_at=moment, acknowledged_at=moment, created_at=moment)
    Engagement.objects.filter(pk=engagement.pk).update(created_at=moment, offered_at=moment, activated_at=moment)
    engagement.refresh_from_db()
    return engagement


def _retainer(workspace, owner, freelancer, today):
    started = today - timedelta(days=80)
    engagement = _running(workspace, owner, freelancer, title=RETAINER_TITLE, started=started, kind="retainer",
                          pay_terms="retainer", retainer_amount=120_000, retainer_hours=10, budget=1_200_000,
                          starts_on=started, goal="Monthly bookkeeping: receipts, reconciliation, VAT prep.")
    mark = Activity.objects.aggregate(m=Max("pk"))["m"] or 0
    day = started
    while day <= today:  # each period funded at its start, as the sweep would have
        services.retainer_period_fund(engagement=engagement, today=day)
        day = RetainerPeriod.objects.filter(engagement=engagement).order_by("-starts_on").first().ends_on \
            + timedelta(days=1)
    first, second = RetainerPeriod.objects.filter(engagement=engagement).order_by("starts_on")[:2]
    services.retainer_period_release(period_id=first.pk, now=timezone.now())
    services.retainer_period_dispute(period=second, actor=owner, reason="The VAT return for the quarter was not "
                                                                        "filed this month; we'd like to settle part.")
    update = status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="Receipts and bank feeds "
                                "reconciled; the VAT draft is ready.", next="Year-end checklist.",
                                percent_complete=70, hours=Decimal("12.5"))
    StatusUpdate.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(hours=3))
    retainers_flag_hours_over(now=timezone.now())
    Activity.objects.filter(pk__gt=mark, engagement=engagement).update(created_at=timezone.now())
    return engagement


def _commission(workspace, owner, freelancer, today):
    engagement = _running(workspace, owner, freelancer, title=COMMISSION_TITLE, started=today - timedelta(days=100),
                          goal="Introduce our coffee to cafés and delis; 10 % of the wholesale sales you bring.",
                          kind="project", pay_terms="commission", commission_percent=Decimal("10"), budget=500_000)
    months = [date(today.year, today.month, 1)]
    for _ in range(2):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    for month, base, note in zip(months, (420_000, 180_000, 95_000),
                                 ("Three cafés, two delis.", "", "Month to date."), strict=True):
        services.commission_report_create(engagement=engagement, actor=owner, period=month, base_amount=base,
                                          note=note)
    return engagement


def freelancer_side(freelancer):
    """What the freelancer does once they can sign in (portal.demo, after they joined): accept
    the oldest commission report and dispute the next; the latest stays in its window."""
    engagement = Engagement.objects.filter(workspace=freelancer.workspace, title=COMMISSION_TITLE,
                                           freelancer=freelancer).first()
    reports = list(CommissionReport.objects.filter(engagement=engagement, status=CommissionStatus.REPORTED)
                   .order_by("period")) if engagement else []
    if len(reports) != 3:
        return
    services.commission_report_accept(report=reports[0], actor=freelancer.user, idempotency_key="demo:commission:1")
    services.commission_report_dispute(report=reports[1], actor=freelancer.user,
                                       reason="The Harbour Deli order (1,200.00) is missing from this month.")


def load(workspace, owner):
    existing = set(Engagement.objects.filter(workspace=workspace).values_list("title", flat=True))
    people = {f.email: f for f in Freelancer.objects.filter(workspace=workspace)}
    lucia, jonas = people.get("lucia.fernandez@demo.example"), people.get("jonas.berg@demo.example")
    today = timezone.localdate()
    if RETAINER_TITLE not in existing and lucia is not None:
        _retainer(workspace, owner, lucia, today)
    if COMMISSION_TITLE not in existing and jonas is not None:
        _commission(workspace, owner, jonas, today)
