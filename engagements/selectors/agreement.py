"""Reads about agreements: the workspace's settings and templates, an engagement's versions with
their status, the values a template is filled with, and whether a missing signature holds up the
brief's acknowledgement or a milestone's funding (payments asks `agreement_block`), and the
"needs attention" items of an agreement waiting for a signature."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.attention import AttentionItem, attention_rows, span, workspace_param
from freelancers.money import format_money

from ..agreement_text import DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_NAME, LABELS, escape
from ..models import (
    ENDED_STATUSES,
    Agreement,
    AgreementSettings,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    Engagement,
    Milestone,
    PayTerms,
    SignerSide,
)
from .brief import current_brief


def agreement_settings(workspace):
    """The workspace's settings (the defaults until the owner saves them); not saved by reading."""
    found = AgreementSettings.objects.filter(workspace=workspace).first()
    return found or AgreementSettings(workspace=workspace)


def agreement_templates(workspace):
    return AgreementTemplate.objects.filter(workspace=workspace)


def default_template(workspace):
    """The workspace's default template, else the one that ships (unsaved)."""
    found = agreement_templates(workspace).order_by("-is_default", "id").first()
    return found or AgreementTemplate(workspace=workspace, name=DEFAULT_TEMPLATE_NAME, body=DEFAULT_TEMPLATE,
                                      is_default=True)


def agreements_for(engagement):
    """The engagement's versions, newest first, each with `.status` and `.by_side` (signatures)."""
    rows = list(Agreement.objects.filter(engagement=engagement).select_related("created_by")
                .prefetch_related(Prefetch("signatures", queryset=AgreementSignature.objects.order_by("signed_at"))))
    newest_sent = max((a.version for a in rows if a.sent_at), default=None)
    for row in rows:
        _annotate(row, newest_sent)
    return rows


def _annotate(agreement, newest_sent):
    agreement.by_side = {s.side: s for s in agreement.signatures.all()}
    if agreement.sent_at is None:
        agreement.status = AgreementStatus.DRAFT
    elif newest_sent is not None and agreement.version < newest_sent:
        agreement.status = AgreementStatus.SUPERSEDED
    elif len(agreement.by_side) == len(SignerSide.values):
        agreement.status = AgreementStatus.SIGNED
    else:
        agreement.status = AgreementStatus.SENT
    agreement.get_status_display = lambda: AgreementStatus(agreement.status).label
    return agreement


def agreement_with_status(agreement):
    newest_sent = (Agreement.objects.filter(engagement_id=agreement.engagement_id, sent_at__isnull=False)
                   .order_by("-version").values_list("version", flat=True).first())
    agreement = (Agreement.objects.select_related("engagement__freelancer", "engagement__workspace", "created_by")
                 .prefetch_related("signatures").get(pk=agreement.pk))
    return _annotate(agreement, newest_sent)


def current_agreement(engagement):
    """The newest version that was sent (the one to sign), with its status; None before any."""
    found = Agreement.objects.filter(engagement=engagement, sent_at__isnull=False).order_by("-version").first()
    return agreement_with_status(found) if found else None


# --- Self-billing: in force while the current version, signed by both, has the clause ----------
def signed_current_agreements():
    """Each engagement's current version (its newest sent one) when both sides signed it."""
    newer = Agreement.objects.filter(engagement=OuterRef("engagement"), sent_at__isnull=False,
                                     version__gt=OuterRef("version"))
    signed = {side: AgreementSignature.objects.filter(agreement=OuterRef("pk"), side=side) for side in SignerSide}
    return (Agreement.objects.filter(sent_at__isnull=False)
            .filter(~Exists(newer), Exists(signed[SignerSide.OWNER]), Exists(signed[SignerSide.FREELANCER])))


def self_billing_agreement(engagement_id):
    """The signed current version whose self-billing clause is in force for the engagement, or
    None: then the freelancer issues their own invoices."""
    return signed_current_agreements().filter(engagement_id=engagement_id, self_billing=True).first()


@dataclass(frozen=True)
class SelfBilling:
    """Whether the app issues the freelancer's invoices now, and why (pages show `reason`)."""

    applies: bool
    reason: str


