"""The search box: freelancers, engagements, milestones, briefs, status updates and messages
of one workspace (or, for a freelancer, of their own engagements), by words, grouped by kind.

On PostgreSQL each kind is one full-text query (an English `tsvector` over its text fields,
every word matched as a prefix), and names — a freelancer's, an engagement's title — also match
by trigram word similarity, so a misspelt "Frdia" still finds Frida. Both are answered by GIN
indexes (`accounts.indexes`: each model's document index holds exactly `search_document` of its
SEARCH_FIELDS), so finding the matches reads the index, not the table. Ranking needs each row's
text, so only the newest CANDIDATES matches of a kind are ranked (weighted: the first field
counts most) and the best `per_kind` shown. Status updates and messages, the big tables, carry
their workspace (no join) and first look among the newest rows only (`_newest`), so a word found
in half of 200,000 status updates does not hand all of them over. On SQLite a plain `icontains`
on the same fields. Either way one query per kind, whatever the number of rows: results are
capped per kind."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Exists, F, FloatField, Func, Q, Subquery, Value
from django.db.models.functions import Cast, Greatest
from django.urls import reverse

from accounts.indexes import search_document
from freelancers.models import Freelancer
from freelancers.models.freelancer import FREELANCER_SEARCH_FIELDS

from ..models import Brief, Engagement, EngagementStatus, Message, Milestone, StatusUpdate
from ..models.brief import BRIEF_SEARCH_FIELDS
from ..models.conversation import MESSAGE_SEARCH_FIELDS
from ..models.engagement import ENGAGEMENT_SEARCH_FIELDS
from ..models.milestone import MILESTONE_SEARCH_FIELDS
from ..models.reporting import STATUS_UPDATE_SEARCH_FIELDS

KINDS = ("freelancer", "engagement", "milestone", "brief", "status_update", "message")
KIND_LABELS = {"freelancer": "Freelancers", "engagement": "Engagements", "milestone": "Milestones",
               "brief": "Briefs", "status_update": "Status updates", "message": "Messages"}
PER_KIND = 10
MAX_WORDS = 8
SNIPPET = 160
# How alike a word of a name must be to a typed word to count (pg_trgm's word similarity).
NAME_SIMILARITY = 0.5
# How many of a kind's newest matches are ranked (PostgreSQL).
CANDIDATES = 200


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    title: str
    snippet: str
    url: str


@dataclass(frozen=True)
class Scope:
    """Whose rows: a workspace's (owner side), or one freelancer's engagements (portal)."""

    workspace: object
    freelancer: object = None

    @property
    def portal(self):
        return self.freelancer is not None


# Per kind: the model, its text fields (weighted A, B, C… in that order), the lookup to its
# engagement (None for a freelancer) and a name field for the trigram fallback.
SOURCES = {
    "freelancer": (Freelancer, FREELANCER_SEARCH_FIELDS, None, "name"),
    "engagement": (Engagement, ENGAGEMENT_SEARCH_FIELDS, "", "title"),
    "milestone": (Milestone, MILESTONE_SEARCH_FIELDS, "engagement", None),
    "brief": (Brief, BRIEF_SEARCH_FIELDS, "engagement", None),
    "status_update": (StatusUpdate, STATUS_UPDATE_SEARCH_FIELDS, "engagement", None),
    "message": (Message, MESSAGE_SEARCH_FIELDS, "engagement", None),
}
# The kinds whose rows carry their engagement's workspace (their GIN index holds the workspace,
# the key and the words), and how many of the table's newest rows their search reads first.
OWN_WORKSPACE = ("status_update", "message")
WINDOW = 2000


class WordOfName(Func):
    """`name %> word`: pg_trgm's word similarity of the word to some stretch of the name reaches
    `pg_trgm.word_similarity_threshold` (set to NAME_SIMILARITY by `search`) — the form the
    name's trigram index answers, where a `word_similarity(…) >= x` would read every row. Written
    name first, as the index condition reads: as `word <% name` the planner could not tell the
    index had already answered it, and filtered every found row again by the whole condition
    (computing each one's document)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, word, name):
        super().__init__(name, word)


class AmongKeys(Func):
    """`pk = ANY(ARRAY(subquery))`: the subquery runs once and its keys are looked up by the
    primary key, where `pk IN (subquery)` let the planner hash every row of the workspace
    (a sequential scan) to join 200 candidates."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        key, keys = self.get_source_expressions()
        key_sql, key_params = compiler.compile(key)
        keys_sql, keys_params = compiler.compile(keys)
        return f"({key_sql} = ANY(ARRAY{keys_sql}))", (*key_params, *keys_params)


def words_of(q):
    return re.findall(r"\w+", q or "")[:MAX_WORDS]


def _scoped(kind, scope):
    model, _, to_engagement, _ = SOURCES[kind]
    qs = model.objects.all()
    if to_engagement is None:  # freelancers: the owner's talent pool only
        return qs.none() if scope.portal else qs.filter(workspace=scope.workspace)
    prefix = f"{to_engagement}__" if to_engagement else ""
    if kind in OWN_WORKSPACE:  # their own workspace: no join; a bigint, as their GIN index compares it
        qs = qs.filter(workspace=Cast(Value(scope.workspace.pk), BigIntegerField()))
    else:
        qs = qs.filter(**{f"{prefix}workspace": scope.workspace})
    if scope.portal:
        qs = qs.filter(**{f"{prefix}freelancer": scope.freelancer, f"{prefix}offered_at__isnull": False}).exclude(
            **{f"{prefix}status": EngagementStatus.DRAFT})
    if kind == "message":
        qs = qs.filter(retracted_at__isnull=True)
    if to_engagement:
        qs = qs.select_related("engagement")
    return qs


def _newest(qs, kind, matches):
    """The keys of the newest CANDIDATES matches. Ordered by an expression on purpose: the planner
    cannot estimate a prefix query and, by the key's index, would walk the whole table backwards
    computing every row's document when a word is rare.

    Status updates and messages look among the table's newest WINDOW rows first (the key's range
    is a condition of their GIN index beside the workspace and the words, so only those rows are
    read): when CANDIDATES of them match, they are exactly the newest CANDIDATES, and the full
    read — every match of a common word — sits behind a one-time filter that skips it. A rarer
    word, or a workspace with few of the newest rows, falls through to the full read, short then
    because the workspace's matches are few."""
    _, fields, _, _ = SOURCES[kind]
    newest = qs.alias(document=search_document(fields)).filter(matches).order_by((F("pk") + 0).desc())
    if kind not in OWN_WORKSPACE:
        return newest.values("pk")[:CANDIDATES]
    start = SOURCES[kind][0].objects.order_by("-pk").values("pk")[WINDOW - 1:WINDOW]
    recent = newest.filter(pk__gte=Subquery(start))
    return recent.values("pk")[:CANDIDATES].union(
        newest.exclude(Exists(recent[CANDIDATES - 1:CANDIDATES])).values("pk")[:CANDIDATES], all=True)


