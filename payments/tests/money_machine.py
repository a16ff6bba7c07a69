"""The money state machine (hypothesis): every money action in any order, each outcome
predicted from the state before it, a shadow of every account balance kept from the successes.

Run on the off-platform rail by services/test_money_machine.py and, with the Stripe rail and
the offline fake as Stripe, by stripe_rail/test_money_machine_stripe.py (which subclasses it).
A subclass changes how a call is made through `perform` (e.g. running what the call leaves for
after its commit) and replaces the rules its rail does differently.
"""


from collections import defaultdict
from datetime import timedelta
from functools import partial

from django.db.models import Sum
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from accounts.models import Membership, Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from engagements.models import Milestone
from engagements.services.transitions import TransitionError
from payments import services
from payments.errors import (
    BudgetExceeded,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidInput,
    PaymentError,
    StateConflict,
)
from payments.models import (
    AccountKind,
    CommittedTotal,
    Entry,
    LedgerTotal,
    MonthTotal,
    Timesheet,
    Transaction,
    amount_for,
    week_start_of,
)
from payments.selectors import HELD_STATES, account_balance, budget_figures, escrowed_for, owed_on, timesheet_minutes
from payments.services.totals import committed_from_totals, months_from_entries, totals_from_entries

from .factories import EngagementFactory, FreelancerFactory, MilestoneFactory

INDEX = st.integers(min_value=0, max_value=50)
AMOUNT = st.integers(min_value=1, max_value=400_000)
FAR_FUTURE = timedelta(days=400)  # past any review window: the sweep's clock for auto-release


class Refused(Exception):
    """The machine's prediction: this call must fail with `kind`."""


