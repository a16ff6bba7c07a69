"""Rough edges a new owner met: ending an engagement mentions access grants only when there were
some; a due date in the past needs a confirmation; a freelancer never becomes their own backup;
money fields have one digit limit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from engagements.models import Milestone
from engagements.services.access import access_grant_create
from engagements.services.lifecycle import engagement_create, engagement_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("grants", "said"), [
    (0, "Engagement completed."),
    (1, "Engagement completed. Its access grant was revoked; rotate the secrets on the checklist."),
])
def test_ending_mentions_access_grants_only_when_there_were_some(owner_client, active, grants, said):
    for i in range(grants):
        access_grant_create(engagement=active, actor=None, label=f"CMS {i}", secret="pw")
    active.milestones.update(state="released")

    page = owner_client.post(f"/engagements/{active.pk}/complete/", {"reason": "Done"}, follow=True)

    text = page.content.decode()
    assert said in text
    if not grants:
        assert "access grant" not in text.lower()


def test_a_past_due_date_needs_a_confirmation(owner_client, engagement):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    data = {"title": "Late already", "acceptance_criteria": "ok", "amount": "100", "due_on": yesterday}

    refused = owner_client.post(f"/engagements/{engagement.pk}/milestones/new/", data)

    assert refused.status_code == 200
    assert "is in the past" in refused.content.decode()
    assert not Milestone.objects.filter(title="Late already").exists()
    owner_client.post(f"/engagements/{engagement.pk}/milestones/new/", {**data, "confirm_past_due": "on"})
    assert Milestone.objects.filter(title="Late already").exists()


def test_changing_the_freelancer_to_a_backup_is_refused(workspace, owner, freelancer, other_freelancer):
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="X",
                                   budget=1000, backups=[other_freelancer])
    with pytest.raises(ValidationError, match="their own backup"):
        engagement_update(engagement=engagement, actor=owner, freelancer=other_freelancer)
    engagement.refresh_from_db()
    assert engagement.freelancer == freelancer


@pytest.mark.parametrize("amount", ["10000000000000.00", "99999999999999"])
def test_money_fields_share_one_digit_limit(owner_client, engagement, amount):
    """The same too-large amount is refused with the same words on the milestone and budget forms."""
    milestone = owner_client.post(f"/engagements/{engagement.pk}/milestones/new/",
                                  {"title": "Big", "acceptance_criteria": "ok", "amount": amount})
    budget = owner_client.post(f"/payments/engagements/{engagement.pk}/budget/",
                               {"budget": amount, "contingency_percent": "10", "reason": "More"})
    for response in (milestone, budget):
        assert "at most 15 digits" in response.content.decode()
    ok = owner_client.post(f"/engagements/{engagement.pk}/milestones/new/",
                           {"title": "Fine", "acceptance_criteria": "ok", "amount": "9999999999999.99",
                            "confirm_over_budget": "on"})
    assert ok.status_code == 302
    assert Milestone.objects.get(title="Fine").amount == 10**15 - 1


def test_the_freelancer_rate_has_the_same_money_limit(owner_client):
    response = owner_client.post("/freelancers/new/", {"name": "Rich", "email": "rich@example.com",
                                                       "timezone": "UTC", "rate": "10000000000000.00",
                                                       "rate_unit": "hour", "currency": "USD"})
    assert "at most 15 digits" in response.content.decode()
