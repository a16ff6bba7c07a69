"""`manage.py bench_data`: the benchmark's data set (outsourcing.bench.data), reproducible from a
seed and sized by flags, beside the demo workspace. Meant for a database of its own on
PostgreSQL (it refuses SQLite above a small size): the ledger is append-only, so `--flush` empties
the whole database first (and loads the demo again)."""

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from outsourcing.bench import data


class Command(BaseCommand):
    help = "Create the benchmark's synthetic data set (replacing a previous one)."

    def add_arguments(self, parser):
        defaults = data.Sizes()
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--flush", action="store_true",
                            help="Empty the WHOLE database first (then load the demo workspace).")
        for name in ("workspaces", "freelancers", "engagements", "milestones", "status_updates", "notifications",
                     "messages", "transactions", "heavy_engagements"):
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))

    def handle(self, *args, seed, flush, **options):
        sizes = data.Sizes(**{k: options[k] for k in data.Sizes.__dataclass_fields__})
        if sizes.workspaces < 1 or sizes.engagements < 1 or sizes.freelancers < sizes.workspaces:
            raise CommandError("Need at least one workspace, one engagement and a freelancer per workspace.")
        if connection.vendor != "postgresql" and sizes.engagements > 2000:
            raise CommandError("Point DATABASE_URL at PostgreSQL for a data set this size.")
        started = time.perf_counter()
        if flush:
            call_command("flush", interactive=False, verbosity=0)
            call_command("demo", stdout=io.StringIO())
        elif data.exists():
            raise CommandError("This database already holds a bench data set: run with --flush (it empties the "
                               "whole database) or point DATABASE_URL at another one.")
        built = data.build(sizes, seed=seed)
        seconds = time.perf_counter() - started
        for name, count in sorted(built.counts.items()):
            self.stdout.write(f"{name:>28}: {count:>9,}")
        self.stdout.write(f"built in {seconds:.1f} s on {connection.vendor}; log in as {data.MAIN_OWNER_EMAIL} "
                          f"or {data.HEAVY_FREELANCER_EMAIL} with password {data.PASSWORD!r}")
