"""The referee's questionnaire pages: no login, the token out of the address bar, a clear page
for a used, expired or altered link, answering and declining."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from freelancers.errors import RefereeLinkError
from freelancers.models import ReferenceStatus
from freelancers.services import reference as references
from freelancers.services.reference import Answers
from freelancers.tests.conftest import request_reference
from notifications.models import Notification

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


GOOD = {"quality": "5", "reliability": "4", "communication": "4", "deadlines": "3", "would_rehire": "yes",
        "what_to_know": "Careful with scope."}


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


def test_the_referee_pages_need_no_login_and_leak_no_token(client, reference, owner):
    token = request_reference(reference, owner)
    response = client.get(reverse("referee:open", args=[token]))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_back_after_answering_says_it_was_answered_and_thanks(client, reference, owner):
    token = request_reference(reference, owner)
    client.get(reverse("referee:open", args=[token]))
    client.post(reverse("referee:questionnaire"), {"action": "answer", **GOOD}, follow=True)

    for back in (reverse("referee:questionnaire"), reverse("referee:done")):  # Back, or a reload
        page = client.get(back, follow=True).content.decode()
        assert "not valid" not in page
        assert "already answered" in page or "Your answers were sent" in page
        assert "Thank you" in page or "thank you" in page.lower()
