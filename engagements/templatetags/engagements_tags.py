from datetime import timedelta

from django import template

from freelancers.money import format_money

from ..markdown import render_markdown

register = template.Library()

STATE_CLASSES = {
    # engagement
    "draft": "text-bg-light border",
    "offered": "text-bg-info",
    "active": "text-bg-success",
    "paused": "text-bg-warning",
    "completed": "text-bg-secondary",
    "cancelled": "text-bg-dark",
    # milestone
    "funded": "text-bg-primary",
    "submitted": "text-bg-info",
    "changes_requested": "text-bg-warning",
    "disputed": "text-bg-danger",
    "released": "text-bg-success",
    "refunded": "text-bg-secondary",
    "split": "text-bg-secondary",
    # check-in, submission
    "scheduled": "text-bg-light border",
    "happened": "text-bg-success",
    "missed": "text-bg-danger",
    "pending": "text-bg-info",
    "accepted": "text-bg-success",
}


@register.filter
def state_class(value):
    return STATE_CLASSES.get(str(value), "text-bg-light border")


@register.filter
def money(minor, currency):
    return format_money(minor or 0, currency)


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def percent(rate):
    """0.853 → "85%"; None → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.0f}%"


@register.filter
def hours(delta):
    """A timedelta as "3.5 h" or "2.1 days"."""
    if delta is None:
        return "—"
    if not isinstance(delta, timedelta):
        return delta
    total = delta.total_seconds() / 3600
    if total < 48:
        return f"{total:.1f} h"
    return f"{total / 24:.1f} days"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def editable_by(message, user):
    """Whether `user` may still edit or retract `message` (its author, within ten minutes)."""
    return message.editable_by(user)
