"""The freelancers app's cast and helpers: Frida (a freelancer of the owner's workspace) and
Olga (the outsider's), Rita (a referee of Frida), an owner in New York, a freelancer in vetting
with references and scored interviews, and the outbox sent as the worker would."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from freelancers.models import FreelancerStatus, Interview, ReferenceStatus
from freelancers.services import interview as interviews
from freelancers.services import reference as references
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory
from notifications.models import Notification, NotificationStatus
from notifications.services import notification_send


@pytest.fixture
def freelancer(workspace):
    return FreelancerFactory(workspace=workspace, name="Frida Lance", email="frida@example.net")


@pytest.fixture
def other_freelancer(outsider):
    """A freelancer in the outsider's workspace."""
    return FreelancerFactory(workspace=outsider.memberships.get().workspace, name="Olga Other",
                             email="olga@example.net")


@pytest.fixture
def ny_owner(owner):
    owner.timezone = "America/New_York"
    owner.save()
    return owner


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def locmem_mail(settings):
    """Render and 'send' outbox rows into django.core.mail.outbox."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    return mail.outbox


def send_all():
    """Send every queued notification now (what the worker does), returning their ids."""
    queued = Notification.objects.filter(status=NotificationStatus.QUEUED).order_by("id")
    ids = list(queued.values_list("pk", flat=True))
    for pk in ids:
        notification_send(notification_id=pk)
    return ids


# --- References --------------------------------------------------------------------------------
@pytest.fixture
def reference(freelancer):
    return ReferenceFactory(freelancer=freelancer, name="Rita Referee", email="rita@example.org")


def token_from(notification):
    url = notification.context["questionnaire_url"]
    return url.rstrip("/").rsplit("/", 1)[-1]


def request_reference(reference, owner):
    references.reference_request(reference=reference, actor=owner)
    notification = Notification.objects.filter(kind="reference_request").latest("id")
    return token_from(notification)


# --- Vetting -----------------------------------------------------------------------------------
def received(freelancer, q, r, c, d, rehire=True):
    return ReferenceFactory(freelancer=freelancer, status=ReferenceStatus.RECEIVED, quality=q, reliability=r,
                            communication=c, deadlines=d, would_rehire=rehire, answered_at=timezone.now())


def scored(freelancer, owner, scores, flags=(), outcome="advance", cancelled=False):
    interview = Interview.objects.create(freelancer=freelancer, scheduled_at=timezone.now() - timedelta(days=1),
                                         interviewer=owner)
    interviews.interview_score(interview=interview, actor=owner, scores=scores, red_flags=list(flags),
                               outcome=outcome)
    if cancelled:
        Interview.objects.filter(pk=interview.pk).update(cancelled_at=timezone.now())
    return interview


@pytest.fixture
def vetted(freelancer, owner):
    freelancer.status = FreelancerStatus.VETTING
    freelancer.save()
    received(freelancer, 5, 4, 4, 3, rehire=True)
    received(freelancer, 3, 4, 5, 2, rehire=False)
    ReferenceFactory(freelancer=freelancer, status=ReferenceStatus.DECLINED)
    ReferenceFactory(freelancer=freelancer)  # draft
    scored(freelancer, owner, {"Communication": 4, "Relevant skill": 5}, flags=["timeline"])
    scored(freelancer, owner, {"Communication": 2, "Professionalism": 4}, flags=["timeline", "scope"])
    scored(freelancer, owner, {"Communication": 1}, flags=["price_moved"], cancelled=True)  # ignored
    return freelancer


def engagement_for(freelancer, **kw):
    """An engagement of `freelancer`, made through the reverse relation (engagements sits above)."""
    return freelancer.engagements.create(workspace=freelancer.workspace, title=kw.pop("title", "Trial logo"), **kw)
