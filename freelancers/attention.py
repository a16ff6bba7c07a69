"""The talent pool's part of the owner's "needs attention" list (read, never stored): references
that answered while the freelancer still waits for a decision, and invitations (teammates and
freelancers) about to expire unaccepted. One query per kind. engagements and payments add their
kinds; payments.selectors.attention merges and sorts them all."""

from datetime import timedelta

from django.urls import reverse

from accounts.attention import AttentionItem, span
from accounts.models import Invitation, InvitationRole

from .models import Freelancer, FreelancerStatus, Reference, ReferenceStatus

# An unaccepted invitation this close to its expiry is worth a resend.
EXPIRING_WITHIN = timedelta(days=2)
UNDECIDED = (FreelancerStatus.PROSPECT, FreelancerStatus.VETTING)


def freelancer_attention(workspace, *, now):
    return [*_references(workspace, now), *_invitations(workspace, now)]


def _references(workspace, now):
    """Handled once the owner decides on the freelancer (approved or rejected on the scorecard)."""
    references = (
        Reference.objects.filter(freelancer__workspace=workspace, status=ReferenceStatus.RECEIVED,
                                 freelancer__status__in=UNDECIDED)
        .select_related("freelancer")
    )
    return [AttentionItem(
        key=f"reference_answered:{r.pk}", kind="reference_answered", severity="soon",
        title=f"{r.name} answered the reference for {r.freelancer.name}"
              f"{f' {span(now - r.answered_at)} ago' if r.answered_at else ''}; a decision is waiting.",
        url=reverse("freelancers:scorecard", kwargs={"pk": r.freelancer_id}), action="Open the scorecard",
        due_at=r.answered_at, freelancer=r.freelancer_id) for r in references]


def _invitations(workspace, now):
    invitations = list(Invitation.objects.pending(now).filter(workspace=workspace,
                                                              expires_at__lt=now + EXPIRING_WITHIN))
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
    return items
