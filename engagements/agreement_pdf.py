"""The signed agreement as a PDF: the document both sides read (the same partial the pages show),
then an audit page (who signed, when, from which address and browser, and the document's SHA-256).

WeasyPrint needs the Pango and cairo system libraries. It is imported only when a PDF is made, so
the app runs where they are missing; the PDF link then says what to install (`PdfUnavailable`).
"""

import datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .models import SignedAgreementPdf

INSTALL_HINT = ("PDFs need WeasyPrint and its system libraries: pip install weasyprint, and on Debian or "
                "Ubuntu apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 (macOS: "
                "brew install pango).")


class PdfUnavailable(Exception):
    """WeasyPrint or its libraries are missing on this machine."""

    def __init__(self, detail=""):
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))


def _weasyprint():
    try:
        import weasyprint  # noqa: PLC0415 - imported lazily: it loads Pango, which may be missing
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc).splitlines()[0][:200]) from exc
    return weasyprint


def load_weasyprint():
    """WeasyPrint, or PdfUnavailable saying what to install (every PDF of the app goes through it)."""
    return _weasyprint()


def pdf_available():
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def agreement_pdf(agreement):
    """The PDF of an agreement (with `.by_side` and `.status`, selectors.agreement_with_status)."""
    weasyprint = _weasyprint()
    with timezone.override(datetime.UTC):  # the audit page writes every time in UTC
        html = render_to_string("engagements/agreements/pdf.html", {
            "agreement": agreement, "engagement": agreement.engagement,
            "signatures": [agreement.by_side.get(side) for side in ("owner", "freelancer")],
        })
    # The document loads nothing from anywhere (its styles are inline, the sanitiser lets no image
    # or stylesheet through): a fetcher that allows no protocol at all holds that even if it did.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def agreement_pdf_bytes(agreement):
    """The PDF as downloaded: a signed version's, as made once after its second signature
    (services.signed_copies), else rendered now (a version not yet signed, or not made yet)."""
    stored = (SignedAgreementPdf.objects.filter(agreement_id=agreement.pk, content__isnull=False)
              .values_list("content", flat=True).first())
    return bytes(stored) if stored is not None else agreement_pdf(agreement)


def pdf_filename(agreement):
    return f"agreement-{agreement.engagement_id}-v{agreement.version}.pdf"


def pdf_response(agreement):
    """The PDF as a download, or 503 with what to install."""
    try:
        content = agreement_pdf_bytes(agreement)
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(agreement)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
