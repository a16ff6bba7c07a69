"""Agreements: the workspace's templates and settings, rendering a version for an engagement,
sending it, and the two signatures.

A version is rendered from a template into Markdown (placeholders filled from the allow-list,
agreement_text) and then into sanitised HTML, the document; its SHA-256 is stored beside it. A
draft may be re-rendered (it is replaced); once sent it never changes — on PostgreSQL a trigger
holds that too — and a change (pay terms, a change order) is a new version, which supersedes the
old one and needs both signatures again.

Signing is a simple electronic signature: the typed full name must match the signer's name, "I
agree" ticked, and the SHA-256 the signer's page was showing must be the document's, recomputed
from the stored text at the moment of signing (a stale page, or a document changed behind the
app's back, is refused). The agreement row is locked while signing, and one signature per side
is also a unique constraint, so a double submit signs once. When the second side signs, both
get the signed PDF by email, made after the signature commits (services.signed_copies).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role

from ..agreement_text import PLACEHOLDER, fill, placeholder_names, validate_template
from ..emails import notify_freelancer, notify_owners
from ..markdown import render_markdown
from ..models import (
    Agreement,
    AgreementSettings,
    AgreementSignature,
    AgreementTemplate,
    Engagement,
    SignerSide,
    document_sha256,
)
from ..selectors import current_brief
from ..selectors.agreement import agreement_settings, agreement_values, agreement_with_status, default_template
from .activity import activity_record
from .signed_copies import signed_copies_enqueue
from .transitions import ConflictError, NotAllowed


# --- Templates and settings ----------------------------------------------------------------
@transaction.atomic
def agreement_template_save(*, workspace, name, body, is_default=False, template=None):
    """Create or change a template. An unknown placeholder is refused by name."""
    name, body = (name or "").strip(), (body or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the template a name."
    if not body:
        errors["body"] = "Write the agreement."
    if errors:
        raise ValidationError(errors)
    validate_template(body)
    if template is None:
        template = AgreementTemplate(workspace=workspace)
    elif template.workspace_id != workspace.pk:
        raise NotAllowed("No such template.")
    others = AgreementTemplate.objects.filter(workspace=workspace).exclude(pk=template.pk)
    is_default = is_default or not others.filter(is_default=True).exists()
    if is_default:
        others.filter(is_default=True).update(is_default=False)
    template.name, template.body, template.is_default = name, body, is_default
    template.save()
    return template


def agreement_settings_save(*, workspace, requires_signed_agreement, notice_days, governing_law):
    governing_law = (governing_law or "").strip()
    if not governing_law:
        raise ValidationError({"governing_law": "Say which law governs the agreements, e.g. “the laws of Ireland”."})
    settings, _ = AgreementSettings.objects.update_or_create(workspace=workspace, defaults={
        "requires_signed_agreement": requires_signed_agreement, "notice_days": notice_days,
        "governing_law": governing_law,
    })
    return settings


# --- Rendering and sending -------------------------------------------------------------------
def render_agreement_body(*, engagement, template_body, version, settings=None):
    """(Markdown, sanitised HTML, the values used) of a template filled for this engagement."""
    settings = settings or agreement_settings(engagement.workspace)
    if "brief_version" in {m.strip() for m in PLACEHOLDER.findall(template_body)} and not current_brief(engagement):
        raise ConflictError("Write the brief first: the agreement refers to it by version number.")
    values = agreement_values(engagement, settings=settings, version=version)
    body = fill(template_body, values)
    used = {name: values[name] for name in set(placeholder_names(template_body))}
    return body, str(render_markdown(body)), used


@transaction.atomic
def agreement_issue(*, engagement, actor, template=None, send=True):
    """Render a new version for the engagement from `template` (the workspace's default when
    None), and send it unless `send` is False. A draft not yet sent is replaced, not stacked."""
    engagement = (Engagement.objects.select_for_update().select_related("freelancer", "workspace")
                  .get(pk=engagement.pk))
    if engagement.is_ended:
        raise ConflictError(f"This engagement is {engagement.get_status_display().lower()}: "
                            "no new agreement can be issued.")
    if template is not None and template.workspace_id != engagement.workspace_id:
        raise NotAllowed("No such template.")
    template = template or default_template(engagement.workspace)
    latest = Agreement.objects.filter(engagement=engagement).order_by("-version").first()
    if latest is not None and latest.sent_at is None:
        version = latest.version
        latest.delete()  # a draft nobody was shown yet: replaced by the new rendering
    else:
        version = latest.version + 1 if latest else 1
    body, html, values = render_agreement_body(engagement=engagement, template_body=template.body, version=version)
    agreement = Agreement.objects.create(
        engagement=engagement, version=version, template_name=template.name, body=body, html=html,
        document_sha256=document_sha256(html), values=values, created_by=actor,
        # The clause is in the text only where the template has the placeholder.
        self_billing="self_billing" in values and engagement.self_billing_proposed,
    )
    if send:
        agreement = agreement_send(agreement=agreement, actor=actor)
    return agreement


@transaction.atomic
def agreement_send(*, agreement, actor):
    """draft → sent: frozen from now on; the freelancer is asked to sign (once they can see
    the engagement in the portal: it was offered)."""
    now = timezone.now()
    if not Agreement.objects.filter(pk=agreement.pk, sent_at__isnull=True).update(sent_at=now):
        raise ConflictError(f"Version {agreement.version} of the agreement was already sent.")
    agreement.sent_at = now
    engagement = agreement.engagement
    # The current version is now unsigned: no self-billing until both sides sign it (if it has the clause).
    Engagement.objects.filter(pk=engagement.pk).update(self_billed=False)
    engagement.self_billed = False
    superseded = agreement.version > 1 and Agreement.objects.filter(
        engagement=engagement, version__lt=agreement.version, sent_at__isnull=False).exists()
    activity_record(engagement=engagement, kind="agreement_sent", actor_user=actor,
                    summary=f"Sent agreement v{agreement.version} for signature"
                            + (" (it replaces the earlier version, which both sides must sign again)."
                               if superseded else "."))
    if engagement.offered_at is not None and not engagement.is_ended:
        _ask_freelancer_to_sign(agreement, superseded=superseded)
    return agreement


def _ask_freelancer_to_sign(agreement, *, superseded):
    engagement = agreement.engagement
    notify_freelancer(engagement, kind="agreement_sent", key=f"agreement-sent:{agreement.pk}", page="agreement",
                      context={"version": agreement.version, "superseded": superseded,
                               "workspace_name": engagement.workspace.name})


def agreement_offer_notify(*, engagement):
    """At the offer: an agreement sent while the engagement was a draft could not be shown to the
    freelancer then; if its newest sent version still lacks their signature, ask for it now
    (once: the email's key names the version, as when it is sent to an offered engagement)."""
    agreement = (Agreement.objects.filter(engagement=engagement, sent_at__isnull=False)
                 .select_related("engagement__workspace").order_by("-version").first())
    if agreement is None or agreement.signatures.filter(side=SignerSide.FREELANCER).exists():
        return
    _ask_freelancer_to_sign(agreement, superseded=agreement.version > 1)


# --- Signing -----------------------------------------------------------------------------------
def _normalised(name):
    return " ".join((name or "").split()).casefold()


def _signer_name(agreement, side, user, freelancer):
    """The name the signer must type, after checking they may sign for `side`."""
    engagement = agreement.engagement
    if side == SignerSide.FREELANCER:
        if freelancer is None or freelancer.pk != engagement.freelancer_id:
            raise NotAllowed("Only the engagement's freelancer signs for the freelancer.")
        return freelancer.name
    if not Membership.objects.filter(workspace_id=engagement.workspace_id, user=user, role=Role.OWNER).exists():
        raise NotAllowed("Only the workspace's owner signs agreements for the client.")
    if not user.full_name.strip():
        raise ValidationError({"full_name": "Add your full name to your account first: you sign with it."})
    return user.full_name


def _check_signable(agreement, side, sha256):
    """Refuse a draft, a superseded version, a second signature by the same side, a stale page."""
    if agreement.sent_at is None:
        raise ConflictError("This version of the agreement has not been sent yet.")
    newest = (Agreement.objects.filter(engagement_id=agreement.engagement_id, sent_at__isnull=False)
              .order_by("-version").values_list("version", flat=True).first())
    if newest != agreement.version:
        raise ConflictError(f"Version {agreement.version} of the agreement was replaced by version {newest}: "
                            "read and sign that one.")
    if agreement.engagement.is_ended:
        raise ConflictError("This engagement has ended: its agreement can no longer be signed.")
    if AgreementSignature.objects.filter(agreement=agreement, side=side).exists():
        raise ConflictError(f"The {SignerSide(side).label.lower()} already signed version {agreement.version}.")
    actual = document_sha256(agreement.html)
    if actual != agreement.document_sha256 or (sha256 or "").strip().lower() != actual:
        raise ConflictError("The agreement you were shown is not the current document (its fingerprint differs): "
                            "reload the page, read it again and sign.")


@transaction.atomic
def agreement_sign(*, agreement_id, side, full_name, agree, document_sha256, user, freelancer=None, ip=None,
                   user_agent=""):
    """One side signs the current version. Refused with a clear message, nothing stored, for an
    empty or mismatched name, "I agree" not ticked, a stale or superseded document, or a second
    signature by the same side."""
    agreement = (Agreement.objects.select_for_update(of=("self",))
                 .select_related("engagement__freelancer", "engagement__workspace")
                 .filter(pk=agreement_id).first())
    if agreement is None:
        raise NotAllowed("No such agreement.")
    # The engagement's row too: a new version sent meanwhile is seen below, and `self_billed`
    # follows whichever of the two committed last.
    list(Engagement.objects.select_for_update().filter(pk=agreement.engagement_id).values_list("pk"))
    side = SignerSide(side)
    expected = _signer_name(agreement, side, user, freelancer)
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = "Type your full name to sign."
    elif _normalised(full_name) != _normalised(expected):
        errors["full_name"] = f"Type your full name exactly as it is on your account: {expected}."
    if agree is not True:
        errors["agree"] = "Tick “I agree” to sign."
    if errors:
        raise ValidationError(errors)
    _check_signable(agreement, side, document_sha256)
    try:
        with transaction.atomic():
            signature = AgreementSignature.objects.create(
                agreement=agreement, side=side, user=user, freelancer=freelancer if side == SignerSide.FREELANCER
                else None, full_name=" ".join(full_name.split()), ip=ip or None, user_agent=(user_agent or "")[:500],
                document_sha256=agreement.document_sha256,
            )
    except IntegrityError:
        raise ConflictError(f"The {side.label.lower()} already signed version {agreement.version}.") from None
    engagement = agreement.engagement
    activity_record(engagement=engagement, kind="agreement_signed", actor_user=user if side == SignerSide.OWNER
                    else None, actor_freelancer=freelancer if side == SignerSide.FREELANCER else None,
                    summary=f"{signature.full_name} signed agreement v{agreement.version} for the "
                            f"{side.label.lower()}.")
    agreement = agreement_with_status(agreement)
    if agreement.status == "signed":
        Engagement.objects.filter(pk=engagement.pk).update(self_billed=agreement.self_billing)
        engagement.self_billed = agreement.engagement.self_billed = agreement.self_billing
        # The PDF is rendered after this commits, not under its locks (signed_copies).
        transaction.on_commit(lambda: signed_copies_enqueue(agreement.pk))
    elif side == SignerSide.FREELANCER:
        notify_owners(engagement, kind="agreement_signed", key=f"agreement-signed:{signature.pk}",
                      page="agreements", context={"version": agreement.version, "both": False,
                                                  "signer": signature.full_name})
    return agreement
