"""The engagement's agreement as its freelancer sees it: the version sent to them, signing it
(their typed name, "I agree", and the fingerprint of the document this page showed) and the
signed PDF. Drafts stay the owner's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from accounts.throttling import client_ip
from engagements.agreement_pdf import INSTALL_HINT, pdf_available, pdf_response
from engagements.forms import SignForm
from engagements.models import Agreement, SignerSide
from engagements.selectors import agreements_for, self_billing_status
from engagements.services import agreement as agreements
from engagements.services.transitions import ConflictError, NotAllowed

from ..access import engagement_child, portal_engagement, portal_required
from ._helpers import conflict, render_portal


@portal_required
def agreement(request, pk):
    return _render(request, portal_engagement(request, pk), request.GET.get("v", ""))


def _render(request, engagement, wanted, sign_form=None, status=200):
    versions = [a for a in agreements_for(engagement) if a.sent_at]
    shown = next((a for a in versions if str(a.version) == wanted), versions[0] if versions else None)
    can_sign = shown is not None and shown.status == "sent" and SignerSide.FREELANCER not in shown.by_side
    if can_sign and sign_form is None:
        sign_form = SignForm(initial={"document_sha256": shown.document_sha256})
    response = render_portal(request, "portal/agreement.html", {
        "agreement": shown, "versions": versions, "sign_form": sign_form if can_sign else None,
        "signer_name": request.freelancer.name, "pdf_available": pdf_available(), "install_hint": INSTALL_HINT,
        "self_billing": self_billing_status(engagement, versions),
    }, engagement=engagement, tab="agreement")
    response.status_code = status
    return response


@portal_required
@require_POST
def agreement_sign(request, pk, agreement_pk):
    engagement = portal_engagement(request, pk)
    agreement = engagement_child(request, engagement, Agreement, agreement_pk, sent_at__isnull=False)
    to = f"{reverse('portal:agreement', kwargs={'pk': pk})}?v={agreement.version}"
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            agreements.agreement_sign(
                agreement_id=agreement.pk, side=SignerSide.FREELANCER, user=request.user,
                freelancer=request.freelancer, ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""), **form.cleaned_data)
        except NotAllowed:
            raise Http404 from None
        except ConflictError as exc:
            return conflict(request, exc, to)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"You signed agreement v{agreement.version}.")
            return redirect(to)
    return _render(request, engagement, str(agreement.version), sign_form=form, status=400)


@portal_required
def agreement_pdf(request, pk, agreement_pk):
    engagement = portal_engagement(request, pk)
    found = engagement_child(request, engagement, Agreement, agreement_pk, sent_at__isnull=False)
    return pdf_response(next(a for a in agreements_for(engagement) if a.pk == found.pk))
