import zoneinfo

from django import template

from ..money import format_money

register = template.Library()

STATUS_CLASSES = {
    "prospect": "text-bg-secondary",
    "vetting": "text-bg-info",
    "approved": "text-bg-success",
    "rejected": "text-bg-dark",
    "draft": "text-bg-light border",
    "requested": "text-bg-warning",
    "received": "text-bg-success",
    "declined": "text-bg-secondary",
    "expired": "text-bg-dark",
    "advance": "text-bg-success",
    "hold": "text-bg-warning",
    "reject": "text-bg-danger",
    "pending": "text-bg-light border",
}


@register.filter
def money(minor, currency):
    return format_money(minor, currency)


@register.simple_tag
def rate(freelancer):
    if freelancer.rate_amount is None:
        return ""
    return f"{format_money(freelancer.rate_amount, freelancer.currency)} {freelancer.get_rate_unit_display()}"


@register.filter
def in_tz(value, tz_name):
    """An aware datetime shown in `tz_name`, with the zone's abbreviation and name."""
    if not value:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()} ({tz_name})"


@register.filter
def status_class(value):
    return STATUS_CLASSES.get(str(value), "text-bg-light border")


@register.filter
def score(value):
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@register.filter
def score_class(value):
    if value is None:
        return "text-body-secondary"
    if value >= 4:
        return "text-success"
    if value >= 3:
        return "text-body"
    return "text-danger"
