"""Reads the portal pages (and the API's invitation endpoints) share: the freelancer's
engagements and what each asks of them now, what an engagement's pages show of its milestones,
check-ins and money, the freelancer's email choices, and a freelancer's portal invitations as
the owner sees them.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, InvitationRole, InvitationStatus
from accounts.services import InvitationError
from engagements.models import (
    OPEN_WORK_STATES,
    Brief,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    MilestoneState,
    PlaybookAcknowledgement,
)
from engagements.selectors import (
    brief_awaiting_acknowledgement,
    current_brief,
    milestones_with_rounds,
    playbook_status,
)
from engagements.selectors.agreement import awaiting_freelancer_version
from freelancers.models import Freelancer
from notifications import preferences
from notifications.models import PreferenceMode
from payments import selectors as money
from payments.models import Payout

from .models import PortalAccess

RUNNING = {EngagementStatus.ACTIVE, EngagementStatus.PAUSED}
# Open engagements: offered or under way (where joining or losing the portal is worth a line
# on the timeline, and whose deadlines follow the freelancer's time zone).
OPEN = [EngagementStatus.OFFERED, EngagementStatus.ACTIVE, EngagementStatus.PAUSED]
WORKABLE = {MilestoneState.FUNDED, MilestoneState.CHANGES_REQUESTED}


@dataclass
class Todo:
    text: str
    url_name: str
    url_kwargs: dict
    urgent: bool = False

    @property
    def url(self):
        return reverse(self.url_name, kwargs=self.url_kwargs)


# An engagement's current brief (no later version) when it was sent and not acknowledged:
# as a subquery of the engagement's row.
_waiting_brief = Brief.objects.filter(engagement=OuterRef("pk"), sent_at__isnull=False,
                                      acknowledged_at__isnull=True).exclude(
    Exists(Brief.objects.filter(engagement=OuterRef("engagement"), version__gt=OuterRef("version"))))


def with_waiting(queryset):
    """Engagements annotated with `waiting_brief` and `waiting_agreement`: the version of the brief
    to acknowledge and of the agreement to sign, or None (a subquery each)."""
    return queryset.annotate(waiting_brief=Subquery(_waiting_brief.values("version")[:1]),
                             waiting_agreement=awaiting_freelancer_version())


def docs_waiting_count(freelancer):
    """A subquery for an engagement queryset: how many of its attached documents' current versions
    the freelancer has not acknowledged."""
    acknowledged = PlaybookAcknowledgement.objects.filter(
        freelancer=freelancer, version__document_id=OuterRef("playbookdocument_id"),
        version__version=OuterRef("playbookdocument__current_version"))
    waiting = Engagement.playbook.through.objects.exclude(Exists(acknowledged))
    return Coalesce(Subquery(waiting.filter(engagement_id=OuterRef("pk")).order_by()
                             .values("engagement_id").annotate(n=Count("*")).values("n"),
                             output_field=IntegerField()), Value(0))


def engagement_todos(engagement):
    """What the freelancer is asked to do on one engagement now."""
    todos = []
    waiting = brief_awaiting_acknowledgement(engagement)
    if waiting:
        todos.append(Todo(f"Read and acknowledge brief v{waiting.version}", "portal:brief", {"pk": engagement.pk},
                          urgent=True))
    if not engagement.is_ended:
        for item in playbook_status(engagement):
            if not item["acknowledged"]:
                document = item["document"]
                todos.append(Todo(f"Read and acknowledge “{document.title}” (v{item['version']})",
                                  "portal:playbook_document", {"pk": engagement.pk, "document_pk": document.pk}))
    for m in engagement.milestones.filter(state=MilestoneState.CHANGES_REQUESTED).order_by("position", "pk"):
        todos.append(Todo(f"Changes requested on “{m.title}”", "portal:milestone",
                          {"pk": engagement.pk, "milestone_pk": m.pk}, urgent=True))
    return todos


# --- One engagement's pages --------------------------------------------------------------------
def milestones_for_freelancer(engagement, *, now):
    """The engagement's milestones with their feedback rounds, each with what the freelancer's
    overview shows of it: the money held for it in escrow (`escrowed`) and whether it is overdue
    (`overdue`: due before `now` while its work is still open)."""
    milestones = list(milestones_with_rounds(engagement))
    held = money.escrow_by_milestone(engagement)
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
        m.overdue = bool(m.due_at and m.due_at < now and m.state in OPEN_WORK_STATES)
    return milestones


def paid_out(engagement):
    """What the freelancer was paid on this engagement (the sum of its payouts), in minor units."""
    return Payout.objects.filter(engagement=engagement).aggregate(total=Sum("amount"))["total"] or 0


def upcoming_checkins(engagement, *, now):
    """Check-ins still to come, soonest first."""
    return CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED,
                                  scheduled_at__gte=now).order_by("scheduled_at")


def checkins_by_time(engagement, *, now):
    """(upcoming, past): the check-ins still to come, soonest first, and every other one (held,
    cancelled, or scheduled for a moment gone), newest first."""
    rows = list(CheckIn.objects.filter(engagement=engagement).order_by("-scheduled_at"))
    ahead = [c for c in rows if c.status == CheckInStatus.SCHEDULED and c.scheduled_at >= now]
    return sorted(ahead, key=lambda c: c.scheduled_at), [c for c in rows if c not in ahead]


def engagement_money_for(freelancer, engagement):
    """The engagement's money as its freelancer sees it: the statement lines of this engagement,
    earned and paid out, still owed, each milestone with what escrow holds for it, and the
    payouts."""
    statement = money.freelancer_statement(freelancer)
    lines = [line for line in statement.currency_lines.get(engagement.currency, [])
             if line.engagement and line.engagement.pk == engagement.pk]
    held = money.escrow_by_milestone(engagement)
    milestones = list(engagement.milestones.order_by("position", "pk"))
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
    return {
        "lines": lines, "earned": sum(line.earned for line in lines), "paid": sum(line.paid_out for line in lines),
        "owed": money.owed_on(engagement), "milestones": milestones, "in_escrow": sum(m.escrowed for m in milestones),
        "payouts": Payout.objects.filter(engagement=engagement),
    }


# --- The freelancer's email choices ------------------------------------------------------------
def email_categories():
    """The kinds of email a freelancer with a portal login may turn off (everything else, about
    the work itself or money, always goes). Invitation reminders are for people without one."""
    return [c for c in preferences.CATEGORIES
            if c.audience == preferences.FREELANCER and c.key != "invitation_reminders"]


def email_choices(freelancer):
    """{category key: True when on} for the freelancer's address in their workspace."""
    modes = preferences.modes(workspace=freelancer.workspace, email=freelancer.email)
    return {c.key: modes[c.key] != PreferenceMode.OFF for c in email_categories()}


