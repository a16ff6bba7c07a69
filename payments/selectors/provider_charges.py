"""Off-session charges for pages, the API and the needs-attention list (payments/services/
provider_charges.py): an engagement's charges not paid yet, what is asked of Stripe and not yet
in the ledger (for budget checks), the workspace's saved payment method, and a row per failed
charge until it is paid."""

from django.db.models import Sum
from django.urls import reverse

from accounts.attention import AttentionItem, attention_rows, workspace_param

from ..models import INTENT_OPEN, ChargeStatus, IntentKind, PaymentCustomer, ProviderCharge, ProviderIntent
from ..money import format_money


def open_charges(engagement):
    """The engagement's charges not paid (yet): charging, processing or failed, oldest first."""
    return list(ProviderCharge.objects.filter(engagement=engagement).exclude(status=ChargeStatus.SUCCEEDED)
                .order_by("created_at", "pk"))


def asked_not_posted(engagement, *, except_milestone=None):
    """What the owner has asked Stripe to take for `engagement` that the ledger has not posted yet:
    charges not paid (charging, processing, or failed: each can still be paid) and milestone
    checkouts under way (except `except_milestone`'s own). A budget check counts it beside the
    committed spend, so two bonuses or two checkouts in flight cannot pass together a budget each
    passes alone."""
    charges = (ProviderCharge.objects.filter(engagement=engagement).exclude(status=ChargeStatus.SUCCEEDED)
               .aggregate(total=Sum("amount"))["total"] or 0)
    checkouts = ProviderIntent.objects.filter(engagement=engagement, kind=IntentKind.CHECKOUT, milestone__isnull=False,
                                              status__in=INTENT_OPEN)
    if except_milestone is not None:
        checkouts = checkouts.exclude(milestone=except_milestone)
    return charges + (checkouts.aggregate(total=Sum("amount"))["total"] or 0)


def payment_customer(workspace):
    return PaymentCustomer.objects.filter(workspace=workspace).first()


def charge_failures(workspace, now, window):
    """A row per failed charge: nothing is owed for it until the owner pays it through Checkout."""
    charges = (ProviderCharge.objects.filter(workspace=workspace_param(workspace), status=ChargeStatus.FAILED)
               .select_related("engagement__freelancer"))
    charges, total = attention_rows(charges, window, kind="payment_failed", order=("updated_at", "pk"))
    items = [AttentionItem(
        key=f"payment_failed:{c.pk}", kind="payment_failed", severity="overdue",
        title=f"Payment failed: the {c.get_purpose_display().lower()} of {format_money(c.amount, c.currency)} for "
              f"{c.engagement.freelancer.name} ({c.engagement.title}) could not be charged to your saved payment "
              f"method ({c.error[:160]}). Nothing is owed until you pay it.",
        url=reverse("payments:charge_pay", kwargs={"pk": c.pk}), action="Pay now", due_at=c.updated_at,
        engagement=c.engagement_id, freelancer=c.engagement.freelancer_id) for c in charges]
    return items, total
