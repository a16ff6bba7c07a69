from django.core.management.base import BaseCommand

from outsourcing.demo import DEMO_MANAGER_EMAIL, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, load_demo
from portal.demo import DEMO_FREELANCER_EMAIL, DEMO_FREELANCER_PASSWORD


class Command(BaseCommand):
    help = "Create (idempotently) the demo workspace with an owner login, and print the logins."

    def handle(self, *args, **options):
        workspace, owner = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo workspace: {workspace.name}"))
        self.stdout.write(f"  Owner login:      {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}")
        self.stdout.write(f"  Manager login:    {DEMO_MANAGER_EMAIL} / {DEMO_OWNER_PASSWORD}")
        self.stdout.write(f"  Freelancer login: {DEMO_FREELANCER_EMAIL} / {DEMO_FREELANCER_PASSWORD} (the portal)")
