"""Every reminder email, produced by the real sweeps, renders well: a subject with the
workspace's name, plain text that is not HTML-escaped, absolute links (SITE_URL), exactly one
call to action, and an unsubscribe link exactly when the kind is not critical.

Set REMINDER_EMAILS_DIR to write each rendered email there (subject, text, HTML) to read them.
"""

import datetime as dt
import os
from datetime import UTC
from pathlib import Path

import pytest
import time_machine

from accounts.models import InvitationRole, Workspace
from engagements import reminders, selectors
from engagements.reminders import owner_digests
from engagements.services import brief as briefs
from engagements.services import due_date as due_dates
from engagements.services import lifecycle as services
from engagements.services import milestone as work
from engagements.services import reporting
from engagements.tests.conftest import BRIEF
from engagements.tests.factories import ApprovedFreelancerFactory
from notifications.emails import build_message
from notifications.models import Notification
from notifications.preferences import category_for
from notifications.reminders import invitation_reminders
from notifications.services import invitation_send
from payments import services as payments
from payments.reminders.review_warnings import review_window_warnings

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
KINDS = {
    "update_reminder", "update_overdue", "engagement_gone_quiet", "checkin_tomorrow", "checkin_unrecorded",
    "checkin_unscheduled", "milestone_due_soon", "milestone_overdue", "milestone_overdue_owner",
    "milestone_date_requested", "milestone_date_decided", "ack_reminder", "ack_waiting", "review_closing",
    "invitation_reminder", "invitation_expired", "owner_digest",
}


def at(moment, fn, **kw):
    with time_machine.travel(moment, tick=False):
        return fn(**kw)


def produce_every_reminder(workspace, owner):
    tricky = "O'Brien & Sons \"launch\""
    freelancer = ApprovedFreelancerFactory(workspace=workspace, name="Ana <Lima>", email="ana@example.net",
                                           timezone="Europe/Lisbon")
    with time_machine.travel(START, tick=False):
        engagement = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                                title=tricky, budget=500_000)
        briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
        milestone, _ = work.milestone_create(engagement=engagement, actor=owner, title="Logo & mark",
                                             acceptance_criteria="Three options; one chosen.", amount=150_000,
                                             due_on=dt.date(2026, 1, 21))
        services.engagement_offer(engagement=engagement, actor=owner)
        waiting = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                             title="Brochure & flyer", budget=100_000)
        briefs.brief_save(engagement=waiting, actor=owner, **BRIEF)
        work.milestone_create(engagement=waiting, actor=owner, title="Draft", acceptance_criteria="x", amount=500)
        services.engagement_offer(engagement=waiting, actor=owner)
        services.brief_acknowledge(brief_id=selectors.current_brief(engagement).pk, freelancer=freelancer)
        payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key="fund-1")
        invitation_send(workspace=workspace, email="new.hire@example.com", role=InvitationRole.MANAGER,
                        invited_by=owner, accept_url_name="invitation_open", kind="teammate_invitation")
        checkin = reporting.checkin_schedule(engagement=engagement, actor=owner, agenda="Pick the logo\nTimeline",
                                             scheduled_at=dt.datetime(2026, 1, 14, 14, 0, tzinfo=UTC),
                                             meeting_url="https://meet.example.com/abc")
    engagement.refresh_from_db()
    at(dt.datetime(2026, 1, 13, 9, 0, tzinfo=UTC), reminders.checkin_nudges)
    at(dt.datetime(2026, 1, 14, 16, 0, tzinfo=UTC), reminders.checkin_nudges)
    with time_machine.travel(dt.datetime(2026, 1, 14, 17, 0, tzinfo=UTC), tick=False):
        reporting.checkin_record(checkin=checkin, actor=owner, happened=False)
    at(START + dt.timedelta(days=2), reminders.acknowledgement_nudges)
    at(START + dt.timedelta(days=4), reminders.acknowledgement_nudges)
    due = engagement.next_update_due_at
    at(due, reminders.status_update_reminders)
    at(due + dt.timedelta(days=1), reminders.status_update_reminders)
    at(START + dt.timedelta(days=5), reminders.silence_detector)
    at(START + dt.timedelta(days=3), invitation_reminders)
    at(START + dt.timedelta(days=7), invitation_reminders)
    at(dt.datetime(2026, 1, 21, 15, 0, tzinfo=UTC), reminders.checkin_nudges)
    at(dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC), reminders.milestone_reminders)
    at(dt.datetime(2026, 1, 22, 9, 0, tzinfo=UTC), reminders.milestone_reminders)
    with time_machine.travel(dt.datetime(2026, 1, 22, 10, 0, tzinfo=UTC), tick=False):
        change = due_dates.milestone_date_request(milestone_id=milestone.pk, freelancer=freelancer,
                                                  proposed_on=dt.date(2026, 1, 30),
                                                  reason="Waiting for the brand book.")
        due_dates.milestone_date_decide(change=change, actor=owner, accept=True, response="OK, & thanks.")
        submission_at = dt.datetime(2026, 1, 23, 10, 0, tzinfo=UTC)
    with time_machine.travel(submission_at, tick=False):
        payments.milestone_submit_for_review(milestone_id=milestone.pk, freelancer=freelancer, message="Here",
                                             attest_own_work=True)
    milestone.refresh_from_db()
    at(milestone.review_deadline_at - dt.timedelta(days=3), review_window_warnings)
    Workspace.objects.filter(pk=workspace.pk).update(next_digest_at=dt.datetime(2026, 1, 24, 8, 0, tzinfo=UTC))
    at(dt.datetime(2026, 1, 24, 8, 0, tzinfo=UTC), owner_digests)
    return tricky


def test_every_reminder_email_renders_well(workspace, owner, settings):
    tricky = produce_every_reminder(workspace, owner)
    notifications = list(Notification.objects.filter(kind__in=KINDS).select_related("workspace", "recipient_user"))
    assert {n.kind for n in notifications} == KINDS
    out = Path(os.environ["REMINDER_EMAILS_DIR"]) if os.environ.get("REMINDER_EMAILS_DIR") else None
    for n in notifications:
        message = build_message(n)
        html = message.alternatives[0][0]
        text = message.body
        assert message.subject.startswith(f"[{workspace.name}] "), n.kind
        for escaped in ("&amp;", "&#x27;", "&quot;", "&lt;", "&gt;"):
            assert escaped not in message.subject + text, (n.kind, escaped)
        assert f"{settings.SITE_URL}/" in text, n.kind  # an absolute link in the plain text
        assert html.count('style="background:#0d6efd') == 1, n.kind  # one call to action
        assert ("List-Unsubscribe" in message.extra_headers) == (category_for(n.kind) is not None), n.kind
        assert "{{" not in text + html and "None" not in message.subject, n.kind
        if n.engagement_id:
            assert tricky in message.subject + text or "Brochure & flyer" in message.subject + text \
                or n.kind == "owner_digest", n.kind
        if out:
            out.mkdir(parents=True, exist_ok=True)
            stem = out / f"{n.kind}-{n.pk}"
            stem.with_suffix(".txt").write_text(f"Subject: {message.subject}\nTo: {n.recipient_email}\n"
                                                f"Headers: {message.extra_headers}\n\n{text}")
            stem.with_suffix(".html").write_text(html)
