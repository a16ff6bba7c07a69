"""`manage.py bench_import`: a freelancer CSV import of `--rows` rows (default 10,000) into a
workspace of its own, its preview in this process as the upload's request would run it, the
import itself by a Celery worker (production settings) as every import over
`freelancers.services.imports.ASYNC_ROWS` rows runs (outsourcing.bench.imports); writes the
"Import" section of docs/benchmarks.md."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from freelancers.csv_import import MAX_ROWS
from outsourcing.bench import imports, report, server

TARGET_SECONDS = 30


class Command(BaseCommand):
    help = "Measure a freelancer CSV import of 10,000 rows through the Celery worker (writes docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--existing", type=int, default=2000,
                            help="Freelancers already in the workspace's pool (default 2000).")
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")

    def handle(self, *args, rows, existing, no_write, **options):
        if connection.vendor != "postgresql" and rows > 2000:
            raise CommandError("Point DATABASE_URL at PostgreSQL for an import this size.")
        if not 0 < rows <= MAX_ROWS:
            raise CommandError(f"--rows: 1 to {MAX_ROWS:,} (the most a file may hold).")
        load = server.load()
        self.stdout.write(load)
        with server.worker(server.ROOT / "var") as pid:
            outcome = imports.measure(rows, existing)
            memory = server.rss_mb(pid)
        self.stdout.write(imports.line(outcome))
        self.stdout.write(f"RSS after the run: the Celery worker {memory:.0f} MB.")
        if not no_write:
            path = report.write_section("import", self._section(outcome, memory, load))
            self.stdout.write(f"written to {path}")
        if not imports.is_done(outcome):
            raise CommandError("The import did not bring in every row: " + imports.line(outcome))

    def _section(self, o, memory, load):
        met = "met" if o.seconds <= TARGET_SECONDS else "**missed**"
        return "\n".join([
            "## Freelancer CSV import",
            "",
            f"A CSV of {o.rows:,} new freelancers as a spreadsheet saves it, uploaded into a workspace whose pool "
            f"holds {o.existing:,} already: the preview (read, check every row, store it) in-process as the upload's "
            "request runs it, then the confirmed import by a Celery worker (production settings), as every import "
            "over 500 rows runs, timed from the confirmation until the worker marked it done.",
            "",
            f"{report.stamp()} {load}",
            "",
            "| rows | preview | preview queries | import (worker) | in all | target ≤ 30 s | imported |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            f"| {o.rows:,} | {o.preview_seconds:.1f} s | {o.preview_queries} | {o.run_seconds:.1f} s | "
            f"{o.seconds:.1f} s | {met} | {o.imported:,} |",
            "",
            f"RSS of the Celery worker after the import: {memory:.0f} MB.",
        ])
