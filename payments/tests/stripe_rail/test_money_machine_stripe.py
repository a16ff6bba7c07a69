"""The money state machine (payments/tests/money_machine.py) again, with the Stripe rail on and
the offline fake as Stripe: money really moves, and Stripe's webhooks arrive at once, twice,
newest first, shuffled, late (the endpoint down for a while, then Stripe retries), or again
long after (a redelivery).

Funding goes through Checkout (paid at the fake, funded only when its events are processed);
releases, automatic releases, refunds and dispute splits are made at the fake after the ledger
commits; the freelancer's payouts are first not ready (releases wait, still owed) and become
ready when onboarding finishes and `account.updated` arrives; a transfer's answer can be lost
(the transfer exists at Stripe, the worker never hears) until the recovery sweep replays it;
the nightly jobs (the events backfill, then the reconciliation) run on a clock moved a day.
Bonuses, hand-recorded payouts and timesheets are the off-platform machine's (they move no money
at Stripe here).

After every step, besides the shared machine's ledger checks: for each milestone and in total,
what the ledger holds (escrow + payable) equals what the fake says the platform owes (charged −
transferred − refunded), apart from exactly the payments whose events have not arrived and the
transfers whose answer was lost; the total agrees with the fake's balance; no transfer or refund
exists twice for one ledger key; once payouts are ready nothing released stays owed. Each
nightly reconciliation finds nothing unexplained.
"""

import itertools
from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule, run_state_machine_as_test

from payments import services
from payments.errors import BudgetExceeded, ProviderError
from payments.models import AccountKind, IntentKind, IntentStatus, PayoutAccount, ProviderIntent
from payments.selectors import account_balance
from payments.services.provider_events import provider_events_backfill
from payments.services.provider_moves import intent_recovery_sweep
from payments.services.reconciliation import reconciliation_run
from payments.services.reconciliation_balance import held_at_provider
from payments.tests.money_machine import MoneyMachine, StateConflictish
from payments.tests.stripe_fake import FakeStripe

from . import books
from . import conftest as rail

pytestmark = pytest.mark.postgres

# How each step's webhooks reach us; "down": kept by Stripe until the endpoint is back.
STYLES = {"at once": {}, "twice": {"duplicate": True}, "newest first": {"reverse": True},
          "shuffled": {"shuffle": 7}, "down": None}
NIGHTS = 6  # per example, so nothing of it leaves the reconciliation's 7-day window
EXAMPLE_STRIDE = timedelta(days=14)  # each example's clock starts past the last one's window


# Stripe's fees on at most 4 milestones of at most 3,000.00 USD each (2.9 % + 0.30): well under this.
FEE_RESERVE = 50_000


