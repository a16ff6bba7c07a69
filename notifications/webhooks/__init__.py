"""Outgoing webhooks: the outbox beside the email outbox (DESIGN.md "Access and security").

Higher apps emit a domain event by calling `services.webhook_emit(...)` (through their own
`webhooks.py`, which builds the payload) inside the action's transaction: one `WebhookEvent`
row and one `WebhookDelivery` per active endpoint subscribed to it, so a rolled-back action
emits nothing. After commit a Celery task claims each delivery (`pending → sending` by a
conditional UPDATE), signs it by the Standard Webhooks scheme, POSTs it to the checked address
(`targets.py`), logs the attempt and either marks it delivered or puts it back with a backoff;
a beat sweep hands out what is due and takes back what a dead worker held (`delivery.py`).
"""
