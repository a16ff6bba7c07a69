from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Freelancer portal"

    def ready(self):
        # Session plumbing, not domain logic: a login stamps the session with the person's
        # portal session epoch so that revoking their access can end it (portal/sessions.py).
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_on_login

        user_logged_in.connect(stamp_on_login, dispatch_uid="portal.stamp_on_login")