class MoneyMachine(RuleBasedStateMachine):
    @initialize(amounts=st.lists(st.integers(min_value=1, max_value=300_000), min_size=2, max_size=4))
    def set_up(self, amounts):
        self.ws = WorkspaceFactory()
        self.owner = UserFactory()
        Membership.objects.create(user=self.owner, workspace=self.ws, role=Role.OWNER)
        self.freelancer = FreelancerFactory(workspace=self.ws, rate_amount=4_000)
        self.fixed = EngagementFactory(workspace=self.ws, freelancer=self.freelancer, budget=1_000_000,
                                       contingency_percent=10)
        self.hourly = EngagementFactory(workspace=self.ws, freelancer=self.freelancer, pay_terms="hourly",
                                        weekly_hour_cap=20, budget=1_000_000)
        self.milestones = [MilestoneFactory(engagement=self.fixed, amount=a).pk for a in amounts]
        self.done, self.keys = [], 0
        self.shadow = {AccountKind.OWNER_FUNDING: 0, AccountKind.PAYABLE: 0, AccountKind.PAID_OUT: 0,
                       ("escrow", self.fixed.pk): 0, ("escrow", self.hourly.pk): 0}

    # --- helpers ----------------------------------------------------------------------------
    def key(self):
        self.keys += 1
        return f"mm-{self.keys}"

    def move(self, amount, debit, credit):
        self.shadow[debit] -= amount
        self.shadow[credit] += amount

    def ledger_size(self):
        return Transaction.objects.filter(workspace=self.ws).count(), Entry.objects.filter(
            transaction__workspace=self.ws).count()

    def attempt(self, call, refusal=None):
        """Run `call`; it must succeed when `refusal` is None, else raise `refusal` and write nothing."""
        before = self.ledger_size()
        try:
            result = self.perform(call)
        except (PaymentError, TransitionError) as exc:
            assert refusal is not None, f"refused unexpectedly: {exc!r}"
            assert isinstance(exc, refusal), f"expected {refusal}, got {exc!r}"
            assert self.ledger_size() == before
            return None
        assert refusal is None, f"expected {refusal}, but it succeeded"
        return result

    def perform(self, call):
        """Make a service call (a rail whose calls leave work for after the commit wraps this)."""
        return call()

    def remember(self, tx, call, conflicting=None):
        assert tx is not None and not tx.replayed
        self.done.append((tx.pk, call, conflicting))

    def milestone(self, i, states):
        """Mostly a milestone in one of `states` (long paths get explored), else any."""
        fitting = list(Milestone.objects.filter(pk__in=self.milestones, state__in=states).order_by("pk"))
        if fitting and i % 4:
            return fitting[i % len(fitting)]
        return Milestone.objects.get(pk=self.milestones[i % len(self.milestones)])

    def committed(self):
        return budget_figures(self.fixed).committed

    def limit(self):
        self.fixed.refresh_from_db()
        return self.fixed.budget_with_contingency

    # --- milestones -------------------------------------------------------------------------
    # Picking an action at random mostly picks one the milestone's state refuses; this rule
    # takes a step its state allows, so the examples walk milestones through whole lives.
    @rule(i=INDEX, choice=st.integers(min_value=0, max_value=11))
    def advance_a_milestone(self, i, choice):
        """One step of a milestone's life that its state allows, chosen by `choice`."""
        m = Milestone.objects.get(pk=self.milestones[i % len(self.milestones)])
        steps = {
            "draft": [self.fund_one],
            "funded": [self.submit_one, self.submit_one, lambda m: self.dispute_one(m, True), self.refund_one],
            "submitted": [lambda m: self.release_one(m, False), lambda m: self.release_one(m, True),
                          self.request_changes_one, lambda m: self.dispute_one(m, choice % 2)],
            "changes_requested": [self.submit_one, lambda m: self.dispute_one(m, False)],
            "disputed": [lambda m: self.resolve_one(m, share=choice * 9, off_by=0)],
        }.get(m.state)
        if steps is None:  # released or refunded: a new milestone takes its place
            self.milestones[i % len(self.milestones)] = MilestoneFactory(engagement=self.fixed,
                                                                         amount=1 + choice * 20_000).pk
        else:
            steps[choice % len(steps)](m)

    @rule(amount=AMOUNT)
    def create(self, amount):
        self.milestones.append(MilestoneFactory(engagement=self.fixed, amount=amount).pk)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX)
    def fund(self, i):
        self.fund_one(self.milestone(i, ["draft"]))

    def fund_one(self, m):
        over = self.committed() + m.amount > self.limit()
        refusal = StateConflictish if m.state != "draft" else (BudgetExceeded if over else None)
        call = partial(services.milestone_fund, milestone=m, actor=self.owner, idempotency_key=self.key())
        tx = self.attempt(call, refusal)
        if tx:
            self.move(m.amount, AccountKind.OWNER_FUNDING, ("escrow", self.fixed.pk))
            self.remember(tx, call)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX)
    def submit(self, i):
        self.submit_one(self.milestone(i, ["funded", "changes_requested"]))

    def submit_one(self, m):
        self.attempt(lambda: services.milestone_submit_for_review(
            milestone_id=m.pk, freelancer=self.freelancer, message="Done", attest_own_work=True),
            None if m.state in ("funded", "changes_requested") else StateConflictish)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX)
    def request_changes(self, i):
        self.request_changes_one(self.milestone(i, ["submitted"]))

    def request_changes_one(self, m):
        self.attempt(lambda: services.milestone_request_changes(milestone=m, actor=self.owner, feedback="Again"),
                     None if m.state == "submitted" else StateConflictish)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX, automatic=st.booleans())
    def release(self, i, automatic):
        self.release_one(self.milestone(i, ["submitted"]), automatic)

    def release_one(self, m, automatic):
        held = escrowed_for(m)
        if automatic:
            call = partial(services.milestone_auto_release, milestone_id=m.pk, now=timezone.now() + FAR_FUTURE)
            tx = self.attempt(call)
            assert (tx is not None) == (m.state == "submitted")
        else:
            call = partial(services.milestone_release, milestone=m, actor=self.owner, idempotency_key=self.key())
            tx = self.attempt(call, None if m.state == "submitted" else StateConflictish)
        if tx:
            self.move(held, ("escrow", self.fixed.pk), AccountKind.PAYABLE)
            self.remember(tx, call)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX, by_freelancer=st.booleans())
    def dispute(self, i, by_freelancer):
        self.dispute_one(self.milestone(i, ["funded", "submitted", "changes_requested"]), by_freelancer)

    def dispute_one(self, m, by_freelancer):
        actor = self.freelancer.user if by_freelancer else self.owner
        call = partial(services.milestone_dispute, milestone=m, actor=actor, reason="No", idempotency_key=self.key())
        tx = self.attempt(call, None if m.state in ("funded", "submitted", "changes_requested") else StateConflictish)
        if tx:
            self.remember(tx, call)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX, share=st.integers(min_value=0, max_value=100), off_by=st.sampled_from([0, 0, 0, 1, -1]))
    def resolve(self, i, share, off_by):
        self.resolve_one(self.milestone(i, ["disputed"]), share, off_by)

    def resolve_one(self, m, share, off_by):
        held = escrowed_for(m)
        release = held * share // 100
        refund = max(held - release + off_by, 0)
        if release + refund == 0:
            refusal = InvalidInput
        elif m.state != "disputed":
            refusal = StateConflictish
        else:
            refusal = InvalidInput if release + refund != held else None
        k = self.key()

        def call(release=release, refund=refund):
            return services.milestone_resolve(milestone=m, actor=self.owner, release_amount=release,
                                              refund_amount=refund, idempotency_key=k)

        tx = self.attempt(call, refusal)
        if tx:
            self.move(release, ("escrow", self.fixed.pk), AccountKind.PAYABLE)
            self.move(refund, ("escrow", self.fixed.pk), AccountKind.OWNER_FUNDING)
            self.remember(tx, call, lambda: call(release=refund, refund=release) if release != refund else None)

    @precondition(lambda self: self.milestones)
    @rule(i=INDEX)
    def refund(self, i):
        self.refund_one(self.milestone(i, ["funded"]))

    def refund_one(self, m):
        held = escrowed_for(m)
        call = partial(services.milestone_refund, milestone=m, actor=self.owner, idempotency_key=self.key())
        tx = self.attempt(call, None if m.state == "funded" else StateConflictish)
        if tx:
            self.move(held, ("escrow", self.fixed.pk), AccountKind.OWNER_FUNDING)
            self.remember(tx, call)

    # --- bonus, payout, budget --------------------------------------------------------------
    @rule(amount=AMOUNT)
    def bonus(self, amount):
        k = self.key()

        def call(amount=amount):
            return services.bonus_pay(engagement=self.fixed, actor=self.owner, amount=amount, note="Thanks",
                                      idempotency_key=k)

        over = self.committed() + amount > self.limit()
        tx = self.attempt(call, BudgetExceeded if over else None)
        if tx:
            self.move(amount, AccountKind.OWNER_FUNDING, AccountKind.PAYABLE)
            self.remember(tx, call, lambda: call(amount=amount + 1))

    @rule(amount=AMOUNT, hourly=st.booleans())
    def payout(self, amount, hourly):
        eng = self.hourly if hourly else self.fixed
        k = self.key()

        def call(amount=amount):
            return services.payout_record(engagement=eng, actor=self.owner, amount=amount, method="bank_transfer",
                                          reference="R-1", paid_on=timezone.localdate(), idempotency_key=k)

        tx = self.attempt(call, InsufficientFunds if amount > owed_on(eng) else None)
        if tx:
            self.move(amount, AccountKind.PAYABLE, AccountKind.PAID_OUT)
            self.remember(tx, call, lambda: call(amount=amount + 1))

    @rule(budget=st.integers(min_value=0, max_value=3_000_000), percent=st.sampled_from([None, 0, 10, 25]))
    def budget_change(self, budget, percent):
        self.fixed.refresh_from_db()
        new_percent = self.fixed.contingency_percent if percent is None else percent
        unchanged = (budget, new_percent) == (self.fixed.budget, self.fixed.contingency_percent)
        too_low = budget + budget * new_percent // 100 < self.committed()
        self.attempt(lambda: services.engagement_budget_change(
            engagement=self.fixed, actor=self.owner, budget=budget, contingency_percent=percent, reason="Scope"),
            InvalidInput if unchanged or too_low else None)

    # --- timesheets -------------------------------------------------------------------------
    def week(self, weeks_ago):
        day = week_start_of(timezone.localdate()) - timedelta(weeks=weeks_ago)
        return services.timesheet_for_week(engagement=self.hourly, day=day, actor=self.freelancer.user), day

    @rule(weeks_ago=st.integers(min_value=1, max_value=4), minutes=st.integers(min_value=30, max_value=600),
          day=st.integers(min_value=0, max_value=6))
    def timesheet_log_and_submit(self, weeks_ago, minutes, day):
        ts, monday = self.week(weeks_ago)
        editable = ts.state in ("draft", "disputed")
        fits = timesheet_minutes(ts) + minutes <= 20 * 60
        self.attempt(lambda: services.timesheet_entry_add(
            timesheet=ts, actor=self.freelancer.user, day=monday + timedelta(days=day), minutes=minutes,
            description="Work"), None if editable and fits else (InvalidInput if editable else StateConflictish))
        ts.refresh_from_db()
        logged = timesheet_minutes(ts) > 0
        self.attempt(lambda: services.timesheet_submit(timesheet=ts, actor=self.freelancer.user),
                     None if editable and logged else (InvalidInput if editable else StateConflictish))

    @rule(weeks_ago=st.integers(min_value=1, max_value=4))
    def timesheet_approve(self, weeks_ago):
        ts, _ = self.week(weeks_ago)
        approvable = ts.state in ("submitted", "disputed")
        call = partial(services.timesheet_approve, timesheet=ts, actor=self.owner, idempotency_key=self.key())
        tx = self.attempt(call, None if approvable else StateConflictish)
        if tx:
            ts.refresh_from_db()
            self.move(amount_for(timesheet_minutes(ts), ts.hourly_rate), AccountKind.OWNER_FUNDING,
                      AccountKind.PAYABLE)
            self.remember(tx, call)

    @rule(weeks_ago=st.integers(min_value=1, max_value=4))
    def timesheet_dispute(self, weeks_ago):
        ts, _ = self.week(weeks_ago)
        self.attempt(lambda: services.timesheet_dispute(timesheet=ts, actor=self.owner, reason="Too much"),
                     None if ts.state == "submitted" else StateConflictish)

    # --- replays ----------------------------------------------------------------------------
    @precondition(lambda self: self.done)
    @rule(i=INDEX)
    def replay(self, i):
        pk, call, _ = self.done[i % len(self.done)]
        before = self.ledger_size()
        tx = self.perform(call)
        assert self.ledger_size() == before
        # The automatic release answers a replay with None (nothing released this time).
        assert tx is None or (tx.pk == pk and tx.replayed)

    @precondition(lambda self: any(conflicting for _, _, conflicting in self.done))
    @rule(i=INDEX)
    def replay_with_other_parameters(self, i):
        candidates = [c for _, _, c in self.done if c]
        self.attempt(candidates[i % len(candidates)], IdempotencyConflict)

    # --- invariants -------------------------------------------------------------------------
    @invariant()
    def books_hold(self):
        entries = Entry.objects.filter(transaction__workspace=self.ws)
        assert not entries.values("transaction", "currency").annotate(t=Sum("amount")).exclude(t=0).exists()
        for key, expected in self.shadow.items():
            if isinstance(key, tuple):
                engagement = self.fixed if key[1] == self.fixed.pk else self.hourly
                actual = account_balance(kind=AccountKind.ESCROW, currency=self.fixed.currency, engagement=engagement)
                held = Milestone.objects.filter(engagement=engagement, state__in=HELD_STATES).aggregate(
                    t=Sum("amount"))["t"] or 0
                assert actual == held, f"escrow {actual} != unfinished funded milestones {held}"
                assert actual >= 0
            else:
                actual = account_balance(kind=key, currency=self.fixed.currency, workspace=self.ws)
                assert actual <= 0 if key == AccountKind.OWNER_FUNDING else actual >= 0, f"{key} at {actual}"
            assert actual == expected, f"{key}: ledger {actual}, expected {expected}"
        assert self.committed() <= self.limit()
        assert not Timesheet.objects.filter(engagement=self.hourly, state="approved", transaction__isnull=True).exists()

    @invariant()
    def totals_equal_the_entries(self):
        # LedgerTotal (what the lists and the home page read) is the entries summed, whatever happened.
        def rows(totals):
            return {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount for t in totals}

        assert rows(LedgerTotal.objects.filter(workspace=self.ws)) == rows(totals_from_entries([self.ws.pk]))
        # CommittedTotal (what the budget alerts and nearest budgets read) is those totals' committed kinds summed,
        # and its balances (the overview's and the money card's escrow and payable) those totals' escrow and payable.
        committed = {(t.engagement_id, t.currency): (t.amount, t.in_escrow, t.payable)
                     for t in CommittedTotal.objects.filter(workspace=self.ws)}
        assert committed == {(t.engagement_id, t.currency): (t.amount, t.in_escrow, t.payable)
                             for t in committed_from_totals(totals_from_entries([self.ws.pk]))}
        # The balances are each engagement's escrow and payable entries summed.
        held = defaultdict(lambda: [0, 0])
        entries = Entry.objects.filter(transaction__workspace=self.ws, transaction__engagement__isnull=False,
                                       account__kind__in=(AccountKind.ESCROW, AccountKind.PAYABLE))
        for engagement, currency, kind, total in (entries.values_list("transaction__engagement", "currency",
                                                                      "account__kind")
                                                  .annotate(Sum("amount")).order_by()):
            held[(engagement, currency)][kind == AccountKind.PAYABLE] += total
        assert {key: [escrow, payable] for key, (_, escrow, payable) in committed.items() if escrow or payable} == {
            key: figures for key, figures in held.items() if any(figures)}
        # MonthTotal (this month's movements and the released-per-month chart) is the entries by slot.
        months = {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out)
                  for t in MonthTotal.objects.filter(workspace=self.ws)}
        assert months == {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out)
                          for t in months_from_entries([self.ws.pk])}


# A refusal because of the state (the service's StateConflict, or the transition helper's error).
StateConflictish = (StateConflict, TransitionError)
