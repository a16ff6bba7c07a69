"""Reads that freelancer pages, the API and higher apps (choosing backups) share: the pool
(search, board, bench), a freelancer's work history, the vetting scorecard, and the reference a
questionnaire link names.

Engagements sit above this app, so it never imports them. It reads them through a small
declared interface instead of guessing from field types: the reverse relations
`Freelancer.engagements` and `Engagement.review` by name, and of a review only what engagements
declares for it: `ratings()` ([(label, 1–5)]), `rehire` and `created_at`. Not a registry of
hooks (like the invitation roles'): the ORM already hands the review over, so a second path set
up at app loading would add only indirection. A rating added to the review changes
`Review.ratings()` and nothing here.
"""

import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import hash_token

from .errors import RefereeLinkError
from .models import (
    REFERENCE_RATINGS,
    Decision,
    Freelancer,
    FreelancerStatus,
    Interview,
    InterviewScore,
    RedFlag,
    Reference,
    ReferenceLink,
    ReferenceStatus,
    statuses_allowed_into,
)
from .money import to_minor

MIN_REFERENCES = 2


# --- The pool ----------------------------------------------------------------------------------
def bench(workspace):
    """Approved freelancers, not marked do-not-hire and not on an active engagement.

    Derived, never stored (DESIGN.md). Annotated for lists with how many engagements each has
    completed and when the last one was created.
    """
    return (
        Freelancer.objects.filter(workspace=workspace, status=FreelancerStatus.APPROVED, do_not_hire=False)
        # exclude() across a multi-valued relation becomes a NOT EXISTS subquery: a freelancer
        # with any active engagement drops out, one with only finished engagements stays.
        .exclude(engagements__status="active")
        .annotate(
            completed_engagements=Count("engagements", filter=Q(engagements__status="completed"), distinct=True),
            last_engagement_at=Max("engagements__created_at"),
        )
        .order_by("name")
    )


def bench_rows(workspace):
    """The bench with each freelancer's reviewed engagements prefetched (newest first) as
    `reviewed_engagements`, for showing the last review (`last_review`) without a query per row."""
    # The model behind the reverse relation, reached by its name: engagements is never imported.
    engagements = (Freelancer.engagements.field.model.objects.filter(review__isnull=False)
                   .select_related("review").order_by("-created_at"))
    return bench(workspace).prefetch_related(
        Prefetch("engagements", queryset=engagements, to_attr="reviewed_engagements"))


def _count_of(qs):
    """A correlated COUNT per freelancer row: computed only for the rows a page shows, where a
    join-and-group counts every freelancer of the workspace before the page is cut (the list
    could then not be read through its index)."""
    counted = qs.filter(freelancer=OuterRef("pk")).order_by().values("freelancer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(qs):
    return qs.annotate(
        references_received=_count_of(Reference.objects.filter(status=ReferenceStatus.RECEIVED)),
        references_total=_count_of(Reference.objects.all()),
        interviews_count=_count_of(Interview.objects.filter(cancelled_at__isnull=True)),
    )


def skill_q(skill):
    """Freelancers tagged with `skill` (tags are stored lowercased)."""
    skill = skill.strip().lower()
    if connection.vendor == "postgresql":
        return Q(skills__contains=[skill])
    # SQLite has no JSON containment; match the tag's JSON text (quotes included) exactly as
    # Django wrote it into the column.
    return Q(skills__icontains=json.dumps(skill))


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    skill: str = ""
    timezone: str = ""
    rate_min: object = None
    rate_max: object = None
    currency: str = ""
    rate_unit: str = ""
    do_not_hire: str = ""


def freelancer_search(workspace, filters: Filters):
    qs = with_counts(Freelancer.objects.filter(workspace=workspace))
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(email__icontains=text) | Q(headline__icontains=text)
                       | Q(notes__icontains=text) | Q(skills__icontains=text) | Q(country__iexact=text))
    if filters.status == "do_not_hire":
        qs = qs.filter(do_not_hire=True)
    elif filters.status in FreelancerStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.skill:
        qs = qs.filter(skill_q(filters.skill))
    if filters.timezone:
        qs = qs.filter(timezone=filters.timezone)
    if filters.rate_unit:
        qs = qs.filter(rate_unit=filters.rate_unit)
    if filters.rate_min is not None or filters.rate_max is not None:
        currency = filters.currency or workspace.currency
        qs = qs.filter(currency=currency, rate_amount__isnull=False)
        if filters.rate_min is not None:
            qs = qs.filter(rate_amount__gte=to_minor(filters.rate_min, currency))
        if filters.rate_max is not None:
            qs = qs.filter(rate_amount__lte=to_minor(filters.rate_max, currency))
    return qs.order_by("name", "pk")


