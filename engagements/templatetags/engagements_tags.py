from datetime import timedelta

from django import template
from django.urls import reverse

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


# The engagement's sections, in the order of its tabs: (label, url name, `tab` value or None when
# the section is active on its own URL). On a phone they are one menu (engagements/_header.html).
ENGAGEMENT_TABS = [
    ("Overview", "engagements:detail", None), ("Messages", "engagements:messages", "messages"),
    ("Brief", "engagements:brief", "brief"), ("Agreement", "engagements:agreements", "agreement"),
    ("Updates", "engagements:updates", None),
    ("Check-ins", "engagements:checkins", "checkins"), ("Playbook", "engagements:playbook", None),
    ("Access", "engagements:grants", None), ("Money", "payments:engagement", "money"),
    ("Timeline", "engagements:timeline", None), ("Review", "engagements:review", None),
]


@register.simple_tag(takes_context=True)
def engagement_tabs(context, engagement):
    """{"items": [{label, url, active}], "current": the active label or None} of the engagement's
    sections, for the page being shown."""
    request, tab = context["request"], context.get("tab")
    tabs = []
    for label, name, tab_value in ENGAGEMENT_TABS:
        url = reverse(name, args=[engagement.pk])
        tabs.append({"label": label, "url": url,
                     "active": tab == tab_value if tab_value else request.path == url})
    return {"items": tabs, "current": next((t["label"] for t in tabs if t["active"]), None)}
