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


# The first bytes of files of each kind, for uploads (checked by content, not by name).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 32
