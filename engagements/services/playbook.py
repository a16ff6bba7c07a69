"""The playbook: workspace documents (how we work, reporting format, style guides) attached to
engagements. Each change is a new version; the freelancer acknowledges each version."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..emails import notify_freelancer
from ..models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    ActivityKind,
    Engagement,
    PlaybookAcknowledgement,
    PlaybookDocument,
    PlaybookVersion,
)
from ..selectors import playbook_current_version
from .activity import activity_record
from .ladders import engagement_heard_from, playbook_requests_arm
from .transitions import ConflictError, NotAllowed


@transaction.atomic
def playbook_document_create(*, workspace, actor, title, kind, body):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the document."})
    document = PlaybookDocument.objects.create(workspace=workspace, title=title.strip(), kind=kind, current_version=1)
    PlaybookVersion.objects.create(document=document, version=1, body=body, created_by=actor)
    return document


@transaction.atomic
def playbook_document_revise(*, document, actor, title, kind, body, change_note=""):
    """A new version when the text changes (freelancers on running engagements are asked to
    read it); a title or kind change alone is not a new version. Returns (document, version
    or None)."""
    document = PlaybookDocument.objects.select_for_update().get(pk=document.pk)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The document cannot be empty."})
    document.title, document.kind = title.strip(), kind
    latest = playbook_current_version(document)
    if latest is not None and latest.body == body:
        document.save(update_fields=["title", "kind", "updated_at"])
        return document, None
    document.current_version += 1
    document.save(update_fields=["title", "kind", "current_version", "updated_at"])
    version = PlaybookVersion.objects.create(document=document, version=document.current_version, body=body,
                                             change_note=(change_note or "").strip(), created_by=actor)
    for engagement in document.engagements.filter(status__in=OPEN_STATUSES).select_related("freelancer", "workspace"):
        playbook_requests_arm(engagement=engagement, versions=[version])
        activity_record(engagement=engagement, kind=ActivityKind.PLAYBOOK_ATTACHED, actor_user=actor,
                        summary=f"“{document.title}” changed to v{version.version}; it needs a new acknowledgement.")
        notify_freelancer(engagement, kind="playbook_updated", key=f"playbook:{version.pk}:e{engagement.pk}",
                          page="playbook",
                          context={"document_title": document.title, "version": version.version,
                                   "change_note": version.change_note})
    return document, version


@transaction.atomic
def playbook_attach(*, engagement, document, actor):
    engagement = Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(pk=engagement.pk)
    if document.workspace_id != engagement.workspace_id:
        raise NotAllowed("No such document in this workspace.")
    if engagement.is_ended:
        raise ConflictError("A finished engagement cannot take new playbook documents.")
    if engagement.playbook.filter(pk=document.pk).exists():
        return False
    engagement.playbook.add(document)
    activity_record(engagement=engagement, kind=ActivityKind.PLAYBOOK_ATTACHED, actor_user=actor,
                    summary=f"Attached “{document.title}” (v{document.current_version}).")
    if engagement.status in OPEN_STATUSES:
        playbook_requests_arm(engagement=engagement, versions=[playbook_current_version(document)])
        notify_freelancer(engagement, kind="playbook_updated", page="playbook",
                          key=f"playbook-attached:{document.pk}:e{engagement.pk}:v{document.current_version}",
                          context={"document_title": document.title, "version": document.current_version,
                                   "change_note": ""})
    return True


@transaction.atomic
def playbook_detach(*, engagement, document, actor):
    if engagement.playbook.filter(pk=document.pk).exists():
        engagement.playbook.remove(document)
        activity_record(engagement=engagement, kind=ActivityKind.PLAYBOOK_DETACHED, actor_user=actor,
                        summary=f"Removed “{document.title}”.")


@transaction.atomic
def playbook_acknowledge(*, version_id, freelancer):
    """The freelancer read this version. Only the current version of a document attached to one
    of their engagements can be acknowledged."""
    version = PlaybookVersion.objects.select_related("document").filter(pk=version_id).first()
    engagements = Engagement.objects.filter(freelancer=freelancer, playbook=version.document) if version else None
    if version is None or not engagements.exists():
        raise NotAllowed("No such playbook document for this freelancer.")
    if version.version != version.document.current_version:
        raise ConflictError(f"Version {version.version} of “{version.document.title}” is out of date: "
                            f"read version {version.document.current_version}.")
    try:
        with transaction.atomic():
            ack = PlaybookAcknowledgement.objects.create(version=version, freelancer=freelancer,
                                                         acknowledged_at=timezone.now())
    except IntegrityError:
        return PlaybookAcknowledgement.objects.get(version=version, freelancer=freelancer)
    for engagement in engagements.filter(~Q(status__in=ENDED_STATUSES)):
        activity_record(engagement=engagement, kind=ActivityKind.PLAYBOOK_ACKNOWLEDGED, actor_freelancer=freelancer,
                        summary=f"{freelancer.name} acknowledged “{version.document.title}” v{version.version}.")
        engagement_heard_from(engagement=engagement, at=ack.acknowledged_at)
    return ack


