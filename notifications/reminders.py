"""The invitation ladder: an unaccepted invitation gets one reminder (with a fresh link) three
days after it was sent; when it expires, whoever sent it is told. The deadline column is
`Invitation.next_reminder_at` (NULL once the ladder is done), run on the shared ladder frame
(`sweeps.run_ladder`)."""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Invitation, InvitationRole, InvitationStatus, Membership, Role, User, new_token

from .links import absolute
from .quiet import zone
from .sweeps import BATCH, drain, item, run_ladder

# Where each kind of invitation is accepted.
ACCEPT_URL = {InvitationRole.MANAGER: "invitation_open", InvitationRole.FREELANCER: "portal:invitation_open"}


# Per invitation role, `zones(invitations)` → {invitation pk: IANA zone} of the invitees the
# role's owner knows (the portal: the invited freelancer's zone), registered when that app loads.
_INVITEE_ZONES = {}


def invitee_zones_register(role, zones):
    _INVITEE_ZONES[role] = zones


def _invitee_zones(invitations):
    """Each invitee's own zone, for decent hours: the role's owner's answer, else the zone of
    an account the email already has, else the workspace's."""
    known = {}
    for role, zones in _INVITEE_ZONES.items():
        known |= zones([inv for inv in invitations if inv.role == role])
    accounts = dict(User.objects.filter(email__in={inv.email for inv in invitations}).values_list("email", "timezone"))
    return {inv.pk: known.get(inv.pk) or accounts.get(inv.email) or inv.workspace.timezone for inv in invitations}


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


def _decide(now):
    def decide(inv):
        expected = {"reminder_step": inv.reminder_step, "next_reminder_at": inv.next_reminder_at,
                    "status": inv.status}
        pending = inv.status == InvitationStatus.PENDING and inv.expires_at > now
        expired = inv.status == InvitationStatus.EXPIRED or (
            inv.status == InvitationStatus.PENDING and inv.expires_at <= now)
        if inv.reminder_step == 0 and pending:
            # Only hashes are stored, so the reminder carries a fresh link; the first one stops
            # working (the email says so). Rotated in the same claim.
            token, token_hash = new_token()
            return expected, {"reminder_step": 1, "next_reminder_at": inv.expires_at,
                              "token_hash": token_hash}, ("remind", token)
        if inv.reminder_step <= 1 and expired:
            return expected, {"reminder_step": 2, "next_reminder_at": None}, ("expired", None)
        if inv.reminder_step <= 1 and pending:  # reminded; the expiry is still ahead
            return expected, {"reminder_step": 1, "next_reminder_at": inv.expires_at}, None
        return expected, {"reminder_step": 2, "next_reminder_at": None}, None  # accepted or revoked
    return decide


def _compose(now):
    def compose(todo):
        members = {}
        for m in Membership.objects.filter(workspace_id__in={inv.workspace_id for inv, _ in todo},
                                           user__is_active=True).select_related("user"):
            members.setdefault(m.workspace_id, []).append(m)
        items, counts = [], {"reminded": 0, "expired": 0}
        zones = _invitee_zones([inv for inv, (action, _) in todo if action == "remind"])
        for inv, (action, token) in todo:
            ws, inviter = inv.workspace, inv.invited_by
            common = {"role": inv.role, "invitee_email": inv.email,
                      "inviter_name": inviter.get_full_name() if inviter else ws.name,
                      "invited": _day(inv.created_at, ws.timezone), "freelancer_name": ""}
            if action == "remind":
                try:
                    url = absolute(reverse(ACCEPT_URL.get(inv.role, "invitation_open"), kwargs={"token": token}))
                except NoReverseMatch:
                    continue
                items.append(item(
                    kind="invitation_reminder", email=inv.email, key=f"invitation-reminder:{inv.pk}",
                    workspace_id=ws.pk, tz=zones[inv.pk], now=now,
                    context={**common, "accept_url": url, "_secret": ["accept_url"],
                             "expires": _day(inv.expires_at, ws.timezone)}))
                counts["reminded"] += 1
                continue
            people = members.get(ws.pk, [])
            told = [m.user for m in people if inviter and m.user_id == inviter.pk] or [
                m.user for m in people if m.role == Role.OWNER]
            for user in told:
                items.append(item(
                    kind="invitation_expired", email=user.email, user_id=user.pk,
                    key=f"invitation-expired:{inv.pk}:u{user.pk}", workspace_id=ws.pk, tz=user.timezone, now=now,
                    context={**common, "recipient_first_name": user.get_short_name(), "url": _owner_page(inv)}))
            counts["expired"] += 1
        return items, counts
    return compose


def _batch(now, batch):
    rows = list(Invitation.objects.filter(next_reminder_at__lte=now).select_related("workspace", "invited_by")
                .order_by("next_reminder_at")[:batch])
    return run_ladder(Invitation, rows, _decide(now), _compose(now), now=now, counters=("reminded", "expired"))


def invitation_reminders(*, now=None, batch=BATCH):
    """Beat: remind an unaccepted invitation once after 3 days; tell the inviter when it expires."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
