import pytest

from engagements.services.agreement import agreement_issue, agreement_settings_save
from engagements.services.brief import brief_save
from engagements.services.lifecycle import engagement_offer
from engagements.services.milestone import milestone_create
from engagements.tests.conftest import BRIEF


@pytest.fixture
def offered(engagement, owner):
    """An engagement offered to its freelancer: a brief, one milestone of 500.00 USD."""
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Checkout flow", acceptance_criteria="As briefed.",
                     amount=50000)
    engagement_offer(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def sent(offered, owner):
    """Version 1 of the agreement, sent for signature."""
    return agreement_issue(engagement=offered, actor=owner)


@pytest.fixture
def required(workspace):
    return agreement_settings_save(workspace=workspace, requires_signed_agreement=True, notice_days=30,
                                   governing_law="the laws of Ireland")
