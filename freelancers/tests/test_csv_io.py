"""The talent pool in and out as CSV, as an owner does it on the pages: the export (formula-safe,
this workspace only) and the import (a preview naming each bad row by its line, nothing imported
until confirmed, then all or nothing)."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Workspace
from freelancers.csv_import import parse
from freelancers.models import Freelancer, FreelancerImport, ImportStatus
from freelancers.services import freelancer as freelancer_services
from freelancers.services import imports

pytestmark = pytest.mark.django_db


def upload(name, text, encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def rows_of(response):
    return list(csv.reader(io.StringIO(b"".join(response).decode("utf-8-sig") if response.streaming
                                       else response.content.decode("utf-8-sig"))))


def test_export_lists_this_workspace_with_formulas_defused(owner_client, workspace, outsider):
    freelancer_services.freelancer_create(workspace=workspace, name="=HYPERLINK(\"http://x\")", email="a@x.com",
                                          headline="+SUM(1,1)", skills=["figma"], rate_amount=4550)

    freelancer_services.freelancer_create(workspace=Workspace.objects.get(memberships__user=outsider),
                                          name="Not Yours", email="b@x.com")

    response = owner_client.get("/freelancers/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header[:3] == ["id", "name", "email"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["name"] == "'=HYPERLINK(\"http://x\")"
    assert row["headline"] == "'+SUM(1,1)"
    assert row["rate"] == "45.5"
    assert "Export CSV" in owner_client.get("/freelancers/").content.decode()


def test_a_spreadsheet_export_with_bom_semicolons_and_other_headers_is_read():
    text = "\ufeffFull Name;E-mail;Job title;Hourly rate;Currency\r\nAna Lima;ANA@example.com;Designer;45,50;EUR\r\n"
    parsed = parse(text.encode("utf-8"))
    assert parsed.errors == []
    assert parsed.rows == [{"line": 2, "name": "Ana Lima", "email": "ANA@example.com", "headline": "Designer",
                            "rate": "45,50", "currency": "EUR"}]


def test_windows_1252_file_is_read():
    parsed = parse("name,email\nJosé Núñez,jose@example.com\n".encode("cp1252"))
    assert parsed.rows[0]["name"] == "José Núñez"


def test_a_file_without_an_email_column_is_refused_at_line_1():
    parsed = parse(b"name,phone\nAna,123\n")
    assert parsed.errors == [{"line": 1, "field": "email", "message": parsed.errors[0]["message"]}]
    assert parsed.rows == []


BAD = (
    "name,email,timezone,rate,currency\n"
    "Ana Lima,ana@example.com,Europe/Lisbon,45,EUR\n"
    ",nobody@example.com,UTC,,\n"             # line 3: no name
    "Bo,not-an-email,UTC,,\n"                 # line 4
    "Cy,cy@example.com,Mars/Olympus,,\n"      # line 5
    "Di,di@example.com,UTC,lots,\n"           # line 6
    "Ana Again,ANA@example.com,UTC,,\n"       # line 7: same email as line 2
    "Ed,taken@example.com,UTC,,\n"            # line 8: already in the pool
)


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(owner_client, workspace):
    freelancer_services.freelancer_create(workspace=workspace, name="Taken", email="taken@example.com")

    response = owner_client.post("/freelancers/import/", {"file": upload("people.csv", BAD)}, follow=True)

    page = response.content.decode()
    job = FreelancerImport.objects.get()
    assert job.status == ImportStatus.PREVIEWED
    assert {(e["line"], e["field"]) for e in job.errors} == {
        (3, "name"), (4, "email"), (5, "timezone"), (6, "rate"), (7, "email"), (8, "email")}
    assert "6 problems: nothing was imported" in page
    assert "also on line 2" in page
    assert "Import 7 freelancers" not in page  # no confirm button
    assert Freelancer.objects.filter(workspace=workspace).count() == 1

    response = owner_client.post(f"/freelancers/import/{job.pk}/confirm/", follow=True)
    assert "nothing was imported" in response.content.decode()
    assert Freelancer.objects.filter(workspace=workspace).count() == 1


GOOD = "name,email,skills,rate,rate_unit\nAna Lima,ana@example.com,\"figma, logo design\",45,hour\n" \
       "Bo Berg,bo@example.com,,300,day\n"


def test_nothing_is_imported_until_confirmed_then_every_row(owner_client, workspace, owner):
    response = owner_client.post("/freelancers/import/", {"file": upload("people.csv", GOOD)}, follow=True)
    assert "Import 2 freelancers" in response.content.decode()
    assert not Freelancer.objects.filter(workspace=workspace).exists()
    job = FreelancerImport.objects.get()

    response = owner_client.post(f"/freelancers/import/{job.pk}/confirm/", follow=True)

    assert "Imported 2 freelancers." in response.content.decode()
    ana = Freelancer.objects.get(workspace=workspace, email="ana@example.com")
    assert (ana.status, ana.skills, ana.rate_amount, ana.rate_unit) == ("prospect", ["figma", "logo design"], 4500,
                                                                        "hour")
    assert ana.events.get().actor == owner
    assert ana.rate_changes.count() == 1
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.imported_rows) == ("done", 2, 2)
    # A second confirmation (Back, then the button again) imports nothing more.
    owner_client.post(f"/freelancers/import/{job.pk}/confirm/")
    assert Freelancer.objects.filter(workspace=workspace).count() == 2


def test_all_or_nothing_when_an_email_was_taken_after_the_preview(workspace, owner):
    job = imports.freelancer_import_preview(workspace=workspace, actor=owner, uploaded_file=upload("p.csv", GOOD))
    freelancer_services.freelancer_create(workspace=workspace, name="Bo", email="bo@example.com")

    imports.freelancer_import_confirm(job=job, actor=owner)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "email")]
    assert not Freelancer.objects.filter(email="ana@example.com").exists()


def test_another_workspaces_import_is_404(client, outsider, workspace, owner):
    job = imports.freelancer_import_preview(workspace=workspace, actor=owner, uploaded_file=upload("p.csv", GOOD))
    client.force_login(outsider)
    assert client.get(f"/freelancers/import/{job.pk}/").status_code == 404
    assert client.post(f"/freelancers/import/{job.pk}/confirm/").status_code == 404
    assert not Freelancer.objects.exists()


def test_the_upload_form_names_a_missing_file(owner_client):
    response = owner_client.post("/freelancers/import/", {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_a_large_import_whose_worker_never_started_is_queued_again_when_looked_at(
        workspace, owner, owner_client, celery_eager):
    rows = "name,email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(imports.ASYNC_ROWS + 1))
    job = imports.freelancer_import_preview(workspace=workspace, actor=owner, uploaded_file=upload("big.csv", rows))
    imports.freelancer_import_confirm(job=job, actor=owner)  # its enqueue is lost (never committed here)
    assert not Freelancer.objects.filter(workspace=workspace).exists()
    FreelancerImport.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(minutes=5))

    owner_client.get(f"/freelancers/import/{job.pk}/progress/")  # the page's poll

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Freelancer.objects.filter(workspace=workspace).count() == imports.ASYNC_ROWS + 1


def _run_counting(workspace, owner, rows, django_assert_num_queries, expected):
    text = "name,email,rate\n" + "".join(f"P{i},p{i}@example.com,{40 + i % 9}\n" for i in range(rows))
    job = imports.freelancer_import_preview(workspace=workspace, actor=owner, uploaded_file=upload("p.csv", text))
    FreelancerImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    with django_assert_num_queries(expected):
        imports.freelancer_import_run(import_id=job.pk)
    assert Freelancer.objects.filter(workspace=workspace).count() == rows


def test_an_import_reads_the_pool_once_and_writes_only_its_progress_per_chunk(workspace, owner,
                                                                              django_assert_num_queries):
    # The job (1), the emails already in the pool, for the whole file (1), the progress after
    # each chunk of rows checked, then in one transaction (savepoint in a test) the "done"
    # mark and one INSERT each of freelancers, their events and rate histories: no query per
    # row, whatever the size.
    fixed = 1 + 1 + 2 + 1 + 3
    _run_counting(workspace, owner, 2 * imports.CHUNK, django_assert_num_queries, fixed + 2)
    Freelancer.objects.filter(workspace=workspace).delete()
    _run_counting(workspace, owner, 4 * imports.CHUNK, django_assert_num_queries, fixed + 4)