def self_billing_status(engagement, versions):
    """Why the engagement is self-billed or not, from its versions (`agreements_for`)."""
    current = max((a for a in versions if a.sent_at), key=lambda a: a.version, default=None)
    proposed = (" Self-billing is proposed: it applies once a version with the clause is signed by both."
                if engagement.self_billing_proposed else "")
    if current is None:
        return SelfBilling(False, "No agreement has been sent, so nobody agreed to self-billing: the freelancer "
                                  "issues their own invoices." + proposed)
    if current.status != AgreementStatus.SIGNED:
        return SelfBilling(False, f"Agreement v{current.version} is not signed by both sides yet: until it is, the "
                                  "freelancer issues their own invoices." + proposed)
    if not current.self_billing:
        return SelfBilling(False, f"The signed agreement v{current.version} has no self-billing clause: the "
                                  "freelancer issues their own invoices." + proposed)
    return SelfBilling(True, f"The agreement v{current.version}, signed by both sides, has the self-billing clause: "
                             "the app issues each payment's invoice in the freelancer's name.")


def agreement_signed(engagement):
    """Both sides signed the newest sent version."""
    current = Agreement.objects.filter(engagement=engagement, sent_at__isnull=False).order_by("-version").first()
    return current is not None and current.signatures.count() == len(SignerSide.values)


@dataclass(frozen=True)
class AgreementBlock:
    """Why an action waits for the agreement, and where to sign it."""

    message: str
    owner_url: str
    portal_url: str


def agreement_block(engagement, *, action):
    """None, or why `action` ("acknowledge the brief", "fund a milestone") must wait: the
    workspace requires a signed agreement and both sides have not signed the current one."""
    required = AgreementSettings.objects.filter(workspace_id=engagement.workspace_id,
                                                requires_signed_agreement=True).exists()
    if not required or agreement_signed(engagement):
        return None
    sent = Agreement.objects.filter(engagement=engagement, sent_at__isnull=False).exists()
    return AgreementBlock(
        message=f"This workspace requires a signed agreement: both sides must sign it before you can {action}"
                + ("." if sent else ", and none has been sent for signature yet."),
        owner_url=reverse("engagements:agreements", kwargs={"pk": engagement.pk}),
        portal_url=reverse("portal:agreement", kwargs={"pk": engagement.pk}),
    )


def _date(day, fallback):
    return f"{day:%-d %B %Y}" if day else fallback


def _retainer_amount(engagement):
    amount = engagement.retainer_amount
    return format_money(amount, engagement.currency) if amount else "no retainer"


def _retainer_hours(engagement):
    hours = engagement.retainer_hours
    return "no hours" if hours is None else f"{hours} hour{'s' if hours != 1 else ''}"


def _commission_percent(engagement):
    percent = engagement.commission_percent
    return "no commission" if percent is None else f"{percent.normalize():f} %"


def pay_schedule(engagement):
    """The pay schedule as Markdown: the milestones (fixed) or the weekly cap (hourly)."""
    money = lambda minor: format_money(minor, engagement.currency)  # noqa: E731
    if engagement.pay_terms == PayTerms.RETAINER:
        return escape(f"A retainer of {_retainer_amount(engagement)} a month including {_retainer_hours(engagement)}, "
                      "set aside at the start of each month and released at its end unless disputed.")
    if engagement.pay_terms == PayTerms.COMMISSION:
        return escape(f"A commission of {_commission_percent(engagement)} of the amounts the Client reports each "
                      "month, paid once the Contractor accepts the report or does not dispute it in time.")
    if engagement.pay_terms == PayTerms.HOURLY:
        cap = engagement.weekly_hour_cap
        return escape(f"Paid by the hour, {f'up to {cap} hours a week' if cap else 'with no weekly cap'}, "
                      "on weekly timesheets the Client approves.")
    milestones = list(Milestone.objects.filter(engagement=engagement).order_by("position", "id")
                      .only("title", "amount", "due_on"))
    if not milestones:
        return escape("Milestones are agreed in writing before work on each starts.")
    lines = [f"- {escape(m.title)}: {escape(money(m.amount))}"
             + (f", due {escape(_date(m.due_on, ''))}" if m.due_on else "") for m in milestones]
    return "Milestones:\n\n" + "\n".join(lines)


