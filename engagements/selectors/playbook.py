"""Reads about the playbook: a document's current version, which of an engagement's documents
its freelancer acknowledged, and the versions an offer asks them to read."""

from ..models import PlaybookAcknowledgement, PlaybookVersion


def playbook_current_version(document):
    return PlaybookVersion.objects.filter(document=document, version=document.current_version).first()


def playbook_status(engagement):
    """For each attached document: the current version and whether the freelancer acknowledged
    it. Two queries, none when `engagement_detail` read them."""
    documents = sorted(engagement.playbook.all(), key=lambda d: (d.title, d.pk))  # prefetched or not
    if all(hasattr(d, "acknowledged_current") for d in documents):  # read with them (engagement_detail)
        acknowledged = {(d.pk, d.current_version) for d in documents if d.acknowledged_current}
    else:
        acknowledged = set(
            PlaybookAcknowledgement.objects.filter(
                freelancer_id=engagement.freelancer_id, version__document__in=documents,
            ).values_list("version__document_id", "version__version")
        )
    return [
        {"document": d, "version": d.current_version, "acknowledged": (d.pk, d.current_version) in acknowledged}
        for d in documents
    ]


def current_playbook_versions(engagement):
    """The current version of every document attached to the engagement (what an offer asks
    the freelancer to read)."""
    return [v for v in PlaybookVersion.objects.filter(document__engagements=engagement).select_related("document")
            if v.version == v.document.current_version]
