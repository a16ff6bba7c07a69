"""An invoice or credit note as UBL 2.1 XML to the European standard EN 16931 (e-invoicing).

One document per issued invoice: `Invoice` (type 380, or 389 when self-billed) or `CreditNote`
(381, or 261 when self-billed) with CustomizationID `urn:cen.eu:en16931:2017`, the parties as
they were snapshotted at issue, one VAT breakdown (standard rate S, reverse charge AE, or not
subject to tax O), the totals and one line per invoice line. The money was paid before the
invoice was issued, so an invoice states it as prepaid and payable 0; a credit note states its
total as payable back. Elements are written in the order the UBL 2.1 schema requires (the tests
validate the output against the OASIS XSD).
"""

from xml.etree import ElementTree as ET

from freelancers.money import major_text

from .models import InvoiceKind

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
TYPE_CODES = {(InvoiceKind.INVOICE, False): "380", (InvoiceKind.INVOICE, True): "389",
              (InvoiceKind.CREDIT_NOTE, False): "381", (InvoiceKind.CREDIT_NOTE, True): "261"}

for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


def _el(parent, tag, text=None, **attrs):
    prefix, name = tag.split(":")
    element = ET.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = str(text)
    return element


def _amount(parent, tag, minor, currency):
    return _el(parent, tag, major_text(minor, currency), currencyID=currency)


def _tax_category(parent, tag, invoice):
    category = _el(parent, tag)
    if invoice.reverse_charge:
        _el(category, "cbc:ID", "AE")
        _el(category, "cbc:Percent", "0")
    elif invoice.tax_rate_bp:
        _el(category, "cbc:ID", "S")
        _el(category, "cbc:Percent", invoice.tax_rate_percent)
    else:
        _el(category, "cbc:ID", "O")
    return category


def _party(parent, tag, *, name, address, country, tax_id):
    party = _el(_el(parent, tag), "cac:Party")
    _el(_el(party, "cac:PartyName"), "cbc:Name", name)
    postal = _el(party, "cac:PostalAddress")
    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if lines:
        _el(postal, "cbc:StreetName", lines[0])
    if len(lines) > 2:
        _el(postal, "cbc:AdditionalStreetName", lines[1])
    if len(lines) > 1:
        _el(postal, "cbc:CityName", lines[-1])
    for extra in lines[2:-1]:
        _el(_el(postal, "cac:AddressLine"), "cbc:Line", extra)
    if country:
        _el(_el(postal, "cac:Country"), "cbc:IdentificationCode", country.upper())
    if tax_id:
        scheme = _el(party, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", tax_id)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    _el(_el(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", name)


def _header(root, invoice, credit):
    _el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _el(root, "cbc:ID", invoice.number)
    _el(root, "cbc:IssueDate", invoice.issued_on.isoformat())
    _el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode",
        TYPE_CODES[(invoice.kind, invoice.self_billed)])
    for note in (invoice.tax_note, invoice.note):
        if note:
            _el(root, "cbc:Note", note)
    _el(root, "cbc:DocumentCurrencyCode", invoice.currency)
    _el(root, "cbc:BuyerReference", f"engagement {invoice.engagement_id}")
    if credit:
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", invoice.corrects.number)
        _el(reference, "cbc:IssueDate", invoice.corrects.issued_on.isoformat())


def _totals(root, invoice, credit):
    currency = invoice.currency
    tax_total = _el(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", invoice.tax_total, currency)
    subtotal = _el(tax_total, "cac:TaxSubtotal")
    _amount(subtotal, "cbc:TaxableAmount", invoice.net_total, currency)
    _amount(subtotal, "cbc:TaxAmount", invoice.tax_total, currency)
    category = _tax_category(subtotal, "cac:TaxCategory", invoice)
    if invoice.reverse_charge:
        _el(category, "cbc:TaxExemptionReasonCode", "VATEX-EU-AE")
        _el(category, "cbc:TaxExemptionReason", "Reverse charge")
    elif not invoice.tax_rate_bp:
        _el(category, "cbc:TaxExemptionReasonCode", "VATEX-EU-O")
        _el(category, "cbc:TaxExemptionReason", "Not subject to VAT")
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    money = _el(root, "cac:LegalMonetaryTotal")
    _amount(money, "cbc:LineExtensionAmount", invoice.net_total, currency)
    _amount(money, "cbc:TaxExclusiveAmount", invoice.net_total, currency)
    _amount(money, "cbc:TaxInclusiveAmount", invoice.total, currency)
    prepaid = 0 if credit else invoice.total  # an invoice here always follows the payment
    _amount(money, "cbc:PrepaidAmount", prepaid, currency)
    _amount(money, "cbc:PayableAmount", invoice.total - prepaid, currency)


def _line(root, invoice, line, credit):
    row = _el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    _el(row, "cbc:ID", line.position)
    _el(row, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", "1", unitCode="C62")
    _amount(row, "cbc:LineExtensionAmount", line.net_amount, invoice.currency)
    item = _el(row, "cac:Item")
    _el(item, "cbc:Name", line.description[:200])
    category = _tax_category(item, "cac:ClassifiedTaxCategory", invoice)
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    _amount(_el(row, "cac:Price"), "cbc:PriceAmount", line.net_amount, invoice.currency)


def ubl_xml(invoice):
    """The UBL document of an issued invoice or credit note, as UTF-8 bytes."""
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    root = ET.Element(f"{{{CREDIT_NOTE_NS if credit else INVOICE_NS}}}{'CreditNote' if credit else 'Invoice'}")
    _header(root, invoice, credit)
    _party(root, "cac:AccountingSupplierParty", name=invoice.issuer_legal_name, address=invoice.issuer_address,
           country=invoice.issuer_country, tax_id=invoice.issuer_tax_id)
    _party(root, "cac:AccountingCustomerParty", name=invoice.recipient_legal_name,
           address=invoice.recipient_address, country=invoice.recipient_country, tax_id=invoice.recipient_tax_id)
    _totals(root, invoice, credit)
    for line in invoice.lines.all():
        _line(root, invoice, line, credit)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
