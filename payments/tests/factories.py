"""Payments' factories: the freelancers and engagements factories with money-ready defaults
(a freelancer with a portal login and an hourly rate, an active engagement with a budget)."""

import factory

from accounts.tests.factories import UserFactory
from engagements.tests import factories as engagement_factories
from freelancers.tests import factories as freelancer_factories


class FreelancerFactory(freelancer_factories.FreelancerFactory):
    name = factory.Sequence(lambda n: f"Freelancer {n}")
    email = factory.Sequence(lambda n: f"freelancer{n}@example.com")
    timezone = "UTC"
    rate_amount = 5000
    status = "approved"
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class EngagementFactory(engagement_factories.EngagementFactory):
    freelancer = factory.SubFactory(FreelancerFactory, workspace=factory.SelfAttribute("..workspace"))
    budget = 1_000_000
    contingency_percent = 15
    status = "active"


class MilestoneFactory(engagement_factories.MilestoneFactory):
    engagement = factory.SubFactory(EngagementFactory)
    acceptance_criteria = "Pages match the approved mock-ups."
    amount = 150_000
    currency = factory.SelfAttribute("engagement.currency")
