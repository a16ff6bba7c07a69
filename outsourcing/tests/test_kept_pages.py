"""Owner pages kept until their workspace changes (accounts/kept.py): a kept page shows any
committed change at once and the clock's at most a minute late, is its reader's own, its forms
still post, it costs a handful of queries, and nothing it reads escapes the change marks."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import changes, kept
from engagements.models import Engagement, MilestoneState
from payments.tests.conftest import fund
from payments.tests.factories import EngagementFactory, MilestoneFactory

from .test_home_dashboard import _populate

pytestmark = [pytest.mark.postgres]
PAGES = ("/", "/engagements/", "/payments/", "/engagements/?status=active&page=1")


def _tables(sql):
    return set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))


def test_nothing_a_kept_part_reads_escapes_the_change_marks(owner_client, workspace, owner, monkeypatch):
    engagement = EngagementFactory(workspace=workspace)
    fund(MilestoneFactory(engagement=engagement), owner)
    _populate(workspace, 3)
    read, built = set(), []
    real = kept.render_part

    def watched(template, context, request):
        with CaptureQueriesContext(connection) as queries:
            html = real(template, context, request)
        built.append(template)
        for query in queries.captured_queries:
            read.update(_tables(query["sql"]))
        return html

    monkeypatch.setattr(kept, "render_part", watched)
    for path in PAGES:
        assert owner_client.get(path).status_code == 200
    assert len(built) == len(PAGES)
    assert {"engagements_engagement", "engagements_milestone", "payments_committedtotal"} <= read
    watched, followers = set(changes.watched_tables()), changes.followers()
    assert set(followers.values()) <= watched
    assert read - watched - set(followers) == set()


def test_a_kept_page_shows_a_change_at_once_and_costs_a_handful_of_queries_meanwhile(owner_client, workspace):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign")
    for path in PAGES:
        owner_client.get(path)
        with CaptureQueriesContext(connection) as queries:
            again = owner_client.get(path)
        assert again.status_code == 200
        # The session, the user, the membership with the mark, the bell; the home page's team
        # and footer in one statement.
        assert len(queries) <= 5, (path, [q["sql"][:80] for q in queries.captured_queries])
    assert "Website redesign" in owner_client.get("/engagements/").content.decode()

    Engagement.objects.filter(pk=engagement.pk).update(title="Shop relaunch")  # a teammate's change

    body = owner_client.get("/engagements/").content.decode()
    assert "Shop relaunch" in body and "Website redesign" not in body


def test_time_alone_shows_within_a_minute(owner_client, workspace):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        engagement = EngagementFactory(workspace=workspace, title="Website redesign")
        MilestoneFactory(engagement=engagement, title="Home page", state=MilestoneState.FUNDED,
                         due_at=start + timedelta(seconds=30))
        assert "and not submitted yet" in owner_client.get("/").content.decode()
    with time_machine.travel(start + timedelta(seconds=45), tick=False):
        # Due 15 seconds ago, in the same minute: the page kept at its start still says "due in".
        assert "and not submitted yet" in owner_client.get("/").content.decode()
    with time_machine.travel(start + timedelta(minutes=1, seconds=1), tick=False):
        body = owner_client.get("/").content.decode()
        assert "“Home page” by" in body and "overdue" in body and "and not submitted yet" not in body


def test_a_kept_part_is_its_readers_own(owner_client, workspace, owner, manager):
    engagement = EngagementFactory(workspace=workspace)
    MilestoneFactory(engagement=engagement, state=MilestoneState.FUNDED, due_at=timezone.now() + timedelta(hours=30))
    owner_client.get("/")
    manager.timezone = "Asia/Tokyo"
    manager.save()
    owner.timezone = "America/New_York"
    owner.save()
    theirs = Client()
    theirs.force_login(manager)
    tokyo, new_york = theirs.get("/").content.decode(), owner_client.get("/").content.decode()
    due = engagement.milestones.get().due_at
    for body, zone in ((tokyo, "Asia/Tokyo"), (new_york, "America/New_York")):
        local = timezone.localtime(due, timezone=__import__("zoneinfo").ZoneInfo(zone))
        assert f"{local:%H:%M}" in body, zone  # the agenda's time, in the reader's own zone


def test_the_forms_of_a_kept_part_still_post(workspace, owner):
    EngagementFactory(workspace=workspace, next_update_due_at=timezone.now() - timedelta(days=2))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    browser.get("/")
    body = browser.get("/").content.decode()  # the kept part
    form = re.search(r'action="(/attention/[^"]+/snooze/)">\s*<input type="hidden" name="csrfmiddlewaretoken" '
                     r'value="([^"]+)"', body)
    assert form is not None
    response = browser.post(form[1], {"csrfmiddlewaretoken": form[2]})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    assert "Nothing needs you today." in browser.get("/").content.decode()


def test_with_keeping_off_every_view_builds_the_page(owner_client, workspace, settings):
    settings.KEPT_PAGES = False
    EngagementFactory(workspace=workspace, title="Website redesign")
    owner_client.get("/engagements/")
    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/engagements/")
    assert len(queries) > 5
