"""The signed agreement's PDF and the emails that carry it, after the second signature.

Rendering takes WeasyPrint 0.3–1 s, so it is not done inside the signing transaction (which holds
the agreement's and the engagement's row locks): the signature commits, then `on_commit` queues
`signed_copies_make`, which renders outside any transaction and stores the PDF once, then emails
both sides with it attached. Once: the worker that inserts the claim row renders (a claim left
by a worker that died is taken over after CLAIM_TIMEOUT by a conditional UPDATE); the emails'
dedupe keys send each once however often the task runs. The sweep re-queues signed versions
whose PDF was never made (the broker was down at the commit, a worker died).
"""

import base64
import logging
from datetime import timedelta

from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..agreement_pdf import PdfUnavailable, agreement_pdf, pdf_filename
from ..emails import notify_freelancer, notify_owners
from ..models import Agreement, AgreementSignature, SignedAgreementPdf, SignerSide
from ..selectors.agreement import agreement_with_status

logger = logging.getLogger(__name__)

MAKE_TASK = "engagements.tasks.agreement_signed_copies"
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep leaves alone what was signed this recently: its on_commit task is on its way.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 100


def signed_copies_enqueue(agreement_id):
    """Queue the PDF and the emails (called on commit of the second signature)."""
    try:
        current_app.tasks[MAKE_TASK].delay(agreement_id)
    except Exception:  # broker down: the sweep finds the signed version without its PDF
        logger.warning("Could not queue the signed PDF of agreement %s; the sweep will", agreement_id, exc_info=True)


def _claim(agreement_id, now):
    """True when this worker is to render: it inserted the claim, or took over a stale one."""
    try:
        with transaction.atomic():
            SignedAgreementPdf.objects.create(agreement_id=agreement_id, claimed_at=now)
        return True
    except IntegrityError:
        return bool(SignedAgreementPdf.objects.filter(agreement_id=agreement_id, made_at__isnull=True,
                                                      claimed_at__lt=now - CLAIM_TIMEOUT).update(claimed_at=now))


def signed_copies_make(agreement_id):
    """Make the signed version's PDF (once) and email it to both sides. Returns True when the
    PDF exists (made now or before), False when another worker is still making it."""
    found = Agreement.objects.filter(pk=agreement_id).first()
    if found is None:
        return False
    agreement = agreement_with_status(found)
    if len(agreement.by_side) < len(SignerSide.values):
        return False
    now = timezone.now()
    if _claim(agreement_id, now):
        try:
            content = agreement_pdf(agreement)
        except PdfUnavailable:
            logger.warning("Agreement %s signed but its PDF cannot be made here; emailed without it.", agreement_id)
            content = None
        SignedAgreementPdf.objects.filter(agreement_id=agreement_id, claimed_at=now, made_at__isnull=True).update(
            content=content, made_at=timezone.now())
    made = SignedAgreementPdf.objects.filter(agreement_id=agreement_id, made_at__isnull=False).first()
    if made is None:
        return False
    _send(agreement, None if made.content is None else bytes(made.content))
    return True


def _send(agreement, content):
    """Both sides get the signed PDF (or, where PDFs cannot be made, the link to download it)."""
    engagement = agreement.engagement
    attachments = None if content is None else [{
        "filename": pdf_filename(agreement), "mimetype": "application/pdf", "encoding": "base64",
        "content": base64.b64encode(content).decode("ascii")}]
    context = {"version": agreement.version, "both": True, "attached": bool(attachments),
               "sha256": agreement.document_sha256}
    key = f"agreement-signed:{agreement.pk}:both"
    with transaction.atomic():
        notify_owners(engagement, kind="agreement_signed", key=key, page="agreements", context=context,
                      attachments=attachments)
        notify_freelancer(engagement, kind="agreement_signed", key=f"{key}:freelancer", page="agreement",
                          context={**context, "workspace_name": engagement.workspace.name}, attachments=attachments)


def signed_copies_sweep(now=None):
    """Queue again the signed versions whose PDF was never made. Returns how many."""
    now = now or timezone.now()
    signed = {side: AgreementSignature.objects.filter(agreement=OuterRef("pk"), side=side) for side in SignerSide}
    recent = AgreementSignature.objects.filter(agreement=OuterRef("pk"), signed_at__gt=now - SWEEP_GRACE)
    handled = SignedAgreementPdf.objects.filter(Q(made_at__isnull=False) | Q(claimed_at__gte=now - CLAIM_TIMEOUT),
                                                agreement=OuterRef("pk"))
    ids = list(Agreement.objects.filter(Exists(signed[SignerSide.OWNER]), Exists(signed[SignerSide.FREELANCER]))
               .filter(~Exists(recent), ~Exists(handled)).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for agreement_id in ids:
        signed_copies_enqueue(agreement_id)
    return len(ids)

