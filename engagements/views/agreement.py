"""Owner pages for agreements: the workspace's settings and templates, an engagement's agreement
(its versions, issuing and sending a version, the owner's signature) and the signed PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace
from accounts.forms import apply_errors
from accounts.throttling import client_ip

from .. import selectors
from ..agreement_pdf import INSTALL_HINT, pdf_available, pdf_response
from ..agreement_text import DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_NAME
from ..forms import AgreementIssueForm, AgreementSettingsForm, AgreementTemplateForm, SignForm
from ..models import Agreement, AgreementTemplate, SignerSide
from ..services import agreement as agreements
from ..services.transitions import ConflictError, NotAllowed
from ._helpers import child_of, conflict, engagement_for, owner_page


def _is_owner(request):
    return request.membership is not None and request.membership.role == "owner"


# --- The workspace's settings and templates ----------------------------------------------------
@owner_page
def agreement_settings(request):
    settings = selectors.agreement_settings(request.workspace)
    form = AgreementSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_settings_save(workspace=request.workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Agreement settings saved.")
            return redirect("engagements:agreement_settings")
    return render(request, "engagements/agreements/settings.html", {
        "form": form, "templates": selectors.agreement_templates(request.workspace),
    })


@owner_page
def agreement_template_edit(request, template_pk=None):
    template = None
    if template_pk is not None:
        template = child_of_workspace(request, template_pk)
    initial = None if template else {"name": DEFAULT_TEMPLATE_NAME, "body": DEFAULT_TEMPLATE}
    form = AgreementTemplateForm(request.POST or None, instance=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_template_save(workspace=request.workspace, template=template, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Template saved. Agreements already sent keep their own text.")
            return redirect("engagements:agreement_settings")
    return render(request, "engagements/agreements/template_form.html", {"form": form, "template": template})


def child_of_workspace(request, template_pk):
    return get_for_workspace(request, AgreementTemplate, pk=template_pk)


# --- An engagement's agreement -----------------------------------------------------------------
@owner_page
def agreement_page(request, pk):
    return _render_agreement(request, engagement_for(request, pk), request.GET.get("v", ""))


def _render_agreement(request, engagement, wanted, sign_form=None, status=200):
    versions = selectors.agreements_for(engagement)
    shown = next((a for a in versions if str(a.version) == wanted), versions[0] if versions else None)
    can_sign = (_is_owner(request) and shown is not None and shown.status == "sent"
                and SignerSide.OWNER not in shown.by_side)
    if can_sign and sign_form is None:
        sign_form = SignForm(initial={"document_sha256": shown.document_sha256})
    return render(request, "engagements/agreements/agreement.html", {
        "engagement": engagement, "versions": versions, "agreement": shown, "tab": "agreement",
        "issue_form": AgreementIssueForm(workspace=request.workspace),
        "sign_form": sign_form if can_sign else None, "signer_name": request.user.full_name,
        "is_owner": _is_owner(request), "pdf_available": pdf_available(), "install_hint": INSTALL_HINT,
        "settings": selectors.agreement_settings(request.workspace),
        "self_billing": selectors.self_billing_status(engagement, versions),
        "changes": selectors.agreement_changes(shown) if shown is not None and shown.status in ("sent", "signed")
        and not engagement.is_ended else [],
    }, status=status)


@owner_page
@require_POST
def agreement_issue(request, pk):
    engagement = engagement_for(request, pk)
    to = reverse("engagements:agreements", kwargs={"pk": pk})
    form = AgreementIssueForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return conflict(request, "Choose one of this workspace's templates.", to)
    try:
        agreement = agreements.agreement_issue(engagement=engagement, actor=request.user,
                                               template=form.cleaned_data["template"], send=form.cleaned_data["send"])
    except (ConflictError, NotAllowed, ValidationError) as exc:
        return conflict(request, " ".join(getattr(exc, "messages", [str(exc)])), to)
    done = "sent for signature." if agreement.sent_at else "saved as a draft: check it, then send it."
    messages.success(request, f"Agreement v{agreement.version} {done}")
    return redirect(f"{to}?v={agreement.version}")


@owner_page
@require_POST
def agreement_send(request, pk, agreement_pk):
    engagement = engagement_for(request, pk)
    agreement = child_of(request, Agreement, engagement, agreement_pk)
    to = reverse("engagements:agreements", kwargs={"pk": pk})
    try:
        agreements.agreement_send(agreement=agreement, actor=request.user)
    except ConflictError as exc:
        return conflict(request, exc, to)
    messages.success(request, f"Agreement v{agreement.version} sent for signature.")
    return redirect(to)


@owner_page
@require_POST
def agreement_sign(request, pk, agreement_pk):
    engagement = engagement_for(request, pk)
    agreement = child_of(request, Agreement, engagement, agreement_pk)
    to = f"{reverse('engagements:agreements', kwargs={'pk': pk})}?v={agreement.version}"
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            agreements.agreement_sign(
                agreement_id=agreement.pk, side=SignerSide.OWNER, user=request.user, ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""), **form.cleaned_data)
        except (ConflictError, NotAllowed) as exc:
            return conflict(request, exc, to)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"You signed agreement v{agreement.version}.")
            return redirect(to)
    return _render_agreement(request, engagement, str(agreement.version), sign_form=form, status=400)


@owner_page
def agreement_pdf(request, pk, agreement_pk):
    engagement = engagement_for(request, pk)
    agreement = child_of(request, Agreement, engagement, agreement_pk, sent_at__isnull=False)
    return pdf_response(selectors.agreement_with_status(agreement))
