"""The Celery app: JSON only, late acks, one task at a time per worker process.

Sweeps run from Celery's own static beat_schedule (django-celery-beat does not support
Django 6.1). Each sweep is idempotent: claims are conditional UPDATEs and every email is a
Notification row with a unique dedupe key, so two beats or a sweep run twice send nothing twice.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from .worker_steps import HeartbeatPing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsourcing.settings")
# How often beat runs each sweep. A minute in every real deployment; tests that drive a real
# beat set it to a second or two so they need not wait.
SWEEP_SECONDS = float(os.environ.get("CELERY_SWEEP_SECONDS", "60"))

# Our app.amqp makes every broker connection survive a broker restart (outsourcing/broker.py).
app = Celery("outsourcing", amqp="outsourcing.broker:AMQP")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # A task is acknowledged after it ran, and redelivered if the worker died mid-way;
    # every task is therefore written to be safe when delivered twice.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    # A worker whose broker is gone keeps trying (every 30 s at most) for as long as it takes,
    # instead of giving up after 100 tries (about 50 minutes) and stopping.
    broker_connection_max_retries=None,
    # A task running when the broker goes away finishes (an email being sent is sent and marked
    # so) rather than being killed half-way; its message comes back and the claim skips it.
    # Celery 6 flips this default.
    worker_cancel_long_running_tasks_on_connection_loss=False,
    timezone="UTC",
    enable_utc=True,
    # Celery's Django fix-up closes every database connection before and after each task unless
    # this is set (Celery 5.7 closes them outright, whatever CONN_MAX_AGE says): every email sent
    # opened a PostgreSQL session of its own, a backend forked and its catalogue caches filled
    # again (bench_money: more CPU than sending the email). Set past any real count, it leaves
    # the connections to `close_old_connections` below, as a web request does.
    CELERY_DB_REUSE_MAX=2**62,
    beat_schedule={
        # Housekeeping: mark invitations whose link has lapsed as expired.
        "expire-invitations": {
            "task": "accounts.tasks.invitations_expire",
            "schedule": SWEEP_SECONDS,
        },
        # Outbox recovery: nothing is lost when Redis or a worker goes away.
        "recover-outbox": {
            "task": "notifications.tasks.outbox_recover",
            "schedule": SWEEP_SECONDS,
        },
        # Outgoing webhooks: due retries handed out, claims of dead workers taken back.
        "dispatch-webhooks": {
            "task": "notifications.tasks.webhook_deliveries_dispatch",
            "schedule": SWEEP_SECONDS,
        },
        # Housekeeping: webhook events and their delivery log are kept WEBHOOKS_RETENTION_DAYS.
        "purge-webhook-events": {
            "task": "notifications.tasks.webhook_events_purge",
            "schedule": 3600.0,
        },
        # Referees: expire unanswered references after 14 days, remind at most twice.
        "remind-referees": {
            "task": "freelancers.tasks.referee_reminders",
            "schedule": SWEEP_SECONDS,
        },
        # Escrow: release submitted milestones (and approve timesheets) nobody reviewed in time.
        "payments-auto-release": {
            "task": "payments.tasks.auto_release_sweep",
            "schedule": SWEEP_SECONDS,
        },
        # Pay models: retainer periods funded at their start and released at their end, hours over
        # flagged, commission reports released once undisputed (each moved once: payments.reminders.pay_models).
        "payments-pay-models": {
            "task": "payments.tasks.pay_models_sweep",
            "schedule": SWEEP_SECONDS,
        },
        # The payment provider (a no-op off the platform): provider calls a crash left started
        # replayed with their keys, webhook events left unprocessed taken again; hourly, the
        # provider's events since the last one we stored listed to catch any delivery we missed,
        # and the reconciliation, which does its work once a day.
        "payments-provider-recovery": {
            "task": "payments.tasks.intent_recovery_sweep",
            "schedule": SWEEP_SECONDS,
        },
        "payments-provider-events-retry": {
            "task": "payments.tasks.provider_events_retry",
            "schedule": SWEEP_SECONDS,
        },
        "payments-provider-events-backfill": {
            "task": "payments.tasks.provider_events_backfill",
            "schedule": 3600.0,
        },
        "payments-reconciliation": {
            "task": "payments.tasks.reconciliation_run",
            "schedule": 3600.0,
        },
        # Reminders and nudges (issue 7): each sweep claims due rows by a conditional UPDATE and
        # inserts dedupe-keyed notifications, so two beats or a rerun send nothing twice.
        "status-update-reminders": {
            "task": "engagements.tasks.status_update_reminders",
            "schedule": SWEEP_SECONDS,
        },
        "silence-detector": {
            "task": "engagements.tasks.silence_detector",
            "schedule": SWEEP_SECONDS,
        },
        "checkin-nudges": {
            "task": "engagements.tasks.checkin_nudges",
            "schedule": SWEEP_SECONDS,
        },
        "milestone-reminders": {
            "task": "engagements.tasks.milestone_reminders",
            "schedule": SWEEP_SECONDS,
        },
        # Conversations: one email for messages still unread ten minutes after they came.
        # Housekeeping: uploads never named in a message are removed after a day.
        "purge-unused-attachments": {
            "task": "engagements.tasks.attachments_purge_unused",
            "schedule": 3600.0,
        },
        "missed-message-emails": {
            "task": "engagements.tasks.missed_message_emails",
            "schedule": SWEEP_SECONDS,
        },
        # Agreements: a signed version whose PDF was never made (broker down at the signature).
        "signed-agreement-pdfs": {
            "task": "engagements.tasks.signed_agreement_pdfs_sweep",
            "schedule": SWEEP_SECONDS,
        },
        "acknowledgement-nudges": {
            "task": "engagements.tasks.acknowledgement_nudges",
            "schedule": SWEEP_SECONDS,
        },
        "review-window-warnings": {
            "task": "payments.tasks.review_window_warnings",
            "schedule": SWEEP_SECONDS,
        },
        "invitation-reminders": {
            "task": "notifications.tasks.invitation_reminders",
            "schedule": SWEEP_SECONDS,
        },
        # The portal: a freelancer offered work without a login gets a portal invitation.
        "portal-offer-invitations": {
            "task": "portal.tasks.offers_invite",
            "schedule": SWEEP_SECONDS,
        },
        # The owners' daily digest: each workspace's 08:00 is a deadline column, checked every
        # minute (no long countdowns in the broker).
        "owner-digests": {
            "task": "engagements.tasks.owner_digests",
            "schedule": SWEEP_SECONDS,
        },
        # Housekeeping: the change marks of connections that have gone fold into one row.
        "change-marks-prune": {
            "task": "accounts.tasks.change_marks_prune",
            "schedule": 3600.0,
        },
        # Housekeeping: stored Idempotency-Key responses are kept 24 h at least, 48 h at most.
        "purge-idempotency-keys": {
            "task": "api.tasks.purge_idempotency_keys",
            "schedule": 3600.0,
        },
    },
)


@task_prerun.connect(dispatch_uid="outsourcing.db_connections_before_task")
@task_postrun.connect(dispatch_uid="outsourcing.db_connections_after_task")
def _db_connections_around_task(sender=None, task=None, **kwargs):
    # What Django does around a request (request_started / request_finished): a connection
    # older than CONN_MAX_AGE, or left unusable by an error, is closed; the next task's first
    # query then checks it (CONN_HEALTH_CHECKS) or opens a new one. A task run inline (eager,
    # inside a request or a test's transaction) is the caller's to manage.
    if task is not None and task.request.is_eager:
        return
    close_old_connections()


# Each worker pings itself so /healthz/ can tell whether any worker consumes (heartbeat.py).
app.steps["consumer"].add(HeartbeatPing)
app.autodiscover_tasks()
