"""Template filters of the money pages (owner and portal alike): amounts kept in minor units are
shown in major units with their currency, durations as hours and minutes, states as badges."""

from django import template

from payments.gateways import method_label
from payments.money import format_money, to_major
from payments.providers import payments_provider, stripe_enabled
from payments.selectors import PAYMENT_LABELS, latest_reconciliation

register = template.Library()


@register.filter
def money(minor, currency):
    """{{ amount|money:currency }} → "1,500.00 USD"."""
    if minor is None or minor == "":
        return ""
    return format_money(int(minor), currency)


@register.filter
def signed_money(minor, currency):
    """Like money, with an explicit sign for ledger lines; empty for zero."""
    if not minor:
        return ""
    text = format_money(abs(int(minor)), currency)
    return f"+{text}" if minor > 0 else f"−{text}"


@register.filter
def major(minor, currency):
    """Minor units as a plain decimal for form inputs: 150000 → "1500.00"."""
    if minor is None:
        return ""
    return str(to_major(int(minor), currency))


@register.filter
def hours(minutes):
    """Minutes as "7 h 30 min"."""
    minutes = int(minutes or 0)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m:02d} min"
    return f"{h} h" if h else f"{m} min"


@register.filter
def state_class(state):
    return {
        "draft": "text-bg-light border", "funded": "text-bg-info", "submitted": "text-bg-primary",
        "changes_requested": "text-bg-warning", "disputed": "text-bg-danger", "released": "text-bg-success",
        "refunded": "text-bg-secondary", "split": "text-bg-secondary", "approved": "text-bg-success",
        "payment_pending": "text-bg-warning",
    }.get(str(state), "text-bg-light border")


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, {})


@register.filter
def payout_method(method):
    return method_label(method)


@register.inclusion_tag("payments/_held_funds_note.html")
def held_funds_note():
    """The one line saying where money shown as held really is (payments.providers)."""
    return {"note": payments_provider().held_funds_note}


@register.simple_tag
def provider_moves_money():
    """Whether the payment provider moves the money itself (Stripe) or the owner pays out."""
    return payments_provider().moves_money


@register.filter
def payment_label(intent):
    """How a milestone's payment through the provider reads: "Payment pending", "… failed"."""
    return PAYMENT_LABELS.get(intent.status, intent.get_status_display())


@register.inclusion_tag("payments/_reconciliation_notice.html", takes_context=True)
def reconciliation_notice(context):
    """What the last reconciliation with Stripe could not match, on the money card (nothing, and
    no query, off the platform)."""
    request = context.get("request")
    workspace = getattr(request, "workspace", None)
    if workspace is None or not stripe_enabled():
        return {"run": None}
    run = latest_reconciliation(workspace)
    return {"run": run if run is not None and run.unexplained_count else None}
