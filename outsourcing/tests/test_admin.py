"""Every model of the project's apps has an admin page that opens."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def project_models():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != root:
            continue  # Django's and third-party apps (in site-packages)
        yield from config.get_models()


def test_the_project_has_models_to_check():
    labels = {m._meta.label for m in project_models()}
    assert {"accounts.User", "accounts.Workspace", "notifications.Notification"} <= labels


def test_every_project_model_is_registered_in_the_admin():
    missing = sorted(m._meta.label for m in project_models() if not admin.site.is_registered(m))
    assert missing == [], f"register these in their app's admin.py: {', '.join(missing)}"


def test_every_admin_list_and_add_page_opens(client, owner, workspace):
    from accounts.models import User

    superuser = User.objects.create_superuser(email="root@example.com", password="x-root-pass-1234")
    client.force_login(superuser)
    for model in project_models():
        if not admin.site.is_registered(model):
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        model_admin = admin.site.get_model_admin(model)
        if model_admin.has_add_permission(client.get(url).wsgi_request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add
