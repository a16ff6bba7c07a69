import factory

from accounts.tests.factories import WorkspaceFactory
from engagements.models import Brief, Engagement, Milestone
from freelancers.models import FreelancerStatus
from freelancers.tests.factories import FreelancerFactory


class ApprovedFreelancerFactory(FreelancerFactory):
    status = FreelancerStatus.APPROVED


class EngagementFactory(factory.django.DjangoModelFactory):
    """A draft engagement (rows only: use the services to move it through its lifecycle)."""

    class Meta:
        model = Engagement

    workspace = factory.SubFactory(WorkspaceFactory)
    freelancer = factory.SubFactory(ApprovedFreelancerFactory, workspace=factory.SelfAttribute("..workspace"))
    title = factory.Sequence(lambda n: f"Website redesign {n}")
    budget = 200000
    currency = "USD"


class BriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brief

    engagement = factory.SubFactory(EngagementFactory)
    version = 1
    goal = "A faster checkout."
    deliverables = "Figma file and a React component."
    acceptance_criteria = "Checkout in three steps."


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    acceptance_criteria = "Matches the brief."
    amount = 50000
    currency = "USD"
    position = factory.Sequence(lambda n: n + 1)
