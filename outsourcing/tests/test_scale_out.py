"""Scale-out: two gunicorn processes, two Celery workers and two `celery beat` processes (beat
started on two hosts by mistake, sweeping every second) against one PostgreSQL and one Redis,
for half a minute, run the reminder and the release flows with nothing doubled.

Reminders: status updates and referee reminders overdue when the beats start, and more of both
falling due every few seconds while both beats sweep. Releases: milestones funded through one
web process and submitted through the other (the freelancer's token); some released by the
owner through both web processes at the same moment (each with its own Idempotency-Key) while
their review window has also just closed (so the beats' auto-release sweep races them too),
others left to the sweep alone.

Nothing doubled: each reminder emailed once, each milestone released once (one transaction, one
200 among the racing requests, one email), the ledger balanced and every escrow empty, and every
email the SMTP server received is one of the outbox's rows, sent once.
"""

import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from api.models import ApiToken, TokenRole
from api.services import token_create
from engagements.models import Engagement, Milestone, MilestoneState
from notifications.models import Notification, NotificationStatus
from payments.models import AccountKind, Entry, ReviewClock, Transaction
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

from .brokers import wait_until
from .test_reminders_e2e import _zone_where_it_is_midday
from .web import request, start_all

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

BEATS_SECONDS = 30  # both beats sweeping every second, at least this long
OVERDUE, LATER, RACED, SWEPT = 4, 5, 4, 4  # engagements of each kind
REFEREES = 5  # of one freelancer, the first two overdue, the others falling due later


def _engagements(workspace, owner, count, label, zone):
    made = []
    for n in range(count):
        person = FreelancerFactory(workspace=workspace, email=f"{label}-{n}-{uuid.uuid4().hex[:4]}@example.net",
                                   timezone=zone)
        made.append(EngagementFactory(workspace=workspace, freelancer=person, created_by=owner,
                                      title=f"{label} {n}", activated_at=timezone.now() - timedelta(days=4),
                                      last_activity_at=timezone.now()))
    return made


def _arm_status_reminder(engagement, at):
    Engagement.objects.filter(pk=engagement.pk).update(next_update_due_at=at, update_reminder_at=at,
                                                        update_reminder_step=0)


def _referees(workspace, zone):
    from freelancers.tests.factories import ReferenceFactory

    person = FreelancerFactory(workspace=workspace, timezone=zone)
    now = timezone.now()
    return [ReferenceFactory(freelancer=person, email=f"referee-{n}-{uuid.uuid4().hex[:4]}@example.org",
                             status="requested", requested_at=now - timedelta(days=2),
                             expires_at=now + timedelta(days=12), next_reminder_at=now + timedelta(days=1))
            for n in range(REFEREES)]


def _arm_referee_reminder(reference, at):
    type(reference).objects.filter(pk=reference.pk).update(next_reminder_at=at, reminders_sent=0)


def _call(web, path, token, key=None, data=None):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return request(web.url, "POST", f"/api/v1{path}", headers=headers, body=json.dumps(data or {}))


def _fund_and_submit(engagement, owner_token, webs):
    """Funded through one web process, submitted through the other; returns the milestone."""
    milestone = MilestoneFactory(engagement=engagement, title=f"Part of {engagement.title}")
    status, body = _call(webs[0], f"/milestones/{milestone.pk}/fund/", owner_token, key=str(uuid.uuid4()))
    assert status == 200, body
    freelancer = engagement.freelancer
    _, token = ApiToken.issue(user=freelancer.user, workspace=engagement.workspace, role=TokenRole.FREELANCER,
                              freelancer=freelancer)
    status, body = _call(webs[1], f"/milestones/{milestone.pk}/submit/", token,
                         data={"message": "Done.", "attest_own_work": True})
    assert status == 200, body
    return milestone


def _close_review_windows(milestones):
    past = timezone.now() - timedelta(seconds=1)
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(review_deadline_at=past)
    ReviewClock.objects.filter(milestone__in=milestones).update(deadline_at=past)


def _race_releases(milestone, owner_token, webs):
    """The owner's release through both web processes at the same moment, keys of their own."""
    barrier, answers = threading.Barrier(len(webs)), []

    def release(web):
        barrier.wait()
        answers.append(_call(web, f"/milestones/{milestone.pk}/release/", owner_token, key=str(uuid.uuid4()))[0])

    threads = [threading.Thread(target=release, args=(web,)) for web in webs]
    for thread in threads:
        thread.start()
    return threads, answers