def agreement_values(engagement, *, settings, version, today=None):
    """What each placeholder stands for, for this engagement (services.agreement renders it)."""
    freelancer = engagement.freelancer
    brief = current_brief(engagement)
    notice = settings.notice_days
    return {
        "client_name": engagement.workspace.name,
        "freelancer_name": freelancer.name,
        "freelancer_email": freelancer.email or "no email given",
        "freelancer_country": freelancer.country or "country not given",
        "engagement_title": engagement.title,
        "engagement_kind": engagement.get_kind_display().lower(),
        "start_date": _date(engagement.starts_on, "on signature"),
        "target_end_date": _date(engagement.target_end_on, "not fixed"),
        "brief_version": str(brief.version) if brief else "",
        "pay_terms": engagement.get_pay_terms_display().lower(),
        "pay_schedule": pay_schedule(engagement),
        "retainer_amount": _retainer_amount(engagement),
        "retainer_hours": _retainer_hours(engagement),
        "commission_percent": _commission_percent(engagement),
        "budget": format_money(engagement.budget, engagement.currency),
        "currency": engagement.currency,
        "subcontracting": (
            "The Contractor may subcontract parts of the work, remains responsible for it as if it were their "
            "own, and binds any subcontractor to the confidentiality terms of this agreement."
            if engagement.subcontracting_allowed else
            "The Contractor does the work personally and does not subcontract or delegate any part of it "
            "without the Client's prior written consent."
        ),
        "self_billing": (
            "The Client issues the Contractor's invoice for each payment in the Contractor's name and sends it to "
            "the Contractor (self-billing). The Contractor accepts these invoices, does not issue their own for "
            "the same payments, and keeps the Client informed of any change to their tax details."
            if engagement.self_billing_proposed else
            "The Contractor issues an invoice for each payment received under this agreement."
        ),
        "notice_period": f"{notice} day{'s' if notice != 1 else ''}",
        "governing_law": settings.governing_law,
        "agreement_version": str(version),
        "issue_date": _date(timezone.localdate(today), ""),
    }


def agreements_awaiting_signature_count(engagement, side):
    """1 when the current version waits for `side`'s signature (for pages' badges), else 0."""
    current = current_agreement(engagement)
    return int(current is not None and current.status == AgreementStatus.SENT and side not in current.by_side)


# --- "Needs attention": an agreement waiting for a side's signature --------------------------------
def _awaiting(side):
    """Current (newest sent) versions of engagements still running or to come, not yet signed by `side`."""
    newer = Agreement.objects.filter(engagement=OuterRef("engagement"), sent_at__isnull=False,
                                     version__gt=OuterRef("version"))
    signed = AgreementSignature.objects.filter(agreement=OuterRef("pk"), side=side)
    return (Agreement.objects.filter(sent_at__isnull=False).exclude(engagement__status__in=ENDED_STATUSES)
            .filter(~Exists(newer), ~Exists(signed)))


def owner_agreement_attention(workspace, now, window):
    """The owner's items (engagements.selectors.attention reads it like its own kinds): one query."""
    rows = (_awaiting(SignerSide.OWNER).filter(engagement__workspace=workspace_param(workspace))
            .select_related("engagement__freelancer"))
    rows, total = attention_rows(rows, window, kind="agreement_unsigned", order=("sent_at", "pk"))
    return [AttentionItem(
        key=f"agreement_unsigned:{a.pk}", kind="agreement_unsigned", severity="soon",
        title=f"Agreement v{a.version} for “{a.engagement.title}” waits for your signature "
              f"(sent {span(now - a.sent_at)} ago).",
        url=reverse("engagements:agreements", kwargs={"pk": a.engagement_id}), action="Read and sign",
        due_at=a.sent_at, engagement=a.engagement_id, freelancer=a.engagement.freelancer_id,
    ) for a in rows], total


def awaiting_freelancer_version():
    """A subquery for an engagement queryset: the version of its agreement waiting for the
    freelancer's signature, or None (portal.selectors.with_waiting annotates it)."""
    return Subquery(_awaiting(SignerSide.FREELANCER).filter(engagement=OuterRef("pk")).values("version")[:1])


def agreements_awaiting_freelancer(engagement_ids):
    """{engagement id: version} of the agreements waiting for the freelancer's signature: one query
    (the same subquery the portal's engagement list annotates)."""
    return dict(Engagement.objects.filter(pk__in=engagement_ids)
                .annotate(waiting=awaiting_freelancer_version()).exclude(waiting=None)
                .values_list("pk", "waiting"))


# Placeholders that differ on every rendering by design, not because the engagement changed.
_ALWAYS_NEW = {"agreement_version", "issue_date"}


def agreement_changes(agreement):
    """The labels of what the agreement says that no longer holds (the pay terms or schedule,
    the budget, the brief's version…), compared with the engagement today: a new version is due."""
    if not agreement.values:
        return []
    now = agreement_values(agreement.engagement, settings=agreement_settings(agreement.engagement.workspace),
                           version=agreement.version)
    return [LABELS[name] for name in sorted(agreement.values, key=list(LABELS).index)
            if name not in _ALWAYS_NEW and name in now and now[name] != agreement.values[name]]
