"""Playbook documents acknowledged per version; the end review."""

import pytest
from django.core.exceptions import ValidationError

from engagements import playbook, reviews, selectors, services
from engagements.models import PlaybookAcknowledgement
from engagements.transitions import ConflictError, NotAllowed
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(workspace, owner):
    return playbook.playbook_document_create(workspace=workspace, actor=owner, title="How we work", kind="how_we_work",
                                             body="# Hello\nWe reply within a day.")


def test_each_version_is_acknowledged(active, owner, freelancer, document):
    playbook.playbook_attach(engagement=active, document=document, actor=owner)
    assert Notification.objects.filter(kind="playbook_updated", recipient_email=freelancer.email).count() == 1
    v1 = selectors.playbook_current_version(document)
    playbook.playbook_acknowledge(version_id=v1.pk, freelancer=freelancer)
    assert selectors.playbook_status(active)[0]["acknowledged"] is True
    document, v2 = playbook.playbook_document_revise(document=document, actor=owner, title="How we work",
                                                     kind="how_we_work", body="We reply within two hours.",
                                                     change_note="Faster replies")
    assert v2.version == 2
    assert selectors.playbook_status(active)[0]["acknowledged"] is False
    assert Notification.objects.filter(kind="playbook_updated").count() == 2
    with pytest.raises(ConflictError, match="out of date"):
        playbook.playbook_acknowledge(version_id=v1.pk, freelancer=freelancer)
    playbook.playbook_acknowledge(version_id=v2.pk, freelancer=freelancer)
    playbook.playbook_acknowledge(version_id=v2.pk, freelancer=freelancer)  # twice is harmless
    assert PlaybookAcknowledgement.objects.count() == 2
    assert selectors.playbook_status(active)[0]["acknowledged"] is True


def test_a_title_change_alone_is_not_a_new_version(document, owner):
    document, version = playbook.playbook_document_revise(document=document, actor=owner, title="Our ways",
                                                          kind="how_we_work", body="# Hello\nWe reply within a day.")
    assert version is None and document.current_version == 1 and document.title == "Our ways"


def test_a_freelancer_acknowledges_only_documents_on_their_engagements(document, other_freelancer):
    with pytest.raises(NotAllowed):
        playbook.playbook_acknowledge(version_id=selectors.playbook_current_version(document).pk,
                                      freelancer=other_freelancer)


def test_documents_of_another_workspace_cannot_be_attached(active, owner, outsider):
    foreign = playbook.playbook_document_create(workspace=outsider.memberships.get().workspace, actor=outsider,
                                                title="Theirs", kind="other", body="x")
    with pytest.raises(NotAllowed):
        playbook.playbook_attach(engagement=active, document=foreign, actor=owner)


def test_the_review_waits_for_the_end(active, owner):
    with pytest.raises(ConflictError):
        reviews.review_save(engagement=active, actor=owner, went_well="a", do_differently="b", quality=4,
                            communication=4, timeliness=4, rehire=True)


def test_the_review_records_ratings_and_the_handover(active, owner):
    services.engagement_complete(engagement=active, actor=owner)
    review = reviews.review_save(engagement=active, actor=owner, went_well="Clear updates", do_differently="Smaller "
                                 "milestones", private_notes="Rate was high", quality=5, communication=5,
                                 timeliness=4, rehire=True, source_files_delivered=True, licences_transferred=True,
                                 access_revoked=True)
    assert active.review == review
    assert review.handover_complete and review.average_rating == 4.7
    review = reviews.review_save(engagement=active, actor=owner, went_well="Clear updates", do_differently="x",
                                 quality=5, communication=5, timeliness=5, rehire=False)
    assert review.rehire is False
    from engagements.selectors import shared_review

    assert "private_notes" not in shared_review(active)


def test_ratings_stay_between_1_and_5(active, owner):
    services.engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ValidationError):
        reviews.review_save(engagement=active, actor=owner, went_well="a", do_differently="b", quality=6,
                            communication=0, timeliness=3, rehire=True)
