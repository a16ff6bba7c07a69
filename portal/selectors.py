"""Reads the portal pages share: the freelancer's engagements and what each asks of them now."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from engagements.models import (
    Brief,
    EngagementStatus,
    MilestoneState,
    PlaybookAcknowledgement,
)
from engagements.selectors import brief_awaiting_acknowledgement, current_brief, playbook_status

from .access import visible_engagements

RUNNING = {EngagementStatus.ACTIVE, EngagementStatus.PAUSED}
WORKABLE = {MilestoneState.FUNDED, MilestoneState.CHANGES_REQUESTED}


@dataclass
class Todo:
    text: str
    url_name: str
    url_kwargs: dict
    urgent: bool = False

    @property
    def url(self):
        return reverse(self.url_name, kwargs=self.url_kwargs)


@dataclass
class EngagementRow:
    engagement: object
    todos: list = field(default_factory=list)


def my_engagements(freelancer):
    """The freelancer's engagements (offered ones first, then running, then finished), each with
    counts for the list."""
    order = {EngagementStatus.OFFERED: 0, EngagementStatus.ACTIVE: 1, EngagementStatus.PAUSED: 2}
    rows = list(
        visible_engagements(freelancer)
        .select_related("workspace")
        .annotate(
            open_milestones=Count("milestones", filter=Q(milestones__state__in=list(WORKABLE)), distinct=True),
            changes_requested=Count("milestones", filter=Q(milestones__state=MilestoneState.CHANGES_REQUESTED),
                                    distinct=True),
        )
    )
    unacknowledged = _unacknowledged_briefs([e.pk for e in rows])
    docs_waiting = _playbook_waiting(freelancer, rows)
    now = timezone.now()
    result = []
    for e in sorted(rows, key=lambda e: (order.get(e.status, 3), -(e.offered_at or e.created_at).timestamp())):
        row = EngagementRow(e)
        if e.pk in unacknowledged:
            row.todos.append(Todo(f"Read and acknowledge brief v{unacknowledged[e.pk]}", "portal:brief",
                                  {"pk": e.pk}, urgent=True))
        if docs_waiting.get(e.pk):
            n = docs_waiting[e.pk]
            row.todos.append(Todo(f"Acknowledge {n} playbook document{'s' if n != 1 else ''}", "portal:playbook",
                                  {"pk": e.pk}))
        if e.changes_requested:
            row.todos.append(Todo(f"Changes requested on {e.changes_requested} milestone"
                                  f"{'s' if e.changes_requested != 1 else ''}", "portal:engagement", {"pk": e.pk},
                                  urgent=True))
        if e.status == EngagementStatus.ACTIVE and e.next_update_due_at:
            overdue = e.next_update_due_at < now
            row.todos.append(Todo("Status update overdue" if overdue else "Next status update due",
                                  "portal:updates", {"pk": e.pk}, urgent=overdue))
        result.append(row)
    return result


def _unacknowledged_briefs(engagement_ids):
    """{engagement id: version} where the current brief was sent and not acknowledged."""
    latest = {}
    for b in Brief.objects.filter(engagement_id__in=engagement_ids).order_by("engagement_id", "-version").values(
            "engagement_id", "version", "sent_at", "acknowledged_at"):
        latest.setdefault(b["engagement_id"], b)
    return {eid: b["version"] for eid, b in latest.items() if b["sent_at"] and not b["acknowledged_at"]}


def _playbook_waiting(freelancer, engagements):
    """{engagement id: how many attached documents' current versions are not acknowledged}."""
    running = [e for e in engagements if e.status in RUNNING | {EngagementStatus.OFFERED}]
    if not running:
        return {}
    from engagements.models import Engagement

    pairs = list(Engagement.playbook.through.objects.filter(engagement_id__in=[e.pk for e in running])
                 .values_list("engagement_id", "playbookdocument_id", "playbookdocument__current_version"))
    acknowledged = set(PlaybookAcknowledgement.objects.filter(freelancer=freelancer).values_list(
        "version__document_id", "version__version"))
    waiting = {}
    for engagement_id, document_id, version in pairs:
        if (document_id, version) not in acknowledged:
            waiting[engagement_id] = waiting.get(engagement_id, 0) + 1
    return waiting


def engagement_todos(engagement):
    """What the freelancer is asked to do on one engagement now."""
    todos = []
    waiting = brief_awaiting_acknowledgement(engagement)
    if waiting:
        todos.append(Todo(f"Read and acknowledge brief v{waiting.version}", "portal:brief", {"pk": engagement.pk},
                          urgent=True))
    if not engagement.is_ended:
        for item in playbook_status(engagement):
            if not item["acknowledged"]:
                document = item["document"]
                todos.append(Todo(f"Read and acknowledge “{document.title}” (v{item['version']})",
                                  "portal:playbook_document", {"pk": engagement.pk, "document_pk": document.pk}))
    for m in engagement.milestones.filter(state=MilestoneState.CHANGES_REQUESTED).order_by("position", "pk"):
        todos.append(Todo(f"Changes requested on “{m.title}”", "portal:milestone",
                          {"pk": engagement.pk, "milestone_pk": m.pk}, urgent=True))
    return todos


__all__ = ["current_brief", "engagement_todos", "my_engagements"]
