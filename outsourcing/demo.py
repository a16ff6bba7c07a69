"""The demo workspace for `make run`. Each app above the foundation adds its part with a
`demo.py` module exposing `load(workspace, owner)`; this runs them in dependency order."""

import importlib

from django.apps import apps
from django.db import transaction

from accounts.models import Membership, Role, User, Workspace
from portal.demo import DEMO_FREELANCER_EMAIL, DEMO_FREELANCER_PASSWORD

DEMO_OWNER_EMAIL = "owner@demo.example"
DEMO_OWNER_PASSWORD = "demo-owner-2026"
DEMO_MANAGER_EMAIL = "manager@demo.example"
DEMO_WORKSPACE_SLUG = "demo-studio"
DEMO_LOGINS = [(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD), (DEMO_MANAGER_EMAIL, DEMO_OWNER_PASSWORD),
               (DEMO_FREELANCER_EMAIL, DEMO_FREELANCER_PASSWORD)]


def load_demo():
    """The demo workspace in one transaction, then the demo logins' passwords, each hashed
    outside it: a hash takes about 0.4 s, and on SQLite a transaction holds the one write lock
    from its first statement (README, "Short transactions")."""
    workspace, owner = _load_demo()
    for email, password in DEMO_LOGINS:
        user = User.objects.filter(email=email).first()
        if user is not None and not (user.password and user.has_usable_password()):
            user.set_password(password)
            user.save(update_fields=["password"])
    return workspace, owner


@transaction.atomic
def _load_demo():
    owner, _ = User.objects.get_or_create(
        email=DEMO_OWNER_EMAIL, defaults={"full_name": "Dana Owner", "timezone": "Europe/London"}
    )
    manager, _ = User.objects.get_or_create(
        email=DEMO_MANAGER_EMAIL, defaults={"full_name": "Max Manager", "timezone": "America/New_York"}
    )
    workspace, _ = Workspace.objects.get_or_create(
        slug=DEMO_WORKSPACE_SLUG,
        defaults={"name": "Demo Studio", "timezone": "Europe/London", "currency": "USD"},
    )
    Membership.objects.get_or_create(user=owner, workspace=workspace, defaults={"role": Role.OWNER})
    Membership.objects.get_or_create(user=manager, workspace=workspace, defaults={"role": Role.MANAGER})
    for config in apps.get_app_configs():
        if config.name in {"accounts", "outsourcing"}:
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.load(workspace=workspace, owner=owner)
    return workspace, owner
