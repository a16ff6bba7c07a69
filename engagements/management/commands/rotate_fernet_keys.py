"""Re-encrypt every stored secret (access grants, webhook signing secrets) under the first key in
FERNET_KEYS.

Key rotation: generate a key, put it FIRST in FERNET_KEYS (keep the old ones after it),
restart, run this command, then remove the old keys. A token no configured key can open is
reported (by grant id, never its content) and the command exits non-zero.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts import crypto
from engagements.services.access import access_grants_reencrypt
from notifications.webhooks.services import webhook_secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (access grants, webhook signing secrets) under the current (first) key."

    def handle(self, *args, **options):
        try:
            count = access_grants_reencrypt() + webhook_secrets_reencrypt()
        except crypto.InvalidToken as exc:
            raise CommandError(
                "A stored secret could not be decrypted with any key in FERNET_KEYS: was a key removed before "
                "rotating? Put the old key back (after the new one) and run this again."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} secret(s) under the current key."))
