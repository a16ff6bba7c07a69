"""What needs the owner's attention about engagements, read from the rows themselves: overdue
status updates and gone-quiet engagements (with the suggested backup), overdue or at-risk
milestones, work whose review window closes, date requests waiting for an answer, briefs and
playbook documents not yet acknowledged, check-ins today, an agreement waiting for the owner's
signature (selectors/agreement.py). A handled row drops out of its query,
so its item disappears by itself; a snooze (AttentionSnooze) hides one for a day for one user.

Each kind is one query however many engagements there are (the home page and the API are tested
for a constant count). freelancers and payments add their kinds beside these
(`freelancers/attention.py`, `payments/selectors/attention.py`, which merges them all)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.urls import reverse

from accounts.attention import (
    AttentionItem,
    AttentionWindow,
    attention_rows,
    key_expr,
    now_param,
    span,
    workspace_param,
)
from accounts.together import Param
from freelancers.models import Freelancer

from ..models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    AttentionSnooze,
    Brief,
    CheckIn,
    CheckInStatus,
    DateChangeStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneDateChange,
    MilestoneState,
    PlaybookAcknowledgement,
    PlaybookAckRequest,
)
from .agreement import owner_agreement_attention

# A milestone still being worked on this close to its due date is at risk.
AT_RISK_WITHIN = timedelta(days=2)
# Past this, an unacknowledged brief or playbook document is late (the freelancer was nudged).
ACK_LATE_AFTER = timedelta(days=2)


def local_day(workspace, now):
    """[start, end) of the workspace's calendar day containing `now`."""
    tz = ZoneInfo(workspace.timezone or "UTC")
    start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def snoozed_keys(*, user, workspace, now, query=False):
    """The keys the user has snoozed until later: a set, or (`query`) the query of them (its
    values Params, for a statement kept compiled: accounts.attention.statement_values)."""
    if query:
        return AttentionSnooze.objects.filter(
            user=Param("user", user.pk, IntegerField()), workspace=workspace_param(workspace),
            until__gt=now_param(now)).values_list("key", flat=True)
    return set(AttentionSnooze.objects.filter(user=user, workspace=workspace, until__gt=now)
               .values_list("key", flat=True))


KINDS = (("update_overdue", "silent"), ("review_closing", "milestone_overdue", "milestone_at_risk"),
         ("date_request",), ("brief_unacknowledged",), ("playbook_unacknowledged",), ("checkin_today",),
         ("agreement_unsigned",))


def engagement_attention(workspace, *, now, window=None):
    """(items, total): each kind's first `window.limit` items in urgency order (unsorted between
    kinds: payments.selectors.attention sorts the merge) and how many there are in all."""
    window = window or AttentionWindow()
    items, total = [], 0
    for kinds, read in zip(KINDS, (_updates_and_silence, _milestones, _date_requests, _briefs, _playbooks,
                                   _checkins_today, owner_agreement_attention), strict=True):
        if window.only and window.only.rpartition(":")[0] not in kinds:
            continue
        kind_items, kind_total = read(workspace, now, window)
        items += kind_items
        total += kind_total
    return items, total


def _eng_url(name, engagement_id, **kwargs):
    return reverse(f"engagements:{name}", kwargs={"pk": engagement_id, **kwargs})


