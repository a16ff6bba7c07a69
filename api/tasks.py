from celery import shared_task

from . import services


@shared_task
def purge_idempotency_keys():
    """Beat housekeeping: forget stored Idempotency-Key responses past their retention."""
    return services.idempotency_keys_purge()
