"""`manage.py bench`: how long one status-update sweep takes, and how many queries it makes,
with N running engagements of which some are due.

Everything it creates is written inside one transaction that is rolled back at the end, so it
is safe on any database (nothing is left behind, no email is queued: the sweep's on-commit
enqueues never run).
"""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from engagements.models import Engagement, EngagementStatus
from engagements.reminders import status_update_reminders
from freelancers.models import Freelancer, FreelancerStatus
from notifications.models import Notification
from notifications.sweeps import BATCH

CHUNK = 5000


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time one status-update reminder sweep over N engagements (created and rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--engagements", type=int, default=100_000, help="Running engagements (default 100000).")
        parser.add_argument("--due-percent", type=float, default=1.0,
                            help="Share of them whose update is overdue, in percent (default 1).")
        parser.add_argument("--freelancers", type=int, default=1000, help="Freelancers they are spread over.")

    def handle(self, *args, engagements, due_percent, freelancers, **options):
        due_count = round(engagements * due_percent / 100)
        report = {}
        try:
            with transaction.atomic():
                started = time.perf_counter()
                self._populate(engagements, due_count, max(1, min(freelancers, engagements)))
                report["setup"] = time.perf_counter() - started
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have
                        cursor.execute("ANALYZE engagements_engagement")
                    report["plan"] = self._plan()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = status_update_reminders()
                    report["sweep"] = time.perf_counter() - started
                report["queries"] = len(queries)
                report["result"] = result
                report["notifications"] = Notification.objects.filter(
                    workspace__slug__startswith="bench-", dedupe_key__startswith="status-overdue:").count()
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(f"database: {connection.vendor}")
        self.stdout.write(f"engagements: {engagements:,} running, {due_count:,} with an overdue update "
                          f"(set up in {report['setup']:.1f} s)")
        if "plan" in report:
            self.stdout.write(f"due-row query plan: {report['plan']}")
        self.stdout.write(f"status-update sweep: {report['sweep'] * 1000:.0f} ms, {report['queries']} queries "
                          f"(batches of {BATCH}), result {report['result']}, "
                          f"{report['notifications']:,} notifications inserted")
        self.stdout.write("everything was rolled back")

    def _populate(self, count, due_count, freelancer_count):
        now = timezone.now()
        stamp = int(now.timestamp())
        workspace = Workspace.objects.create(name="Bench workspace", slug=f"bench-{stamp}")
        owner = User.objects.create_user(email=f"bench-owner-{stamp}@example.com", full_name="Bench Owner")
        Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
        people = Freelancer.objects.bulk_create([
            Freelancer(workspace=workspace, name=f"Freelancer {i}", email=f"bench-{stamp}-{i}@example.net",
                       timezone="Europe/Lisbon", status=FreelancerStatus.APPROVED)
            for i in range(freelancer_count)
        ])
        overdue = now - timedelta(hours=2)
        later = now + timedelta(days=2)
        for start in range(0, count, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, count)):
                due = overdue if i < due_count else later
                rows.append(Engagement(
                    workspace=workspace, freelancer=people[i % freelancer_count], title=f"Engagement {i}",
                    status=EngagementStatus.ACTIVE, created_by=owner, activated_at=now - timedelta(days=5),
                    next_update_due_at=due, update_reminder_at=due, update_reminder_step=0,
                ))
            Engagement.objects.bulk_create(rows)

    def _plan(self):
        qs = Engagement.objects.filter(status=EngagementStatus.ACTIVE, update_reminder_at__lte=timezone.now()
                                       ).order_by("update_reminder_at")[:BATCH]
        lines = qs.explain().splitlines()
        scans = [line.strip().lstrip("-> ").split("  (")[0] for line in lines if "Scan" in line]
        return "; ".join(scans) or lines[0]
