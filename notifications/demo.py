"""Demo for `manage.py demo`: one webhook endpoint, turned off (nothing is sent until the owner
points it at a receiver of theirs and turns it on). Idempotent."""

from .models import WebhookEndpoint
from .webhooks.events import EVENT_TYPES
from .webhooks.services import webhook_endpoint_create, webhook_endpoint_update

DEMO_WEBHOOK_URL = "https://hooks.example.com/outsourcing"


def load(*, workspace, owner):
    if WebhookEndpoint.objects.filter(workspace=workspace).exists():
        return
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, actor=owner, url=DEMO_WEBHOOK_URL, events=list(EVENT_TYPES),
        description="An example: point it at your own receiver, then turn it on.",
    )
    webhook_endpoint_update(endpoint=endpoint, actor=owner, active=False)
