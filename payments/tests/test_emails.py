import pytest

from notifications.emails import build_message
from notifications.models import Notification
from payments import services

from .conftest import fund, new_key, submit
from .factories import EngagementFactory, FreelancerFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_every_payments_email_renders(history, owner, make_milestone, freelancer):
    disputed = make_milestone(amount=1_000)
    fund(disputed, owner)
    submit(disputed)
    services.milestone_review_extend(milestone=disputed, actor=owner, days=2, reason="Away")
    services.milestone_dispute(milestone=disputed, actor=freelancer.user, reason="Late feedback",
                               idempotency_key=new_key())
    services.milestone_resolve(milestone=disputed, actor=owner, release_amount=600, refund_amount=400,
                               idempotency_key=new_key(), note="Met halfway")
    kinds = set()
    for note in Notification.objects.select_related("workspace", "recipient_user"):
        message = build_message(note)
        assert message.subject.startswith("[Acme Studio]")
        assert "{{" not in message.body and "{%" not in message.body
        kinds.add(note.kind)
    assert {"escrow_funded", "escrow_released", "escrow_refunded", "escrow_disputed", "escrow_resolved",
            "review_extended", "bonus_paid", "payout_sent"} <= kinds
    resolved = Notification.objects.get(kind="escrow_resolved", recipient_email=freelancer.email)
    body = build_message(resolved).body
    assert "6.00 USD" in body and "4.00 USD" in body and "Met halfway" in body


def test_a_freelancer_without_a_portal_login_is_greeted_by_name(workspace, owner):
    outside = FreelancerFactory(workspace=workspace, name="Priya Raman", email="priya@example.com", user=None)
    milestone = MilestoneFactory(engagement=EngagementFactory(workspace=workspace, freelancer=outside),
                                 amount=10_000)
    fund(milestone, owner)
    body = build_message(Notification.objects.get(kind="escrow_funded", recipient_email="priya@example.com")).body
    assert body.startswith("Hello Priya Raman,")
