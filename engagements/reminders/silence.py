"""The silence detector: an active engagement with no update, submission, message,
acknowledgement, date request or portal visit for `quiet_after_days` (default 5; 0 turns it off)
is marked gone quiet — at risk on the owner's pages — and the owner is nudged once to check in
or bring in a backup from the bench.

The deadline is `Engagement.quiet_check_at`, kept at the last sign of the freelancer plus the
threshold by the actions that hear from them (services/ladders.py: engagement_heard_from). A
portal visit is recorded by the portal only (`PortalAccess.last_seen_at`), so it is read here,
through the reverse relation, when the deadline comes.
"""

from datetime import timedelta

from django.core.exceptions import FieldError
from django.urls import reverse
from django.utils import timezone

from notifications.links import absolute
from notifications.sweeps import BATCH, drain, light_rows, run_ladder

from ..emails import owner_urls, owners_by_workspace, to_owners
from ..models import ActivityKind, Engagement, EngagementStatus
from ..services.activity import activity_record_many


def _portal_seen(engagement_ids):
    """{engagement_id: the freelancer's last portal visit} (PortalAccess.last_seen_at, through
    the reverse relation; nothing when the portal is absent)."""
    try:
        seen = Engagement.objects.filter(pk__in=engagement_ids, freelancer__portal_access__last_seen_at__isnull=False)
        return dict(seen.values_list("pk", "freelancer__portal_access__last_seen_at"))
    except FieldError:
        return {}


def _decide(now, seen):
    def decide(e):
        expected = {"quiet_check_at": e.quiet_check_at, "gone_quiet_at": e.gone_quiet_at,
                    "last_activity_at": e.last_activity_at}
        last = max([m for m in (e.last_activity_at, e.activated_at, e.resumed_at, seen.get(e.pk)) if m], default=None)
        if not e.quiet_after_days or last is None or e.gone_quiet_at:
            return expected, {"quiet_check_at": None}, None
        if last + timedelta(days=e.quiet_after_days) > now:
            # Heard from since the deadline was set (a portal visit is recorded by the portal
            # only): the silence count moves on, nothing is sent.
            return expected, {"quiet_check_at": last + timedelta(days=e.quiet_after_days),
                              "last_activity_at": max(last, e.last_activity_at or last)}, None
        return expected, {"quiet_check_at": None, "gone_quiet_at": now}, last
    return decide


def _compose(now):
    def compose(todo):
        members = owners_by_workspace(e.workspace_id for e, _ in todo)
        # The backups' names straight from the link table (one query, no engagement read again).
        backups = {}
        links = (Engagement.backups.through.objects.filter(engagement_id__in=[e.pk for e, _ in todo])
                 .order_by("freelancer__name").values_list("engagement_id", "freelancer__name"))
        for engagement_id, name in links:
            backups.setdefault(engagement_id, []).append(name)
        items, activities = [], []
        bench_url = absolute(reverse("freelancers:bench"))
        checkins_url, detail_url = owner_urls("checkins"), owner_urls("detail")
        for e, last in todo:
            days = (now - last).days
            items += to_owners(
                e, members, kind="engagement_gone_quiet", key=f"gone-quiet:{e.pk}:{last.isoformat()}", now=now,
                context={"days_silent": days, "quiet_after_days": e.quiet_after_days,
                         "backups": backups.get(e.pk, []), "url": checkins_url(pk=e.pk),
                         "engagement_url": detail_url(pk=e.pk), "bench_url": bench_url})
            activities.append({
                "engagement_id": e.pk, "kind": ActivityKind.GONE_QUIET,
                "summary": f"Gone quiet: nothing from {e.freelancer.name} for {days} days (no update, submission, "
                           "message or portal visit)."})
        activity_record_many(activities, at=now)
        return items, {"gone_quiet": len(todo)}
    return compose


def _batch(now, batch):
    rows = light_rows(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, quiet_check_at__lte=now)
        .order_by("quiet_check_at")[:batch],
        "pk", "workspace_id", "created_by_id", "title", "freelancer__name", "quiet_after_days", "quiet_check_at",
        "gone_quiet_at", "last_activity_at", "activated_at", "resumed_at",
    )
    seen = _portal_seen([e.pk for e in rows])
    return run_ladder(Engagement, rows, _decide(now, seen), _compose(now), now=now, counters=("gone_quiet",))


def silence_detector(*, now=None, batch=BATCH):
    """Beat: an active engagement with no update, submission, message or portal visit for
    `quiet_after_days` (default 5) is marked gone quiet (at risk) and its owner nudged to check
    in or bring in a backup from the bench."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
