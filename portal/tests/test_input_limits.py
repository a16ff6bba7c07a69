"""Bad input is refused with a message, never stored half-way nor answered with a 500 (issue 15):
every text field of every form has a length limit, and a value longer than its column is a
field error."""

import contextlib
import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from .conftest import client_for

PROJECT_APPS = ["accounts", "notifications", "freelancers", "engagements", "payments", "portal", "api", "outsourcing"]


def _project_forms():
    found = set()
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in (".tests", ".migrations", ".management", ".bench")):
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__.split(".")[0] in \
                        PROJECT_APPS:
                    found.add(obj)
    return found


def test_every_text_field_of_every_form_has_a_length_limit():
    classes = _project_forms()
    assert len(classes) >= 40
    unbounded = sorted(
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    )
    assert unbounded == []


def _char_fields():
    for cls in _project_forms():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.CharField):
                yield cls, name, field


def test_every_form_field_is_as_long_as_its_column_and_refuses_one_more_character():
    mismatched, accepted = [], []
    for cls, name, field in _char_fields():
        model = getattr(getattr(cls, "_meta", None), "model", None)
        column = None
        if model is not None:
            try:
                column = getattr(model._meta.get_field(name), "max_length", None)
            except FieldDoesNotExist:
                pass
        if column and field.max_length != column:
            mismatched.append(f"{cls.__name__}.{name}: {field.max_length} for a column of {column}")
        with contextlib.suppress(forms.ValidationError):
            field.clean("x" * (field.max_length + 1))
            accepted.append(f"{cls.__name__}.{name}")
    assert mismatched == [] and accepted == []


# One-line fields whose value is a name or a title: they end up in email subjects and display names.
NAME_FIELDS = {"name", "full_name", "workspace_name", "title", "author"}


def test_every_one_line_name_field_refuses_a_line_break():
    names, accepted = [], []
    for cls, name, field in _char_fields():
        if name not in NAME_FIELDS or isinstance(field.widget, (forms.Textarea, forms.HiddenInput)):
            continue
        names.append(f"{cls.__name__}.{name}")
        for value in ("Acme\r\nBcc: victim@evil.example", "Acme\nX-Injected: 1", "Acme\rBcc: x"):
            try:
                field.clean(value)
                accepted.append(f"{cls.__name__}.{name} {value!r}")
            except forms.ValidationError as error:
                assert "line breaks are not allowed" in " ".join(error.messages)
    # The freelancer's, the workspace's and the person's names among them, on every form.
    assert {"FreelancerForm.name", "WorkspaceForm.name", "SignupForm.workspace_name", "ProfileForm.full_name",
            "AcceptForm.full_name", "ReferenceForm.name"} <= set(names)
    assert accepted == []


@pytest.mark.django_db
@pytest.mark.parametrize("path, data", [
    ("check-ins/", lambda: {"scheduled_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                            "duration_minutes": 30, "agenda": "Plan"}),
    ("access/", lambda: {"label": "CMS", "secret": "s3cret-value"}),
], ids=["check-in meeting link", "access grant URL"])
def test_a_link_longer_than_its_column_is_a_field_error(world, owner, path, data):
    long_url = "https://example.com/" + "a" * 300
    field = "meeting_url" if "check" in path else "url"
    response = client_for(owner).post(f"/engagements/{world.engagement.pk}/{path}", {**data(), field: long_url})
    assert response.status_code == 200
    assert "at most" in response.content.decode()
