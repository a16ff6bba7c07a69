"""Reference actions: requesting (one link, only its hash stored), the request email, and
answering once, until the last second of the link's 14 days."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import hash_token
from freelancers.errors import RefereeLinkError, TransitionError
from freelancers.models import FreelancerStatus, ReferenceLink, ReferenceStatus
from freelancers.selectors import reference_for_token
from freelancers.services import reference as references
from freelancers.services.reference import Answers
from freelancers.tests.conftest import request_reference, send_all
from notifications.models import Notification

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


def test_requesting_emails_a_single_link_and_stores_only_its_hash(reference, owner):
    token = request_reference(reference, owner)
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED
    assert len(token) >= 22  # ≥128 bits in URL-safe base64
    link = ReferenceLink.objects.get(reference=reference)
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert reference.expires_at == reference.requested_at + timedelta(days=14)
    notification = Notification.objects.get(kind="reference_request")
    assert notification.recipient_email == "rita@example.org"
    assert notification.dedupe_key == f"reference-request:{reference.pk}:{link.pk}"


def test_requesting_moves_a_prospect_into_vetting(reference, owner, freelancer):
    request_reference(reference, owner)
    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.VETTING
    assert freelancer.events.filter(to_status="vetting", actor=owner).exists()


def test_sending_again_kills_the_old_link(client, reference, owner):
    old = request_reference(reference, owner)
    new = request_reference(reference, owner)
    with pytest.raises(RefereeLinkError) as exc:
        reference_for_token(old)
    assert exc.value.code == "invalid"
    assert reference_for_token(new) == reference


def test_a_received_reference_cannot_be_requested_again(reference, owner):
    token = request_reference(reference, owner)
    references.reference_answer(token=token, answers=Answers(5, 5, 5, 5, True))
    with pytest.raises(TransitionError):
        references.reference_request(reference=reference, actor=owner)


def test_the_request_email_renders_with_the_link(reference, owner, locmem_mail):
    with time_machine.travel(T0, tick=False):
        token = request_reference(reference, owner)
    send_all()
    [message] = locmem_mail
    assert message.to == ["rita@example.org"]
    assert "Frida Lance" in message.subject
    assert f"/reference/{token}/" in message.body
    assert f"/reference/{token}/" in message.alternatives[0].content
    # The referee's time zone is unknown: the expiry is a moment in UTC, not a bare date.
    assert "expires on 16 March 2026 at 09:00 UTC" in message.body
    # Replies go nowhere, so the email names a person to write to.
    assert f"Write to {owner.get_full_name()} at {owner.email}" in message.body
    # The one-time link is scrubbed from the outbox once sent.
    assert token not in str(Notification.objects.get(kind="reference_request").context)


def test_a_link_answers_until_the_last_second(reference, owner):
    with time_machine.travel(T0, tick=False):
        token = request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=14) - timedelta(seconds=1), tick=False):
        references.reference_answer(token=token, answers=Answers(4, 4, 4, 4, False))
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.RECEIVED


def test_answers_out_of_range_are_refused_by_the_service(reference, owner):
    token = request_reference(reference, owner)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        references.reference_answer(token=token, answers=Answers(0, 5, 6, 5, True))
    assert set(exc.value.message_dict) == {"quality", "communication"}
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED
