"""Warnings before an automatic release: the owner hears 3 days and 1 day before a submitted
milestone's review window closes (the release itself, and its emails to both sides, is the
auto-release sweep in `auto_release.py`; nothing is sent twice for it here).

The deadline column is `Milestone.review_deadline_at` (partial index on submitted milestones,
written by payments from the submission's ReviewClock). The warnings sent are recorded on the
clock, for the deadline they were sent for (`warned_for`), so an extension or a new submission
starts them over. Run on the shared ladder frame (`notifications.sweeps.run_ladder`), the claim
made on the clock row (`claim_pk`).
"""

from datetime import timedelta

from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from engagements.emails import batch_owner_recipients as owner_recipients
from engagements.emails import owner_url, owners_by_workspace, when
from engagements.models import Milestone, MilestoneState
from notifications.sweeps import BATCH, drain, item, run_ladder

from ..models import ReviewClock
from ..money import format_money
from ..selectors import escrowed_for_milestones

FIRST_WARNING = timedelta(days=3)
LAST_WARNING = timedelta(days=1)


def _due(now):
    """Submitted milestones inside the last 3 days of their window whose clock has not had the
    warning this moment calls for (for this very deadline)."""
    # Unordered: ReviewClock's Meta ordering (milestone → engagement → created_at) made each of
    # the three subqueries join the milestone and its engagement and sort, for one row.
    clock = ReviewClock.objects.filter(milestone=OuterRef("pk"), submitted_at=OuterRef("state_changed_at")).order_by()
    needed = Case(When(review_deadline_at__lte=now + LAST_WARNING, then=Value(2)), default=Value(1),
                  output_field=IntegerField())
    return (
        Milestone.objects.filter(state=MilestoneState.SUBMITTED, review_deadline_at__gt=now,
                                 review_deadline_at__lte=now + FIRST_WARNING)
        .annotate(clock_id=Subquery(clock.values("pk")[:1]), clock_step=Subquery(clock.values("warning_step")[:1]),
                  clock_for=Subquery(clock.values("warned_for")[:1]), needed=needed)
        .filter(clock_id__isnull=False)
        .exclude(Q(clock_for=F("review_deadline_at")) & Q(clock_step__gte=F("needed")))
        .select_related("engagement__freelancer", "engagement__workspace")
        .order_by("review_deadline_at")
    )


def _decide(m):
    """The clock moves to the step this moment calls for, for the deadline it was read with."""
    step = m.clock_step if m.clock_for == m.review_deadline_at else 0
    return ({"warning_step": m.clock_step, "warned_for": m.clock_for},
            {"warning_step": max(step, m.needed), "warned_for": m.review_deadline_at}, m.needed)


def _compose(now):
    def compose(todo):
        milestones = [m for m, _ in todo]
        escrowed = escrowed_for_milestones([m.pk for m in milestones])
        members = owners_by_workspace(m.engagement.workspace_id for m in milestones)
        items = []
        for m in milestones:
            e = m.engagement
            days_left = max(1, round((m.review_deadline_at - now).total_seconds() / 86400))
            for user in owner_recipients(e, members):
                items.append(item(
                    kind="review_closing", email=user.email, user_id=user.pk, workspace_id=e.workspace_id,
                    engagement_id=e.pk, tz=user.timezone, now=now,
                    key=f"review-closing:{m.pk}:{m.review_deadline_at.isoformat()}:{m.needed}:u{user.pk}",
                    context={"engagement_title": e.title, "freelancer_name": e.freelancer.name,
                             "engagement_id": e.pk, "milestone_title": m.title,
                             "recipient_first_name": user.get_short_name(),
                             "amount": format_money(escrowed.get(m.pk) or m.amount, e.currency),
                             "deadline": when(m.review_deadline_at, user.timezone), "days_left": days_left,
                             "url": owner_url("milestone", pk=e.pk, milestone_pk=m.pk)},
                ))
        return items, {"warned": len(milestones)}
    return compose


def _after(cursor):
    """The rows after `cursor` = (deadline, pk) in the order (deadline, pk); all when None."""
    if cursor is None:
        return Q()
    deadline, pk = cursor
    return Q(review_deadline_at__gte=deadline) & (Q(review_deadline_at__gt=deadline) | Q(pk__gt=pk))


def review_window_warnings(*, now=None, batch=BATCH):
    """Beat: warn the owner 3 days and 1 day before submitted work is released automatically.
    Each batch reads on from where the last one stopped: the rows just warned stay inside the
    3-day range of the index, and reading from its start every time made the run quadratic
    (each of 20 batches walked past every row warned before it, three subqueries a row)."""
    cursor = None

    def one_batch(now, batch):
        nonlocal cursor
        rows = list(_due(now).filter(_after(cursor)).order_by("review_deadline_at", "pk")[:batch])
        if rows:
            cursor = (rows[-1].review_deadline_at, rows[-1].pk)
        return run_ladder(ReviewClock, rows, _decide, _compose(now), now=now, counters=("warned",),
                          claim_pk=lambda m: m.clock_id)

    return drain(one_batch, now=now or timezone.now(), batch=batch)
