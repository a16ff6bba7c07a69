"""What the payments pages share: who is the owner, links to the engagements app's pages, and
the one way a page fetches an engagement (404 outside the request's workspace)."""

from django.contrib import messages
from django.urls import NoReverseMatch, reverse

from accounts.access import get_for_workspace
from accounts.models import Role
from engagements.models import Engagement

from ..models import ChargeStatus
from ..money import format_money


def is_owner(request):
    return request.membership is not None and request.membership.role == Role.OWNER


def engagement_page_url(engagement):
    """The engagement's own page in the engagements app, when it has one."""
    try:
        return reverse("engagements:detail", args=[engagement.pk])
    except NoReverseMatch:
        return ""


def milestone_page_url(milestone):
    """The milestone's page in the engagements app (its submissions), when it has one."""
    try:
        return reverse("engagements:milestone", kwargs={"pk": milestone.engagement_id, "milestone_pk": milestone.pk})
    except NoReverseMatch:
        return ""


def engagement_for(request, pk):
    return get_for_workspace(request, Engagement.objects.select_related("freelancer", "workspace"), pk=pk)


def charge_message(request, charge):
    """What the owner is told after an action charged to their saved method (Stripe on): the
    charge was made after the action committed, so it is read again."""
    charge.refresh_from_db()
    amount = format_money(charge.amount, charge.currency)
    if charge.status == ChargeStatus.SUCCEEDED:
        messages.success(request, f"{charge.get_purpose_display()}: {amount} charged to your saved payment method; "
                                  "it is owed to the freelancer and transferred to them.")
    elif charge.status == ChargeStatus.FAILED:
        messages.error(request, f"{charge.get_purpose_display()}: the payment of {amount} failed ({charge.error}) "
                                "Pay it from the link in your needs-attention list.")
    else:
        messages.info(request, f"{charge.get_purpose_display()}: {amount} is being charged to your saved payment "
                               "method; it is owed once the payment is confirmed.")
