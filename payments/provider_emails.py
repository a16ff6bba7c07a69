"""The emails of money that moves through the payment provider (payments/providers/), through
`notifications.services.notify` like every other money email (payments/emails.py). Dedupe keys
name the event, so a replayed webhook or a second sweep never emails twice."""

from django.urls import NoReverseMatch, reverse

from notifications.links import absolute
from notifications.services import notify

from .emails import _owners
from .money import format_money


def _portal_payouts_link():
    try:
        return absolute(reverse("portal:payouts"))
    except NoReverseMatch:
        return ""


def payouts_setup(*, account, freelancer):
    """The freelancer is asked to set up payouts (the owner turned them on)."""
    notify(kind="payouts_setup", recipient_email=freelancer.email, recipient_user=freelancer.user,
           dedupe_key=f"payouts-setup:{account.pk}", workspace=freelancer.workspace,
           context={"freelancer_name": freelancer.name, "url": _portal_payouts_link(), "audience": "freelancer"})


def payout_waiting(*, engagement, transaction, amount):
    """A release could not be transferred: the freelancer's payouts are not set up (or not ready)
    yet. Both sides are told once per release; the money stays owed and moves when they are."""
    freelancer = engagement.freelancer
    context = {"engagement_title": engagement.title, "freelancer_name": freelancer.name,
               "amount": format_money(amount, engagement.currency)}
    key = f"payout-waiting:{transaction.pk}"
    notify(kind="payout_waiting", recipient_email=freelancer.email, recipient_user=freelancer.user,
           dedupe_key=f"{key}:freelancer", workspace=engagement.workspace, engagement_id=engagement.pk,
           context={**context, "url": _portal_payouts_link(), "audience": "freelancer"})
    for user in _owners(engagement.workspace):
        notify(kind="payout_waiting", recipient_email=user.email, recipient_user=user,
               dedupe_key=f"{key}:owner:{user.pk}", workspace=engagement.workspace, engagement_id=engagement.pk,
               context={**context, "url": absolute(reverse("payments:engagement", args=[engagement.pk])),
                        "audience": "owner"})


def charge_failed(*, charge, url):
    """An off-session charge (a bonus, approved hours, a retainer period, a commission) failed:
    the owners are asked to pay it through Checkout, once per charge."""
    engagement = charge.engagement
    context = {"engagement_title": engagement.title, "freelancer_name": engagement.freelancer.name,
               "what": charge.get_purpose_display(), "amount": format_money(charge.amount, charge.currency),
               "error": charge.error, "url": url, "audience": "owner"}
    for user in _owners(engagement.workspace):
        notify(kind="charge_failed", recipient_email=user.email, recipient_user=user,
               dedupe_key=f"charge-failed:{charge.pk}:owner:{user.pk}", workspace=engagement.workspace,
               engagement_id=engagement.pk, context=context)
