"""An invoice as files: the PDF's text (read back with pypdf) holds the names, the number and
the amounts; the CSV has one row per line; the UBL 2.1 documents (Invoice and CreditNote)
validate against the OASIS UBL 2.1 XSD shipped in tests/ubl21 (taken from a package that ships
it) and carry the EN 16931 customization."""

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from conftest import service_missing
from engagements.agreement_pdf import pdf_available
from engagements.tests.factories import sign_agreement
from payments import services
from payments.invoice_files import csv_response, invoice_pdf
from payments.services.invoices import credit_note_issue, tax_details_save
from payments.ubl import CUSTOMIZATION_ID, NS, ubl_xml

from .conftest import new_key

pytestmark = pytest.mark.django_db
XSD = Path(__file__).parent / "ubl21" / "maindoc"


@pytest.fixture(scope="session")
def schemas():
    return {name: xmlschema.XMLSchema(str(XSD / f"UBL-{name}-2.1.xsd")) for name in ("Invoice", "CreditNote")}


@pytest.fixture
def invoice(submitted, owner, freelancer, workspace, engagement):
    sign_agreement(engagement, owner)
    submitted.engagement.self_billed = True
    tax_details_save(freelancer=freelancer, legal_name="Frida Freelancer GmbH", country="DE", tax_id="DE136695976",
                     address="Hauptstr. 1\nHinterhaus\n2. OG\n10115 Berlin", tax_rate_bp=1900)
    tax_details_save(workspace=workspace, legal_name="Acme Ltd", address="1 High St\nLondon", country="GB")
    tx = services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    return tx.invoices.get()


def test_the_ubl_invoice_and_credit_note_validate_against_the_ubl_21_schema(invoice, owner, schemas):
    document = ubl_xml(invoice)
    schemas["Invoice"].validate(document)
    root = ET.fromstring(document)
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == CUSTOMIZATION_ID
    assert root.findtext("cbc:ID", namespaces=NS) == invoice.number
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "389"  # self-billed
    assert root.findtext("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=NS) == "1500.00"
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "239.50"
    assert root.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", namespaces=NS) == "S"
    assert root.findtext(".//cac:AccountingSupplierParty//cbc:CompanyID", namespaces=NS) == "DE136695976"
    note = credit_note_issue(invoice=invoice, actor=owner, amount=20_000, reason="Late delivery")
    credit = ubl_xml(note)
    schemas["CreditNote"].validate(credit)
    root = ET.fromstring(credit)
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == invoice.number
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "200.00"
    # A broken document is refused by the same schema: the check can fail.
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schemas["Invoice"].validate(document.replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>x"))


def test_the_csv_has_one_row_per_line(invoice):
    rows = list(csv.DictReader(io.StringIO(csv_response(invoice).content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["number"] == invoice.number and rows[0]["amount"] == "1500.00"
    assert rows[0]["net_amount"] == "1260.50" and rows[0]["tax_rate_percent"] == "19.00"
    assert rows[0]["issuer"] == "Frida Freelancer GmbH" and rows[0]["recipient"] == "Acme Ltd"


def test_the_pdf_holds_names_number_and_amounts(invoice):
    if not pdf_available():
        service_missing("needs WeasyPrint's system libraries (Debian: libpango-1.0-0 libpangoft2-1.0-0)")
    from pypdf import PdfReader  # noqa: PLC0415 - a test-only dependency

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(invoice_pdf(invoice))).pages)
    for expected in (invoice.number, "Frida Freelancer GmbH", "Acme Ltd", "DE136695976", "1,500.00", "239.50",
                     "Home page", "Self-billed"):
        assert expected in text