def _postgres(qs, kind, words):
    _, fields, _, name = SOURCES[kind]
    query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="english")
    matches = Q(document=query)
    if name:  # the names first: a row the trigram index found is rechecked, its name is the cheaper
        matches = Q()
        for word in words:
            matches |= Q(WordOfName(Value(word), F(name)))
        matches |= Q(document=query)
    # The newest matches, read through the GIN indexes; then only they are read, by key (the
    # status updates' and messages' union of two reads stays an `IN`).
    newest = _newest(qs, kind, matches)
    qs = qs.filter(pk__in=newest) if kind in OWN_WORKSPACE else qs.filter(AmongKeys(F("pk"), Subquery(newest)))
    weights = "ABCD"
    vector = None
    for i, field in enumerate(fields):
        part = SearchVector(field, weight=weights[min(i, 3)], config="english")
        vector = part if vector is None else vector + part
    qs = qs.annotate(rank=SearchRank(vector, query))
    if name:
        similarity = Greatest(*[TrigramWordSimilarity(Value(word), F(name)) for word in words],
                              Value(0.0)) if len(words) > 1 else TrigramWordSimilarity(Value(words[0]), F(name))
        qs = qs.annotate(similarity=Cast(similarity, FloatField()))
        return qs.order_by((F("rank") + F("similarity")).desc(), "-pk")
    return qs.order_by("-rank", "-pk")


def _sqlite(qs, kind, words):
    _, fields, _, _ = SOURCES[kind]
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        qs = qs.filter(any_field)
    return qs.order_by("-pk")


def _snippet(texts, words):
    """A short piece of the row's text around the first word found, else its beginning."""
    for text in texts:
        flat = " ".join((text or "").split())
        lower = flat.lower()
        at = min((lower.find(w.lower()) for w in words if w.lower() in lower), default=-1)
        if at >= 0:
            start = max(0, at - SNIPPET // 3)
            piece = flat[start:start + SNIPPET]
            return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(flat) else "")
    first = " ".join(next((t for t in texts if t), "").split())
    return first[:SNIPPET] + ("…" if len(first) > SNIPPET else "")


def _url(kind, row, scope):
    engagement_id = row.pk if kind == "engagement" else getattr(row, "engagement_id", None)
    if kind == "freelancer":
        return reverse("freelancers:detail", args=[row.pk])
    ns = "portal" if scope.portal else "engagements"
    if kind == "engagement":
        return reverse(f"{ns}:engagement" if scope.portal else "engagements:detail", args=[row.pk])
    if kind == "milestone":
        return reverse(f"{ns}:milestone", args=[engagement_id, row.pk])
    if kind == "brief":
        return reverse(f"{ns}:brief", args=[engagement_id])
    if kind == "status_update":
        return reverse(f"{ns}:updates", args=[engagement_id]) + ("" if scope.portal else f"#u-{row.pk}")
    return reverse(f"{ns}:messages", args=[engagement_id]) + f"#m{row.pk}"


def _title(kind, row):
    if kind == "freelancer":
        return row.name
    if kind == "engagement":
        return row.title
    if kind == "milestone":
        return f"{row.title} · {row.engagement.title}"
    if kind == "brief":
        return f"Brief v{row.version} · {row.engagement.title}"
    if kind == "status_update":
        return f"Update of {row.created_at:%d %b %Y} · {row.engagement.title}"
    return f"{row.author_name} on {row.engagement.title}"


def search(*, q, scope, per_kind=PER_KIND):
    """{kind: [Hit, …]} for every kind with results, in KINDS order; empty for no words."""
    words = words_of(q)
    if not words:
        return {}
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:  # for WordOfName; this connection's searches only
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {NAME_SIMILARITY}")
    results = {}
    for kind in KINDS:
        qs = _scoped(kind, scope)
        if scope.portal and kind == "freelancer":
            continue
        rows = (_postgres(qs, kind, words) if postgres else _sqlite(qs, kind, words))[:per_kind]
        fields = SOURCES[kind][1]
        hits = [Hit(kind, row.pk, _title(kind, row), _snippet([getattr(row, f) for f in fields], words),
                    _url(kind, row, scope)) for row in rows]
        if hits:
            results[kind] = hits
    return results
