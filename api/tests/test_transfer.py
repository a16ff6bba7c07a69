"""CSV in and out through the API (API.md): the four exports, formula-safe and scoped to the
token's workspace; the freelancer import answering 202 with each bad row by its line, nothing
imported until confirmed, then all of it."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engagements.services import lifecycle
from engagements.services import milestone as work
from freelancers.models import Freelancer
from freelancers.services import freelancer as freelancer_services
from payments import services as payments

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(workspace, owner):
    person = freelancer_services.freelancer_create(workspace=workspace, name="@Ana", email="ana@example.com")
    engagement = lifecycle.engagement_create(workspace=workspace, created_by=owner, freelancer=person,
                                             title='=HYPERLINK("http://x","eng")', budget=100_000)
    milestone, _ = work.milestone_create(engagement=engagement, actor=owner, title="-Logo",
                                         acceptance_criteria="+1", amount=25_000)
    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key="fund-1")
    return engagement


def table(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(("name", "expected"), [
    ("freelancers", "'@Ana"), ("engagements", "'=HYPERLINK(\"http://x\",\"eng\")"), ("milestones", "'-Logo"),
    ("statements", "'=HYPERLINK(\"http://x\",\"eng\")"),
])
def test_each_export_is_csv_with_formulas_as_text(owner_api, outsider_api, money, name, expected):
    response = owner_api.get(f"/api/v1/exports/{name}.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = table(response)
    assert len(rows) == 2
    assert expected in rows[1]
    # Another workspace's token sees only its own (empty) workspace.
    assert len(table(outsider_api.get(f"/api/v1/exports/{name}.csv"))) == 1


def test_statement_export_has_the_running_escrow(owner_api, money):
    header, row = table(owner_api.get("/api/v1/exports/statements.csv", HTTP_ACCEPT="text/csv"))
    line = dict(zip(header, row, strict=True))
    assert (line["Type"], line["Held funds change"], line["Held funds balance"], line["Currency"]) == \
        ("Milestone funded", "250.00", "250.00", money.currency)


def test_exports_are_not_for_freelancer_tokens_or_anonymous(freelancer_api, api_client):
    assert freelancer_api.get("/api/v1/exports/freelancers.csv").status_code == 404
    assert api_client.get("/api/v1/exports/freelancers.csv").status_code == 401


def _file(text):
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def test_import_reports_bad_rows_by_line_and_imports_nothing(owner_api, workspace):
    response = owner_api.post("/api/v1/imports/freelancers/",
                              {"file": _file("name;email\nAna;ana@example.com\nBo;bo-at-example\n")},
                              format="multipart")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["total_rows"]) == ("previewed", 2)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "email")]
    confirm = owner_api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert confirm.status_code == 400
    assert "nothing was imported" in str(confirm.json())
    assert not Freelancer.objects.filter(workspace=workspace).exists()


def test_import_confirmed_imports_every_row(owner_api, outsider_api, workspace):
    body = owner_api.post("/api/v1/imports/freelancers/", {"file": _file("name,email\nAna,ana@example.com\n")},
                          format="multipart").json()
    assert not Freelancer.objects.filter(workspace=workspace).exists()
    assert outsider_api.get(f"/api/v1/imports/{body['id']}/").status_code == 404
    assert outsider_api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 404

    response = owner_api.post(f"/api/v1/imports/{body['id']}/confirm/")

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["imported_rows"]) == ("done", 1)
    assert owner_api.get(f"/api/v1/imports/{body['id']}/").json()["processed_rows"] == 1
    assert owner_api.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 409
    assert Freelancer.objects.filter(workspace=workspace).count() == 1


def test_import_without_a_file_is_400_naming_it(owner_api):
    response = owner_api.post("/api/v1/imports/freelancers/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_export_refuses_a_format_it_does_not_have_and_errors_are_json(owner_api, api_client):
    assert owner_api.get("/api/v1/exports/engagements.csv", {"format": ""}).status_code == 400
    denied = api_client.get("/api/v1/exports/engagements.csv", {"format": "csv"})
    assert denied.status_code == 401 and denied["Content-Type"].startswith("application/json")
