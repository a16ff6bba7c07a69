"""The shape of one "needs attention" item, shared by every app that contributes kinds to the
owner's home page and `GET /api/v1/attention/` (engagements, freelancers, payments): the item
is read from the row it is about, never stored, so it disappears once that row is handled.

It sits at the bottom (accounts) because every contributing app must be able to build one."""

from dataclasses import dataclass
from datetime import datetime, timedelta

# Most urgent first: a deadline already missed, then what must happen today, then what is coming.
SEVERITY_ORDER = {"overdue": 0, "today": 1, "soon": 2}


@dataclass
class AttentionItem:
    key: str            # `<kind>:<object id>`, what a snooze names
    kind: str
    severity: str       # overdue / today / soon
    title: str          # one sentence: the person, the thing, how late or how soon
    url: str            # the page where the owner acts
    action: str         # the button's label
    due_at: datetime | None = None
    engagement: int | None = None
    freelancer: int | None = None
    milestone: int | None = None

    def sort_key(self):
        # Within a severity, the deadline that passed longest ago (or comes first) leads.
        return (SEVERITY_ORDER[self.severity], self.due_at is None, self.due_at or datetime.max, self.key)

    def as_dict(self):
        return {"key": self.key, "kind": self.kind, "severity": self.severity, "title": self.title,
                "due_at": self.due_at, "engagement": self.engagement, "freelancer": self.freelancer,
                "milestone": self.milestone, "url": self.url}


def span(delta: timedelta, *, hours=False) -> str:
    """A duration as people say it: "3 days", "5 hours", "40 minutes"; with `hours`, days and
    hours together ("2 days 5 hours") for a review window that closes."""
    seconds = max(0, int(abs(delta.total_seconds())))
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    if days and hours and h:
        return f"{_n(days, 'day')} {_n(h, 'hour')}"
    if days:
        return _n(days, "day")
    if h:
        return _n(h, "hour")
    return _n(max(1, rest // 60), "minute")


def _n(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"
