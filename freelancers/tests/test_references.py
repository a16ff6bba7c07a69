"""Reference checks: the questionnaire link's life cycle, the referee pages, the reminder sweep."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import hash_token
from freelancers import references
from freelancers.errors import TransitionError
from freelancers.models import FreelancerStatus, ReferenceLink, ReferenceStatus
from freelancers.references import Answers, RefereeLinkError
from freelancers.tests.conftest import send_all
from freelancers.tests.factories import ReferenceFactory
from notifications.models import Notification

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)
GOOD = {"quality": "5", "reliability": "4", "communication": "4", "deadlines": "3", "would_rehire": "yes",
        "what_to_know": "Careful with scope."}


def token_from(notification):
    url = notification.context["questionnaire_url"]
    return url.rstrip("/").rsplit("/", 1)[-1]


def request_reference(reference, owner):
    references.reference_request(reference=reference, actor=owner)
    notification = Notification.objects.filter(kind="reference_request").latest("id")
    return token_from(notification)


@pytest.fixture
def reference(freelancer):
    return ReferenceFactory(freelancer=freelancer, name="Rita Referee", email="rita@example.org")


# --- Requesting ----------------------------------------------------------------------------------
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
        references.reference_for_token(old)
    assert exc.value.code == "invalid"
    assert references.reference_for_token(new) == reference


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


# --- The referee's pages -------------------------------------------------------------------------
def test_the_link_redirects_to_a_tokenless_address(client, reference, owner):
    token = request_reference(reference, owner)
    response = client.get(reverse("referee:open", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referee:questionnaire")
    assert token not in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "A reference for Frida Lance" in page.content.decode()


def test_first_use_records_the_answers_and_notifies_the_requester(client, reference, owner):
    token = request_reference(reference, owner)
    client.get(reverse("referee:open", args=[token]))
    response = client.post(reverse("referee:questionnaire"), {"action": "answer", **GOOD}, follow=True)
    assert "Your answers were sent" in response.content.decode()
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.RECEIVED
    assert (reference.quality, reference.reliability, reference.communication, reference.deadlines) == (5, 4, 4, 3)
    assert reference.would_rehire is True and reference.what_to_know == "Careful with scope."
    assert reference.next_reminder_at is None
    assert Notification.objects.filter(kind="reference_received", recipient_email=owner.email).exists()


def test_reuse_shows_a_clear_page_and_changes_nothing(client, reference, owner):
    token = request_reference(reference, owner)
    references.reference_answer(token=token, answers=Answers(5, 5, 5, 5, True, "first"))
    client.get(reverse("referee:open", args=[token]))
    page = client.get(reverse("referee:questionnaire"))
    assert page.status_code == 410
    assert "already answered" in page.content.decode()
    response = client.post(reverse("referee:questionnaire"), {"action": "answer", **GOOD})
    assert response.status_code == 410
    reference.refresh_from_db()
    assert reference.what_to_know == "first" and reference.quality == 5


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, reference, owner):
    with time_machine.travel(T0, tick=False):
        token = request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=14, seconds=1), tick=False):
        client.get(reverse("referee:open", args=[token]))
        page = client.get(reverse("referee:questionnaire"))
        assert page.status_code == 410
        assert "expired" in page.content.decode()
        client.post(reverse("referee:questionnaire"), {"action": "answer", **GOOD})
        with pytest.raises(RefereeLinkError):
            references.reference_answer(token=token, answers=Answers(5, 5, 5, 5, True))
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED and reference.quality is None


def test_a_link_answers_until_the_last_second(reference, owner):
    with time_machine.travel(T0, tick=False):
        token = request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=14) - timedelta(seconds=1), tick=False):
        references.reference_answer(token=token, answers=Answers(4, 4, 4, 4, False))
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.RECEIVED


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: t[:-2],
    lambda t: t + "x",
    lambda t: "",
])
def test_an_altered_link_shows_a_clear_page_and_changes_nothing(client, reference, owner, tamper):
    token = request_reference(reference, owner)
    bad = tamper(token)
    if bad:
        client.get(reverse("referee:open", args=[bad]))
    page = client.get(reverse("referee:questionnaire"))
    assert page.status_code == 400
    assert "not valid" in page.content.decode()
    client.post(reverse("referee:questionnaire"), {"action": "answer", **GOOD})
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED and reference.quality is None


def test_the_referee_can_decline(client, reference, owner):
    token = request_reference(reference, owner)
    client.get(reverse("referee:open", args=[token]))
    response = client.post(reverse("referee:questionnaire"),
                           {"action": "decline", "decline_reason": "I barely know them."}, follow=True)
    assert "rather not give a reference" in response.content.decode()
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.DECLINED
    assert reference.decline_reason == "I barely know them."
    assert Notification.objects.filter(kind="reference_declined").exists()
    # And the link is then spent.
    client.get(reverse("referee:open", args=[token]))
    assert client.get(reverse("referee:questionnaire")).status_code == 410


def test_a_missing_rating_is_a_field_error_and_nothing_is_saved(client, reference, owner):
    token = request_reference(reference, owner)
    client.get(reverse("referee:open", args=[token]))
    data = {**GOOD, "quality": "6"}
    response = client.post(reverse("referee:questionnaire"), {"action": "answer", **data})
    assert response.status_code == 200
    assert response.context["form"].errors["quality"]
    assert "Some answers are missing: see the questions marked in red below." in response.content.decode()
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED


def test_answers_out_of_range_are_refused_by_the_service(reference, owner):
    token = request_reference(reference, owner)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        references.reference_answer(token=token, answers=Answers(0, 5, 6, 5, True))
    assert set(exc.value.message_dict) == {"quality", "communication"}
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.REQUESTED


def test_the_referee_pages_need_no_login_and_leak_no_token(client, reference, owner):
    token = request_reference(reference, owner)
    response = client.get(reverse("referee:open", args=[token]))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- The reminder sweep --------------------------------------------------------------------------
def reminders():
    return list(Notification.objects.filter(kind="reference_reminder").order_by("id")
                .values_list("dedupe_key", flat=True))


def test_the_sweep_reminds_twice_two_days_apart_then_stops(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2) - timedelta(minutes=1), tick=False):
        assert references.references_remind() == []
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert references.references_remind() == [reference.pk]
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert references.references_remind() == []
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        assert references.references_remind() == [reference.pk]
    for day in (6, 8, 10, 13):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            assert references.references_remind() == []
    assert reminders() == [f"reference-reminder:{reference.pk}:1", f"reference-reminder:{reference.pk}:2"]
    reference.refresh_from_db()
    assert reference.reminders_sent == 2 and reference.next_reminder_at is None


def test_a_sweep_run_twice_sends_each_reminder_once(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        references.references_remind()
        references.references_remind()
    assert reminders() == [f"reference-reminder:{reference.pk}:1"]


def test_a_late_sweep_sends_one_reminder_not_a_burst(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    # The beat was down for five days: one reminder now, the next two days later.
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        references.references_remind()
        references.references_remind()
    assert len(reminders()) == 1
    reference.refresh_from_db()
    assert reference.next_reminder_at == T0 + timedelta(days=7)


def test_reminder_links_work_and_the_first_link_still_works(client, reference, owner):
    with time_machine.travel(T0, tick=False):
        first = request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        references.references_remind()
        reminder_token = token_from(Notification.objects.get(kind="reference_reminder"))
        assert reminder_token != first
        assert references.reference_for_token(first) == reference
        assert references.reference_for_token(reminder_token) == reference
        references.reference_answer(token=reminder_token, answers=Answers(3, 3, 3, 3, True))
        with pytest.raises(RefereeLinkError) as exc:
            references.reference_for_token(first)
        assert exc.value.code == "used"


def test_answered_and_declined_references_get_no_reminder(freelancer, owner):
    answered, declined = ReferenceFactory(freelancer=freelancer), ReferenceFactory(freelancer=freelancer)
    with time_machine.travel(T0, tick=False):
        references.reference_answer(token=request_reference(answered, owner), answers=Answers(5, 5, 5, 5, True))
        references.reference_decline(token=request_reference(declined, owner))
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert references.references_remind() == []
    assert reminders() == []


def test_the_sweep_expires_references_after_14_days(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=14), tick=False):
        from freelancers.tasks import remind_referees

        assert remind_referees() == {"expired": 1, "reminded": 0}
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.EXPIRED and reference.next_reminder_at is None
    # An expired reference can be requested again, with a fresh link.
    token = request_reference(reference, owner)
    assert references.reference_for_token(token) == reference


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once(workspace, owner):
    from freelancers.tests.factories import FreelancerFactory

    freelancer = FreelancerFactory(workspace=workspace)
    refs = [ReferenceFactory(freelancer=freelancer) for _ in range(20)]
    with time_machine.travel(T0, tick=False):
        for ref in refs:
            references.reference_request(reference=ref, actor=owner)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(references.references_remind(now=T0 + timedelta(days=2)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results[0] + results[1]) == sorted(r.pk for r in refs)
    keys = reminders()
    assert len(keys) == len(set(keys)) == 20
