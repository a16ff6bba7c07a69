"""The freelancer's work: handing in a milestone (the attestation, the review clock, feedback
rounds), a dispute that freezes the money, and the timesheets of an hourly engagement."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engagements.models import MilestoneState
from engagements.services import milestone as work
from payments.models import Dispute, ReviewClock, Timesheet, TimesheetState

from ..conftest import PNG, start_engagement

pytestmark = pytest.mark.django_db


def test_submitting_work_needs_the_attestation_and_starts_the_review_clock(client_a, owner, owner_client, world,
                                                                             media):
    engagement, milestone = world.engagement, world.funded
    url = f"/portal/engagements/{engagement.pk}/milestones/{milestone.pk}/submit/"
    data = {"message": "Build done", "links": "https://github.com/x/y\nhttps://staging.example.com",
            "files": [SimpleUploadedFile("screen.png", PNG, content_type="image/png")]}
    refused = client_a.post(url, data)
    assert refused.status_code == 400
    assert "confirm that you did this work yourself" in refused.content.decode()
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED

    data["files"] = [SimpleUploadedFile("screen.png", PNG, content_type="image/png")]
    response = client_a.post(url, {**data, "attest_own_work": "on"}, follow=True)
    assert "handed in (round 1)" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.SUBMITTED
    assert ReviewClock.objects.filter(milestone=milestone).exists()
    submission = milestone.submissions.get()
    assert submission.links == ["https://github.com/x/y", "https://staging.example.com"]
    assert submission.attested_own_work
    stored = submission.files.get()
    download = client_a.get(f"/portal/engagements/{engagement.pk}/files/{stored.pk}/")
    assert download["Content-Disposition"].startswith('attachment; filename="screen.png"')
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "Work submitted" in owner_client.get(f"/engagements/{engagement.pk}/").content.decode()


def test_feedback_rounds_show_on_the_milestone(client_a, owner, world):
    milestone = world.funded
    client_a.post(f"/portal/engagements/{world.engagement.pk}/milestones/{milestone.pk}/submit/",
                  {"message": "v1", "attest_own_work": "on"})
    work.milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger buttons, please.")
    page = client_a.get(f"/portal/engagements/{world.engagement.pk}/milestones/{milestone.pk}/").content.decode()
    assert "Changes requested" in page and "Bigger buttons, please." in page
    assert "Hand in the revised work" in page
    assert "Changes requested on" in client_a.get("/portal/").content.decode()


def test_a_dispute_freezes_the_money_and_is_done_once(client_a, world):
    milestone = world.funded
    url = f"/portal/engagements/{world.engagement.pk}/milestones/{milestone.pk}/dispute/"
    assert client_a.post(url, {"reason": "", "idempotency_key": "k-1"}).status_code == 400
    for _ in range(2):  # a double-submitted form does it once
        client_a.post(url, {"reason": "The scope changed.", "idempotency_key": "k-1"})
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.DISPUTED
    dispute = Dispute.objects.get(milestone=milestone)
    assert (dispute.side, dispute.raised_by) == ("freelancer", world.freelancer.user)


def test_timesheets_log_time_and_submit_the_week(client_a, world):
    engagement, sheet = world.engagement, world.timesheet
    url = f"/portal/engagements/{engagement.pk}/timesheets/{sheet.pk}/"
    page = client_a.get(url).content.decode()
    assert "1 h 30 min" in page
    over = client_a.post(url, {"day": sheet.week_start.isoformat(), "hours": 19, "minutes": 0,
                               "description": "Too much"})
    assert "The weekly cap is 20 h" in over.content.decode()
    client_a.post(url, {"day": sheet.week_start.isoformat(), "hours": 2, "minutes": 15, "description": "Review"})
    assert sheet.entries.count() == 2
    response = client_a.post(f"{url}submit/", follow=True)
    assert "submitted for approval" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.state == TimesheetState.SUBMITTED
    # Opening a week creates it once.
    week = client_a.post(f"/portal/engagements/{engagement.pk}/timesheets/",
                         {"day": (sheet.week_start - timedelta(days=7)).isoformat()})
    assert week.status_code == 302
    assert Timesheet.objects.filter(engagement=engagement).count() == 2


def test_a_fixed_price_engagement_has_no_timesheets(client_a, workspace, owner, freelancer_a):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Fixed", milestones=["One"])
    assert client_a.get(f"/portal/engagements/{engagement.pk}/timesheets/").status_code == 404
    assert "Timesheets" not in client_a.get(f"/portal/engagements/{engagement.pk}/").content.decode()
