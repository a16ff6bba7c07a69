"""Tax details, invoices and credit notes.

- `tax_details_save`: a workspace's or a freelancer's legal name, address, country and tax id
  (checked for its country, payments.tax).
- `invoice_issue`: the invoice for one ledger transaction that paid the freelancer, issued by the
  freelancer from the portal (or the API), or by the app in their name when the engagement's
  current agreement, signed by both sides, has the self-billing clause (`invoice_self_bill`,
  called by the ledger's `post` in the payment's own transaction, so the payment and its invoice
  commit together; the invoice names that agreement version). Whether a payment is self-billed
  is decided when it is made: a payment left without an invoice is the freelancer's to invoice.
- `credit_note_issue`: a credit note correcting an invoice, never for more than is left of it.
- `credit_note_for_refund`: the one the app issues when released money is refunded.

Numbers come from the issuer's counter row for the year, locked with SELECT … FOR UPDATE in the
issuing transaction: sequential, no gap, no duplicate, whatever runs at the same time.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from engagements.selectors.agreement import self_billing_agreement

from .. import emails
from ..errors import InvalidInput, NotAllowed, StateConflict
from ..models import (
    MAX_TAX_RATE_BP,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    TaxDetails,
    Transaction,
)
from ..money import format_money
from ..roles import is_engagement_freelancer, require_owner
from ..selectors.invoices import INVOICED_KINDS, Line, creditable, invoice_lines_for
from ..tax import normalize_tax_id, split_gross, tax_treatment


# --- Tax details ------------------------------------------------------------------------------
def tax_details_save(*, legal_name, address, country, tax_id="", tax_rate_bp=None, workspace=None, freelancer=None):
    """Create or replace one side's tax details. A tax id invalid for its country is a
    ValidationError on `tax_id`; nothing is saved."""
    country = (country or "").strip().upper()
    errors = {}
    if not (legal_name or "").strip():
        errors["legal_name"] = "Enter the legal name that goes on invoices."
    if not (address or "").strip():
        errors["address"] = "Enter the postal address that goes on invoices."
    if len(country) != 2 or not country.isalpha():
        errors["country"] = "Enter the country as its two-letter ISO code, e.g. DE."
    if errors:
        raise ValidationError(errors)
    tax_id = normalize_tax_id(country, tax_id)
    if tax_rate_bp is not None and not 0 <= tax_rate_bp <= MAX_TAX_RATE_BP:
        raise ValidationError({"tax_rate": "A tax rate is between 0 and 100 %."})
    owner = {"workspace": workspace} if workspace is not None else {"freelancer": freelancer}
    values = {"legal_name": legal_name.strip(), "address": address.strip(), "country": country, "tax_id": tax_id}
    if tax_rate_bp is not None:
        values["tax_rate_bp"] = tax_rate_bp
    details, _ = TaxDetails.objects.update_or_create(**owner, defaults=values)
    return details


# --- Issuing ----------------------------------------------------------------------------------
def _next_number(freelancer, year):
    """The next number of the issuer's series for `year`, taken under the counter row's lock."""
    try:
        with transaction.atomic():  # a savepoint: a concurrent first issue may insert the row first
            InvoiceCounter.objects.get_or_create(freelancer=freelancer, year=year)
    except IntegrityError:
        pass
    counter = InvoiceCounter.objects.select_for_update().get(freelancer=freelancer, year=year)
    InvoiceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    sequence = counter.last_number + 1
    return sequence, f"{year}-{sequence:04d}"


def _parties(engagement):
    """(issuer, recipient) as dicts of what goes on the invoice: each side's tax details, or
    its name and country when it has not entered them."""
    freelancer, workspace = engagement.freelancer, engagement.workspace
    mine = TaxDetails.objects.filter(freelancer=freelancer).first()
    theirs = TaxDetails.objects.filter(workspace=workspace).first()
    issuer = ({"legal_name": mine.legal_name, "address": mine.address, "country": mine.country,
               "tax_id": mine.tax_id, "rate": mine.tax_rate_bp} if mine else
              {"legal_name": freelancer.name, "address": "", "country": (freelancer.country or "").upper(),
               "tax_id": "", "rate": 0})
    recipient = ({"legal_name": theirs.legal_name, "address": theirs.address, "country": theirs.country,
                  "tax_id": theirs.tax_id} if theirs else
                 {"legal_name": workspace.name, "address": "", "country": "", "tax_id": ""})
    return issuer, recipient


def _write(*, engagement, kind, lines, rate_bp, actor, self_billed, tx=None, corrects=None, note="", agreement=None):
    """Number, snapshot and store one invoice or credit note with its lines."""
    issuer, recipient = _parties(engagement)
    if corrects is not None:  # a credit note states what its invoice stated
        rate, reverse, tax_note = corrects.tax_rate_bp, corrects.reverse_charge, corrects.tax_note
    else:
        rate, reverse, tax_note = tax_treatment(
            issuer_country=issuer["country"], issuer_tax_id=issuer["tax_id"], recipient_country=recipient["country"],
            recipient_tax_id=recipient["tax_id"], rate_bp=issuer["rate"] if rate_bp is None else rate_bp)
    split = [split_gross(line.amount, rate) for line in lines]
    today = timezone.localdate()
    sequence, number = _next_number(engagement.freelancer, today.year)
    invoice = Invoice.objects.create(
        workspace=engagement.workspace, freelancer=engagement.freelancer, engagement=engagement, transaction=tx,
        kind=kind, corrects=corrects, number=number, year=today.year, sequence=sequence, self_billed=self_billed,
        issued_on=today, issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{f"issuer_{k}": v for k, v in issuer.items() if k != "rate"},
        **{f"recipient_{k}": v for k, v in recipient.items()},
        currency=engagement.currency, tax_rate_bp=rate, reverse_charge=reverse, tax_note=tax_note,
        net_total=sum(net for net, _ in split), tax_total=sum(tax for _, tax in split),
        total=sum(line.amount for line in lines), note=note, self_billing_agreement=agreement,
    )
    invoice.issued_lines = InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=i, description=line.description[:300], net_amount=net,
                    amount=line.amount)
        for i, (line, (net, _)) in enumerate(zip(lines, split, strict=True), start=1)
    ])
    audit_record(workspace=engagement.workspace, action=f"money.{kind}", actor=actor, obj=invoice,
                 detail=f"{invoice} for {invoice.total} minor units {invoice.currency}"
                        + (f", transaction {tx.pk}" if tx else f", correcting {corrects.number}") + ".")
    emails.invoice_issued(invoice=invoice)
    return invoice


def _issue_for(tx, *, actor, self_billed, tax_rate_bp=None, agreement=None):
    engagement = tx.engagement
    existing = Invoice.objects.filter(transaction=tx, kind=InvoiceKind.INVOICE).first()
    if existing is not None:
        raise StateConflict(f"This payment is already invoiced: invoice {existing.number}"
                            + (", issued by the app under the signed self-billing clause." if existing.self_billed
                               else "."))
    lines = invoice_lines_for(tx)
    if not lines:
        raise InvalidInput("This transaction paid the freelancer nothing, so there is nothing to invoice.",
                           field="transaction")
    try:
        with transaction.atomic():
            return _write(engagement=engagement, kind=InvoiceKind.INVOICE, lines=lines, rate_bp=tax_rate_bp,
                          actor=actor, self_billed=self_billed, tx=tx, agreement=agreement)
    except IntegrityError as exc:  # the same payment invoiced by a concurrent request
        raise StateConflict("This payment was invoiced at the same moment by another request.") from exc


def invoice_issue(*, transaction_id, actor, tax_rate_bp=None):
    """The freelancer issues the invoice for one of their payments that the app did not self-bill
    (one made while no signed agreement had the self-billing clause). Someone else's payment is
    NotAllowed (404)."""
    if tax_rate_bp is not None and not 0 <= tax_rate_bp <= MAX_TAX_RATE_BP:
        raise InvalidInput("A tax rate is between 0 and 100 %.", field="tax_rate")
    with transaction.atomic():
        tx = (Transaction.objects.select_for_update(of=("self",))
              .select_related("engagement__freelancer", "engagement__workspace", "milestone")
              .filter(pk=transaction_id, engagement__isnull=False).first())
        if tx is None or not is_engagement_freelancer(tx.engagement, actor):
            raise NotAllowed("No such payment of yours.")
        if not TaxDetails.objects.filter(freelancer=tx.engagement.freelancer).exists():
            raise InvalidInput("Add your tax details (legal name, address, country) before issuing invoices.",
                               field="tax_details")
        return _issue_for(tx, actor=actor, self_billed=False, tax_rate_bp=tax_rate_bp)


def invoice_self_bill(tx, agreement=None):
    """Called by the ledger for every transaction it posts: where the engagement's signed current
    agreement has the self-billing clause, a payment to the freelancer gets its invoice, naming
    that agreement, in the same database transaction."""
    if tx.engagement_id is None or tx.kind not in INVOICED_KINDS or not tx.engagement.self_billed:
        return None
    agreement = agreement or self_billing_agreement(tx.engagement_id)
    if agreement is None:
        return None
    return _issue_for(tx, actor=tx.actor, self_billed=True, agreement=agreement)


def invoices_self_bill_many(transaction_ids):
    """The same for a sweep's batch (payments.services.bulk): only the self-billed engagements'
    transactions are read again, so a batch with none costs one query."""
    txs = (Transaction.objects.filter(pk__in=transaction_ids, kind__in=INVOICED_KINDS, engagement__self_billed=True)
           .select_related("engagement__freelancer", "engagement__workspace", "milestone", "actor").order_by("pk"))
    return [invoice_self_bill(tx) for tx in txs]


# --- Credit notes -----------------------------------------------------------------------------
def credit_note_issue(*, invoice, actor, amount, reason):
    """Correct an issued invoice by `amount` (minor units, at most what is left of it). The
    invoice's issuer side acts: the owner for a self-billed invoice, else the freelancer."""
    reason = (reason or "").strip()
    with transaction.atomic():
        # The lock serialises credit notes on one invoice (the row itself never changes).
        original = Invoice.objects.select_for_update(of=("self",)).select_related(
            "engagement__freelancer", "engagement__workspace").get(pk=invoice.pk)
        if original.kind != InvoiceKind.INVOICE:
            raise InvalidInput("A credit note corrects an invoice, not another credit note.", field="invoice")
        if original.self_billed:
            require_owner(original.workspace, actor, "Only the workspace owner corrects a self-billed invoice.")
        elif not is_engagement_freelancer(original.engagement, actor):
            raise NotAllowed("Only the freelancer who issued this invoice can correct it.")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidInput("Enter a positive amount to credit.", field="amount")
        if not reason:
            raise InvalidInput("Say why the invoice is corrected.", field="reason")
        left = creditable(original)
        if amount > left:
            raise InvalidInput(f"At most {format_money(left, original.currency)} is left to credit on invoice "
                               f"{original.number}; {format_money(amount, original.currency)} is too much.",
                               field="amount")
        line = Line(f"Correction of invoice {original.number}: {reason}", amount)
        return _write(engagement=original.engagement, kind=InvoiceKind.CREDIT_NOTE, lines=[line], rate_bp=None,
                      actor=actor, self_billed=original.self_billed, corrects=original, note=reason[:300],
                      agreement=original.self_billing_agreement)


def credit_note_for_refund(*, milestone, amount, reason):
    """Money released on `milestone` was refunded after release: its release's invoice (when one
    was issued) is credited by that much (at most what is left of it), in the refund's own
    database transaction. Issued by the app for whoever issued the invoice."""
    original = (Invoice.objects.select_for_update(of=("self",)).select_related("engagement__freelancer")
                .filter(kind=InvoiceKind.INVOICE, transaction__milestone=milestone,
                        transaction__kind__in=INVOICED_KINDS).order_by("pk").first())
    if original is None:
        return None
    amount = min(amount, creditable(original))
    if amount <= 0:
        return None
    line = Line(f"Correction of invoice {original.number}: {reason}"[:300], amount)
    return _write(engagement=original.engagement, kind=InvoiceKind.CREDIT_NOTE, lines=[line], rate_bp=None,
                  actor=None, self_billed=original.self_billed, corrects=original, note=reason[:300],
                  agreement=original.self_billing_agreement)