BOARD_COLUMNS = [FreelancerStatus.PROSPECT, FreelancerStatus.VETTING, FreelancerStatus.APPROVED,
                 FreelancerStatus.REJECTED]
BOARD_LIMIT = 100


def board(workspace):
    """Columns by status, each with its count and (up to BOARD_LIMIT) cards, most recently
    moved first."""
    counts = dict(Freelancer.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("pk")))
    cards = with_counts(Freelancer.objects.filter(workspace=workspace)).order_by("-status_changed_at", "name")
    columns = []
    for status in BOARD_COLUMNS:
        columns.append({
            "status": status,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "cards": list(cards.filter(status=status)[:BOARD_LIMIT]),
        })
    return columns


def pipeline_summary(workspace, *, rows=None):
    """How many freelancers are at each stage, and how many approved ones are free (the bench),
    for the dashboard (`rows`: pipeline_rows' result, when the caller read it with other queries)."""
    rows = list(pipeline_rows(workspace) if rows is None else rows)
    counts = {status: n for status, n, _ in rows}
    return {
        "total": sum(counts.values()),
        "columns": [{"status": status, "label": status.label, "count": counts.get(status.value, 0)}
                    for status in BOARD_COLUMNS],
        "bench": sum(free for _, _, free in rows),
    }


def pipeline_rows(workspace):
    """One grouped query: per status how many, and (approved only) how many are free — bench()'s
    rule, an active engagement excluding the freelancer (NOT EXISTS)."""
    engagement = Freelancer.engagements.field.model
    busy = Exists(engagement.objects.filter(freelancer=OuterRef("pk"), status="active"))
    return (Freelancer.objects.filter(workspace=workspace).values_list("status")
            .annotate(n=Count("pk"), free=Count("pk", filter=Q(status=FreelancerStatus.APPROVED, do_not_hire=False)
                                                & ~busy)).order_by())


def workspace_skills(workspace):
    """Every tag used in the workspace, for the filter's suggestions."""
    tags = set()
    for skills in Freelancer.objects.filter(workspace=workspace).values_list("skills", flat=True):
        tags.update(skills or [])
    return sorted(tags)


def workspace_timezones(workspace):
    return list(Freelancer.objects.filter(workspace=workspace).order_by("timezone")
                .values_list("timezone", flat=True).distinct())


# --- Work history: what vetting reads of the engagements app ------------------------------------
def review_of(engagement):
    """The engagement's end review, or None when it has none yet."""
    try:
        return engagement.review
    except ObjectDoesNotExist:
        return None


def review_summary(review):
    """What a list shows of a review: its ratings as the review declares them (`ratings()`),
    their average, rehire yes/no and when it was written."""
    if review is None:
        return None
    ratings = review.ratings()
    values = [value for _, value in ratings if value is not None]
    return {
        "review": review,
        "ratings": ratings,
        "average": sum(values) / len(values) if values else None,
        "rehire": review.rehire,
        "created_at": review.created_at,
    }


def trial_jobs(freelancer):
    qs = freelancer.engagements.filter(kind="trial").select_related("review").order_by("-created_at")
    return [{"engagement": e, "review": review_summary(review_of(e))} for e in qs]


def engagements_of(freelancer, limit=10):
    """The freelancer's engagements, newest first."""
    return list(freelancer.engagements.order_by("-created_at")[:limit])


def last_review(freelancer):
    """The most recent reviewed engagement's review summary, using a prefetched
    `reviewed_engagements` list when the caller set one up (see bench_rows)."""
    engagements = getattr(freelancer, "reviewed_engagements", None)
    if engagements is None:
        engagements = freelancer.engagements.filter(review__isnull=False).select_related("review").order_by(
            "-created_at")[:1]
    for engagement in engagements:
        summary = review_summary(review_of(engagement))
        if summary:
            summary["engagement"] = engagement
            return summary
    return None


