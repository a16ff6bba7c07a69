from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments and held funds"

    def ready(self):
        # Register the payment provider's tasks with Celery in every process, web included: they
        # are enqueued by name (services.provider_hook, services.provider_events), and Celery's
        # autodiscovery runs only in workers.
        from . import tasks  # noqa: F401