# --- Portal invitations, as the owner sees them ------------------------------------------------
STATUSES = [InvitationStatus.PENDING, InvitationStatus.ACCEPTED, InvitationStatus.EXPIRED, InvitationStatus.REVOKED]


def filter_by_status(qs, status):
    """Invitations with the status people see: a pending invitation past its expiry is expired
    even before the housekeeping sweep marks it so."""
    now = timezone.now()
    if status == InvitationStatus.PENDING:
        return qs.filter(status=InvitationStatus.PENDING, expires_at__gt=now)
    if status == InvitationStatus.EXPIRED:
        return qs.filter(Q(status=InvitationStatus.EXPIRED) | Q(status=InvitationStatus.PENDING, expires_at__lte=now))
    return qs.filter(status=status)


def freelancer_invitations(freelancer):
    return Invitation.objects.filter(
        workspace_id=freelancer.workspace_id, role=InvitationRole.FREELANCER, target_id=freelancer.pk,
    ).select_related("invited_by", "accepted_by")


@dataclass
class PortalState:
    """What the owner sees of a freelancer's portal access."""

    freelancer: Freelancer
    status: str  # "active" (has a login), "pending", "expired", "revoked", "accepted", "none"
    invitation: Invitation | None
    access: PortalAccess | None

    @property
    def label(self):
        return {
            "active": "Uses the portal", "pending": "Invitation pending", "expired": "Invitation expired",
            "revoked": "Invitation revoked", "accepted": "Invitation accepted", "none": "Not invited",
        }[self.status]

    @property
    def access_revoked(self):
        return self.status != "active" and self.access is not None and self.access.revoked_at is not None


def portal_state(freelancer):
    """The freelancer's portal status: a linked login wins; otherwise the latest invitation's
    effective status (a pending one past its expiry reads as expired)."""
    latest = freelancer_invitations(freelancer).order_by("-created_at", "-pk").first()
    access = PortalAccess.objects.filter(freelancer=freelancer).select_related("revoked_by").first()
    if freelancer.user_id:
        return PortalState(freelancer, "active", latest, access)
    if latest is None:
        return PortalState(freelancer, "none", None, access)
    return PortalState(freelancer, latest.effective_status, latest, access)


def open_engagements(freelancer):
    return freelancer.engagements.filter(status__in=OPEN).select_related("workspace", "freelancer")


def invited_freelancer(invitation):
    """The freelancer a portal invitation is for. An invitation whose freelancer changed email
    since (or was deleted) is no longer valid: it is bound to that address."""
    freelancer = Freelancer.objects.filter(pk=invitation.target_id, workspace_id=invitation.workspace_id).first()
    if freelancer is None or freelancer.email.lower() != invitation.email:
        raise InvitationError("invalid")
    return freelancer


def joined_freelancer(invitation, user):
    """The freelancer profile `user` joined by accepting `invitation`, while it is still theirs."""
    return Freelancer.objects.select_related("workspace").filter(
        pk=invitation.target_id, workspace_id=invitation.workspace_id, user=user).first()


def offers_to_invite():
    """Offered engagements whose freelancer has no portal login, no invitation since the offer,
    no pending invitation at all, and whose access was not revoked after the offer."""
    invitations = Invitation.objects.filter(role=InvitationRole.FREELANCER, workspace_id=OuterRef("workspace_id"),
                                            target_id=OuterRef("freelancer_id"))
    return (
        Engagement.objects.filter(status=EngagementStatus.OFFERED, offered_at__isnull=False,
                                  freelancer__user__isnull=True)
        .exclude(Exists(invitations.filter(created_at__gte=OuterRef("offered_at"))))
        .exclude(Exists(invitations.filter(status=InvitationStatus.PENDING, expires_at__gt=timezone.now())))
        .exclude(freelancer__portal_access__revoked_at__gte=F("offered_at"))
    )


__all__ = ["current_brief", "engagement_todos"]


def invited_freelancer_zones(invitations):
    """{invitation pk: the invited freelancer's time zone}, for the invitation reminder's decent
    hours (registered with notifications.reminders when this app loads)."""
    zones = dict(Freelancer.objects.filter(pk__in={inv.target_id for inv in invitations if inv.target_id})
                 .exclude(timezone="").values_list("pk", "timezone"))
    return {inv.pk: zones[inv.target_id] for inv in invitations if inv.target_id in zones}
