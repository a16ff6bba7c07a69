"""The demo workspace for `make run`. Each app above the foundation adds its part with a
`demo.py` module exposing `load(workspace, owner)`; this runs them in dependency order."""

import importlib

from django.apps import apps
from django.db import transaction

from accounts.models import Membership, Role, User, Workspace

DEMO_OWNER_EMAIL = "owner@demo.example"
DEMO_OWNER_PASSWORD = "demo-owner-2026"
DEMO_MANAGER_EMAIL = "manager@demo.example"
DEMO_WORKSPACE_SLUG = "demo-studio"


@transaction.atomic
def load_demo():
    owner, created = User.objects.get_or_create(
        email=DEMO_OWNER_EMAIL, defaults={"full_name": "Dana Owner", "timezone": "Europe/London"}
    )
    if created:
        owner.set_password(DEMO_OWNER_PASSWORD)
        owner.save()
    manager, created = User.objects.get_or_create(
        email=DEMO_MANAGER_EMAIL, defaults={"full_name": "Max Manager", "timezone": "America/New_York"}
    )
    if created:
        manager.set_password(DEMO_OWNER_PASSWORD)
        manager.save()
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
