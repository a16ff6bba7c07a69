import pytest

from engagements.models import MilestoneState
from engagements.selectors import current_brief
from engagements.services.brief import brief_save
from engagements.services.lifecycle import brief_acknowledge, engagement_create, engagement_offer
from engagements.services.milestone import milestone_create
from engagements.services.transitions import milestone_transition
from engagements.tests.factories import ApprovedFreelancerFactory, EngagementFactory

BRIEF = {"goal": "A faster checkout.", "deliverables": "Figma file and a React component.",
         "acceptance_criteria": "Checkout in three steps, tested on mobile."}


@pytest.fixture
def freelancer(workspace):
    return ApprovedFreelancerFactory(workspace=workspace, name="Frida Lance", email="frida@example.net",
                                     timezone="Europe/Lisbon")


@pytest.fixture
def other_freelancer(workspace):
    """Another freelancer of the same workspace (not on the engagement)."""
    return ApprovedFreelancerFactory(workspace=workspace, name="Bruno Backup", email="bruno@example.net")


@pytest.fixture
def engagement(workspace, freelancer, owner):
    return engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                             title="Checkout redesign", budget=200000, currency="USD")


def activate(engagement, owner, *, milestones=1):
    """Brief, milestones, offer, acknowledgement: an active engagement, through the services."""
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    for i in range(milestones):
        milestone_create(engagement=engagement, actor=owner, title=f"Part {i + 1}",
                         acceptance_criteria="As briefed.", amount=50000)
    engagement_offer(engagement=engagement, actor=owner)
    brief = current_brief(engagement)
    brief_acknowledge(brief_id=brief.pk, freelancer=engagement.freelancer)
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def active(engagement, owner):
    return activate(engagement, owner)


def fund(milestone):
    """Test set-up only: payments funds milestones; here we move the state directly through
    the one helper."""
    return milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.FUNDED)


@pytest.fixture
def outsider_workspace(outsider):
    return outsider.memberships.get().workspace


@pytest.fixture
def foreign_engagement(outsider, outsider_workspace):
    return EngagementFactory(workspace=outsider_workspace, freelancer=ApprovedFreelancerFactory(
        workspace=outsider_workspace, email="foreign@example.net"))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- The conversation's cast: a freelancer with a portal login on an active engagement ----------
@pytest.fixture
def freelancer_user(freelancer):
    from accounts.tests.factories import UserFactory

    user = UserFactory(email=freelancer.email, full_name=freelancer.name, timezone=freelancer.timezone)
    freelancer.user = user
    freelancer.save(update_fields=["user"])
    return user


@pytest.fixture
def talking(active, freelancer_user, media):
    """An active engagement whose freelancer can sign in: both sides may write."""
    active.refresh_from_db()
    return active
