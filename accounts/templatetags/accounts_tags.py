import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration(value):
    """A timedelta in words: "15 minutes", "1 hour 30 minutes", "2 days"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)
