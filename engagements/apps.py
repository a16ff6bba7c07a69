from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"

    def ready(self):
        # Imported here, not at the top: models may only be imported once the app registry is ready.
        from freelancers.services.freelancer import do_not_hire_consequence_register

        from .services.do_not_hire import CONSEQUENCE

        # What marking a freelancer do-not-hire means for their offers and access grants.
        do_not_hire_consequence_register("engagements", CONSEQUENCE)
