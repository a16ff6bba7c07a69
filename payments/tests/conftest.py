"""Fixtures for the payments tests: an engagement in the shared `workspace`, its freelancer
(with a portal login), helpers that move a milestone along, an hourly engagement and its week,
a money history, and what the ledger holds."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Sum

from payments import services
from payments.models import Entry, Transaction

from .factories import EngagementFactory, FreelancerFactory, MilestoneFactory

_keys = itertools.count(1)


def new_key():
    return f"test-key-{next(_keys)}"


MONDAY = date(2026, 3, 2)  # the week of the hourly fixtures


@pytest.fixture
def freelancer(workspace):
    return FreelancerFactory(workspace=workspace, name="Frida Freelancer", email="frida@example.com")


@pytest.fixture
def engagement(workspace, freelancer):
    return EngagementFactory(workspace=workspace, freelancer=freelancer, title="Website redesign",
                             budget=1_000_000, contingency_percent=15)


@pytest.fixture
def milestone(engagement):
    return MilestoneFactory(engagement=engagement, title="Home page", amount=150_000)


@pytest.fixture
def make_milestone(engagement):
    def make(**kwargs):
        kwargs.setdefault("engagement", engagement)
        return MilestoneFactory(**kwargs)

    return make


def fund(milestone, owner):
    return services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=new_key())


def submit(milestone, message="Here is the work."):
    """The freelancer hands in work the way the portal and the API do: a submission round, then
    the review clock, so every later step (request changes, release) finds what it expects."""
    services.milestone_submit_for_review(milestone_id=milestone.pk, freelancer=milestone.engagement.freelancer,
                                         message=message, attest_own_work=True)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def funded(milestone, owner):
    fund(milestone, owner)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def submitted(funded):
    return submit(funded)


@pytest.fixture
def released(submitted, owner):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def hourly(workspace, freelancer, time_machine):
    """An hourly engagement (10 h a week), the clock on the Sunday of the week of MONDAY."""
    time_machine.move_to(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="hourly", weekly_hour_cap=10,
                             budget=500_000)


@pytest.fixture
def week(hourly, freelancer):
    return services.timesheet_for_week(engagement=hourly, day=MONDAY + timedelta(days=2), actor=freelancer.user)


def log(week, freelancer, day_offset, minutes, what="Editing"):
    return services.timesheet_entry_add(timesheet=week, actor=freelancer.user, day=MONDAY + timedelta(days=day_offset),
                                        minutes=minutes, description=what)


@pytest.fixture
def history(submitted, owner, engagement, make_milestone):
    """Fund 1,500 + release; fund 400 and refund it; a 50 bonus; a 1,000 payout."""
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    cancelled = make_milestone(amount=40_000, title="Extra page")
    fund(cancelled, owner)
    services.milestone_refund(milestone=cancelled, actor=owner, idempotency_key=new_key(), reason="Dropped")
    services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Nice work",
                       idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=100_000, method="paypal",
                           reference="=PP-42", paid_on=date(2026, 1, 5), idempotency_key=new_key())
    return engagement


# --- What the ledger holds --------------------------------------------------------------------
def ledger_size():
    return Transaction.objects.count(), Entry.objects.count()


def balance(kind, **owner):
    return Entry.objects.filter(account__kind=kind, **{f"account__{k}": v for k, v in owner.items()}).aggregate(
        t=Sum("amount"))["t"] or 0
