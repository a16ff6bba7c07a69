import factory

from accounts.tests.factories import WorkspaceFactory
from freelancers.models import Freelancer, FreelancerStatus, Reference


class FreelancerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Freelancer

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"freelancer{n}@example.net")
    headline = "Brand designer"
    skills = factory.LazyFunction(lambda: ["logo design", "figma"])
    timezone = "Europe/Lisbon"
    country = "PT"
    rate_amount = 4500
    rate_unit = "hour"
    currency = "USD"
    status = FreelancerStatus.PROSPECT


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    freelancer = factory.SubFactory(FreelancerFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"referee{n}@example.org")
    relationship = "Former client"
    company = "Bakery Ltd"
