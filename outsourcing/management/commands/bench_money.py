"""`manage.py bench_money`: release throughput through the API, 8 concurrent clients on distinct
funded and submitted milestones, against gunicorn (2 sync workers, DEBUG off) and a Celery worker
(outsourcing.bench.money); then the ledger is checked. Runs on the sweeps set (`bench_sweeps`
first, same database); writes the "Money" section of docs/benchmarks.md."""

import time

from django.core.management.base import BaseCommand, CommandError

from outsourcing.bench import money, pgcpu, report, server, sweeps_data

TARGET = 100  # releases per second


class Command(BaseCommand):
    help = "Measure releases per second through the API with concurrent clients (writes docs/benchmarks.md)."

    def add_arguments(self, parser):
        parser.add_argument("--milestones", type=int, default=2000)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--port", type=int, default=8951)
        parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")

    def handle(self, *args, milestones, clients, port, no_write, **options):
        if not sweeps_data.exists():
            raise CommandError("No sweeps set here: run `manage.py bench_sweeps` first (make bench does).")
        try:
            ids = money.prepare(milestones)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        key = money.token()
        load = server.load()
        with server.stack(port, server.ROOT / "var") as pids:
            before = {name: server.cpu_seconds(pid) for name, pid in pids.items()}
            database, client = pgcpu.snapshot(), time.process_time()  # this process: the clients' threads
            outcome = money.release_all(port, key, ids, clients=clients, check=False)
            cpu = {name: server.cpu_seconds(pid) - before[name] for name, pid in pids.items()}
            cpu["client"] = time.process_time() - client
            database = database and pgcpu.spent(database, pgcpu.snapshot())
            memory = {name: server.rss_mb(pid) for name, pid in pids.items()}
        money.check_ledger(outcome, ids)
        self.stdout.write(load)
        self.stdout.write(money.line(outcome))
        self.stdout.write(self._costs(outcome, cpu, memory, database))
        if not no_write:
            path = report.write_section("money", self._section(outcome, memory, load, cpu, database))
            self.stdout.write(f"written to {path}")
        if outcome.released_twice or outcome.unbalanced or outcome.escrow_left or outcome.ok != len(ids):
            raise CommandError("The ledger is not what the releases should have left: " + money.line(outcome))

    def _costs(self, o, cpu, memory, database):
        per = {name: 1000 * seconds / o.ok if o.ok else 0.0 for name, seconds in cpu.items()}
        postgres = ""
        if database is not None:
            alive, ended, sessions = database
            postgres = (f", PostgreSQL {1000 * alive / max(o.ok, 1):.1f} ms in this database's backends (and "
                        f"{1000 * ended / max(o.ok, 1):.1f} ms in backends that ended meanwhile, any database; "
                        f"sessions opened: {sessions:,})")
        return (f"CPU per release: the web workers {per['web']:.1f} ms, the Celery worker {per['worker']:.1f} ms"
                f"{postgres}, the clients {per['client']:.1f} ms. RSS after the run: a web worker "
                f"{memory['web']:.0f} MB, the Celery worker {memory['worker']:.0f} MB.")

    def _section(self, o, memory, load, cpu, database):
        codes = ", ".join(f"{n:,} × {status}" for status, n in sorted(o.statuses.items()))
        return "\n".join([
            "## Money: releases through the API",
            "",
            f"{o.clients} API clients (threads of the bench's process, each with its own connection, which "
            f"gunicorn's sync workers close after every answer) each releasing its share of {o.milestones:,} "
            "funded and submitted milestones on distinct engagements of the sweeps set (100,000 engagements) with "
            "`POST /api/v1/milestones/{id}/release/` and a fresh Idempotency-Key, against gunicorn (2 sync workers, "
            "DEBUG off) and a Celery worker; then the ledger is read back.",
            "",
            f"{report.stamp()} {load}",
            "",
            "| releases | seconds | releases/s | target | p50 | p95 | answers | released twice | unbalanced "
            "transactions | left in escrow |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| {o.ok:,} | {o.seconds:.1f} | {o.rate:.1f} | ≥ {TARGET}/s {'met' if o.rate >= TARGET else '**missed**'} "
            "| "
            f"{o.percentile(50):.0f} ms | {o.percentile(95):.0f} ms | {codes} | {o.released_twice} | {o.unbalanced} | "
            f"{o.escrow_left} |",
            "",
            self._costs(o, cpu, memory, database),
        ])
