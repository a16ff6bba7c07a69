from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import services


class Command(BaseCommand):
    help = (
        "Issue an API token for a member (or linked freelancer) of a workspace and print it. "
        "The token is shown only this once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--workspace", help="The workspace's slug (needed if the user has several).")

    def handle(self, *args, **options):
        User = get_user_model()
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with the email {options['email']}.")
        try:
            token, key = services.token_create(user=user, workspace_slug=options["workspace"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(f"Token for {user.email} as {token.role} of {token.workspace.slug}:")
        self.stdout.write(key)
