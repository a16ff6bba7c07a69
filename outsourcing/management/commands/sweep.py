from django.core.management.base import BaseCommand

from outsourcing.celery import app


class Command(BaseCommand):
    help = "Run every beat sweep once, now (the same tasks Celery beat runs on its schedule)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Only these schedule entries (default: all).")

    def handle(self, *names, **options):
        app.loader.import_default_modules()
        schedule = app.conf.beat_schedule
        wanted = options["names"] or list(schedule)
        unknown = set(wanted) - set(schedule)
        if unknown:
            self.stderr.write(f"Unknown sweep(s): {', '.join(sorted(unknown))}. Known: {', '.join(schedule)}")
            raise SystemExit(2)
        for name in wanted:
            entry = schedule[name]
            task = app.tasks[entry["task"]]
            result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True)
            self.stdout.write(f"{name}: {result.result}")
