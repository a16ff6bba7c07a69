"""`manage.py bench_pages`: every main page and API list under load, against gunicorn (2 sync
workers, DEBUG off) and a Celery worker on this database (`manage.py bench_data` first), with wrk
at 16 connections; writes the "Pages" section of docs/benchmarks.md."""

from django.core.management.base import BaseCommand, CommandError

from outsourcing.bench import data, pages, report, server


class Command(BaseCommand):
    help = "Measure the main pages and API lists under load (writes docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10, help="wrk's duration per page (default 10).")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--port", type=int, default=8950)
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
        parser.add_argument("--only", action="append", default=[], metavar="WORDS",
                            help="Measure only the pages whose name contains WORDS (repeatable; the login "
                                 "floor is always measured); implies --no-write.")

    def handle(self, *args, seconds, connections, port, no_write, only, **options):
        if not data.exists():
            raise CommandError("No bench data here: run `manage.py bench_data` first (make bench does).")
        with server.stack(port, server.ROOT / "var") as pids:
            results = pages.run(f"http://127.0.0.1:{port}", seconds=seconds, connections=connections,
                                only=only, log=self.stdout.write)
            memory = {name: server.rss_mb(pid) for name, pid in pids.items()}
        # The kept pages once more on a server that builds them on every view: what a view costs
        # when the workspace has just changed.
        with server.stack(port, server.ROOT / "var", KEPT_PAGES="0"):
            results += pages.run(f"http://127.0.0.1:{port}", seconds=seconds, connections=connections,
                                 only=only, built=True, log=self.stdout.write)
        self.stdout.write(f"RSS after the run: web worker {memory['web']:.0f} MB, Celery worker "
                          f"{memory['worker']:.0f} MB")
        if not no_write and not only:
            path = report.write_section("pages", self._table(results, memory, seconds, connections))
            self.stdout.write(f"written to {path}")

    def _table(self, results, memory, seconds, connections):
        floor = next((r.rps for r in results if r.target.who == "anonymous" and r.rps), None)
        lines = [
            "## Pages and API lists",
            "",
            f"gunicorn 2 sync workers, DEBUG off, wrk {connections} connections for {seconds} s per page, "
            "on the `bench_data` set (10,000 engagements, 90% of them in the measured workspace; the "
            "freelancer holds 1,000). Queries counted in-process through the whole middleware stack, "
            "on a view that builds the page. Home, the engagement list and the payments overview "
            "keep their content until the workspace's rows change or the minute turns "
            "(accounts/kept.py): their first rows are what a reader meets while nothing changes, "
            "the rows \"built on every view\" (a server with `KEPT_PAGES=0`) what every view "
            "costs just after a change.",
            "",
            report.stamp(),
            "",
            "| page | queries | size | req/s | share of floor | p50 | p95 | p99 | not 2xx |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in results:
            if r.rps is None:
                lines.append(f"| {r.target.name} (`{r.target.path}`) | | | answered {r.status} | | | | | |")
                continue
            share = f"{r.rps / floor:.0%}" if floor else ""
            lines.append(f"| {r.target.name} | {r.queries} | {r.bytes / 1024:.0f} KB | {r.rps:.0f} | {share} | "
                         f"{r.p50:.0f} ms | {r.p95:.0f} ms | {r.p99:.0f} ms | {r.non2xx} |")
        lines += ["", f"Memory after the run (RSS): a web worker {memory['web']:.0f} MB, the Celery worker "
                      f"{memory['worker']:.0f} MB (target: a web worker ≤ 200 MB)."]
        return "\n".join(lines)
