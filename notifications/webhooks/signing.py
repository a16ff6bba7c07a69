"""Signing secrets and signatures, by the Standard Webhooks scheme (the `standardwebhooks`
package): `webhook-id`, `webhook-timestamp` and `webhook-signature` = space-separated
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret still signing."""

import base64
import secrets

from django.views.decorators.debug import sensitive_variables
from standardwebhooks.webhooks import Webhook

from accounts import crypto

SECRET_PREFIX = "whsec_"


@sensitive_variables("secret")
def new_secret():
    """(plaintext shown once, encrypted for the database): 32 random bytes, base64, whsec_."""
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return secret, crypto.encrypt(secret)


@sensitive_variables("secret")
def _signature(encrypted, msg_id, at, body):
    secret = crypto.decrypt(encrypted)
    return Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body)


def headers(endpoint, event, at):
    """The Standard Webhooks headers for sending `event` to `endpoint` at `at`: signed with the
    current secret and, for a day after a rotation, the previous one too."""
    signatures = [_signature(endpoint.secret_encrypted, event.uid, at, event.body)]
    if endpoint.has_previous_secret(at):
        signatures.append(_signature(endpoint.previous_secret_encrypted, event.uid, at, event.body))
    return {
        "webhook-id": event.uid,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
