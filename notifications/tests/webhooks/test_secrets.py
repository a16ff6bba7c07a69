"""The signing secret at rest: Fernet-encrypted, re-encrypted by rotate_fernet_keys, so an
old key can be dropped and deliveries still sign with the same secret."""

from cryptography.fernet import Fernet
from django.core.management import call_command
from standardwebhooks.webhooks import Webhook

from notifications.webhooks.delivery import webhook_delivery_attempt
from notifications.webhooks.services import webhook_emit


def test_rotating_the_fernet_keys_keeps_the_signing_secret(workspace, receiver, endpoint, settings):
    ep, secret = endpoint
    before = ep.secret_encrypted
    assert secret not in before and before.startswith("gAAAA")
    settings.FERNET_KEYS = [Fernet.generate_key().decode(), *settings.FERNET_KEYS]
    call_command("rotate_fernet_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FERNET_KEYS = settings.FERNET_KEYS[:1]  # the old key is gone

    ep.refresh_from_db()
    assert ep.secret_encrypted != before
    delivery = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={}).deliveries.get()
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    (headers, body), = receiver.requests
    Webhook(secret).verify(body, headers)
