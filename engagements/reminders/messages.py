"""Messages you missed: a message still unread ten minutes after it came brings one email,
and several messages in that window make one email. Never an email for a message already read
in the app, and none at night: outside 08:00–20:00 in the reader's time zone the ladder waits
for the morning and looks again then (so what was read overnight is not emailed).

The ladder is `ThreadRead.notify_at`, armed when a message reaches the reader unread
(services/conversation.py) and cleared when they read the thread; `emailed_through_id` is the
last message an email named, so the next one names only newer messages. The email's Reply-To is
the reader's own reply address for the thread (services/inbound.py). Each reader's choice for
the category "messages" applies when it is sent (notifications.preferences).
"""

from django.db.models import Q
from django.utils import timezone

from notifications.quiet import decent_not_before, is_decent
from notifications.sweeps import BATCH, drain, item, run_ladder

from ..emails import owner_url, owners_by_workspace, portal_url, when
from ..models import Message, ThreadRead
from ..services.inbound import reply_address

# At most this many messages are quoted in one email (the rest are counted).
SHOWN = 10


def _unread(rows):
    """{ThreadRead pk: [unread messages not yet emailed]}, one query for the batch."""
    if not rows:
        return {}
    wanted = Q()
    for r in rows:
        wanted |= Q(engagement_id=r.engagement_id, pk__gt=max(r.last_read_id, r.emailed_through_id))
    found = {}
    messages = (Message.objects.filter(wanted, retracted_at__isnull=True).prefetch_related("attachments")
                .order_by("created_at", "id"))
    by_engagement = {}
    for m in messages:
        by_engagement.setdefault(m.engagement_id, []).append(m)
    for r in rows:
        floor = max(r.last_read_id, r.emailed_through_id)
        found[r.pk] = [m for m in by_engagement.get(r.engagement_id, [])
                       if m.pk > floor and m.author_user_id != r.user_id]
    return found


def _side(row, members):
    """"freelancer" or "owner" while the reader is still in the thread, else None."""
    e = row.engagement
    if e.freelancer.user_id == row.user_id:
        return "freelancer"
    if any(u.pk == row.user_id for u, _ in members.get(e.workspace_id, [])):
        return "owner"
    return None


def _decide(now, unread, members):
    def decide(row):
        expected = {"notify_at": row.notify_at, "last_read_id": row.last_read_id,
                    "emailed_through_id": row.emailed_through_id}
        missed = unread.get(row.pk)
        side = _side(row, members)
        if not missed or side is None or not row.user.is_active:
            return expected, {"notify_at": None}, None
        if not is_decent(now, row.user.timezone):
            # Night in the reader's zone: look again at 08:00 there (what they read by then is
            # not emailed).
            return expected, {"notify_at": decent_not_before(now, row.user.timezone)}, None
        return expected, {"notify_at": None, "emailed_through_id": missed[-1].pk}, (side, missed)
    return decide


def _lines(missed, tz):
    return [{"author": m.author_name, "at": when(m.created_at, tz), "text": m.body[:2000],
             "files": [a.name for a in m.attachments.all()]} for m in missed[:SHOWN]]


def _compose(now):
    def compose(todo):
        items = []
        for row, (side, missed) in todo:
            e, user = row.engagement, row.user
            as_freelancer = side == "freelancer"
            url = portal_url("messages", pk=e.pk) if as_freelancer else owner_url("messages", pk=e.pk)
            context = {
                "engagement_title": e.title, "freelancer_name": e.freelancer.name, "engagement_id": e.pk,
                "audience": side, "recipient_first_name": user.get_short_name(), "url": url,
                "count": len(missed), "more": max(0, len(missed) - SHOWN), "messages": _lines(missed, user.timezone),
                "authors": sorted({m.author_name for m in missed}),
                "reply_to": "" if e.is_ended else reply_address(user=user, engagement=e, as_freelancer=as_freelancer),
                "_secret": ["reply_to"],
            }
            items.append(item(
                kind="message_missed_portal" if as_freelancer else "message_missed", email=user.email,
                key=f"messages-missed:{e.pk}:u{user.pk}:{missed[-1].pk}", context=context,
                workspace_id=e.workspace_id, tz=user.timezone, now=now, user_id=user.pk, engagement_id=e.pk))
        return items, {"emailed": len(items)}
    return compose


def _batch(now, batch):
    rows = list(
        ThreadRead.objects.filter(notify_at__lte=now)
        .select_related("user", "engagement__freelancer", "engagement__workspace").order_by("notify_at")[:batch]
    )
    unread = _unread(rows)
    members = owners_by_workspace(r.engagement.workspace_id for r in rows)
    return run_ladder(ThreadRead, rows, _decide(now, unread, members), _compose(now), now=now, counters=("emailed",))


def missed_message_emails(*, now=None, batch=BATCH):
    """Beat: one email per reader for the messages still unread ten minutes after the first of
    them came, in decent hours of the reader's zone, with Reply-To their reply address."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
