"""Two pay-models sweeps at once on real PostgreSQL (threads, each with its own connection,
released together): each retainer period is funded once and released once, each commission
report released once — one ledger transaction each, one email each."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from notifications.models import Notification
from payments import services
from payments.models import AccountKind, RetainerPeriod, Transaction
from payments.reminders.pay_models import pay_models_sweep

from ..conftest import balance
from ..factories import EngagementFactory
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_sweeps_at_once_fund_release_and_pay_each_once(workspace, owner, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    retainers = [EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer",
                                   retainer_amount=100_000 * (i + 1), retainer_hours=10, starts_on=date(2026, 1, 15))
                 for i in range(3)]
    seller = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="commission",
                               commission_percent=Decimal("10"))
    report = services.commission_report_create(engagement=seller, actor=owner, period=date(2026, 1, 1),
                                               base_amount=50_000)

    funded = race(pay_models_sweep, pay_models_sweep)
    assert [exc for _, exc in funded] == [None, None]
    assert sum(result["retainers_funded"] for result, _ in funded) == 3
    assert RetainerPeriod.objects.count() == 3
    assert balance(AccountKind.ESCROW, engagement=retainers[2]) == 300_000

    time_machine.move_to(report.dispute_deadline_at.replace(day=16, month=2), tick=False)
    released = race(pay_models_sweep, pay_models_sweep)
    assert [exc for _, exc in released] == [None, None]
    assert sum(result["retainers_released"] for result, _ in released) == 3
    assert sum(result["commissions_released"] for result, _ in released) == 1
    assert sum(result["retainers_funded"] for result, _ in released) == 3  # the next month of each
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 600_000 + 5_000
    assert Transaction.objects.filter(kind="release").count() == 3
    assert Transaction.objects.filter(kind="commission").count() == 1
    assert Notification.objects.filter(kind="retainer_released", recipient_email=freelancer.email).count() == 3
    assert Notification.objects.filter(kind="commission_released", recipient_email=freelancer.email).count() == 1