def _updates_and_silence(workspace, now, window):
    """A row makes one or two items, each left out when snoozed (in SQL: a row with neither left
    is not read); the row is ordered by its earlier item that is shown."""
    overdue, quiet = Q(next_update_due_at__lt=now_param(now)), Q(gone_quiet_at__isnull=False)
    engagements = (
        Engagement.objects.filter(workspace=workspace_param(workspace), status=EngagementStatus.ACTIVE)
        .filter(overdue | quiet)
        .select_related("freelancer")
        # The suggested backup (the first named, by name) read with the row, not in a query of its own.
        .annotate(_update_key=key_expr("update_overdue"), _silent_key=key_expr("silent"),
                  _backup=Subquery(Freelancer.objects.filter(backup_for=OuterRef("pk")).order_by("name", "pk")
                                   .values("name")[:1]))
    )
    if window.only:
        engagements = engagements.filter(Q(_update_key=window.only, next_update_due_at__lt=now_param(now))
                                         | Q(_silent_key=window.only, gone_quiet_at__isnull=False))
    shown_overdue = overdue & ~Q(_update_key__in=window.hidden) if window.hides else overdue
    shown_quiet = quiet & ~Q(_silent_key__in=window.hidden) if window.hides else quiet
    engagements = engagements.filter(shown_overdue | shown_quiet).annotate(
        _update_shown=ExpressionWrapper(shown_overdue, output_field=BooleanField()),
        _silent_shown=ExpressionWrapper(shown_quiet, output_field=BooleanField()))
    total = Sum(Case(When(shown_overdue, then=Value(1)), default=Value(0), output_field=IntegerField())
                + Case(When(shown_quiet, then=Value(1)), default=Value(0), output_field=IntegerField()))
    update_due = Case(When(shown_overdue, then=F("next_update_due_at")))
    quiet_since = Case(When(shown_quiet, then=F("gone_quiet_at")))
    earliest = Least(Coalesce(update_due, quiet_since), Coalesce(quiet_since, update_due))
    engagements, total = attention_rows(engagements, window, kind=None, order=(earliest, "pk"), total=total)
    items = []
    for e in engagements:
        who = e.freelancer.name
        if e._update_shown:
            items.append(AttentionItem(
                key=f"update_overdue:{e.pk}", kind="update_overdue", severity="overdue",
                title=f"{who}'s status update on “{e.title}” is {span(now - e.next_update_due_at)} overdue.",
                url=_eng_url("updates", e.pk), action="See the updates", due_at=e.next_update_due_at,
                engagement=e.pk, freelancer=e.freelancer_id))
        if e._silent_shown:
            since = e.last_activity_at or e.activated_at or e.gone_quiet_at
            backup = f" Suggested backup: {e._backup}." if e._backup else " No backup named yet."
            items.append(AttentionItem(
                key=f"silent:{e.pk}", kind="silent", severity="overdue",
                title=f"{who} has gone quiet on “{e.title}”: nothing for {span(now - since)}.{backup}",
                url=_eng_url("detail", e.pk), action="Check in", due_at=e.gone_quiet_at,
                engagement=e.pk, freelancer=e.freelancer_id))
    return [i for i in items if not window.only or i.key == window.only], total


def _milestones(workspace, now, window):
    """Overdue and at-risk milestones, and submitted work whose review window is open: one query."""
    submitted = Q(state=MilestoneState.SUBMITTED)
    kind = Case(When(submitted, then=Value("review_closing")),
                When(due_at__lt=now_param(now), then=Value("milestone_overdue")), default=Value("milestone_at_risk"))
    at_risk_before = ExpressionWrapper(now_param(now) + Value(AT_RISK_WITHIN), output_field=DateTimeField())
    milestones = (
        Milestone.objects.filter(engagement__workspace=workspace_param(workspace),
                                 engagement__status=EngagementStatus.ACTIVE)
        .filter(Q(state__in=OPEN_WORK_STATES, due_at__lt=at_risk_before)
                | Q(state=MilestoneState.SUBMITTED, review_deadline_at__isnull=False))
        .select_related("engagement__freelancer").annotate(_kind=kind)
    )
    due = Case(When(submitted, then=F("review_deadline_at")), default=F("due_at"))
    milestones, total = attention_rows(milestones, window, kind=F("_kind"), order=(due, "_kind", "pk"))
    items = []
    for m in milestones:
        e = m.engagement
        who, url = e.freelancer.name, _eng_url("milestone", e.pk, milestone_pk=m.pk)
        ids = {"engagement": e.pk, "freelancer": e.freelancer_id, "milestone": m.pk}
        if m.state == MilestoneState.SUBMITTED:
            left = m.review_deadline_at - now
            severity = "overdue" if left <= timedelta(0) else "today" if left < timedelta(days=1) else "soon"
            when = (f"{span(left, hours=True)} left to review it before the payment is released automatically"
                    if severity != "overdue" else "the review window has closed; the payment is being released")
            items.append(AttentionItem(
                key=f"review_closing:{m.pk}", kind="review_closing", severity=severity,
                title=f"{who} submitted “{m.title}” ({e.title}): {when}.", url=url, action="Review the work",
                due_at=m.review_deadline_at, **ids))
        elif m.due_at < now:
            items.append(AttentionItem(
                key=f"milestone_overdue:{m.pk}", kind="milestone_overdue", severity="overdue",
                title=f"“{m.title}” by {who} ({e.title}) is {span(now - m.due_at)} overdue.", url=url,
                action="Open the milestone", due_at=m.due_at, **ids))
        else:
            items.append(AttentionItem(
                key=f"milestone_at_risk:{m.pk}", kind="milestone_at_risk",
                severity="today" if m.due_at - now < timedelta(days=1) else "soon",
                title=f"“{m.title}” by {who} ({e.title}) is due in {span(m.due_at - now)} and not submitted yet.",
                url=url, action="Open the milestone", due_at=m.due_at, **ids))
    return items, total


