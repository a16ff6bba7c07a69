"""Every money action, in any order, on real PostgreSQL: a hypothesis state machine.

One workspace per example, with a milestone engagement and an hourly one for the same
freelancer. The rules are the money actions through their services: fund, submit, request
changes, release, automatic release, dispute, resolve with a split, refund, bonus, payout,
timesheet submit/approve/dispute and budget change, plus replays of earlier idempotency keys
(same request: the first transaction back, nothing written; other parameters: refused, nothing
written). Each action's outcome is predicted from the state before it (success or the refusal
it must be), and a shadow of every account balance is kept from the successes alone.

After every step: every transaction sums to zero; escrow, payable and paid out are never below
zero and owner funding never above; each account equals its shadow; each engagement's escrow
equals the amounts of its funded-but-unfinished milestones; the milestone engagement never
commits past its budget with contingency. The deferred balance trigger runs IMMEDIATE, so the
database checks each transaction as it is written, too.

Bounded and deterministic (derandomize, no example database): a few seconds in CI.
`test_state_machine.py` is the older, escrow-only machine (it also runs on SQLite).
"""

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from ..money_machine import MoneyMachine

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_every_money_action_in_any_order_keeps_the_books():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS payments_entry_balanced IMMEDIATE")
    run_state_machine_as_test(MoneyMachine, settings=settings(
        max_examples=7, stateful_step_count=40, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

