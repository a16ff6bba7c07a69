from django.apps import AppConfig


class OutsourcingConfig(AppConfig):
    """The project package doubles as the app holding the owner dashboard and the
    project-wide management commands (`demo`, `sweep`)."""

    name = "outsourcing"
    verbose_name = "Dashboard"
