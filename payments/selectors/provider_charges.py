"""Off-session charges for pages, the API and the needs-attention list (payments/services/
provider_charges.py): an engagement's charges not paid yet, the workspace's saved payment method,
and a row per failed charge until it is paid."""

from django.urls import reverse

from accounts.attention import AttentionItem, attention_rows, workspace_param

from ..models import ChargeStatus, PaymentCustomer, ProviderCharge
from ..money import format_money


def open_charges(engagement):
    """The engagement's charges not paid (yet): charging, processing or failed, oldest first."""
    return list(ProviderCharge.objects.filter(engagement=engagement).exclude(status=ChargeStatus.SUCCEEDED)
                .order_by("created_at", "pk"))


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
