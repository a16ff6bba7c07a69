from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Sign-in plumbing, not domain logic: Django's auth signals are the one place every way
        # of signing in (the login page, the API's token endpoint) passes, so the audit log
        # hears of each there. Imported here: models load only once the registry is ready.
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_migrate

        from . import audit, changes

        def logged_in(sender, request=None, user=None, **kwargs):
            audit.audit_for_member(user=user, action="login")

        def logged_out(sender, request=None, user=None, **kwargs):
            if user is not None:
                audit.audit_for_member(user=user, action="logout")

        def login_failed(sender, credentials=None, request=None, **kwargs):
            credentials = credentials or {}
            audit.audit_failed_login(email=credentials.get("username") or credentials.get("email") or "")

        user_logged_in.connect(logged_in, dispatch_uid="accounts.audit.login", weak=False)
        user_logged_out.connect(logged_out, dispatch_uid="accounts.audit.logout", weak=False)
        user_login_failed.connect(login_failed, dispatch_uid="accounts.audit.login_failed", weak=False)
        # The change marks' triggers follow the models: put in place after every migrate, once
        # every app's tables exist (accounts/changes.py).
        post_migrate.connect(lambda sender, using="default", **kwargs: changes.install(using),
                             sender=self, dispatch_uid="accounts.changes.install", weak=False)
