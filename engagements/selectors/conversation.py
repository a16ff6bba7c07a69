"""Reads of the conversation: who is in a thread, the thread as a reader sees it, unread counts
(for one engagement, for a list in a fixed number of queries, and across everything a person
may read, for the inbox), and which files a reader may download.

The thread is composed here, at read time, from the engagement's messages and the timeline
lines worth telling both sides (questions, updates, submissions, change requests, money, the
lifecycle), each system line linking to what it names on the reader's side. Nothing is copied
into messages, so the timeline stays the one record of events.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from accounts.models import Membership

from ..models import OPEN_STATUSES, Activity, Attachment, Engagement, EngagementStatus, Message, ThreadRead

OWNER, FREELANCER = "owner", "freelancer"
THREAD_LIMIT = 300

# Timeline kinds shown in the thread, and the page each links to: (owner side, portal side).
_BRIEF = ("engagements:brief", "portal:brief")
_MILESTONE = ("engagements:milestone", "portal:milestone")
_MONEY = ("payments:engagement", "portal:engagement_money")
_OVERVIEW = ("engagements:detail", "portal:engagement")
SYSTEM_LINKS = {
    "offered": _OVERVIEW, "activated": _OVERVIEW, "paused": _OVERVIEW, "resumed": _OVERVIEW,
    "completed": _OVERVIEW, "cancelled": _OVERVIEW,
    "brief_acknowledged": _BRIEF, "question_asked": _BRIEF, "question_answered": _BRIEF,
    "status_update": ("engagements:updates", "portal:updates"),
    "checkin_scheduled": ("engagements:checkins", "portal:checkins"),
    "milestone_submitted": _MILESTONE, "changes_requested": _MILESTONE, "date_requested": _MILESTONE,
    "date_accepted": _MILESTONE, "date_declined": _MILESTONE,
    "escrow_funded": _MONEY, "escrow_released": _MONEY, "escrow_auto_released": _MONEY,
    "escrow_refunded": _MONEY, "escrow_disputed": _MONEY, "escrow_resolved": _MONEY, "bonus_paid": _MONEY,
    "payout_recorded": _MONEY, "refund_requested": _MONEY, "refund_released": _MONEY,
    "timesheet_approved": ("payments:engagement", "portal:timesheets"),
    "timesheet_disputed": ("payments:engagement", "portal:timesheets"),
    **dict.fromkeys(("retainer_funded", "retainer_released", "retainer_disputed", "retainer_resolved",
                     "retainer_hours_over"), ("payments:retainer", "portal:retainer")),
    **dict.fromkeys(("commission_reported", "commission_disputed", "commission_released"),
                    ("payments:commission", "portal:commission")),
}


# --- Who is in a thread -------------------------------------------------------------------------
def thread_side(engagement, user):
    """OWNER for an active member of the engagement's workspace, FREELANCER for the engagement's
    freelancer's own login once it was offered to them, else None (not in the thread)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if (engagement.freelancer.user_id == user.pk and engagement.offered_at is not None
            and engagement.status != EngagementStatus.DRAFT):
        return FREELANCER
    return OWNER if workspace_member(engagement, user) else None


