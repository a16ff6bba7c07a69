"""What the notifications app stores, one module per aggregate:

- outbox: the notification outbox (every email is first a row) and the recipients' preferences.
- webhook: the outgoing-webhook outbox: endpoints, events, deliveries and their attempts
  (notifications/webhooks/ holds the code that acts on them).

Every name is re-exported here, so `from notifications.models import X` works for all of them.
"""

from .outbox import (
    SUBJECT_PREFIX,
    Notification,
    NotificationPreference,
    NotificationStatus,
    PreferenceMode,
)
from .webhook import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "SUBJECT_PREFIX",
    "DeliveryStatus",
    "Notification",
    "NotificationPreference",
    "NotificationStatus",
    "PreferenceMode",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
