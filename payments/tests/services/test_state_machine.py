"""A hypothesis state machine over the milestone escrow actions with random amounts.

After every step the books must hold: every transaction sums to zero, escrow is never
negative, escrow equals what the unfinished milestones were funded with, and released +
refunded + in escrow = funded. An action is expected to succeed exactly when the transition
table allows it from the milestone's current state; a refused action must write nothing.

Runs on SQLite and on PostgreSQL. On PostgreSQL the deferred balance trigger is switched to
IMMEDIATE for the test, so the database checks every transaction as it is written, too.
"""

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Membership, Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from engagements.models import Milestone
from engagements.services.transitions import TransitionError
from payments import services
from payments.errors import InvalidInput, StateConflict
from payments.models import AccountKind, Entry, Transaction
from payments.selectors import HELD_STATES, budget_figures, escrow_by_milestone

from ..factories import EngagementFactory, FreelancerFactory, MilestoneFactory

# Three times out of four, act on a milestone the action fits.
FIT = st.sampled_from([True, True, True, False])

ALLOWED = {
    "fund": {"draft"},
    "submit": {"funded", "changes_requested"},
    "request_changes": {"submitted"},
    "release": {"submitted"},
    "dispute": {"funded", "submitted", "changes_requested"},
    "resolve": {"disputed"},
    "refund": {"funded"},
}


class EscrowMachine(RuleBasedStateMachine):
    @initialize()
    def set_up(self):
        self.workspace = WorkspaceFactory()
        self.owner = UserFactory()
        Membership.objects.create(user=self.owner, workspace=self.workspace, role=Role.OWNER)
        freelancer = FreelancerFactory(workspace=self.workspace)
        self.freelancer_user = freelancer.user
        self.engagement = EngagementFactory(workspace=self.workspace, freelancer=freelancer, budget=10**12)
        self.milestones = []
        self.keys = 0

    def key(self):
        self.keys += 1
        return f"sm-{self.keys}"

    def pick(self, index, action, fit):
        """Mostly a milestone the action fits (so long paths get explored), sometimes any."""
        ids = [m.pk for m in self.milestones]
        fitting = list(Milestone.objects.filter(pk__in=ids, state__in=ALLOWED[action]).order_by("pk"))
        if fitting and fit:
            return fitting[index % len(fitting)]
        return self.milestones[index % len(self.milestones)]

    def attempt(self, action, milestone, call, expected_error=None):
        before_state = Milestone.objects.get(pk=milestone.pk).state
        before = (Transaction.objects.count(), Entry.objects.count())
        allowed = before_state in ALLOWED[action]
        try:
            call()
        except (StateConflict, TransitionError) as exc:
            assert not allowed, f"{action} from {before_state} was refused: {exc}"
        except InvalidInput:
            assert expected_error is InvalidInput, f"{action} from {before_state}: unexpected InvalidInput"
        else:
            assert allowed and expected_error is None, f"{action} from {before_state} succeeded"
            return
        assert Milestone.objects.get(pk=milestone.pk).state == before_state
        assert (Transaction.objects.count(), Entry.objects.count()) == before

    @rule(amount=st.integers(min_value=1, max_value=10**7))
    def create(self, amount):
        self.milestones.append(MilestoneFactory(engagement=self.engagement, amount=amount))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT)
    def fund(self, i, fit):
        m = self.pick(i, "fund", fit)
        self.attempt("fund", m, lambda: services.milestone_fund(milestone=m, actor=self.owner,
                                                                idempotency_key=self.key()))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT)
    def submit(self, i, fit):
        m = self.pick(i, "submit", fit)

        self.attempt("submit", m, lambda: services.milestone_submit_for_review(
            milestone_id=m.pk, freelancer=self.engagement.freelancer, message="Done", attest_own_work=True))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT)
    def request_changes(self, i, fit):
        m = self.pick(i, "request_changes", fit)
        self.attempt("request_changes", m, lambda: services.milestone_request_changes(
            milestone=m, actor=self.owner, feedback="Again, please."))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT)
    def release(self, i, fit):
        m = self.pick(i, "release", fit)
        self.attempt("release", m, lambda: services.milestone_release(milestone=m, actor=self.owner,
                                                                      idempotency_key=self.key()))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT, by_freelancer=st.booleans())
    def dispute(self, i, fit, by_freelancer):
        m = self.pick(i, "dispute", fit)
        actor = self.freelancer_user if by_freelancer else self.owner
        self.attempt("dispute", m, lambda: services.milestone_dispute(milestone=m, actor=actor, reason="Disagree",
                                                                      idempotency_key=self.key()))

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT, share=st.integers(min_value=0, max_value=100),
          off_by=st.sampled_from([0, 0, 0, 1, -1]))
    def resolve(self, i, fit, share, off_by):
        m = self.pick(i, "resolve", fit)
        held = escrow_by_milestone(self.engagement).get(m.pk, 0)
        release = held * share // 100
        refund = max(held - release + off_by, 0)
        state = Milestone.objects.get(pk=m.pk).state
        if release + refund == 0:
            expected = InvalidInput  # nothing to move: refused before the state is looked at
        elif state == "disputed" and release + refund != held:
            expected = InvalidInput
        else:
            expected = None
        self.attempt("resolve", m, lambda: services.milestone_resolve(
            milestone=m, actor=self.owner, release_amount=release, refund_amount=refund,
            idempotency_key=self.key()), expected_error=expected)

    @precondition(lambda self: self.milestones)
    @rule(i=st.integers(min_value=0, max_value=100), fit=FIT)
    def refund(self, i, fit):
        m = self.pick(i, "refund", fit)
        self.attempt("refund", m, lambda: services.milestone_refund(milestone=m, actor=self.owner,
                                                                    idempotency_key=self.key()))

    @invariant()
    def books_hold(self):
        entries = Entry.objects.filter(transaction__workspace=self.workspace)
        unbalanced = entries.values("transaction", "currency").annotate(total=Sum("amount")).exclude(total=0)
        assert not unbalanced.exists()
        figures = budget_figures(self.engagement)
        assert figures.in_escrow >= 0
        held = Milestone.objects.filter(engagement=self.engagement, state__in=HELD_STATES)
        assert figures.in_escrow == (held.aggregate(total=Sum("amount"))["total"] or 0)
        assert figures.released + figures.refunded + figures.in_escrow == figures.funded
        payable = entries.filter(account__kind=AccountKind.PAYABLE).aggregate(total=Sum("amount"))["total"] or 0
        assert payable == figures.released
        per_milestone = escrow_by_milestone(self.engagement)
        assert all(v >= 0 for v in per_milestone.values())


@pytest.mark.django_db
def test_escrow_books_hold_under_any_sequence_of_actions():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS payments_entry_balanced IMMEDIATE")
    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(max_examples=8, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
