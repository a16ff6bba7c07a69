"""The scorecard page: references, interviews and red flags side by side, and the decision
form with its confirmation."""

from django.urls import reverse

from freelancers import selectors
from freelancers.models import Decision, EventKind, FreelancerStatus
from freelancers.tests.conftest import received


def test_the_scorecard_page_puts_it_side_by_side(owner_client, vetted):
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert 'data-testid="refs-received">2 received<' in body
    assert 'data-testid="refs-overall">3.75<' in body
    assert 'data-testid="interview-overall">3.75<' in body
    assert "Hesitated about the timeline (2 interviews)" in body
    assert "Price moved after agreement" not in body
    assert "No trial job yet" in body


def test_fewer_than_two_references_is_a_warning(freelancer, owner_client):
    received(freelancer, 5, 5, 5, 5)
    card = selectors.scorecard(freelancer)
    assert card.warnings == ["Only 1 reference answered; at least 2 are recommended before approving."]
    body = owner_client.get(reverse("freelancers:scorecard", args=[freelancer.pk])).content.decode()
    assert "Fewer than 2 references have answered." in body


def test_approving_with_warnings_needs_confirmation(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    response = owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio."})
    assert response.status_code == 200
    assert "Confirm that you want to approve" in response.context["form"].errors["confirm"][0]
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.VETTING and not Decision.objects.exists()

    response = owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio.", "confirm": "on"})
    assert response.status_code == 302
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.APPROVED
    decision = Decision.objects.get()
    assert (decision.decided_by, decision.reason, decision.confirmed_warnings) == (owner, "Strong portfolio.", True)
    assert decision.references_received == 2 and decision.red_flags == ["timeline", "scope"]
    assert vetted.events.filter(kind=EventKind.DECISION, to_status="approved", actor=owner).exists()
    body = owner_client.get(url).content.decode()
    assert "Approved despite warnings" in body and "Olivia Owner" in body


def test_rejecting_needs_a_reason_but_no_confirmation(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    response = owner_client.post(url, {"decision": "rejected", "reason": ""})
    assert response.context["form"].errors["reason"]
    owner_client.post(url, {"decision": "rejected", "reason": "Could not commit to the timeline."})
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.REJECTED
    assert Decision.objects.get().decision == "rejected"


def test_the_scorecard_of_an_approved_freelancer_offers_only_to_reject(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio.", "confirm": "on"})
    page = owner_client.get(url)
    body = page.content.decode()
    assert list(page.context["form"].fields["decision"].choices) == [("rejected", "Reject")]
    assert "Change the decision" in body and "Before you approve" not in body
    # An approval posted again (a stale tab) is a clear field error, not a second decision.
    again = owner_client.post(url, {"decision": "approved", "reason": "Again", "confirm": "on"})
    assert again.context["form"].errors["decision"] == ["That decision is not open to this freelancer now."]
    assert Decision.objects.count() == 1


def test_a_rejected_freelancer_is_reopened_before_deciding_again(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    owner_client.post(url, {"decision": "rejected", "reason": "Missed the call."})
    body = owner_client.get(url).content.decode()
    assert "Record decision" not in body
    assert "To decide again, reopen vetting first." in body and "Reopen vetting" in body


def test_a_decision_error_brings_the_reader_back_to_the_form(owner_client, vetted):
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert 'action="#sc-decide"' in body and 'id="sc-decide"' in body