def _date_requests(workspace, now, window):
    requests = (
        MilestoneDateChange.objects.filter(milestone__engagement__workspace=workspace_param(workspace),
                                           status=DateChangeStatus.PENDING,
                                           milestone__engagement__status__in=OPEN_STATUSES)
        .select_related("milestone__engagement__freelancer")
    )
    requests, total = attention_rows(requests, window, kind="date_request", order=("requested_at", "pk"))
    items = []
    for r in requests:
        m, e = r.milestone, r.milestone.engagement
        items.append(AttentionItem(
            key=f"date_request:{r.pk}", kind="date_request", severity="today",
            title=f"{e.freelancer.name} asks to move “{m.title}” ({e.title}) to {r.proposed_on:%b %-d}; "
                  f"waiting {span(now - r.requested_at)} for your answer.",
            url=_eng_url("milestone", e.pk, milestone_pk=m.pk), action="Answer", due_at=r.requested_at,
            engagement=e.pk, freelancer=e.freelancer_id, milestone=m.pk))
    return items, total


def _briefs(workspace, now, window):
    newer = Brief.objects.filter(engagement=OuterRef("engagement"), version__gt=OuterRef("version"))
    briefs = (
        Brief.objects.filter(engagement__workspace=workspace_param(workspace), engagement__status__in=OPEN_STATUSES,
                             sent_at__isnull=False, acknowledged_at__isnull=True)
        .filter(~Exists(newer)).select_related("engagement__freelancer")
    )
    briefs, total = attention_rows(briefs, window, kind="brief_unacknowledged", order=("sent_at", "pk"))
    items = []
    for b in briefs:
        e = b.engagement
        waited = now - b.sent_at
        items.append(AttentionItem(
            key=f"brief_unacknowledged:{b.pk}", kind="brief_unacknowledged",
            severity="overdue" if waited > ACK_LATE_AFTER else "soon",
            title=f"{e.freelancer.name} has not acknowledged the brief (version {b.version}) of “{e.title}”, "
                  f"sent {span(waited)} ago.",
            url=_eng_url("brief", e.pk), action="Open the brief", due_at=b.sent_at,
            engagement=e.pk, freelancer=e.freelancer_id))
    return items, total


def _playbooks(workspace, now, window):
    acknowledged = PlaybookAcknowledgement.objects.filter(version=OuterRef("version"),
                                                          freelancer=OuterRef("engagement__freelancer"))
    requests = (
        PlaybookAckRequest.objects.filter(engagement__workspace=workspace_param(workspace),
                                          engagement__status__in=OPEN_STATUSES,
                                          version__version=F("version__document__current_version"))
        .filter(~Exists(acknowledged)).select_related("engagement__freelancer", "version__document")
    )
    requests, total = attention_rows(requests, window, kind="playbook_unacknowledged",
                                     order=("requested_at", "pk"))
    items = []
    for r in requests:
        e = r.engagement
        waited = now - r.requested_at
        items.append(AttentionItem(
            key=f"playbook_unacknowledged:{r.pk}", kind="playbook_unacknowledged",
            severity="overdue" if waited > ACK_LATE_AFTER else "soon",
            title=f"{e.freelancer.name} has not read “{r.version.document.title}” (version {r.version.version}) "
                  f"for “{e.title}”, asked {span(waited)} ago.",
            url=_eng_url("playbook", e.pk), action="See the playbook", due_at=r.requested_at,
            engagement=e.pk, freelancer=e.freelancer_id))
    return items, total


def _checkins_today(workspace, now, window):
    start, end = local_day(workspace, now)
    checkins = (
        CheckIn.objects.filter(engagement__workspace=workspace_param(workspace), status=CheckInStatus.SCHEDULED,
                               scheduled_at__gte=Param("day_start", start, DateTimeField()),
                               scheduled_at__lt=Param("day_end", end, DateTimeField()))
        .select_related("engagement__freelancer")
    )
    checkins, total = attention_rows(checkins, window, kind="checkin_today", order=("scheduled_at", "pk"))
    tz = start.tzinfo
    items = []
    for c in checkins:
        e = c.engagement
        at = f"{c.scheduled_at.astimezone(tz):%H:%M}"
        when = f"in {span(c.scheduled_at - now)}" if c.scheduled_at > now else "now; record how it went"
        items.append(AttentionItem(
            key=f"checkin_today:{c.pk}", kind="checkin_today", severity="today",
            title=f"Check-in with {e.freelancer.name} about “{e.title}” today at {at} ({when}).",
            url=_eng_url("checkin", e.pk, checkin_pk=c.pk), action="Open the check-in", due_at=c.scheduled_at,
            engagement=e.pk, freelancer=e.freelancer_id))
    return items, total
