import pytest

from freelancers.tests.factories import FreelancerFactory


@pytest.fixture
def freelancer(workspace):
    return FreelancerFactory(workspace=workspace, name="Frida Lance", email="frida@example.net")


@pytest.fixture
def other_freelancer(outsider):
    """A freelancer in the outsider's workspace."""
    return FreelancerFactory(workspace=outsider.memberships.get().workspace, name="Olga Other",
                             email="olga@example.net")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def locmem_mail(settings):
    """Render and 'send' outbox rows into django.core.mail.outbox."""
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    return mail.outbox


def send_all():
    """Send every queued notification now (what the worker does), returning their ids."""
    from notifications.models import Notification, NotificationStatus
    from notifications.services import notification_send

    queued = Notification.objects.filter(status=NotificationStatus.QUEUED).order_by("id")
    ids = list(queued.values_list("pk", flat=True))
    for pk in ids:
        notification_send(notification_id=pk)
    return ids
