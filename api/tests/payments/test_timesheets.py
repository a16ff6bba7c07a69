"""Timesheets through the REST API, per role: the freelancer logs and submits, the owner
approves (with an Idempotency-Key) or disputes, a manager may dispute, other tokens see 404."""


import pytest

from payments.models import TimeEntry, Timesheet, Transaction
from payments.tests.factories import EngagementFactory

from .conftest import client_for, post

pytestmark = pytest.mark.django_db


def log_time(client, engagement, day, minutes, what="Editing"):
    return client.post(f"/api/v1/engagements/{engagement.pk}/time-entries/",
                       {"day": day, "minutes": minutes, "description": what}, format="json")


def test_the_freelancer_logs_a_week_within_the_cap_and_submits_it(freelancer_api, hourly):
    first = log_time(freelancer_api, hourly, "2026-03-02", 300)
    assert first.status_code == 201, first.json()
    week = first.json()
    assert week["week_start"] == "2026-03-02" and week["state"] == "draft" and week["total_minutes"] == 300
    log_time(freelancer_api, hourly, "2026-03-04", 240)
    over = log_time(freelancer_api, hourly, "2026-03-05", 61)  # 9 h logged, the cap is 10 h
    assert over.status_code == 400 and "weekly cap" in str(over.json())
    assert log_time(freelancer_api, hourly, "2026-03-09", 30).status_code == 400  # a day still to come
    submitted = freelancer_api.post(f"/api/v1/timesheets/{week['id']}/submit/")
    assert submitted.status_code == 200
    assert (submitted.json()["state"], submitted.json()["hourly_rate"], submitted.json()["amount"]) == (
        "submitted", 5_000, 45_000)
    assert log_time(freelancer_api, hourly, "2026-03-06", 30).status_code == 409  # the week is submitted
    listed = freelancer_api.get(f"/api/v1/engagements/{hourly.pk}/timesheets/").json()
    assert listed["count"] == 1 and len(listed["results"][0]["entries"]) == 2


def test_the_owner_approves_once_per_key_and_the_week_is_owed(owner_api, freelancer_api, hourly):
    week = log_time(freelancer_api, hourly, "2026-03-03", 90).json()
    freelancer_api.post(f"/api/v1/timesheets/{week['id']}/submit/")
    url = f"/timesheets/{week['id']}/approve/"
    assert post(owner_api, url, key=None).status_code == 400  # a money action needs its key
    approved = post(owner_api, url, key="week-1")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert post(owner_api, url, key="week-1").json() == approved.json()
    assert post(owner_api, url, key="week-2").status_code == 409
    assert Transaction.objects.filter(kind="timesheet").count() == 1
    assert owner_api.get(f"/api/v1/engagements/{hourly.pk}/balance/").json()["owed"] == 7_500


def test_a_disputed_week_is_corrected_and_submitted_again(owner_api, manager_api, freelancer_api,
                                                          hourly):
    week = log_time(freelancer_api, hourly, "2026-03-03", 120, "Colour").json()
    freelancer_api.post(f"/api/v1/timesheets/{week['id']}/submit/")
    dispute = f"/api/v1/timesheets/{week['id']}/dispute/"
    assert manager_api.post(dispute, {}, format="json").status_code == 400  # a reason is needed
    disputed = manager_api.post(dispute, {"reason": "Split it by clip"}, format="json")
    assert disputed.status_code == 200 and disputed.json()["dispute_reason"] == "Split it by clip"
    entry = TimeEntry.objects.get()
    assert freelancer_api.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 204
    log_time(freelancer_api, hourly, "2026-03-03", 60, "Clip 1")
    again = freelancer_api.post(f"/api/v1/timesheets/{week['id']}/submit/")
    assert again.status_code == 200 and again.json()["total_minutes"] == 60


def test_each_role_does_only_its_part(owner, owner_api, manager_api, freelancer_api, outsider_api,
                                      hourly, workspace):
    week = log_time(freelancer_api, hourly, "2026-03-03", 60).json()
    freelancer_api.post(f"/api/v1/timesheets/{week['id']}/submit/")
    entry = TimeEntry.objects.get()
    # Staff cannot log or submit time; the freelancer cannot approve or dispute; a manager cannot approve.
    assert log_time(owner_api, hourly, "2026-03-03", 30).status_code == 404
    assert owner_api.post(f"/api/v1/timesheets/{week['id']}/submit/").status_code == 404
    assert post(freelancer_api, f"/timesheets/{week['id']}/approve/").status_code == 404
    assert freelancer_api.post(f"/api/v1/timesheets/{week['id']}/dispute/", {"reason": "x"}).status_code == 404
    assert post(manager_api, f"/timesheets/{week['id']}/approve/").status_code == 404
    # Another workspace, or another freelancer of this one, sees nothing.
    other = EngagementFactory(workspace=workspace, pay_terms="hourly", weekly_hour_cap=5)
    other_api = client_for(other.freelancer.user, workspace, "freelancer", other.freelancer)
    for client in (outsider_api, other_api):
        assert client.get(f"/api/v1/timesheets/{week['id']}/").status_code == 404
        assert client.get(f"/api/v1/engagements/{hourly.pk}/timesheets/").status_code == 404
        assert client.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 404
    assert log_time(other_api, hourly, "2026-03-03", 30).status_code == 404
    assert Timesheet.objects.get().state == "submitted" and Transaction.objects.count() == 0