class StripeMoneyMachine(MoneyMachine):
    examples = itertools.count()
    bonus = payout = timesheet_log_and_submit = timesheet_approve = timesheet_dispute = None

    @initialize(amounts=st.lists(st.integers(min_value=50, max_value=300_000), min_size=2, max_size=4))
    def set_up(self, amounts):
        self.clock = time_machine.travel(timezone.now() + EXAMPLE_STRIDE * next(self.examples), tick=True)
        self.clock.start()
        self.fake = FakeStripe(default_currency="usd")
        rail._FAKES.append(self.fake)  # the app's StripeClient talks to this example's fake
        # One platform account across the examples, as in production: what earlier examples left
        # held (their rows stay in this test's database) is in its balance, and so is the reserve
        # the operator keeps for Stripe's fees (the platform's cost under separate charges and
        # transfers), so the nightly balance check has nothing to flag unless money went missing.
        carried = sum(amount for (_, currency), amount in held_at_provider().items() if currency.lower() == "usd")
        self.fake.add_balance(carried + FEE_RESERVE, "usd")
        MoneyMachine.set_up(self, amounts)
        self.web, self.style, self.delivered, self.counted, self.nights = Client(), "at once", [], set(), 0
        self.account = self.perform(partial(services.payout_account_enable, freelancer=self.freelancer,
                                            actor=self.owner))

    def teardown(self):
        if hasattr(self, "fake"):
            rail._FAKES.remove(self.fake)
            self.clock.stop()

    def key(self):
        # The intents' keys (and so Stripe's) are unique across workspaces: one platform account.
        return f"ws{self.ws.pk}-{super().key()}"

    # --- how calls and webhooks happen ------------------------------------------------------
    def perform(self, call):
        """The call, then what it left for after its commit (the provider moves, run inline as
        the Celery tasks they are), then its webhooks as the current style delivers them."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = call()
        self.webhooks_arrive()
        return result

    def webhooks_arrive(self):
        if STYLES[self.style] is not None:
            self.deliver(self.fake.pop_events(), **STYLES[self.style])
        self.follow_the_money()

    def deliver(self, events, **options):
        if not events:
            return
        with TestCase.captureOnCommitCallbacks(execute=True):
            answers = self.fake.deliver_to_client(self.web, events=events, **options)
        assert [a.status_code for a in answers] == [200] * len(answers)
        self.delivered.extend(e for e in events if e not in self.delivered)

    def follow_the_money(self):
        """The shadow books follow what happened at Stripe: a checkout confirmed funds its
        milestone (the first paid one of two racing past the budget; the other is refunded), and
        what reached the freelancer's account is paid out (a lost answer not yet)."""
        confirmed = ProviderIntent.objects.filter(workspace=self.ws, kind=IntentKind.CHECKOUT,
                                                  status=IntentStatus.SUCCEEDED).exclude(pk__in=self.counted)
        for intent in confirmed.select_related("milestone", "ledger_transaction"):
            self.counted.add(intent.pk)
            self.move(intent.amount, AccountKind.OWNER_FUNDING, ("escrow", self.fixed.pk))
            self.done.append((intent.ledger_transaction_id, partial(
                services.milestone_fund, milestone=intent.milestone, actor=self.owner,
                idempotency_key=intent.ledger_key, expected_amount=intent.amount, currency=intent.currency), None))
        transferred = sum(t["amount"] for t in self.fake.objects_of("transfer"))
        paid_out = transferred - sum(books.unanswered_transfers(self.ws).values())
        self.move(paid_out - self.shadow[AccountKind.PAID_OUT], AccountKind.PAYABLE, AccountKind.PAID_OUT)

    # --- funding through Checkout ------------------------------------------------------------
    def fund_one(self, m):
        """The owner starts Checkout and pays on Stripe's page; funded once the events arrive."""
        open_one = ProviderIntent.objects.filter(milestone=m, kind=IntentKind.CHECKOUT, status__in=[
            IntentStatus.PENDING, IntentStatus.PROCESSING]).exists()
        if m.state != "draft":
            refusal = StateConflictish
        elif open_one:
            refusal = None  # the open session is answered again
        elif self.committed() + m.amount > self.limit():
            refusal = BudgetExceeded
        else:
            refusal = ProviderError if m.amount < 50 else None  # below Stripe's minimum charge
        intent = self.attempt(partial(services.milestone_checkout_start, milestone=m, actor=self.owner,
                                      idempotency_key=self.key()), refusal)
        if intent is not None and self.fake.objects[intent.provider_id]["status"] == "open":
            self.fake.complete_checkout(intent.provider_id)
            self.webhooks_arrive()

    # --- webhooks ---------------------------------------------------------------------------
    @rule(style=st.sampled_from(sorted(STYLES)))
    def webhooks_now_arrive(self, style):
        """Stripe's deliveries change style; an endpoint back up gets what Stripe kept."""
        self.style = style
        self.webhooks_arrive()

    @precondition(lambda self: self.delivered)
    @rule(i=st.integers(min_value=0, max_value=50), n=st.integers(min_value=1, max_value=6))
    def webhooks_redelivered(self, i, n):
        """Events already processed arrive again (Stripe retries, an operator resends): nothing moves."""
        before = self.ledger_size(), len(self.fake.requests)
        start = i % len(self.delivered)
        self.deliver(self.delivered[start:start + n], shuffle=i)
        assert self.ledger_size() == before[0]
        assert not [r for r in self.fake.requests[before[1]:] if r[0] == "POST"], "a redelivery made a call"

    # --- payouts, failures, the nightly jobs ------------------------------------------------
    @precondition(lambda self: self.fake.objects[self.account.provider_account_id]["capabilities"].get(
        "transfers") != "active")
    @rule()
    def payouts_onboarding_finished(self):
        self.fake.complete_onboarding(self.account.provider_account_id)
        self.webhooks_arrive()

    @precondition(lambda self: not any(f["left"] for f in self.fake.faults))
    @rule()
    def next_transfer_answer_lost(self):
        """The next transfer is made at Stripe but its answer (and the client's two retries) lost."""
        self.fake.inject_fault("lost", path="/v1/transfers", method="POST", count=3)

    @rule()
    def recovery_sweep(self):
        armed = any(f["left"] for f in self.fake.faults)
        self.perform(lambda: intent_recovery_sweep(now=timezone.now() + timedelta(minutes=5)))
        if not armed:
            assert not books.unanswered_transfers(self.ws), "the sweep left a transfer unrecorded"

    @precondition(lambda self: self.nights < NIGHTS)
    @rule()
    def night(self):
        """A day later: the hourly backfill of missed events, then the nightly reconciliation."""
        self.nights += 1
        later = timezone.now() + timedelta(days=1)
        self.clock.stop()
        self.clock = time_machine.travel(later, tick=True)
        self.clock.start()
        with TestCase.captureOnCommitCallbacks(execute=True):
            provider_events_backfill()
        self.follow_the_money()
        runs = {run.workspace_id: run for run in reconciliation_run()}
        assert None in runs, "the reconciliation did not run"
        for workspace_id in (None, self.ws.pk):
            run = runs.get(workspace_id)
            if run is not None:
                assert run.unexplained_count == 0, list(run.exceptions.values_list("provider_id", "reason"))

    # --- invariants -------------------------------------------------------------------------
    @invariant()
    def held_funds_are_what_stripe_holds(self):
        held, owed = books.ledger_held(self.ws), books.fake_owed(self.fake)
        flying, unanswered = books.in_flight(self.fake, self.ws), books.unanswered_transfers(self.ws)
        for m in set(held) | set(owed) | set(flying) | set(unanswered):
            expected = held.get(m, 0) + flying.get(m, 0) - unanswered.get(m, 0)
            assert expected == owed.get(m, 0), f"milestone {m}: ledger {held.get(m, 0)} (+{flying.get(m, 0)} " \
                f"unconfirmed, -{unanswered.get(m, 0)} unanswered), Stripe owes {owed.get(m, 0)}"
        assert sum(owed.values()) == books.fake_owed_by_balance(self.fake, "usd")
        if STYLES[self.style] is not None and not self.fake.outbox:
            assert not flying, "every payment's events were delivered, yet some is not known"

    @invariant()
    def nothing_moved_twice(self):
        assert not books.moved_twice(self.fake)

    @invariant()
    def released_money_reaches_ready_payouts(self):
        account = PayoutAccount.objects.get(pk=self.account.pk)
        if account.is_ready:
            owed = account_balance(kind=AccountKind.PAYABLE, currency=self.fixed.currency, workspace=self.ws)
            assert owed == sum(books.unanswered_transfers(self.ws).values())


@pytest.mark.django_db
def test_money_moves_once_and_the_books_match_stripe_whatever_the_webhooks_do(stripe_rail):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS payments_entry_balanced IMMEDIATE")
    StripeMoneyMachine.examples = itertools.count()
    run_state_machine_as_test(StripeMoneyMachine, settings=settings(
        max_examples=8, stateful_step_count=45, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
