"""The vetting scorecard (references, interview scores, red flags, samples and trial jobs side
by side) and the owner's decision.

Trial jobs and their reviews live in the engagements app, which sits above this one and is
never imported here. Vetting reads it through a small declared interface, not by guessing from
field types: the reverse relations `Freelancer.engagements` and `Engagement.review` by name,
and of a review only what engagements declares for it: `ratings()` ([(label, 1–5)]), `rehire`
and `created_at`. Not a registry of hooks (like the invitation roles'): the ORM already hands
the review over, so a second path set up at app loading would add only indirection. A rating
added to the review changes `Review.ratings()` and nothing here.
"""

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from .errors import TransitionError
from .models import (
    REFERENCE_RATINGS,
    Decision,
    EventKind,
    FreelancerStatus,
    InterviewScore,
    RedFlag,
    ReferenceStatus,
    statuses_allowed_into,
)
from .services import _transition

MIN_REFERENCES = 2


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
    `reviewed_engagements` list when the caller set one up (see selectors.bench_rows)."""
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


@transaction.atomic
def freelancer_decide(*, freelancer, actor=None, decision, reason, confirmed=False):
    """Approve or reject, with a reason; who and when are recorded. Approving with fewer than
    two answered references or any red flag needs `confirmed=True`."""
    reason = (reason or "").strip()
    errors = {}
    if decision not in Decision.Verdict.values:
        errors["decision"] = "Choose approve or reject."
    if not reason:
        errors["reason"] = "Give the reason for this decision; it is kept with the record."
    if errors:
        raise ValidationError(errors)
    card = scorecard(freelancer)
    if decision == Decision.Verdict.APPROVED:
        if freelancer.do_not_hire:
            raise TransitionError(f"{freelancer.name} is marked do not hire; clear that first.")
        if card.warnings and not confirmed:
            raise ValidationError(
                {"confirm": "Confirm that you want to approve despite: " + " ".join(card.warnings)},
                code="confirmation_required",
            )
    _transition(freelancer=freelancer, to_status=FreelancerStatus(decision), actor=actor, reason=reason,
                kind=EventKind.DECISION)
    return Decision.objects.create(
        freelancer=freelancer, decision=decision, reason=reason, decided_by=actor,
        references_received=card.references_received_count,
        red_flags=[f["key"] for f in card.red_flags],
        confirmed_warnings=bool(card.warnings and confirmed and decision == Decision.Verdict.APPROVED),
    )
