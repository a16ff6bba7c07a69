"""Slow work happens before a write transaction begins, never inside one.

On the local run's SQLite every transaction begins with BEGIN IMMEDIATE, which takes the
database's one write lock at once: whatever runs inside holds up every other writer (web
requests, the worker's sweeps). Hashing a password (PBKDF2, about 0.4 s of CPU) and writing an
uploaded file are done first; the transaction then only writes rows.
"""

import io
from contextlib import contextmanager

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts import services as account_services
from accounts.models import InvitationRole, User
from freelancers.models import Freelancer, FreelancerStatus
from freelancers.services import portfolio as freelancer_services

pytestmark = pytest.mark.django_db(transaction=True)  # real transactions, so "inside one" is seen

NEW_PASSWORD = "quiet-harbour-lamp-77"


class RecordingHasher(MD5PasswordHasher):
    """Notes, for each password it hashes, whether a transaction was open."""

    inside = []

    def encode(self, password, salt):
        RecordingHasher.inside.append(connection.in_atomic_block)
        return super().encode(password, salt)


class RecordingStorage(FileSystemStorage):
    inside = []

    def _save(self, name, content):
        RecordingStorage.inside.append(connection.in_atomic_block)
        return super()._save(name, content)


@pytest.fixture
def hashing(settings):
    """`with hashing() as seen:` — whether a transaction was open for each hash made inside."""
    settings.PASSWORD_HASHERS = [f"{__name__}.RecordingHasher"]

    @contextmanager
    def watch():
        RecordingHasher.inside = seen = []
        yield seen
        RecordingHasher.inside = []

    return watch


def test_signing_up_hashes_the_password_outside_the_transaction(hashing):
    with hashing() as seen:
        response = Client().post("/accounts/signup/", {
            "full_name": "Nina New", "email": "nina@example.com", "password": NEW_PASSWORD,
            "workspace_name": "Nina's Shop", "timezone": "UTC", "currency": "USD"})

    assert response.status_code == 302
    assert User.objects.get(email="nina@example.com").check_password(NEW_PASSWORD)
    assert seen == [False]


def test_accepting_a_teammate_invitation_hashes_outside_the_transaction(hashing, workspace, owner):
    issued = account_services.invitation_issue(workspace=workspace, email="new.hire@example.com",
                                               role=InvitationRole.MANAGER, invited_by=owner)
    invitee = Client()
    invitee.get(f"/invite/{issued.token}/")

    with hashing() as seen:
        response = invitee.post("/invite/", {"full_name": "Nina New", "password": NEW_PASSWORD,
                                             "timezone": "Europe/Berlin"})

    assert response.status_code == 302
    assert User.objects.get(email="new.hire@example.com").check_password(NEW_PASSWORD)
    assert seen == [False]


def test_accepting_a_portal_invitation_hashes_outside_the_transaction(hashing, workspace, owner):
    nora = Freelancer.objects.create(workspace=workspace, name="Nora Newcomer", email="nora@example.net",
                                     status=FreelancerStatus.APPROVED, timezone="America/Toronto")
    issued = account_services.invitation_issue(workspace=workspace, email=nora.email,
                                               role=InvitationRole.FREELANCER, invited_by=owner, target_id=nora.pk)
    invitee = Client()
    invitee.get(f"/portal/invite/{issued.token}/")

    with hashing() as seen:
        response = invitee.post("/portal/invite/", {"full_name": "Nora Newcomer", "password": NEW_PASSWORD,
                                                    "password_again": NEW_PASSWORD, "timezone": "America/Toronto"})

    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.user.check_password(NEW_PASSWORD)
    assert seen == [False]


def test_loading_the_demo_hashes_its_passwords_outside_the_transaction(hashing):
    with hashing() as seen:
        call_command("demo", stdout=io.StringIO())

    assert User.objects.filter(email="owner@demo.example").exists()
    assert len(seen) == 3 and not any(seen)  # the owner, the manager, the portal's freelancer


def test_an_uploaded_sample_is_written_outside_the_transaction(settings, workspace, owner, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.RecordingStorage"}}
    RecordingStorage.inside = []
    freelancer = Freelancer.objects.create(workspace=workspace, name="Sam Sample", email="sam@example.net")

    sample = freelancer_services.sample_add(
        freelancer=freelancer, actor=owner, title="Logo",
        upload=SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"))

    assert sample.pk and sample.file.read().startswith(b"\x89PNG")
    assert RecordingStorage.inside == [False]