# --- The scorecard -----------------------------------------------------------------------------
@dataclass
class Scorecard:
    freelancer: object
    references: list
    references_received: list
    reference_averages: list
    reference_overall: float | None
    would_rehire_yes: int
    would_rehire_no: int
    interviews: list
    scored_interviews: list
    criterion_averages: list
    interview_overall: float | None
    red_flags: list
    samples: list
    testimonials: list
    trials: list
    decisions: list
    warnings: list = field(default_factory=list)

    @property
    def references_received_count(self):
        return len(self.references_received)

    @property
    def needs_confirmation(self):
        return bool(self.warnings)


def _avg(values):
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def scorecard(freelancer):
    references = list(freelancer.references.all())
    received = [r for r in references if r.status == ReferenceStatus.RECEIVED]
    reference_averages = [(label, _avg([getattr(r, f) for r in received])) for f, label in REFERENCE_RATINGS]
    reference_overall = _avg([r.average for r in received])

    interviews = list(freelancer.interviews.select_related("interviewer", "scored_by").prefetch_related("scores"))
    scored = [i for i in interviews if i.scored_at and not i.is_cancelled]
    by_criterion = OrderedDict()
    for score in InterviewScore.objects.filter(interview__in=scored).order_by("position", "id"):
        by_criterion.setdefault(score.criterion, []).append(score.score)
    criterion_averages = [(name, _avg(values), len(values)) for name, values in by_criterion.items()]
    interview_overall = _avg([s for values in by_criterion.values() for s in values])

    flag_counts = Counter(flag for i in scored for flag in i.red_flags if flag in RedFlag.values)
    red_flags = [
        {"key": flag, "label": RedFlag(flag).label, "count": count,
         "interviews": [i for i in scored if flag in i.red_flags]}
        for flag, count in flag_counts.most_common()
    ]

    warnings = []
    if len(received) < MIN_REFERENCES:
        warnings.append(
            f"Only {len(received)} reference{'s' if len(received) != 1 else ''} answered; "
            f"at least {MIN_REFERENCES} are recommended before approving."
        )
    if red_flags:
        warnings.append(
            f"{len(red_flags)} red flag{'s' if len(red_flags) != 1 else ''} raised in interviews: "
            + "; ".join(f["label"].lower() for f in red_flags) + "."
        )
    return Scorecard(
        freelancer=freelancer,
        references=references,
        references_received=received,
        reference_averages=reference_averages,
        reference_overall=reference_overall,
        would_rehire_yes=sum(1 for r in received if r.would_rehire is True),
        would_rehire_no=sum(1 for r in received if r.would_rehire is False),
        interviews=interviews,
        scored_interviews=scored,
        criterion_averages=criterion_averages,
        interview_overall=interview_overall,
        red_flags=red_flags,
        samples=list(freelancer.samples.all()),
        testimonials=list(freelancer.testimonials.select_related("verified_by")),
        trials=trial_jobs(freelancer),
        decisions=list(freelancer.decisions.select_related("decided_by")),
        warnings=warnings,
    )


def open_verdicts(freelancer):
    """The decisions the pipeline allows from the freelancer's current status (approving needs
    vetting first and no do-not-hire mark; a rejected freelancer is reopened before deciding
    again)."""
    verdicts = []
    for verdict in Decision.Verdict:
        if freelancer.status not in statuses_allowed_into(FreelancerStatus(verdict.value)):
            continue
        if verdict == Decision.Verdict.APPROVED and freelancer.do_not_hire:
            continue
        verdicts.append(verdict)
    return verdicts


# --- References ----------------------------------------------------------------------------------
def reference_for_token(token, *, now=None):
    """The reference a raw questionnaire token names, if it can still be answered; otherwise
    RefereeLinkError saying why (invalid, used, declined, expired)."""
    now = now or timezone.now()
    if not token or len(token) > 200:
        raise RefereeLinkError("invalid")
    link = (ReferenceLink.objects.select_related("reference__freelancer__workspace")
            .filter(token_hash=hash_token(token)).first())
    if link is None:
        raise RefereeLinkError("invalid")
    reference = link.reference
    if reference.status == ReferenceStatus.RECEIVED:
        raise RefereeLinkError("used")
    if reference.status == ReferenceStatus.DECLINED:
        raise RefereeLinkError("declined")
    if reference.status == ReferenceStatus.EXPIRED or (reference.expires_at and reference.expires_at <= now):
        raise RefereeLinkError("expired")
    if reference.status != ReferenceStatus.REQUESTED:  # a draft never had a link; be safe
        raise RefereeLinkError("invalid")
    return reference
