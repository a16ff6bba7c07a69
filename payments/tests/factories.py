import factory

from accounts.tests.factories import UserFactory, WorkspaceFactory
from engagements.models import Engagement, Milestone
from freelancers.models import Freelancer


class FreelancerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Freelancer

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Freelancer {n}")
    email = factory.Sequence(lambda n: f"freelancer{n}@example.com")
    timezone = "UTC"
    rate_amount = 5000
    rate_unit = "hour"
    currency = "USD"
    status = "approved"
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    workspace = factory.SubFactory(WorkspaceFactory)
    freelancer = factory.SubFactory(FreelancerFactory, workspace=factory.SelfAttribute("..workspace"))
    title = factory.Sequence(lambda n: f"Website redesign {n}")
    budget = 1_000_000
    contingency_percent = 15
    currency = "USD"
    status = "active"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    acceptance_criteria = "Pages match the approved mock-ups."
    amount = 150_000
    currency = factory.SelfAttribute("engagement.currency")
