"""Playbook documents acknowledged per version."""

import pytest

from engagements.models import PlaybookAcknowledgement
from engagements.selectors import engagement_detail, playbook_current_version, playbook_status
from engagements.services.playbook import (
    playbook_acknowledge,
    playbook_attach,
    playbook_document_create,
    playbook_document_revise,
)
from engagements.services.transitions import ConflictError, NotAllowed
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(workspace, owner):
    return playbook_document_create(workspace=workspace, actor=owner, title="How we work", kind="how_we_work",
                                    body="# Hello\nWe reply within a day.")


def test_each_version_is_acknowledged(active, owner, freelancer, document):
    playbook_attach(engagement=active, document=document, actor=owner)
    assert Notification.objects.filter(kind="playbook_updated", recipient_email=freelancer.email).count() == 1
    v1 = playbook_current_version(document)
    playbook_acknowledge(version_id=v1.pk, freelancer=freelancer)
    assert playbook_status(active)[0]["acknowledged"] is True
    document, v2 = playbook_document_revise(document=document, actor=owner, title="How we work",
                                            kind="how_we_work", body="We reply within two hours.",
                                            change_note="Faster replies")
    assert v2.version == 2
    assert playbook_status(active)[0]["acknowledged"] is False
    assert Notification.objects.filter(kind="playbook_updated").count() == 2
    with pytest.raises(ConflictError, match="out of date"):
        playbook_acknowledge(version_id=v1.pk, freelancer=freelancer)
    playbook_acknowledge(version_id=v2.pk, freelancer=freelancer)
    playbook_acknowledge(version_id=v2.pk, freelancer=freelancer)  # twice is harmless
    assert PlaybookAcknowledgement.objects.count() == 2
    assert playbook_status(active)[0]["acknowledged"] is True


def test_the_engagement_pages_read_of_acknowledgements_says_the_same(active, owner, freelancer, other_freelancer,
                                                                     document):
    # The page reads them with the engagement (engagement_detail); another freelancer's
    # acknowledgement of the same version never counts for this one.
    from engagements.services.lifecycle import engagement_create

    theirs = engagement_create(workspace=active.workspace, created_by=owner, freelancer=other_freelancer,
                               title="Theirs", budget=1000, currency="USD")
    playbook_attach(engagement=active, document=document, actor=owner)
    playbook_attach(engagement=theirs, document=document, actor=owner)
    v1 = playbook_current_version(document)

    def on_the_page():
        return playbook_status(engagement_detail(active.workspace, active.pk))[0]["acknowledged"]

    playbook_acknowledge(version_id=v1.pk, freelancer=other_freelancer)
    assert on_the_page() is False
    playbook_acknowledge(version_id=v1.pk, freelancer=freelancer)
    assert on_the_page() is True
    document, v2 = playbook_document_revise(document=document, actor=owner, title="How we work",
                                            kind="how_we_work", body="Two hours.", change_note="Faster")
    assert on_the_page() is False


def test_a_title_change_alone_is_not_a_new_version(document, owner):
    document, version = playbook_document_revise(document=document, actor=owner, title="Our ways",
                                                 kind="how_we_work", body="# Hello\nWe reply within a day.")
    assert version is None and document.current_version == 1 and document.title == "Our ways"


def test_a_freelancer_acknowledges_only_documents_on_their_engagements(document, other_freelancer):
    with pytest.raises(NotAllowed):
        playbook_acknowledge(version_id=playbook_current_version(document).pk,
                             freelancer=other_freelancer)


def test_documents_of_another_workspace_cannot_be_attached(active, owner, outsider):
    foreign = playbook_document_create(workspace=outsider.memberships.get().workspace, actor=outsider,
                                       title="Theirs", kind="other", body="x")
    with pytest.raises(NotAllowed):
        playbook_attach(engagement=active, document=foreign, actor=owner)
