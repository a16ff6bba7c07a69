"""`manage.py bench_load`: a bounded load run on loopback (at most 60 s) mixing the owner's pages,
the API's lists and milestone actions (fund, submit, release through the API, each with an
Idempotency-Key, every release retried with its key) against gunicorn on this database
(outsourcing.bench.load); then the run's ledger is read back. Fails unless every request was
answered 2xx and the ledger holds no discrepancy. Writes the "Load" section of
docs/benchmarks.md. Against the stack of `server.stack` (gunicorn, 2 sync workers, DEBUG off,
and a Celery worker), or with --url a server already running on this database."""

from django.core.management.base import BaseCommand, CommandError

from outsourcing.bench import load, report, server


class Command(BaseCommand):
    help = "A bounded mixed load (pages, API lists, money actions), then the ledger checked (docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=30, help=f"How long (at most {load.MAX_SECONDS}).")
        parser.add_argument("--clients", type=int, default=4, help="Money clients, one engagement each.")
        parser.add_argument("--readers", type=int, default=4, help="Clients reading pages and API lists.")
        parser.add_argument("--milestones", type=int, default=150, help="Draft milestones per money client.")
        parser.add_argument("--port", type=int, default=8952)
        parser.add_argument("--url", default="", help="A server already running on this database (no stack).")
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")

    def handle(self, *args, seconds, clients, readers, milestones, port, url, no_write, **options):
        if not 0 < seconds <= load.MAX_SECONDS:
            raise CommandError(f"--seconds must be more than 0 and at most {load.MAX_SECONDS}.")
        cast = load.prepare(clients=clients, milestones_per_client=milestones)
        started_load = server.load()
        if url:
            outcome = load.run(url.rstrip("/"), cast, seconds=seconds, readers=readers)
        else:
            with server.stack(port, server.ROOT / "var"):
                outcome = load.run(f"http://127.0.0.1:{port}", cast, seconds=seconds, readers=readers)
        self.stdout.write(load.line(outcome))
        for error in outcome.errors:
            self.stdout.write(f"  error: {error}")
        for problem in outcome.discrepancies[:20]:
            self.stdout.write(f"  discrepancy: {problem}")
        if not no_write:
            path = report.write_section("load", self._section(outcome, clients, readers, started_load))
            self.stdout.write(f"written to {path}")
        if outcome.error_count or outcome.discrepancies or not outcome.released:
            raise CommandError(f"The load run failed: {load.line(outcome)}")

    def _section(self, o, clients, readers, started_load):
        rows = [f"| {kind} | {o.count(kind):,} | {o.count(kind, ok=False)} | {o.percentile(kind, 50):.0f} ms | "
                f"{o.percentile(kind, 95):.0f} ms |" for kind in load.KINDS]
        return "\n".join([
            "## Load: pages, API lists and money actions at once",
            "",
            f"{readers} clients reading the owner's pages (signed in) and the API's lists, and {clients} clients each "
            "taking milestones of its own engagement through the API (fund, the freelancer's submit, release, each "
            "money action with a fresh Idempotency-Key, every release retried with its key), all at once for "
            f"{o.seconds:.0f} s against gunicorn (2 sync workers, DEBUG off) and PostgreSQL on loopback; then the "
            "run's ledger read back (`manage.py bench_load`).",
            "",
            f"{report.stamp()} {started_load}",
            "",
            "| kind | requests | answered not 2xx | p50 | p95 |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"{o.count():,} requests, {o.count() / o.seconds if o.seconds else 0:.1f}/s; **{o.error_count} errors**; "
            f"{len(o.released)} milestones released; **{len(o.discrepancies)} ledger discrepancies** (unbalanced "
            "transactions, double releases, state and ledger disagreeing, escrow, payable or owner funding other "
            "than the milestones' states say).",
        ])
