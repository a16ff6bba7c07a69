"""The emails money actions send, all through `notifications.services.notify`.

Called inside the action's database transaction: the outbox row commits (or rolls back) with
the ledger rows, and sending happens after commit. Every dedupe key names the event (the
ledger transaction, or the milestone and its submission), so a retried action or a second
sweep never emails twice.
"""

import zoneinfo

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Membership, Role
from notifications.links import absolute
from notifications.services import notify

from .gateways import method_label
from .money import format_money


def _link(name, *args):
    try:
        return absolute(reverse(name, args=args))
    except NoReverseMatch:
        return ""


def _portal_link(engagement):
    """The freelancer's page for the engagement in the portal, when the portal is installed."""
    return _link("portal:engagement", engagement.pk) or _link("portal:home")


def _when(moment, tz_name):
    """A moment as the recipient reads it: "Mon 2 Mar 2026, 17:00 (Europe/Paris)"."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(tz_name or "UTC"))
    return f"{local:%a %-d %b %Y, %H:%M} ({tz_name or 'UTC'})"


def _owners(workspace):
    return [m.user for m in Membership.objects.filter(workspace=workspace, role=Role.OWNER).select_related("user")]


def _base(milestone=None, engagement=None):
    engagement = engagement or milestone.engagement
    ctx = {
        "engagement_title": engagement.title,
        "freelancer_name": engagement.freelancer.name,
    }
    if milestone is not None:
        ctx["milestone_title"] = milestone.title
    return ctx


def _to_freelancer(kind, engagement, dedupe_key, context):
    freelancer = engagement.freelancer
    notify(
        kind=kind, recipient_email=freelancer.email, recipient_user=freelancer.user, dedupe_key=dedupe_key,
        workspace=engagement.workspace, engagement_id=engagement.pk,
        context={**context, "url": _portal_link(engagement), "audience": "freelancer"},
    )


def _to_owners(kind, engagement, dedupe_key, context, exclude=None):
    for user in _owners(engagement.workspace):
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        notify(
            kind=kind, recipient_email=user.email, recipient_user=user, dedupe_key=f"{dedupe_key}:owner:{user.pk}",
            workspace=engagement.workspace, engagement_id=engagement.pk,
            context={**context, "url": _link("payments:engagement", engagement.pk), "audience": "owner"},
        )


def milestone_funded(*, milestone, transaction):
    e = milestone.engagement
    _to_freelancer("escrow_funded", e, f"escrow-funded:{milestone.pk}:{transaction.pk}",
                   {**_base(milestone), "amount": format_money(milestone.amount, e.currency)})


def milestone_released(*, milestone, transaction):
    e = milestone.engagement
    amount = -sum(x.amount for x in transaction.entry_list() if x.account.kind == "escrow")
    _to_freelancer("escrow_released", e, f"escrow-released:{milestone.pk}:{transaction.pk}",
                   {**_base(milestone), "amount": format_money(amount, e.currency), "automatic": False})


def milestone_auto_released(*, milestone, transaction, clock):
    """Both sides hear about an automatic release, once per milestone and submission."""
    e = milestone.engagement
    amount = -sum(x.amount for x in transaction.entry_list() if x.account.kind == "escrow")
    ctx = {**_base(milestone), "amount": format_money(amount, e.currency), "automatic": True,
           "window_days": clock.window_days + clock.extended_days}
    key = f"escrow-auto-released:{milestone.pk}:{clock.submitted_at.isoformat()}"
    _to_freelancer("escrow_released", e, f"{key}:freelancer", ctx)
    _to_owners("escrow_released", e, key, ctx)


def milestone_disputed(*, milestone, dispute):
    e = milestone.engagement
    ctx = {**_base(milestone), "reason": dispute.reason, "side": dispute.side,
           "amount": format_money(dispute.escrowed, dispute.currency)}
    key = f"escrow-disputed:{dispute.pk}"
    if dispute.side == "owner":
        _to_freelancer("escrow_disputed", e, f"{key}:freelancer", ctx)
    _to_owners("escrow_disputed", e, key, ctx, exclude=dispute.raised_by)


def dispute_resolved(*, milestone, transaction, release_amount, refund_amount, note):
    e = milestone.engagement
    ctx = {**_base(milestone), "released": format_money(release_amount, e.currency) if release_amount else "",
           "refunded": format_money(refund_amount, e.currency) if refund_amount else "", "note": note}
    key = f"escrow-resolved:{milestone.pk}:{transaction.pk}"
    _to_freelancer("escrow_resolved", e, f"{key}:freelancer", ctx)
    _to_owners("escrow_resolved", e, key, ctx, exclude=transaction.actor)


def milestone_refunded(*, milestone, transaction, reason):
    e = milestone.engagement
    amount = sum(x.amount for x in transaction.entry_list() if x.account.kind == "owner_funding")
    _to_freelancer("escrow_refunded", e, f"escrow-refunded:{milestone.pk}:{transaction.pk}",
                   {**_base(milestone), "amount": format_money(amount, e.currency), "reason": reason})


def review_extended(*, milestone, clock):
    e = milestone.engagement
    _to_freelancer("review_extended", e, f"review-extended:{clock.pk}",
                   {**_base(milestone), "days": clock.extended_days,
                    "deadline": _when(clock.deadline_at, e.freelancer.timezone),
                    "reason": clock.extension_reason})


def timesheet_approved(*, timesheet, transaction, amount):
    e = timesheet.engagement
    _to_freelancer("timesheet_approved", e, f"timesheet-approved:{timesheet.pk}:{transaction.pk}",
                   {**_base(engagement=e), "week": f"{timesheet.week_start:%-d %b %Y}",
                    "amount": format_money(amount, timesheet.currency), "automatic": transaction.automatic})


def timesheet_disputed(*, timesheet, reason):
    e = timesheet.engagement
    _to_freelancer("timesheet_disputed", e,
                   f"timesheet-disputed:{timesheet.pk}:{timesheet.submitted_at.isoformat()}",
                   {**_base(engagement=e), "week": f"{timesheet.week_start:%-d %b %Y}", "reason": reason})


def bonus_paid(*, engagement, transaction, amount, note):
    _to_freelancer("bonus_paid", engagement, f"bonus-paid:{transaction.pk}",
                   {**_base(engagement=engagement), "amount": format_money(amount, engagement.currency),
                    "note": note})


def payout_sent(*, payout):
    e = payout.engagement
    _to_freelancer("payout_sent", e, f"payout-sent:{payout.pk}",
                   {**_base(engagement=e), "amount": format_money(payout.amount, payout.currency),
                    "method": method_label(payout.method), "reference": payout.reference,
                    "paid_on": f"{payout.paid_on:%-d %b %Y}"})


# --- A sweep's batch at once (rows for `notify_many`) ------------------------------------------
def owners_by_workspace(workspace_ids):
    """{workspace id: [(user id, email), …]} of the owners of many workspaces, one query."""
    owners = {}
    rows = (Membership.objects.filter(workspace_id__in=set(workspace_ids), role=Role.OWNER).order_by()
            .values_list("workspace_id", "user_id", "user__email"))
    for workspace_id, user_id, email in rows:
        owners.setdefault(workspace_id, []).append((user_id, email))
    return owners


def _links(name):
    """`_link(name, pk)` for every engagement of a batch: reversed once (with a stand-in id),
    each row's id written in."""
    stand_in = 900_000_000_001
    template = _link(name, stand_in)
    return lambda pk: template.replace(f"/{stand_in}/", f"/{int(pk)}/") if template else ""


