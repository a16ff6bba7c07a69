from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Register the send task with Celery in every process, web included: the outbox enqueues
        # it by name (services.SEND_TASK), and Celery's autodiscovery runs only in workers.
        from . import tasks  # noqa: F401
