"""Invoices: the tax details both sides keep, the per-issuer number series, and the invoices and
credit notes themselves (with their lines).

An invoice hangs from the ledger transaction that paid the money it invoices (a release, a
settled dispute's released part, an approved timesheet, a bonus): one invoice per transaction,
held by a unique constraint. The issuer is always the freelancer (the supplier); the recipient is
the workspace. It is issued either by the app in the freelancer's name (self-billing, when the
engagement says so) or by the freelancer from the portal.

Once issued an invoice never changes: the parties' names, addresses and tax ids are copied onto
it at issue, and on PostgreSQL a trigger refuses UPDATE and DELETE on invoices and their lines
(migration 0005, the same guard as the ledger's). A mistake is corrected by a credit note, an
invoice of kind `credit_note` that `corrects` one, never for more than is left of it.

Amounts are in minor units and include the tax: the amount on the invoice is the money that was
paid; `net_total` + `tax_total` = `total`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

from .ledger import Transaction

MAX_TAX_RATE_BP = 10_000  # 100.00 %, in basis points


class TaxDetails(models.Model):
    """The legal identity one side puts on invoices: a workspace's (the recipient) or a
    freelancer's (the issuer, kept by the freelancer in the portal)."""

    workspace = models.OneToOneField("accounts.Workspace", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="tax_details")
    freelancer = models.OneToOneField("freelancers.Freelancer", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="tax_details")
    legal_name = models.CharField(max_length=200)
    address = models.TextField(max_length=500, help_text="Street, postcode and city, one per line.")
    country = models.CharField(max_length=2, help_text="ISO 3166 two-letter code.")
    tax_id = models.CharField("tax id", max_length=40, blank=True,
                              help_text="VAT or tax number, checked against the country's format.")
    # The issuer's own rate (a freelancer's): what self-billed invoices charge. Basis points.
    tax_rate_bp = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_TAX_RATE_BP)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "tax details"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(workspace__isnull=False, freelancer__isnull=True)
                           | models.Q(workspace__isnull=True, freelancer__isnull=False)),
                name="tax_details_one_owner",
            ),
            models.CheckConstraint(condition=models.Q(tax_rate_bp__lte=MAX_TAX_RATE_BP), name="tax_details_rate"),
        ]

    def __str__(self):
        return self.legal_name


class InvoiceCounter(models.Model):
    """The last number issued in one issuer's series for one year. Issuing locks this row
    (SELECT … FOR UPDATE) inside the issuing transaction, so numbers have no gap and no
    duplicate: a rolled-back issue gives its number back with the rest of its work."""

    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["freelancer", "year"], name="invoice_counter_per_issuer_year"),
        ]

    def __str__(self):
        return f"{self.freelancer} {self.year}: {self.last_number}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class Invoice(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="invoices")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="invoices")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="invoices")
    transaction = models.ForeignKey(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="invoices")
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="credit_notes")
    number = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    self_billed = models.BooleanField(default=False)
    # The signed agreement version whose self-billing clause let the app issue it (self-billed only).
    self_billing_agreement = models.ForeignKey("engagements.Agreement", null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # The parties as they were at issue.
    issuer_legal_name = models.CharField(max_length=200)
    issuer_address = models.TextField(blank=True)
    issuer_country = models.CharField(max_length=2, blank=True)
    issuer_tax_id = models.CharField(max_length=40, blank=True)
    recipient_legal_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True)
    recipient_country = models.CharField(max_length=2, blank=True)
    recipient_tax_id = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    tax_rate_bp = models.PositiveIntegerField(default=0)
    reverse_charge = models.BooleanField(default=False)
    tax_note = models.CharField(max_length=300, blank=True)
    net_total = models.BigIntegerField()
    tax_total = models.BigIntegerField()
    total = models.BigIntegerField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["freelancer", "number"], name="invoice_number_per_issuer"),
            models.UniqueConstraint(fields=["freelancer", "year", "sequence"], name="invoice_sequence_per_issuer"),
            # One invoice per money transaction: issuing twice is refused by the database too.
            models.UniqueConstraint(fields=["transaction"], condition=models.Q(kind="invoice"),
                                    name="invoice_once_per_transaction"),
            models.CheckConstraint(
                condition=(models.Q(kind="invoice", corrects__isnull=True, transaction__isnull=False)
                           | models.Q(kind="credit_note", corrects__isnull=False, transaction__isnull=True)),
                name="invoice_kind_matches_links",
            ),
            models.CheckConstraint(condition=models.Q(total__gt=0, net_total__gte=0, tax_total__gte=0),
                                   name="invoice_amounts_positive"),
            models.CheckConstraint(condition=models.Q(total=models.F("net_total") + models.F("tax_total")),
                                   name="invoice_total_adds_up"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-issued_at"], name="invoice_ws_issued"),
            models.Index(fields=["freelancer", "-issued_at"], name="invoice_freelancer_issued"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self):
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def tax_rate_percent(self):
        return f"{self.tax_rate_bp / 100:.2f}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    net_amount = models.BigIntegerField()
    amount = models.BigIntegerField()  # with tax: what was paid for this line

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            models.CheckConstraint(condition=models.Q(amount__gt=0, net_amount__gte=0),
                                   name="invoice_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"
