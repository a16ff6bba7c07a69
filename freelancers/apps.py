from django.apps import AppConfig


class FreelancersConfig(AppConfig):
    name = "freelancers"

    def ready(self):
        # Register the tasks with Celery in every process, web included: a confirmed import
        # enqueues its run by name (services.imports.RUN_TASK); autodiscovery runs only in workers.
        from . import tasks  # noqa: F401
