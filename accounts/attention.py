"""The shape of one "needs attention" item, shared by every app that contributes kinds to the
owner's home page and `GET /api/v1/attention/` (engagements, freelancers, payments): the item
is read from the row it is about, never stored, so it disappears once that row is handled.

It sits at the bottom (accounts) because every contributing app must be able to build one."""

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Count, DateTimeField, IntegerField, Value
from django.db.models.functions import Cast, Concat

from .paging import count_of
from .together import Param, kept_statement, prepare

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
        # Within a severity, the deadline that passed longest ago (or comes first) leads; then
        # kind and id, the order each kind's query reads its rows in (attention_rows).
        kind, _, pk = self.key.rpartition(":")
        return (SEVERITY_ORDER[self.severity], self.due_at is None, self.due_at or datetime.max, kind,
                int(pk) if pk.isdigit() else 0, self.key)

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


@dataclass
class AttentionWindow:
    """How much of each kind to read: the first `limit` items (None: all) that are not in
    `hidden` (the user's snoozed keys: a set, or a query of them that each kind's query reads as
    a subquery, so the snoozes cost no query of their own), or only the item named `only` (a
    snooze's check)."""

    limit: int | None = None
    hidden: object = field(default_factory=frozenset)
    only: str | None = None

    @property
    def hides(self):
        """Are any keys hidden (a query is taken as yes, without running it)?"""
        return hasattr(self.hidden, "query") or bool(self.hidden)


def workspace_param(workspace):
    """The workspace in an attention kind's query: a Param, so the statement can be kept compiled."""
    return Param("workspace", workspace.pk, IntegerField())


def now_param(now):
    """"Now" in an attention kind's query (see workspace_param)."""
    return Param("now", now, DateTimeField())


def statement_values(workspace, *, user, now, day):
    """The values of the Params above (and the user's, the workspace's local `day` [start, end))."""
    return {"workspace": workspace.pk, "user": user.pk, "now": now, "day_start": day[0], "day_end": day[1]}


def key_expr(kind, pk="pk"):
    """The SQL twin of AttentionItem.key for a row whose item is of `kind` (a string or an expression)."""
    prefix = Value(f"{kind}:") if isinstance(kind, str) else Concat(kind, Value(":"), output_field=CharField())
    return Concat(prefix, Cast(pk, CharField()), output_field=CharField())


def attention_rows(queryset, window, *, kind, order, total=None, extra=0):
    """(rows, total) of one kind's query: the snoozed keys left out and the total counted in SQL
    (a scalar subquery counting the filtered rows, beside the first `window.limit + extra` rows in
    urgency order). `kind` names the item (see key_expr); a query whose row makes several items
    passes `total` (an aggregate counting them) and `extra` (rows whose items may be hidden).
    The count is accounts.paging.count_of, not a window beside the rows."""
    if total is None:
        queryset = queryset.annotate(_key=key_expr(kind))
        if window.hides:
            queryset = queryset.exclude(_key__in=window.hidden)
        if window.only:
            queryset = queryset.filter(_key=window.only)
        total = Count("pk")
    counted = count_of(queryset, total)
    if window.limit is not None:
        queryset = cut_before_joining(queryset, order, window.limit + extra)
    rows = attention_read(queryset.annotate(_total=counted).order_by(*order))
    return rows, (rows[0]._total or 0) if rows else 0


def cut_before_joining(queryset, order, n):
    """The queryset's first `n` rows in `order`: chosen by a subquery over narrow rows (the
    filters' joins only, no selected columns, annotations or select_related tables), so only
    those `n` are joined to what the page shows. Sorting every matching row with all its
    columns and joins first to keep 15 built 8,100 wide rows on the bench set."""
    first = queryset.select_related(None).order_by(*order).values("pk")[:n]
    return queryset.filter(pk__in=first)


_reading = ContextVar("attention_reading", default=None)


def attention_read(queryset):
    """list(queryset); inside `attention_together`, the rows that its one statement read for it."""
    batch = _reading.get()
    if batch is None:
        return list(queryset)
    if batch["answers"] is None:  # the first pass: only note what each kind will read
        batch["asked"].append(queryset)
        return []
    index = batch["read"]
    batch["read"] += 1
    statement = batch["statement"]
    answer = batch["answers"][index]
    return statement.evaluate(index, queryset, answer) if statement is not None else answer


def attention_together(read, *, key=None, values=None):
    """`read()` (a merge of every kind's reader) with every kind's query in one statement
    (accounts.together): a first pass notes the querysets the kinds build — their items built
    from no rows — then one statement reads them all and a second pass builds the items from
    those rows. The readers are the same code either way, and ask the same queries in the same
    order on both passes.

    With `key` (the querysets' shape: the same on every read but for their Params, filled from
    `values`), the statement is kept compiled on the connection: later reads skip the first
    pass and Django's compiling, and go straight to the statement and the second pass."""
    batch = {"asked": [], "answers": None, "statement": None, "read": 0}
    token = _reading.set(batch)
    try:
        statement = kept_statement(key, values) if key is not None else None
        if statement is None:
            read()
            statement = prepare(batch["asked"], key=key, values=values)
        if statement is None:
            batch["answers"] = [list(qs) for qs in batch["asked"]]
        else:
            batch["statement"], batch["answers"] = statement, statement.read()
        return read()
    finally:
        _reading.reset(token)
