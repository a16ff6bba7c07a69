"""Who wants which emails: categories of email, each person's choice per category (on, off,
or digest only), and the one-click unsubscribe link that non-critical emails carry.

Every email kind that is not listed in a category is critical: money and escrow notices,
security (password reset, rotate-this-secret), invitations someone asked for, and the emails
about the work itself (an offer, a changed brief, feedback). Those always go and carry no
List-Unsubscribe header.

The choice is applied when a notification is sent (`notification_send`), not when it is
queued, so a reminder held overnight for decent hours follows a choice made in the meantime.
"""

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .links import absolute
from .models import NotificationPreference, PreferenceMode

OWNER = "owner"
FREELANCER = "freelancer"


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    description: str
    audience: str
    kinds: tuple
    # Whether "digest only" is offered (owners get a daily digest; freelancers do not).
    digest: bool = True


CATEGORIES = [
    Category("update_overdue", "Overdue status updates",
             "When a freelancer is a day late with a status update (after their own reminder).", OWNER,
             ("update_overdue",)),
    Category("gone_quiet", "Engagements gone quiet",
             "When nothing was heard from a freelancer for days: no update, submission, message or visit.",
             OWNER, ("engagement_gone_quiet",)),
    Category("checkins", "Check-in reminders",
             "The day before a check-in, when a past one still needs its notes, and when none is planned.",
             OWNER, ("checkin_tomorrow", "checkin_unrecorded", "checkin_unscheduled")),
    Category("milestones", "Late milestones and new dates",
             "When a milestone is overdue, and when a freelancer asks for a new due date.", OWNER,
             ("milestone_overdue_owner", "milestone_date_requested")),
    Category("acknowledgements", "Briefs and playbook waiting",
             "When a brief or playbook document still waits for the freelancer's acknowledgement after 4 days.",
             OWNER, ("ack_waiting",)),
    Category("invitations", "Expired invitations",
             "When an invitation you sent expired without being accepted.", OWNER, ("invitation_expired",)),
    Category("activity", "Freelancer activity",
             "Work submitted, questions on a brief, blockers, acknowledgements, portal sign-ups, references.",
             OWNER, ("milestone_submitted", "brief_question", "status_blocker", "brief_acknowledged",
                     "portal_joined", "reference_received", "reference_declined")),
    Category("messages", "Messages you missed",
             "One email when messages in an engagement's conversation are still unread after 10 minutes.", OWNER,
             ("message_missed",)),
    Category("digest", "Daily digest",
             "One email at 08:00 (the workspace's time) on days when something needs you.", OWNER,
             ("owner_digest",), digest=False),
    Category("reminders", "Reminders",
             "Before a status update or a milestone is due, and when a brief or playbook waits for you.",
             FREELANCER, ("update_reminder", "milestone_due_soon", "milestone_overdue", "ack_reminder"),
             digest=False),
    Category("portal_messages", "Messages you missed",
             "One email when messages from the client are still unread after 10 minutes.", FREELANCER,
             ("message_missed_portal",), digest=False),
    Category("invitation_reminders", "Invitation reminders",
             "One reminder when an invitation has not been accepted after a few days.", FREELANCER,
             ("invitation_reminder",), digest=False),
]
BY_KEY = {c.key: c for c in CATEGORIES}
BY_KIND = {kind: c for c in CATEGORIES for kind in c.kinds}


def category_for(kind):
    """The category of an email kind, or None when the kind is critical (always sent)."""
    return BY_KIND.get(kind)


def owner_categories():
    return [c for c in CATEGORIES if c.audience == OWNER]


def mode_for(*, workspace_id, email, kind):
    """"on", "off" or "digest" for one email about to be sent."""
    category = category_for(kind)
    if category is None or workspace_id is None:
        return PreferenceMode.ON
    mode = (
        NotificationPreference.objects.filter(workspace_id=workspace_id, email=email.lower(), category=category.key)
        .values_list("mode", flat=True).first()
    )
    if mode == PreferenceMode.DIGEST and not category.digest:
        return PreferenceMode.ON
    return mode or PreferenceMode.ON


def modes(*, workspace, email):
    """{category key: mode} for everything, defaults included."""
    stored = dict(
        NotificationPreference.objects.filter(workspace=workspace, email=email.lower()).values_list("category", "mode")
    )
    return {c.key: stored.get(c.key, PreferenceMode.ON) for c in CATEGORIES}


def preference_set(*, workspace, email, category, mode, via="preferences"):
    if category not in BY_KEY:
        raise ValueError(f"Unknown email category {category!r}")
    if mode not in PreferenceMode.values or (mode == PreferenceMode.DIGEST and not BY_KEY[category].digest):
        raise ValueError(f"{mode!r} is not a choice for {category!r}")
    preference, _ = NotificationPreference.objects.update_or_create(
        workspace=workspace, email=email.strip().lower(), category=category,
        defaults={"mode": mode, "changed_via": via, "updated_at": timezone.now()},
    )
    return preference


# --- One-click unsubscribe (RFC 8058) -----------------------------------------------------------
SALT = "notifications.unsubscribe"


def unsubscribe_token(*, workspace_id, email, category):
    """A signed, non-expiring token naming who stops receiving what. It only ever turns a
    category off for that one address, so it needs no expiry (List-Unsubscribe links are used
    months later)."""
    return signing.dumps({"w": workspace_id, "e": email.lower(), "c": category}, salt=SALT, compress=True)


def read_unsubscribe_token(token):
    """(workspace_id, email, Category) or None for a forged or damaged token."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    category = BY_KEY.get(data.get("c")) if isinstance(data, dict) else None
    if category is None or not isinstance(data.get("w"), int) or not data.get("e"):
        return None
    return data["w"], data["e"], category


def unsubscribe_url(notification):
    """The one-click link for a notification, or "" when its kind is critical."""
    category = category_for(notification.kind)
    if category is None or notification.workspace_id is None:
        return ""
    token = unsubscribe_token(workspace_id=notification.workspace_id, email=notification.recipient_email,
                              category=category.key)
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))
