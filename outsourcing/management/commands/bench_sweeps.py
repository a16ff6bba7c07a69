"""`manage.py bench_sweeps`: every beat sweep, committed as in production and with its emails'
hand-off to the broker, over N engagements of which `--due` are due for each sweep (the
`bench-sweeps` workspace, outsourcing.bench.sweeps_data); writes the "Sweeps" section of
docs/benchmarks.md. Meant for a database of its own (the sweeps act on every due row in it):
`--flush` empties the whole database first."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from outsourcing.bench import report, server, sweeps, sweeps_data

TARGET_SECONDS = 10


class Command(BaseCommand):
    help = "Run every beat sweep once over the sweeps data set and measure it (writes docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--engagements", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10_000, help="Rows due for each sweep (default 10000).")
        parser.add_argument("--freelancers", type=int, default=1000)
        parser.add_argument("--flush", action="store_true", help="Empty the WHOLE database first.")
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")

    def handle(self, *args, engagements, due, freelancers, flush, no_write, **options):
        if connection.vendor != "postgresql" and engagements > 2000:
            raise CommandError("Point DATABASE_URL at PostgreSQL for a data set this size.")
        if due < 1 or due * len(sweeps_data.GROUPS) > engagements:
            raise CommandError(f"{len(sweeps_data.GROUPS)} groups of {due:,} due rows need at least "
                               f"{max(1, due) * len(sweeps_data.GROUPS):,} engagements.")
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        elif sweeps_data.exists():
            raise CommandError("This database already holds the sweeps set (its rows were swept): run with --flush "
                               "(it empties the whole database) or point DATABASE_URL at another one.")
        load = server.load()
        self.stdout.write(load)
        started = time.perf_counter()
        sweeps_data.build(engagements=engagements, due=due, freelancers=freelancers)
        self.stdout.write(f"set up {engagements:,} engagements, {due:,} due per sweep, in "
                          f"{time.perf_counter() - started:.0f} s")
        results = sweeps.run(due, log=self.stdout.write)
        sweeps.purge(sweeps.broker())
        short = [f"{s.name}: {', '.join(f'{k} {got:,} of {want:,}' for k, (got, want) in s.short.items())}"
                 for s in results if s.short]
        if not no_write:
            path = report.write_section("sweeps", self._table(results, engagements, due, load))
            self.stdout.write(f"written to {path}")
        if short:
            raise CommandError("A sweep handled less than was due (a broken benchmark or a broken sweep): "
                               + "; ".join(short))

    def _table(self, results, engagements, due, load):
        lines = [
            "## Beat sweeps",
            "",
            f"Each sweep run once over {engagements:,} active engagements (one workspace, `bench-sweeps`) with "
            f"{due:,} rows due for it, committed batch by batch as in production, the on-commit hand-off of "
            "its emails to Redis inside the time. Queries counted in-process. A batch of emails goes to the "
            "broker as one message (the worker fans it out); a money action's emails still go one by one. "
            "\"Held\" emails are queued rows waiting for 08:00 in the recipient's zone (`not_before`); the "
            "outbox sweep hands them over then.",
            "",
            f"{report.stamp()} {load}",
            "",
            "| sweep | seconds | queries | handled | emails queued (held) | broker messages | target ≤ 10 s |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for s in results:
            handled = ", ".join(f"{k} {v:,}" for k, v in s.handled.items())
            brokered = "" if s.brokered is None else f"{s.brokered:,}"
            ok = "yes" if s.seconds <= TARGET_SECONDS else "**no**"
            lines.append(f"| {s.name} | {s.seconds:.1f} | {s.queries:,} | {handled} | {s.emails:,} ({s.held:,}) | "
                         f"{brokered} | {ok} |")
        return "\n".join(lines)
