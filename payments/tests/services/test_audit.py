"""Every money action is in the workspace's audit log, once, even when retried."""

from accounts.models import AuditEvent
from payments import services
from payments.tests.conftest import new_key


def money_events(workspace):
    return list(AuditEvent.objects.filter(workspace=workspace, action__startswith="money.")
                .order_by("id").values_list("action", "actor_email"))


def test_fund_and_release_are_recorded_once_with_who(submitted, owner, workspace):
    key = new_key()
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=key)
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=key)  # a retry

    assert money_events(workspace) == [("money.fund", owner.email), ("money.release", owner.email)]
