"""The signed PDF is made after the second signature commits, not inside its transaction: signing
stays fast, the PDF is rendered and stored once however often (or at once) its task runs, both
emails carry that PDF, and a version signed while the broker was down is picked up by the sweep."""

import base64
import io
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from engagements.agreement_pdf import agreement_pdf
from engagements.models import SignedAgreementPdf, SignerSide
from engagements.selectors import agreement_with_status
from engagements.services import signed_copies
from engagements.services.agreement import agreement_sign
from notifications.models import Notification

pytestmark = [pytest.mark.postgres]


def _sign(agreement, side, owner, freelancer):
    name, user, signer = ((owner.full_name, owner, None) if side == SignerSide.OWNER
                          else (freelancer.name, None, freelancer))
    return agreement_sign(agreement_id=agreement.pk, side=side, full_name=name, agree=True, user=user,
                          document_sha256=agreement.document_sha256, freelancer=signer, ip="198.51.100.9")


def _signed_emails():
    return Notification.objects.filter(kind="agreement_signed", dedupe_key__contains=":both")


@pytest.mark.django_db
def test_signing_commits_without_making_the_pdf(sent, owner, freelancer, django_capture_on_commit_callbacks):
    _sign(sent, SignerSide.OWNER, owner, freelancer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = time.perf_counter()
        signed = _sign(sent, SignerSide.FREELANCER, owner, freelancer)
        signing = time.perf_counter() - started
    assert signed.status == "signed"
    assert not SignedAgreementPdf.objects.exists() and not _signed_emails().exists()  # nothing under the locks
    assert callbacks  # the PDF is queued for after the commit
    started = time.perf_counter()
    agreement_pdf(agreement_with_status(sent))
    rendering = time.perf_counter() - started
    assert signing < rendering  # the slow part is no longer in the signer's transaction


@pytest.mark.django_db
def test_the_emails_carry_the_pdf_made_once(sent, owner, freelancer, owner_client, django_capture_on_commit_callbacks,
                                            celery_eager):
    _sign(sent, SignerSide.OWNER, owner, freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        _sign(sent, SignerSide.FREELANCER, owner, freelancer)
    stored = bytes(SignedAgreementPdf.objects.get(agreement=sent).content)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(stored)).pages).split())
    assert "Olivia Owner" in text and freelancer.name in text and sent.document_sha256 in text.replace(" ", "")
    emails = list(_signed_emails())
    assert {n.recipient_email for n in emails} == {"owner@example.com", freelancer.email}
    assert all(base64.b64decode(n.attachments[0]["content"]) == stored for n in emails)
    download = owner_client.get(reverse("engagements:agreement_pdf", kwargs={"pk": sent.engagement_id,
                                                                             "agreement_pk": sent.pk}))
    assert download.content == stored  # served as made, not rendered again

    assert signed_copies.signed_copies_make(sent.pk) is True  # a redelivered task: nothing new
    assert SignedAgreementPdf.objects.count() == 1 and _signed_emails().count() == 2


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_render_the_pdf_once(sent, owner, freelancer, monkeypatch):
    # The commit's own task is kept from the broker: a Celery worker the test session runs would
    # otherwise render it first, and the four below would have nothing left to race for.
    queued = []
    monkeypatch.setattr("engagements.services.agreement.signed_copies_enqueue", queued.append)
    _sign(sent, SignerSide.OWNER, owner, freelancer)
    _sign(sent, SignerSide.FREELANCER, owner, freelancer)
    assert queued == [sent.pk]
    renders = []
    real = signed_copies.agreement_pdf
    monkeypatch.setattr(signed_copies, "agreement_pdf", lambda agreement: renders.append(1) or real(agreement))
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            signed_copies.signed_copies_make(sent.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(renders) == 1
    row = SignedAgreementPdf.objects.get()
    assert row.made_at is not None and bytes(row.content)[:5] == b"%PDF-"
    assert _signed_emails().count() == 2  # the worker that rendered sends; the others find them sent


@pytest.mark.django_db
def test_the_sweep_makes_what_the_broker_never_got(sent, owner, freelancer, django_capture_on_commit_callbacks,
                                                   celery_eager):
    _sign(sent, SignerSide.OWNER, owner, freelancer)
    with django_capture_on_commit_callbacks(execute=False):  # the commit's task is lost
        _sign(sent, SignerSide.FREELANCER, owner, freelancer)
    assert signed_copies.signed_copies_sweep() == 0  # just signed: its own task may still come
    later = timezone.now() + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_copies.signed_copies_sweep(now=later) == 1
    assert SignedAgreementPdf.objects.get(agreement=sent).made_at is not None and _signed_emails().count() == 2
    assert signed_copies.signed_copies_sweep(now=later) == 0