def _portal_links():
    home = _link("portal:home")
    engagement = _links("portal:engagement")
    return lambda pk: engagement(pk) or home


def _item(kind, key, email, user_id, row, context):
    return {"kind": kind, "recipient_email": email, "recipient_user_id": user_id, "dedupe_key": key,
            "workspace_id": row["workspace_id"], "engagement_id": row["engagement_id"], "context": context}


def _row_base(row, **more):
    return {"engagement_title": row["engagement_title"], "freelancer_name": row["freelancer_name"], **more}


def milestones_auto_released_items(rows, owners):
    """`milestone_auto_released` for a batch: the same emails under the same dedupe keys. Each
    row names the milestone (`milestone_id`, `milestone_title`), its engagement and freelancer,
    `amount`, `currency`, `window_days` and `submitted_at`; `owners` is `owners_by_workspace`."""
    items, portal, payments = [], _portal_links(), _links("payments:engagement")
    for row in rows:
        ctx = _row_base(row, milestone_title=row["milestone_title"], automatic=True,
                        amount=format_money(row["amount"], row["currency"]), window_days=row["window_days"])
        key = f"escrow-auto-released:{row['milestone_id']}:{row['submitted_at'].isoformat()}"
        items.append(_item("escrow_released", f"{key}:freelancer", row["freelancer_email"],
                           row["freelancer_user_id"], row,
                           {**ctx, "url": portal(row["engagement_id"]), "audience": "freelancer"}))
        owner_ctx = {**ctx, "url": payments(row["engagement_id"]), "audience": "owner"}
        items += [_item("escrow_released", f"{key}:owner:{user_id}", email, user_id, row, owner_ctx)
                  for user_id, email in owners.get(row["workspace_id"], ())]
    return items


def timesheets_approved_items(rows):
    """`timesheet_approved` for a batch (each row: `timesheet_id`, `transaction_id`, `week_start`,
    `amount`, `currency`, `automatic`, its engagement and freelancer), under the same keys."""
    portal = _portal_links()
    return [
        _item("timesheet_approved", f"timesheet-approved:{row['timesheet_id']}:{row['transaction_id']}",
              row["freelancer_email"], row["freelancer_user_id"], row,
              _row_base(row, week=f"{row['week_start']:%-d %b %Y}", amount=format_money(row["amount"], row["currency"]),
                        automatic=row["automatic"],
                        url=portal(row["engagement_id"]), audience="freelancer"))
        for row in rows
    ]


def invoice_issued(*, invoice):
    """The other side hears of a new invoice or credit note: the freelancer of one issued in
    their name (self-billing), the owners of one the freelancer issued."""
    e = invoice.engagement
    ctx = {**_base(engagement=e), "number": invoice.number, "document": invoice.get_kind_display().lower(),
           "amount": format_money(invoice.total, invoice.currency), "self_billed": invoice.self_billed,
           "corrects": invoice.corrects.number if invoice.corrects_id else ""}
    key = f"invoice-issued:{invoice.pk}"
    if invoice.self_billed:
        notify(kind="invoice_issued", recipient_email=e.freelancer.email, recipient_user=e.freelancer.user,
               dedupe_key=key, workspace=e.workspace, engagement_id=e.pk,
               context={**ctx, "url": _link("portal:invoice", invoice.pk) or _portal_link(e), "audience": "freelancer"})
        return
    for user in _owners(e.workspace):
        notify(kind="invoice_issued", recipient_email=user.email, recipient_user=user,
               dedupe_key=f"{key}:owner:{user.pk}", workspace=e.workspace, engagement_id=e.pk,
               context={**ctx, "url": _link("payments:invoice", invoice.pk), "audience": "owner"})