def _assert_released_once(races, milestones):
    """One winner of every race, one release transaction per milestone, the ledger balanced."""
    for _, answers in races:
        assert answers.count(200) <= 1 and set(answers) <= {200, 409}, answers
    per_milestone = Transaction.objects.filter(kind="release").values("milestone_id").annotate(n=Count("pk"))
    assert sorted((r["milestone_id"], r["n"]) for r in per_milestone) == sorted((m.pk, 1) for m in milestones)
    assert Entry.objects.filter(account__kind=AccountKind.ESCROW).aggregate(s=Sum("amount"))["s"] == 0
    assert not Entry.objects.values("transaction_id").annotate(s=Sum("amount")).exclude(s=0).exists()


def _assert_every_email_one_outbox_row(smtp_sink, paid):
    """Every email the server got is one outbox row, sent once; one release email per freelancer paid."""
    for freelancer in paid:
        assert Notification.objects.filter(recipient_email=freelancer.email, kind="escrow_released").count() == 1
    addresses = set(Notification.objects.values_list("recipient_email", flat=True))
    assert {a: len(smtp_sink.received(a)) for a in addresses} == {
        a: Notification.objects.filter(recipient_email=a, status=NotificationStatus.SENT).count() for a in addresses}
    assert len(smtp_sink.received()) == Notification.objects.count()


def test_two_webs_two_workers_and_two_beats_send_each_reminder_once_and_release_each_milestone_once(
        own_redis, start_gunicorn, start_own_celery, transactional_db, smtp_sink, owner, workspace):
    zone = _zone_where_it_is_midday()
    overdue = _engagements(workspace, owner, OVERDUE, "overdue", zone)
    later = _engagements(workspace, owner, LATER, "later", zone)
    raced = _engagements(workspace, owner, RACED, "raced", zone)
    swept = _engagements(workspace, owner, SWEPT, "swept", zone)
    referees = _referees(workspace, zone)
    env = {"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url, "CELERY_SWEEP_SECONDS": "1"}
    *webs, worker_a, worker_b = start_all(*[lambda: start_gunicorn(workers=1, **env)] * 2,
                                          *[lambda: start_own_celery("worker", **env)] * 2)
    workers = [worker_a, worker_b]
    owner_token = token_create(user=owner, workspace_slug=workspace.slug)[1]

    milestones = {e.pk: _fund_and_submit(e, owner_token, webs) for e in raced + swept}
    for engagement in overdue:
        _arm_status_reminder(engagement, timezone.now() - timedelta(minutes=1))
    for reference in referees[:2]:
        _arm_referee_reminder(reference, timezone.now() - timedelta(minutes=1))
    beats = start_all(*[lambda: start_own_celery("beat", **env)] * 2)
    beats_started = time.monotonic()
    for n, engagement in enumerate(later):  # falling due one after another while both beats sweep
        _arm_status_reminder(engagement, timezone.now() + timedelta(seconds=2 * (n + 1)))
    for n, reference in enumerate(referees[2:]):
        _arm_referee_reminder(reference, timezone.now() + timedelta(seconds=3 * (n + 1)))
    _close_review_windows(list(milestones.values()))
    races = [_race_releases(milestones[e.pk], owner_token, webs) for e in raced]
    for threads, _ in races:
        for thread in threads:
            thread.join()

    reminded = [e.freelancer.email for e in overdue + later] + [r.email for r in referees]
    wait_until(lambda: all(smtp_sink.received(a) for a in reminded), 90, "every reminder to arrive")
    released = Milestone.objects.filter(pk__in=[m.pk for m in milestones.values()], state=MilestoneState.RELEASED)
    wait_until(lambda: released.count() == len(milestones), 60, "every milestone to be released")
    time.sleep(max(0.0, BEATS_SECONDS - (time.monotonic() - beats_started)))
    for beat in beats:
        assert beat.proc.poll() is None, beat.log()[-4000:]
        beat.stop()
    wait_until(lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists(), 60,
               "the outbox to be empty")
    time.sleep(2)  # room for a late duplicate

    # Each reminder once.
    assert {a: len(smtp_sink.received(a)) for a in reminded} == dict.fromkeys(reminded, 1)
    for beat in beats:
        assert "status-update-reminders" in beat.log() and "remind-referees" in beat.log()
    _assert_released_once(races, milestones.values())
    _assert_every_email_one_outbox_row(smtp_sink, [e.freelancer for e in raced + swept])
    for process in workers + webs:
        assert process.proc.poll() is None
