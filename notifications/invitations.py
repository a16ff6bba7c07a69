"""Account emails sent through the outbox: invitations (teammates here, freelancers from the
portal, on the same mechanism), the one reminder an unaccepted invitation gets, and the notice
to the inviter when it expires."""

from datetime import timedelta

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, InvitationRole, InvitationStatus, Membership, Role, new_token

from .emails import absolute
from .quiet import zone
from .services import notify, notify_many
from .sweeps import claim, item

# One reminder this long after sending (if the invitation still runs then).
REMIND_AFTER = timedelta(days=3)
BATCH = 500
# Where each kind of invitation is accepted, and what it is called.
ACCEPT_URL = {InvitationRole.MANAGER: "invitation_open", InvitationRole.FREELANCER: "portal:invitation_open"}


def invitation_send(*, workspace, email, role, invited_by, target_id=None, accept_url_name, kind,
                    extra_context=None):
    """Issue a fresh invitation (revoking any pending one for the same invitee) and email the
    link. Returns the invitation."""
    issued = account_services.invitation_issue(
        workspace=workspace, email=email, role=role, invited_by=invited_by, target_id=target_id
    )
    url = absolute(reverse(accept_url_name, kwargs={"token": issued.token}))
    invitation = issued.invitation
    # The reminder ladder: one reminder after 3 days, then the inviter hears when it expires.
    remind_at = invitation.created_at + REMIND_AFTER
    first = (0, remind_at) if remind_at < invitation.expires_at else (1, invitation.expires_at)
    Invitation.objects.filter(pk=invitation.pk).update(reminder_step=first[0], next_reminder_at=first[1])
    notify(
        kind=kind, recipient_email=invitation.email, workspace=workspace,
        dedupe_key=f"invitation:{invitation.pk}",
        context={
            "accept_url": url,
            "_secret": ["accept_url"],
            "inviter_name": invited_by.get_full_name() if invited_by else workspace.name,
            "expires_at": invitation.expires_at.isoformat(),
            "expires_in_days": max(1, round(
                (invitation.expires_at - invitation.created_at).total_seconds() / 86400
            )),
            **(extra_context or {}),
        },
    )
    return invitation


def _day(moment, tz_name):
    local = moment.astimezone(zone(tz_name))
    return f"on {local:%A} {local.day} {local:%B}"


def _owner_page(invitation):
    try:
        if invitation.role == InvitationRole.FREELANCER and invitation.target_id:
            return absolute(reverse("portal:owner_access", kwargs={"freelancer_pk": invitation.target_id}))
        return absolute(reverse("dashboard:team"))
    except NoReverseMatch:
        return absolute("/")


def _batch(now, batch):
    rows = list(
        Invitation.objects.filter(next_reminder_at__lte=now).select_related("workspace", "invited_by")
        .order_by("next_reminder_at")[:batch]
    )
    plan, actions, tokens = {}, {}, {}
    for inv in rows:
        expected = {"reminder_step": inv.reminder_step, "next_reminder_at": inv.next_reminder_at,
                    "status": inv.status}
        pending = inv.status == InvitationStatus.PENDING and inv.expires_at > now
        expired = inv.status == InvitationStatus.EXPIRED or (
            inv.status == InvitationStatus.PENDING and inv.expires_at <= now)
        if inv.reminder_step == 0 and pending:
            # Only hashes are stored, so the reminder carries a fresh link; the first one stops
            # working (the email says so). Rotated in the same claim.
            token, token_hash = new_token()
            tokens[inv.pk] = token
            plan[inv.pk] = (expected, {"reminder_step": 1, "next_reminder_at": inv.expires_at,
                                       "token_hash": token_hash})
            actions[inv.pk] = "remind"
        elif inv.reminder_step <= 1 and expired:
            plan[inv.pk] = (expected, {"reminder_step": 2, "next_reminder_at": None})
            actions[inv.pk] = "expired"
        elif inv.reminder_step <= 1 and pending:  # reminded; the expiry is still ahead
            plan[inv.pk] = (expected, {"reminder_step": 1, "next_reminder_at": inv.expires_at})
        else:  # accepted or revoked: nothing more to say
            plan[inv.pk] = (expected, {"reminder_step": 2, "next_reminder_at": None})
    claimed = claim(Invitation, plan)
    todo = [inv for inv in rows if inv.pk in claimed and inv.pk in actions]
    counts = {"reminded": 0, "expired": 0}
    if not todo:
        return len(rows), counts
    members = {}
    for m in Membership.objects.filter(workspace_id__in={i.workspace_id for i in todo}, user__is_active=True
                                       ).select_related("user"):
        members.setdefault(m.workspace_id, []).append(m)
    items = []
    for inv in todo:
        ws = inv.workspace
        inviter = inv.invited_by
        inviter_name = inviter.get_full_name() if inviter else ws.name
        common = {"role": inv.role, "invitee_email": inv.email, "inviter_name": inviter_name,
                  "invited": _day(inv.created_at, ws.timezone), "freelancer_name": ""}
        if actions[inv.pk] == "remind":
            url_name = ACCEPT_URL.get(inv.role, "invitation_open")
            try:
                accept_url = absolute(reverse(url_name, kwargs={"token": tokens[inv.pk]}))
            except NoReverseMatch:
                continue
            items.append(item(
                kind="invitation_reminder", email=inv.email, key=f"invitation-reminder:{inv.pk}", workspace_id=ws.pk,
                tz=ws.timezone, now=now,
                context={**common, "accept_url": accept_url, "_secret": ["accept_url"],
                         "expires": _day(inv.expires_at, ws.timezone)}))
            counts["reminded"] += 1
        else:
            people = members.get(ws.pk, [])
            told = [m.user for m in people if inviter and m.user_id == inviter.pk] or [
                m.user for m in people if m.role == Role.OWNER]
            for user in told:
                items.append(item(
                    kind="invitation_expired", email=user.email, user_id=user.pk,
                    key=f"invitation-expired:{inv.pk}:u{user.pk}",
                    workspace_id=ws.pk, tz=user.timezone, now=now,
                    context={**common, "recipient_first_name": user.get_short_name(), "url": _owner_page(inv)}))
            counts["expired"] += 1
    notify_many(items, now=now)
    return len(rows), counts


def invitation_reminders(*, now=None, batch=BATCH):
    """Beat: remind an unaccepted invitation once after 3 days; tell the inviter when it expires."""
    now = now or timezone.now()
    totals = {}
    for _ in range(40):
        with transaction.atomic():
            read, counts = _batch(now, batch)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if read < batch:
            break
    return totals
