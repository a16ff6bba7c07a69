"""An invoice as files: the PDF (WeasyPrint, from the same HTML template the pages use for the
document; like the agreement's, it needs Pango and answers 503 with what to install where it
is missing), the CSV (one row per line) and the UBL 2.1 XML (payments.ubl)."""

import datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.csv_export import csv_download
from engagements.agreement_pdf import PdfUnavailable, load_weasyprint
from freelancers.money import major_text

from .ubl import ubl_xml

CSV_HEADER = ["document", "number", "issued_on", "engagement", "issuer", "issuer_tax_id", "recipient",
              "recipient_tax_id", "corrects", "line", "description", "net_amount", "tax_rate_percent",
              "reverse_charge", "amount", "currency"]


def filename(invoice, extension):
    return f"{invoice.kind.replace('_', '-')}-{invoice.number}.{extension}"


def invoice_pdf(invoice):
    """The PDF bytes of an invoice (with `lines` prefetched or not)."""
    weasyprint = load_weasyprint()
    with timezone.override(datetime.UTC):
        html = render_to_string("payments/invoices/pdf.html", {"invoice": invoice, "lines": invoice.lines.all()})
    # Nothing to load from anywhere: a fetcher that allows no protocol holds that.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def _attachment(content, content_type, name):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(invoice):
    """The PDF as a download, or 503 saying what to install."""
    try:
        content = invoice_pdf(invoice)
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _attachment(content, "application/pdf", filename(invoice, "pdf"))


def csv_response(invoice):
    response, writer = csv_download(filename(invoice, "csv"), CSV_HEADER)
    for line in invoice.lines.all():
        writer.writerow([
            invoice.get_kind_display(), invoice.number, invoice.issued_on.isoformat(), invoice.engagement.title,
            invoice.issuer_legal_name,
            invoice.issuer_tax_id, invoice.recipient_legal_name, invoice.recipient_tax_id,
            invoice.corrects.number if invoice.corrects_id else "", line.position, line.description,
            major_text(line.net_amount, invoice.currency), invoice.tax_rate_percent,
            "yes" if invoice.reverse_charge else "no", major_text(line.amount, invoice.currency), invoice.currency,
        ])
    return response


def ubl_response(invoice):
    return _attachment(ubl_xml(invoice), "application/xml", filename(invoice, "xml"))


FILES = {"pdf": pdf_response, "csv": csv_response, "xml": ubl_response}


def invoice_file_response(invoice, fmt):
    """The invoice as a download in `fmt` (pdf, csv or xml: the formats both sides' pages offer)."""
    return FILES[fmt](invoice)
