"""Reads that freelancer pages (and higher apps choosing backups) share.

Engagements sit above this app, so it never imports them: it follows the reverse relation
`Freelancer.engagements` by name only.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q

from .models import Freelancer, FreelancerStatus, ReferenceStatus
from .money import to_minor


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
    `reviewed_engagements`, for showing the last review without a query per row."""
    # The model behind the reverse relation, reached by its name: engagements is never imported.
    engagements = (Freelancer.engagements.field.model.objects.filter(review__isnull=False)
                   .select_related("review").order_by("-created_at"))
    return bench(workspace).prefetch_related(
        Prefetch("engagements", queryset=engagements, to_attr="reviewed_engagements"))


def with_counts(qs):
    return qs.annotate(
        references_received=Count("references", filter=Q(references__status=ReferenceStatus.RECEIVED),
                                  distinct=True),
        references_total=Count("references", distinct=True),
        interviews_count=Count("interviews", filter=Q(interviews__cancelled_at__isnull=True), distinct=True),
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


def pipeline_summary(workspace):
    """How many freelancers are at each stage, and how many approved ones are free (the bench),
    for the dashboard."""
    counts = dict(Freelancer.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("pk")))
    return {
        "total": sum(counts.values()),
        "columns": [{"status": status, "label": status.label, "count": counts.get(status.value, 0)}
                    for status in BOARD_COLUMNS],
        "bench": bench(workspace).count(),
    }


def workspace_skills(workspace):
    """Every tag used in the workspace, for the filter's suggestions."""
    tags = set()
    for skills in Freelancer.objects.filter(workspace=workspace).values_list("skills", flat=True):
        tags.update(skills or [])
    return sorted(tags)


def workspace_timezones(workspace):
    return list(Freelancer.objects.filter(workspace=workspace).order_by("timezone")
                .values_list("timezone", flat=True).distinct())
