"""Reads about engagements for the owner pages, the API and the dashboard: the list with its
at-risk flags, the counts, the detail page's engagement and its timeline, and whether money has
moved. Each returns a fixed number of queries however many rows there are (the list and detail
pages are tested for it)."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    OPEN_WORK_STATES,
    Activity,
    Brief,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneState,
    PlaybookAcknowledgement,
    PlaybookDocument,
    StatusUpdate,
)
from .conversation import with_unread


def overdue_milestones(now):
    return Milestone.objects.filter(engagement=OuterRef("pk"), due_at__lt=now, state__in=OPEN_WORK_STATES)


def at_risk_q(now):
    """Active and either the status update or a milestone is overdue, or it has gone quiet (the
    silence detector, engagements.reminders.silence)."""
    return Q(status=EngagementStatus.ACTIVE) & (
        Q(next_update_due_at__lt=now) | Q(Exists(overdue_milestones(now))) | Q(gone_quiet_at__isnull=False)
    )


def engagement_list(workspace, *, status=None, freelancer_id=None, freelancer_name="", at_risk=False, now=None,
                    reader=None):
    """The workspace's engagements with their flags; with `reader`, each also carries
    `unread_messages` (their unread count in its conversation), in the same query."""
    now = now or timezone.now()
    latest_update = StatusUpdate.objects.filter(engagement=OuterRef("pk")).order_by("-created_at", "-id")
    latest_brief = Brief.objects.filter(engagement=OuterRef("pk")).order_by("-version")
    planned = (
        Milestone.objects.filter(engagement=OuterRef("pk")).exclude(state=MilestoneState.REFUNDED)
        .order_by().values("engagement").annotate(total=Sum("amount")).values("total")
    )
    qs = (
        Engagement.objects.filter(workspace=workspace)
        .select_related("freelancer")
        .annotate(
            update_overdue=Case(
                When(status=EngagementStatus.ACTIVE, next_update_due_at__lt=now, then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            ),
            # One probe of milestone_open_by_engagement per row shown: as an EXISTS the planner
            # hashed every overdue milestone of the database instead (it plans for all the rows).
            milestone_overdue=Coalesce(Subquery(overdue_milestones(now).order_by().values(flag=Value(True))[:1],
                                                output_field=BooleanField()), Value(False)),
            planned_total=Coalesce(Subquery(planned, output_field=IntegerField()), Value(0)),
            last_update_at=Subquery(latest_update.values("created_at")[:1]),
            last_percent=Subquery(latest_update.values("percent_complete")[:1]),
            brief_version=Subquery(latest_brief.values("version")[:1]),
            brief_acknowledged_at=Subquery(latest_brief.values("acknowledged_at")[:1]),
            brief_sent_at=Subquery(latest_brief.values("sent_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    if reader is not None:
        qs = with_unread(qs, reader)
    if status:
        qs = qs.filter(status=status)
    if freelancer_id:
        qs = qs.filter(freelancer_id=freelancer_id)
    if freelancer_name:
        qs = qs.filter(freelancer__name__icontains=freelancer_name)
    if at_risk:
        qs = qs.filter(at_risk_q(now))
    return qs


def engagement_counts(workspace, now=None):
    """How many engagements the workspace has (`all`), active, offered and at risk: one scan."""
    now = now or timezone.now()
    return Engagement.objects.filter(workspace=workspace).aggregate(
        all=Count("pk"),
        active=Count("pk", filter=Q(status=EngagementStatus.ACTIVE)),
        offered=Count("pk", filter=Q(status=EngagementStatus.OFFERED)),
        at_risk=Count("pk", filter=at_risk_q(now)),
    )


def engagement_detail(workspace, pk):
    """The engagement with what its page shows up front; raises Engagement.DoesNotExist. Its
    playbook documents carry `acknowledged_current`: whether its freelancer acknowledged the
    current version (what `playbook_status` would otherwise ask for in a query of its own)."""
    acknowledged = PlaybookAcknowledgement.objects.filter(
        version__document=OuterRef("pk"), version__version=OuterRef("current_version"), freelancer__engagements=pk)
    documents = PlaybookDocument.objects.annotate(acknowledged_current=Exists(acknowledged))
    return (
        Engagement.objects.filter(workspace=workspace, pk=pk)
        .select_related("freelancer", "created_by", "workspace", "review")
        .prefetch_related("backups", Prefetch("playbook", queryset=documents))
        .get()
    )


def timeline(engagement, limit=None):
    qs = Activity.objects.filter(engagement=engagement).select_related("actor_user", "actor_freelancer")
    return qs[:limit] if limit else qs


def money_has_moved(engagement):
    """Whether the ledger holds a transaction for this engagement. Read through the reverse
    relation (payments sits above this app), so nothing here imports payments."""
    related = getattr(engagement, "ledger_transactions", None)
    return related is not None and related.exists()