def workspace_member(engagement, user):
    """An active owner or manager of the engagement's workspace."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and Membership.objects.filter(workspace_id=engagement.workspace_id, user=user).exists())


def thread_open(engagement):
    """Messages can be written while the engagement is offered or under way."""
    return engagement.status in OPEN_STATUSES


# --- The thread ---------------------------------------------------------------------------------
@dataclass
class ThreadItem:
    at: datetime
    message: Message | None = None
    activity: Activity | None = None
    url: str = ""

    @property
    def system(self):
        return self.message is None


def system_url(activity, side):
    names = SYSTEM_LINKS.get(activity.kind)
    if names is None:
        return ""
    name = names[0] if side == OWNER else names[1]
    kwargs = {"pk": activity.engagement_id}
    if names is _MILESTONE:
        if not activity.milestone_id:
            name = _OVERVIEW[0] if side == OWNER else _OVERVIEW[1]
        else:
            kwargs["milestone_pk"] = activity.milestone_id
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def thread_messages(engagement, *, after_id=None):
    qs = (Message.objects.filter(engagement=engagement)
          .select_related("author_user", "author_freelancer").prefetch_related("attachments"))
    if after_id:
        qs = qs.filter(pk__gt=after_id)
    return qs.order_by("created_at", "id")


def thread(engagement, *, side, after_id=None, limit=THREAD_LIMIT):
    """The thread, oldest first (the newest at the bottom): the last `limit` messages and the
    system lines among them. With `after_id`, only what came after that message."""
    messages = list(thread_messages(engagement, after_id=after_id).order_by("-created_at", "-id")[:limit])[::-1]
    activities = Activity.objects.filter(engagement=engagement, kind__in=SYSTEM_LINKS).select_related(
        "actor_user", "actor_freelancer")
    if after_id:
        since = Message.objects.filter(pk=after_id).values_list("created_at", flat=True).first()
        activities = activities.filter(created_at__gt=since) if since else activities
    elif len(messages) == limit:
        activities = activities.filter(created_at__gte=messages[0].created_at)
    items = [ThreadItem(at=m.created_at, message=m) for m in messages]
    items += [ThreadItem(at=a.created_at, activity=a, url=system_url(a, side))
              for a in activities.order_by("-created_at", "-id")[:limit]]
    return sorted(items, key=lambda i: (i.at, 0 if i.system else 1, (i.message or i.activity).pk))


def last_message_id(engagement):
    return Message.objects.filter(engagement=engagement).order_by("-id").values_list("pk", flat=True).first() or 0


# --- Unread -------------------------------------------------------------------------------------
def unread_count(engagement, user):
    mark = ThreadRead.objects.filter(engagement=engagement, user=user).values_list("last_read_id", flat=True).first()
    return (Message.objects.filter(engagement=engagement, pk__gt=mark or 0, retracted_at__isnull=True)
            .exclude(author_user=user).count())


def with_unread(queryset, user):
    """Engagements annotated with `unread_messages` for `user`: one subquery, however many rows."""
    mark = ThreadRead.objects.filter(engagement=OuterRef(OuterRef("pk")), user=user).values("last_read_id")[:1]
    unread = (Message.objects.filter(engagement=OuterRef("pk"), retracted_at__isnull=True)
              .exclude(author_user=user).filter(pk__gt=Coalesce(Subquery(mark), Value(0)))
              .order_by().values("engagement").annotate(n=Count("pk")).values("n"))
    return queryset.annotate(unread_messages=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def readable_engagements(user):
    """Every engagement whose thread `user` may read: their workspaces' (as owner or manager) and
    those offered to their freelancer profiles."""
    workspaces = Membership.objects.filter(user=user).values("workspace_id")
    return Engagement.objects.filter(
        Q(workspace_id__in=workspaces)
        | (Q(freelancer__user=user) & Q(offered_at__isnull=False) & ~Q(status=EngagementStatus.DRAFT)))


def unread_messages_for(user, *, limit=50):
    """The newest messages `user` has not read, across every thread they may read (for the
    in-app inbox): each with its engagement, newest first."""
    mark = ThreadRead.objects.filter(engagement=OuterRef("engagement_id"), user=user).values("last_read_id")[:1]
    return (Message.objects.filter(engagement__in=readable_engagements(user), retracted_at__isnull=True)
            .exclude(author_user=user).annotate(read_through=Coalesce(Subquery(mark), Value(0)))
            .filter(pk__gt=F("read_through"))
            .select_related("engagement", "engagement__workspace").order_by("-created_at", "-id")[:limit])


# --- Files --------------------------------------------------------------------------------------
def visible_attachments(engagement):
    """Files a reader of the engagement may download: those of its (not retracted) messages and
    of its milestone submissions."""
    return Attachment.objects.filter(engagement=engagement).filter(
        Q(message__isnull=False, message__retracted_at__isnull=True) | Q(submission_file__isnull=False))


def own_unused_attachments(user, workspace_id):
    """Uploads not yet in a message or submission: only their uploader sees them."""
    return Attachment.objects.filter(uploaded_by=user, workspace_id=workspace_id, engagement__isnull=True,
                                     message__isnull=True)
