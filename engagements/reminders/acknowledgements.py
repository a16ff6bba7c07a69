"""Briefs and playbook documents waiting for the freelancer's acknowledgement: two days after a
version was sent the freelancer is nudged; after four the owner is told. Only the current
version of a brief, or of a playbook document still attached, on an engagement the freelancer
has (offered or under way), is chased.

The ladders are `Brief.ack_nudge_at` / `ack_nudge_step` and `PlaybookAckRequest.nudge_at` /
`nudge_step`, armed when the version is sent (services/ladders.py).
"""

from django.db.models import Max
from django.utils import timezone

from notifications.sweeps import BATCH, drain, run_ladder

from ..emails import owner_url, owners_by_workspace, portal_url, to_freelancer, to_owners, when
from ..models import OPEN_STATUSES, Brief, Engagement, PlaybookAcknowledgement, PlaybookAckRequest
from ..services.ladders import ACK_OWNER_AFTER


def _step(now, *, step, at, since, waiting, fields):
    """The shared ladder: 2 days after `since` nudge the freelancer, after 4 tell the owner."""
    step_f, at_f = fields
    expected = {step_f: step, at_f: at}
    if not waiting:
        return expected, {at_f: None, step_f: 2}, None
    owner_at = since + ACK_OWNER_AFTER
    if step == 0 and now < owner_at:
        return expected, {step_f: 1, at_f: owner_at}, ("freelancer",)
    if step == 0:
        return expected, {step_f: 2, at_f: None}, ("freelancer", "owner")
    if step == 1 and now >= owner_at:
        return expected, {step_f: 2, at_f: None}, ("owner",)
    return expected, {at_f: owner_at} if step == 1 else {at_f: None}, None


def _items(e, *, what, title, sent_at, acts, key, freelancer_url, members, now):
    context = {"what": what, "document_title": title, "sent": when(sent_at, e.freelancer.timezone),
               "days_waiting": max(1, (now - sent_at).days)}
    items = []
    if "freelancer" in acts:
        items += to_freelancer(e, kind="ack_reminder", key=f"{key}:freelancer", now=now,
                               context={**context, "url": freelancer_url})
    if "owner" in acts:
        items += to_owners(e, members, kind="ack_waiting", key=f"{key}:owner", now=now, moments={"sent": sent_at},
                           context={**context, "url": owner_url("detail", pk=e.pk)})
    return items


# --- Briefs -----------------------------------------------------------------------------------------
def _compose_briefs(now):
    def compose(todo):
        members = owners_by_workspace(b.engagement.workspace_id for b, _ in todo)
        items = []
        for b, acts in todo:
            items += _items(b.engagement, what="brief", title=f"Brief v{b.version}", sent_at=b.sent_at, acts=acts,
                            key=f"brief-ack:{b.pk}:{b.sent_at.isoformat()}",
                            freelancer_url=portal_url("brief", pk=b.engagement_id), members=members, now=now)
        return items, {"briefs": len(todo)}
    return compose


def _brief_batch(now, batch):
    rows = list(
        Brief.objects.filter(acknowledged_at__isnull=True, ack_nudge_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace").order_by("ack_nudge_at")[:batch]
    )
    latest = dict(
        Brief.objects.filter(engagement_id__in={b.engagement_id for b in rows}).values("engagement_id")
        .annotate(v=Max("version")).values_list("engagement_id", "v")
    )

    def decide(b):
        waiting = bool(b.sent_at) and latest.get(b.engagement_id) == b.version and b.engagement.status in OPEN_STATUSES
        return _step(now, step=b.ack_nudge_step, at=b.ack_nudge_at, since=b.sent_at or now, waiting=waiting,
                     fields=("ack_nudge_step", "ack_nudge_at"))

    return run_ladder(Brief, rows, decide, _compose_briefs(now), now=now, counters=("briefs",))


# --- Playbook documents -------------------------------------------------------------------------------
def _compose_playbook(now):
    def compose(todo):
        members = owners_by_workspace(r.engagement.workspace_id for r, _ in todo)
        items = []
        for r, acts in todo:
            document = r.version.document
            items += _items(
                r.engagement, what="playbook", title=f"“{document.title}” v{r.version.version}",
                sent_at=r.requested_at, acts=acts, key=f"playbook-ack:{r.pk}",
                freelancer_url=portal_url("playbook_document", pk=r.engagement_id, document_pk=document.pk),
                members=members, now=now)
        return items, {"playbook": len(todo)}
    return compose


def _playbook_batch(now, batch):
    rows = list(
        PlaybookAckRequest.objects.filter(nudge_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace", "version__document")
        .order_by("nudge_at")[:batch]
    )
    acknowledged = set(
        PlaybookAcknowledgement.objects.filter(version_id__in={r.version_id for r in rows})
        .values_list("version_id", "freelancer_id")
    )
    attached = set(
        Engagement.playbook.through.objects.filter(engagement_id__in={r.engagement_id for r in rows})
        .values_list("engagement_id", "playbookdocument_id")
    )

    def decide(r):
        e, version = r.engagement, r.version
        waiting = (
            e.status in OPEN_STATUSES and version.version == version.document.current_version
            and (e.pk, version.document_id) in attached and (version.pk, e.freelancer_id) not in acknowledged
        )
        return _step(now, step=r.nudge_step, at=r.nudge_at, since=r.requested_at, waiting=waiting,
                     fields=("nudge_step", "nudge_at"))

    return run_ladder(PlaybookAckRequest, rows, decide, _compose_playbook(now), now=now, counters=("playbook",))


def acknowledgement_nudges(*, now=None, batch=BATCH):
    """Beat: a brief or playbook version waiting for the freelancer's acknowledgement for 2
    days nudges them; after 4 days the owner is told."""
    now = now or timezone.now()
    counts = drain(_brief_batch, now=now, batch=batch)
    counts.update(drain(_playbook_batch, now=now, batch=batch))
    return counts
