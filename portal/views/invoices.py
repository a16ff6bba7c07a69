"""The freelancer's invoices: the payments not yet invoiced (each with an Issue button, except on
self-billed engagements, where the app issues them in the freelancer's name), the invoices and
credit notes of this profile with their files, correcting one they issued, and their tax details.
Another freelancer's invoice is a 404, like anything of theirs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from payments import selectors as money
from payments.errors import PaymentError
from payments.forms import CreditNoteForm, IssueInvoiceForm, TaxDetailsForm
from payments.invoice_files import invoice_file_response
from payments.models import Invoice, TaxDetails
from payments.services.invoices import credit_note_issue, invoice_issue, tax_details_save

from ..access import portal_required
from ._helpers import render_portal


def _invoice(request, pk):
    found = money.invoice_detail(Invoice.objects.filter(freelancer=request.freelancer), pk)
    if found is None:
        raise Http404
    return found


# A page of each list, the rest a link away (a freelancer paid a thousand times has a thousand rows).
UNINVOICED_PER_PAGE = 25
INVOICES_PER_PAGE = 25


def _others(request, param):
    """The request's query string without `param`: kept by the links that page the other list."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


@portal_required
def invoices(request):
    details = TaxDetails.objects.filter(freelancer=request.freelancer).first()
    uninvoiced = Paginator(money.uninvoiced(freelancer=request.freelancer), UNINVOICED_PER_PAGE)
    issued = Paginator(money.invoice_list(freelancer=request.freelancer), INVOICES_PER_PAGE)
    return render_portal(request, "portal/invoices/list.html", {
        "uninvoiced": uninvoiced.get_page(request.GET.get("todo")), "uninvoiced_query": _others(request, "todo"),
        "invoices": issued.get_page(request.GET.get("page")), "invoices_query": _others(request, "page"),
        "details": details, "default_rate": f"{details.tax_rate_bp / 100:.2f}" if details else "0.00",
    })


@portal_required
@require_POST
def invoice_issue_view(request):
    form = IssueInvoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a payment to invoice, and a tax rate between 0 and 100 %.")
        return redirect("portal:invoices")
    rate = form.cleaned_data.get("tax_rate")
    try:
        issued = invoice_issue(transaction_id=form.cleaned_data["transaction"], actor=request.user,
                               tax_rate_bp=None if rate is None else int(rate * 100))
    except PaymentError as exc:
        if exc.http_status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("portal:invoices")
    messages.success(request, f"Invoice {issued.number} issued; your client was emailed.")
    return redirect("portal:invoice", pk=issued.pk)


@portal_required
def invoice(request, pk):
    found = _invoice(request, pk)
    return render_portal(request, "portal/invoices/detail.html", {
        "invoice": found, "lines": found.lines.all(), "credit_notes": found.credit_notes.all(),
        "creditable": money.creditable(found),
    })


@portal_required
def invoice_file(request, pk, fmt):
    return invoice_file_response(_invoice(request, pk), fmt)


@portal_required
def credit_note(request, pk):
    original = _invoice(request, pk)
    left = money.creditable(original)
    allowed = not original.self_billed and left > 0
    form = CreditNoteForm(request.POST or None, currency=original.currency)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            note = credit_note_issue(invoice=original, actor=request.user, **form.cleaned_data)
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Credit note {note.number} issued; your client was emailed.")
            return redirect("portal:invoice", pk=note.pk)
    elif request.method == "POST":
        messages.error(request, "This invoice cannot be corrected here.")
    return render_portal(request, "portal/invoices/credit_note.html",
                         {"invoice": original, "form": form, "creditable": left, "allowed": allowed})


@portal_required
def tax_details(request):
    current = TaxDetails.objects.filter(freelancer=request.freelancer).first()
    form = TaxDetailsForm.for_holder(request.POST or None, current=current, freelancer=request.freelancer)
    if request.method == "POST" and form.is_valid():
        try:
            tax_details_save(freelancer=request.freelancer, **form.details())
        except ValidationError as exc:  # an invalid tax id, on its field
            apply_errors(form, exc)
        else:
            messages.success(request, "Tax details saved. Invoices issued from now on carry them.")
            return redirect("portal:invoices")
    return render_portal(request, "portal/invoices/tax_details.html", {"form": form})
