import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from accounts.models import Invitation, InvitationRole, InvitationStatus, Membership, User, Workspace
from accounts.services import invitation_issue
from outsourcing.celery import app
from outsourcing.demo import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _counts():
    return User.objects.count(), Workspace.objects.count(), Membership.objects.count()


def test_demo_is_idempotent_and_prints_a_login_that_works():
    first = _run("demo")
    counts = _counts()
    second = _run("demo")

    assert _counts() == counts
    assert first == second
    assert f"{DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}" in first
    client = Client()
    response = client.post("/accounts/login/", {"username": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD})
    assert response.status_code == 302
    assert "Demo Studio" in client.get("/").content.decode()


def test_demo_does_not_reset_a_changed_password():
    _run("demo")
    owner = User.objects.get(email=DEMO_OWNER_EMAIL)
    owner.set_password("changed-by-the-user-2026")
    owner.save()

    _run("demo")

    owner.refresh_from_db()
    assert owner.check_password("changed-by-the-user-2026")


def test_sweep_runs_every_beat_entry_once(workspace, owner):
    issued = invitation_issue(workspace=workspace, email="late@example.com", role=InvitationRole.MANAGER,
                              invited_by=owner)
    with time_machine.travel(dt.timedelta(days=8)):
        output = _run("sweep")

    lines = dict(line.split(": ", 1) for line in output.strip().splitlines())
    assert set(lines) == set(app.conf.beat_schedule)
    assert lines["expire-invitations"] == "1"
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == InvitationStatus.EXPIRED
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).count() == 0


def test_sweep_runs_only_the_named_entries_and_refuses_unknown_ones():
    assert _run("sweep", "expire-invitations").strip() == "expire-invitations: 0"

    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("sweep", "no-such-sweep", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "Unknown sweep(s): no-such-sweep" in err.getvalue()
