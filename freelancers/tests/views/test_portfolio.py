"""Samples and testimonials: uploads checked by content, stored under generated names, served
only through a view that checks the workspace."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from freelancers import models as m
from freelancers.models import ReferenceStatus, Sample
from freelancers.services import portfolio as services
from freelancers.tests.factories import EXE, PDF, PNG, ReferenceFactory


def upload(client, freelancer, name, content, **extra):
    data = {"title": "Brand book", "description": "For a bakery", "file": SimpleUploadedFile(name, content), **extra}
    return client.post(reverse("freelancers:sample_add", args=[freelancer.pk]), data)


def test_an_upload_is_stored_under_a_generated_name(owner_client, freelancer, media):
    response = upload(owner_client, freelancer, "../../etc/Brand book.pdf", PDF)
    assert response.status_code == 302
    sample = Sample.objects.get()
    assert sample.content_type == "application/pdf" and sample.size == len(PDF)
    assert sample.original_filename.endswith("Brand book.pdf")
    assert sample.file.name.startswith(f"samples/{freelancer.workspace_id}/") and sample.file.name.endswith(".pdf")
    assert "Brand" not in sample.file.name and ".." not in sample.file.name
    assert (media / sample.file.name).read_bytes() == PDF


def test_the_download_is_an_attachment_with_nosniff(owner_client, freelancer, media):
    upload(owner_client, freelancer, "board.png", PNG)
    sample = Sample.objects.get()
    response = owner_client.get(reverse("freelancers:sample_download", args=[sample.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;") and "board.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_another_workspace_cannot_download(outsider_client, freelancer, media):
    sample = services.sample_add(freelancer=freelancer, title="Board", upload=SimpleUploadedFile("b.png", PNG))
    assert outsider_client.get(reverse("freelancers:sample_download", args=[sample.pk])).status_code == 404


def test_anonymous_visitors_cannot_download(client, owner, freelancer, media):
    client.force_login(owner)
    upload(client, freelancer, "board.png", PNG)
    client.logout()
    response = client.get(reverse("freelancers:sample_download", args=[Sample.objects.get().pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name,content,message", [
    ("photo.png", PDF, "named like a PNG image, but it looks like a PDF"),
    ("report.pdf", EXE, "not a format we accept"),
    ("tool.exe", EXE, "are not accepted"),
    ("notes.txt", b"\x00\x01binary", "not a format we accept"),
    ("noext", PNG, "are not accepted"),
])
def test_a_file_that_is_not_what_it_claims_is_a_field_error(owner_client, freelancer, media, name, content, message):
    response = upload(owner_client, freelancer, name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Sample.objects.exists()
    assert not (media / "samples").exists() or not any((media / "samples").rglob("*.*"))


def test_a_file_over_the_limit_is_a_field_error(owner_client, freelancer, media, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = upload(owner_client, freelancer, "big.txt", b"a" * 1025)
    assert "the limit is 1.0\xa0KB" in " ".join(response.context["form"].errors["file"])
    assert not Sample.objects.exists()
    assert upload(owner_client, freelancer, "ok.txt", b"a" * 1024).status_code == 302


def test_a_link_only_sample(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:sample_add", args=[freelancer.pk]),
                                 {"title": "Site", "url": "https://bakery.example.com"})
    assert response.status_code == 302
    assert Sample.objects.get().url == "https://bakery.example.com"


def test_a_sample_needs_a_link_or_a_file(owner_client, freelancer):
    response = owner_client.post(reverse("freelancers:sample_add", args=[freelancer.pk]), {"title": "Nothing"})
    assert "Give a link, upload a file, or both." in response.content.decode()
    assert not Sample.objects.exists()


def test_removing_a_sample_removes_its_file(owner_client, freelancer, media, django_capture_on_commit_callbacks):
    upload(owner_client, freelancer, "board.png", PNG)
    sample = Sample.objects.get()
    path = media / sample.file.name
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("freelancers:sample_delete", args=[sample.pk]))
    assert not Sample.objects.exists() and not path.exists()


def test_testimonials_can_be_verified_by_a_received_reference(owner_client, freelancer):
    ref = ReferenceFactory(freelancer=freelancer, status=ReferenceStatus.RECEIVED, name="Rita")
    pending = ReferenceFactory(freelancer=freelancer, name="Paula")
    url = reverse("freelancers:testimonial_add", args=[freelancer.pk])
    response = owner_client.post(url, {"quote": "x", "author": "y", "verified_by": pending.pk})
    assert "verified_by" in response.context["form"].errors
    owner_client.post(url, {"quote": "Delivered early.", "author": "Rita", "source": "Email", "verified_by": ref.pk})
    owner_client.post(url, {"quote": "Nice person.", "author": "Tom"})
    assert list(m.Testimonial.objects.order_by("id").values_list("author", "verified_by")) == [
        ("Rita", ref.pk), ("Tom", None)]
    body = owner_client.get(reverse("freelancers:detail", args=[freelancer.pk])).content.decode()
    assert "Verified by Rita" in body and "Not verified" in body
