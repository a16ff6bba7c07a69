"""The talent pool's part of the owner's "needs attention" list (read, never stored): references
that answered while the freelancer still waits for a decision, and invitations (teammates and
freelancers) about to expire unaccepted. One query per kind. engagements and payments add their
kinds; payments.selectors.attention merges and sorts them all."""

from datetime import timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.urls import reverse

from accounts.attention import AttentionItem, AttentionWindow, attention_rows, now_param, span, workspace_param
from accounts.models import Invitation, InvitationRole

from .models import Freelancer, FreelancerStatus, Reference, ReferenceStatus

# An unaccepted invitation this close to its expiry is worth a resend.
EXPIRING_WITHIN = timedelta(days=2)
UNDECIDED = (FreelancerStatus.PROSPECT, FreelancerStatus.VETTING)


def freelancer_attention(workspace, *, now, window=None):
    """(items, total): each kind's first `window.limit` items, most urgent first, and the count of all."""
    window = window or AttentionWindow()
    references, references_total = _references(workspace, now, window)
    invitations, invitations_total = _invitations(workspace, now, window)
    return [*references, *invitations], references_total + invitations_total


def _references(workspace, now, window):
    """Handled once the owner decides on the freelancer (approved or rejected on the scorecard)."""
    references = (
        Reference.objects.filter(freelancer__workspace=workspace_param(workspace), status=ReferenceStatus.RECEIVED,
                                 freelancer__status__in=UNDECIDED)
        .select_related("freelancer")
    )
    if window.only and not window.only.startswith("reference_answered:"):
        return [], 0
    references, total = attention_rows(references, window, kind="reference_answered",
                                       order=(F("answered_at").asc(nulls_last=True), "pk"))
    return [AttentionItem(
        key=f"reference_answered:{r.pk}", kind="reference_answered", severity="soon",
        title=f"{r.name} answered the reference for {r.freelancer.name}"
              f"{f' {span(now - r.answered_at)} ago' if r.answered_at else ''}; a decision is waiting.",
        url=reverse("freelancers:scorecard", kwargs={"pk": r.freelancer_id}), action="Open the scorecard",
        due_at=r.answered_at, freelancer=r.freelancer_id) for r in references], total


def _invitations(workspace, now, window):
    if window.only and not window.only.startswith("invitation_expiring:"):
        return [], 0
    expiring_before = ExpressionWrapper(now_param(now) + Value(EXPIRING_WITHIN), output_field=DateTimeField())
    invitations, total = attention_rows(
        Invitation.objects.pending(now_param(now)).filter(workspace=workspace_param(workspace),
                                                          expires_at__lt=expiring_before),
        window, kind="invitation_expiring", order=("expires_at", "pk"))
    names = dict(Freelancer.objects.filter(
        workspace=workspace, pk__in=[i.target_id for i in invitations if i.role == InvitationRole.FREELANCER],
    ).values_list("pk", "name")) if invitations else {}
    items = []
    for i in invitations:
        freelancer = names.get(i.target_id) if i.role == InvitationRole.FREELANCER else None
        who = f"{freelancer}'s portal invitation" if freelancer else f"The invitation for {i.email}"
        url = (reverse("freelancers:detail", kwargs={"pk": i.target_id}) if freelancer
               else reverse("dashboard:team"))
        items.append(AttentionItem(
            key=f"invitation_expiring:{i.pk}", kind="invitation_expiring",
            severity="today" if i.expires_at - now < timedelta(days=1) else "soon",
            title=f"{who} expires in {span(i.expires_at - now)} and has not been accepted.",
            url=url, action="Send it again", due_at=i.expires_at,
            freelancer=i.target_id if freelancer else None))
    return items, total
