"""The owner's invoice pages: the workspace's invoices (all, or one engagement's), one invoice
with its files and credit notes, the credit note form (self-billed invoices: the owner issued
them), and the workspace's own tax details (what invoices name as the customer)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.access import get_for_workspace, workspace_required
from accounts.forms import apply_errors
from engagements.models import Engagement

from .. import selectors
from ..errors import PaymentError
from ..forms import CreditNoteForm, TaxDetailsForm
from ..invoice_files import invoice_file_response
from ..models import Invoice, TaxDetails
from ..services.invoices import credit_note_issue, tax_details_save
from ._helpers import is_owner


def _invoice(request, pk):
    invoice = selectors.invoice_detail(Invoice.objects.filter(workspace=request.workspace), pk)
    if invoice is None:
        raise Http404
    return invoice


@workspace_required
def invoices(request):
    engagement = None
    if (request.GET.get("engagement") or "").isdigit():
        engagement = get_for_workspace(request, Engagement, pk=int(request.GET["engagement"]))
    rows = selectors.invoice_list(workspace=request.workspace, engagement=engagement)
    return render(request, "payments/invoices/list.html", {
        "invoices": rows, "engagement": engagement,
        "has_tax_details": TaxDetails.objects.filter(workspace=request.workspace).exists(),
    })


@workspace_required
def invoice(request, pk):
    found = _invoice(request, pk)
    return render(request, "payments/invoices/detail.html", {
        "invoice": found, "lines": found.lines.all(), "credit_notes": found.credit_notes.all(),
        "creditable": selectors.creditable(found), "can_credit": found.self_billed and is_owner(request),
    })


@workspace_required
def invoice_file(request, pk, fmt):
    return invoice_file_response(_invoice(request, pk), fmt)


@workspace_required
def credit_note(request, pk):
    original = _invoice(request, pk)
    left = selectors.creditable(original)
    form = CreditNoteForm(request.POST or None, currency=original.currency)
    allowed = original.self_billed and is_owner(request) and left > 0
    if request.method == "POST" and allowed and form.is_valid():
        try:
            note = credit_note_issue(invoice=original, actor=request.user, **form.cleaned_data)
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Credit note {note.number} issued; the freelancer was emailed.")
            return redirect("payments:invoice", pk=note.pk)
    elif request.method == "POST":
        messages.error(request, "You cannot correct this invoice here.")
    return render(request, "payments/invoices/credit_note.html",
                  {"invoice": original, "form": form, "creditable": left, "allowed": allowed})


@workspace_required
def tax_details(request):
    current = TaxDetails.objects.filter(workspace=request.workspace).first()
    form = TaxDetailsForm.for_holder(request.POST or None, current=current, workspace=request.workspace)
    if request.method == "POST":
        if not is_owner(request):
            messages.error(request, "Only the workspace owner can change the tax details.")
            return redirect("payments:tax_details")
        if form.is_valid():
            details = form.details()
            details.pop("tax_rate_bp")
            try:
                tax_details_save(workspace=request.workspace, **details)
            except ValidationError as exc:  # an invalid tax id, on its field
                apply_errors(form, exc)
            else:
                messages.success(request, "Tax details saved. Invoices issued from now on name them.")
                return redirect("payments:tax_details")
    return render(request, "payments/invoices/tax_details.html",
                  {"form": form, "is_owner": is_owner(request), "details": current})
