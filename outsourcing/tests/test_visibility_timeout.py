"""No task waits in the broker longer than Redis' visibility timeout: a message not acked by
then is handed to another worker, so an eta/countdown past it means a duplicate run. Long waits
are deadlines in the database instead. This test reads the code (every call that can carry an
eta or countdown) and the beat schedule."""

import ast
from pathlib import Path

from django.conf import settings

from notifications.services import retry_delay
from notifications.webhooks.delivery import SHORT_WAIT
from outsourcing.celery import app

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "tests", "migrations", "var", "staticfiles", "static", "scripts"}
SCHEDULING_CALLS = {"apply_async", "retry", "send_task", "signature", "s", "si", "set"}
# Countdown expressions we can bound: name → the largest value it can take (seconds).
BOUNDED = {"retry_delay": lambda: max(retry_delay(attempts) for attempts in range(1, 200))}
# The same backoff, looked up by the notification's attempts.
BOUNDED["notification_retry_delay"] = BOUNDED["retry_delay"]
# A webhook retry rides in the broker only for short waits; longer ones wait for the sweep.
BOUNDED["webhook_countdown"] = lambda: SHORT_WAIT


def visibility_timeout():
    # kombu's Redis transport defaults to one hour; the settings say so explicitly for Redis.
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)


def python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def scheduling_keywords():
    """(file:line, keyword, expression) for every eta/countdown passed to a scheduling call."""
    for path in python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for keyword in node.keywords:
                if keyword.arg in {"eta", "countdown"} and name in SCHEDULING_CALLS:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", keyword.arg, keyword.value


def bound_of(expression):
    if isinstance(expression, ast.Constant) and isinstance(expression.value, int | float):
        return expression.value
    if isinstance(expression, ast.Call):
        callee = expression.func.attr if isinstance(expression.func, ast.Attribute) else expression.func.id
        if callee in BOUNDED:
            return BOUNDED[callee]()
    return None


def test_the_code_is_scanned_at_all():
    # The send task's retry is the one countdown in the project: the scan must see it.
    found = [where for where, _, _ in scheduling_keywords()]
    assert any(where.startswith("notifications/tasks.py") for where in found)


def test_no_eta_or_countdown_exceeds_the_visibility_timeout():
    limit = visibility_timeout()
    problems = []
    for where, keyword, expression in scheduling_keywords():
        if keyword == "eta":
            problems.append(f"{where}: eta= (use a deadline column and a sweep instead)")
            continue
        bound = bound_of(expression)
        if bound is None:
            problems.append(f"{where}: countdown={ast.unparse(expression)} cannot be bounded; add it to BOUNDED")
        elif bound >= limit:
            problems.append(f"{where}: countdown up to {bound}s ≥ visibility timeout {limit}s")
    assert problems == []


def test_the_retry_backoff_is_capped_well_under_the_visibility_timeout():
    assert BOUNDED["retry_delay"]() <= 15 * 60 < visibility_timeout()


def test_beat_runs_short_sweeps_with_no_delayed_options():
    limit = visibility_timeout()
    for name, entry in app.conf.beat_schedule.items():
        options = entry.get("options", {})
        assert "eta" not in options, name
        assert options.get("countdown", 0) < limit, name
        schedule = entry["schedule"]
        seconds = schedule if isinstance(schedule, int | float) else schedule.run_every.total_seconds()
        assert seconds <= 3600, f"{name} runs every {seconds}s: a sweep is short and frequent"


def test_every_reminder_sweep_is_on_the_beat_schedule():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "engagements.tasks.status_update_reminders", "engagements.tasks.silence_detector",
        "engagements.tasks.checkin_nudges", "engagements.tasks.milestone_reminders",
        "engagements.tasks.acknowledgement_nudges", "engagements.tasks.owner_digests",
        "payments.tasks.review_window_warnings", "notifications.tasks.invitation_reminders",
        "notifications.tasks.outbox_recover", "notifications.tasks.webhook_deliveries_dispatch",
    } <= tasks
