"""Invoices: what a ledger transaction invoices (its lines), which payments still wait for an
invoice, the invoices each side sees, and how much of an invoice is left to credit."""

from dataclasses import dataclass

from django.db.models import BigIntegerField, Exists, OuterRef, Subquery, Sum

from ..models import AccountKind, Entry, Invoice, InvoiceKind, Transaction, TransactionKind

# The kinds of ledger transaction that pay the freelancer, hence get an invoice. A retainer
# period is released (or settled) like a milestone, without one; a commission has its own kind.
INVOICED_KINDS = (TransactionKind.RELEASE, TransactionKind.RESOLVE, TransactionKind.TIMESHEET, TransactionKind.BONUS,
                  TransactionKind.COMMISSION)


@dataclass(frozen=True)
class Line:
    description: str
    amount: int  # minor units, tax included: what was paid


def _describe(tx):
    # A commission report's and a retainer period's own words (their memo), else their kind.
    if tx.kind == TransactionKind.COMMISSION:
        return tx.memo or "Commission"
    if tx.kind in (TransactionKind.RELEASE, TransactionKind.RESOLVE) and not tx.milestone_id:
        return tx.memo or "Retainer period"
    title = tx.milestone.title if tx.milestone_id else ""
    if tx.kind == TransactionKind.RELEASE:
        return f"Milestone “{title}”" + (" (released automatically after review window)" if tx.automatic else "")
    if tx.kind == TransactionKind.RESOLVE:
        return f"Milestone “{title}”: amount released on settlement of the dispute"
    if tx.kind == TransactionKind.TIMESHEET:
        return f"Hours worked. {tx.memo}" if tx.memo else "Hours worked"
    return tx.memo or "Bonus"


def invoice_lines_for(tx):
    """The lines invoicing one ledger transaction: what it made payable to the freelancer.
    Empty when it paid them nothing (a refund, a dispute's freeze, a payout)."""
    if tx.kind not in INVOICED_KINDS:
        return []
    paid = (Entry.objects.filter(transaction=tx, account__kind=AccountKind.PAYABLE, amount__gt=0)
            .aggregate(total=Sum("amount"))["total"]) or 0
    return [Line(_describe(tx), paid)] if paid > 0 else []


def _invoiceable(qs):
    paid = Entry.objects.filter(transaction=OuterRef("pk"), account__kind=AccountKind.PAYABLE, amount__gt=0)
    invoiced = Invoice.objects.filter(transaction=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    return qs.filter(kind__in=INVOICED_KINDS).filter(Exists(paid)).exclude(Exists(invoiced))


def uninvoiced(*, freelancer=None, engagement=None):
    """Payments to the freelancer (on the engagement) not yet invoiced, oldest first, each with the
    amount it paid them (`paid`, a subquery per row): a queryset for the caller to page through,
    so a page reads and sums only its own rows and its count needs no sums at all."""
    qs = Transaction.objects.all()
    if freelancer is not None:
        qs = qs.filter(engagement__freelancer=freelancer)
    if engagement is not None:
        qs = qs.filter(engagement=engagement)
    paid = (Entry.objects.filter(transaction=OuterRef("pk"), account__kind=AccountKind.PAYABLE, amount__gt=0)
            .order_by().values("transaction").annotate(total=Sum("amount")).values("total"))
    return (_invoiceable(qs).select_related("engagement", "milestone")
            .annotate(paid=Subquery(paid, output_field=BigIntegerField())).order_by("created_at", "id"))


def uninvoiced_transactions(*, freelancer=None, engagement=None):
    """Every row of `uninvoiced`, as a list."""
    return list(uninvoiced(freelancer=freelancer, engagement=engagement))


def invoice_list(*, workspace=None, freelancer=None, engagement=None):
    qs = Invoice.objects.select_related("engagement", "freelancer", "corrects")
    if workspace is not None:
        qs = qs.filter(workspace=workspace)
    if freelancer is not None:
        qs = qs.filter(freelancer=freelancer)
    if engagement is not None:
        qs = qs.filter(engagement=engagement)
    return qs.order_by("-issued_at", "-id")


def invoice_detail(queryset, pk):
    """One invoice from `queryset` (already scoped), with its lines and credit notes, or None."""
    return (queryset.select_related("engagement", "freelancer", "workspace", "corrects", "transaction",
                                    "self_billing_agreement")
            .prefetch_related("lines", "credit_notes").filter(pk=pk).first())


def credited_total(invoice):
    return invoice.credit_notes.aggregate(total=Sum("total"))["total"] or 0


def creditable(invoice):
    """What is left of an invoice to credit (0 for a credit note)."""
    if invoice.kind != InvoiceKind.INVOICE:
        return 0
    return invoice.total - credited_total(invoice)
