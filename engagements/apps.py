from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"

    def ready(self):
        # Imported here, not at the top: models may only be imported once the app registry is ready.
        from freelancers.services.freelancer import do_not_hire_consequence_register, freelancer_zone_follower_register

        from . import tasks  # noqa: F401 - registers the tasks the services queue by name
        from .services.deadlines import freelancer_deadlines_recompute
        from .services.do_not_hire import CONSEQUENCE

        # What marking a freelancer do-not-hire means for their offers and access grants.
        do_not_hire_consequence_register("engagements", CONSEQUENCE)
        # Deadlines follow the freelancer's time zone, whoever changes it.
        freelancer_zone_follower_register("engagements", freelancer_deadlines_recompute)
