from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # Registers the OpenAPI extension describing the Token security scheme.
        from . import schema  # noqa: F401
        from .fields import strict_json_types

        # A string field takes only strings, a boolean only booleans (schemathesis'
        # negative_data_rejection: DRF would turn 0 into "0" or false).
        strict_json_types()
