"""The conversation's actions: writing (with files), the refusals that store nothing, editing and
retracting within ten minutes, read marks and unread counts, the thread with its system lines,
the silence detector and the reliability record."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from engagements import selectors
from engagements.models import Attachment, Engagement, Message, ThreadRead
from engagements.reminders.silence import silence_detector
from engagements.selectors.conversation import OWNER, thread, unread_messages_for
from engagements.selectors.reliability import reliability_record
from engagements.services import conversation
from engagements.services.attachment import attachment_upload, attachments_purge_unused
from engagements.services.lifecycle import engagement_cancel
from engagements.services.reporting import status_update_post
from engagements.services.transitions import ConflictError, NotAllowed

pytestmark = pytest.mark.django_db


def png(size=(200, 100)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file())


def test_owner_and_freelancer_exchange_messages_with_a_file(talking, owner, freelancer_user, media):
    asked = conversation.message_post(engagement=talking, author=owner, body="Could you send the **fonts**?")
    answer = conversation.message_post(engagement=talking, author=freelancer_user, as_freelancer=True,
                                       body="Here they are.", files=[upload("fonts.pdf", b"%PDF-1.4 fonts")])

    assert (asked.author_name, asked.author_freelancer_id) == ("Olivia Owner", None)
    assert answer.author_freelancer_id == talking.freelancer_id and answer.author_name == "Frida Lance"
    [file] = answer.attachments.all()
    assert (file.name, file.content_type, file.size, file.engagement_id) == ("fonts.pdf", "application/pdf", 14,
                                                                            talking.pk)
    assert file.file.name.startswith("attachments/") and "fonts" not in file.file.name
    items = [i.message.body for i in thread(talking, side=OWNER) if not i.system]
    assert items == ["Could you send the **fonts**?", "Here they are."]


def test_an_image_gets_a_preview_reencoded_as_png(talking, owner, media):
    message = conversation.message_post(engagement=talking, author=owner, body="",
                                        files=[upload("shot.png", png())])
    attachment = message.attachments.get()
    assert attachment.thumbnail
    with attachment.thumbnail.open("rb") as handle, Image.open(handle) as preview:
        assert preview.format == "PNG" and max(preview.size) <= 480


def test_the_files_go_through_the_configured_storage_backend(talking, owner, settings, media):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    message = conversation.message_post(engagement=talking, author=owner, body="In memory",
                                        files=[upload("notes.txt", b"plain words")])
    attachment = message.attachments.get()
    assert stored_files(media) == []
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"plain words"


@pytest.mark.parametrize(("files", "body", "field", "words"), [
    ([], "   ", "body", "Write a message"),
    ([upload("big.pdf", b"%PDF-" + b"x" * 2048)], "too big", "files", "the limit is 1"),
    ([upload("tool.exe", b"MZ\x90\x00")], "a program", "files", "are not accepted"),
    ([upload("cat.png", b"<html><script>alert(1)</script></html>")], "disguised", "files", "named like a PNG image"),
    ([upload("ok.pdf", b"%PDF-1.4"), upload("page.png", b"<!doctype html><p>hi")], "one bad of two", "files",
     "named like a PNG image"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(talking, owner, settings, media, files,
                                                                         body, field, words):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        conversation.message_post(engagement=talking, author=owner, body=body, files=files)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_a_type_left_out_of_the_setting_is_refused(talking, owner, settings, media):
    settings.UPLOAD_ALLOWED_TYPES = ["application/pdf"]
    with pytest.raises(ValidationError, match="not accepted"):
        conversation.message_post(engagement=talking, author=owner, body="zip", files=[upload("a.zip", b"PK\x03\x04")])


def test_a_failure_after_the_files_were_written_removes_them(talking, owner, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(conversation, "_arm_readers", broken)
    with pytest.raises(RuntimeError):
        conversation.message_post(engagement=talking, author=owner, body="x", files=[upload("a.pdf", b"%PDF-1.4")])
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0 and stored_files(media) == []


def test_file_names_are_cleaned(talking, owner, media):
    message = conversation.message_post(engagement=talking, author=owner, body="",
                                        files=[upload('../../etc/pass"wd<1>.txt', b"words")])
    assert message.attachments.get().name == "pass_wd_1_.txt"


def test_someone_outside_the_thread_cannot_write(talking, outsider, other_freelancer, media):
    with pytest.raises(NotAllowed):
        conversation.message_post(engagement=talking, author=outsider, body="Hello?")
    with pytest.raises(NotAllowed):
        # The owner cannot write as the freelancer.
        conversation.message_post(engagement=talking, author=outsider, body="Hello?", as_freelancer=True)
    assert Message.objects.count() == 0


def test_a_manager_reads_and_writes(talking, manager, media):
    message = conversation.message_post(engagement=talking, author=manager, body="From the team")
    assert message.author_name == "Mia Manager"


def test_an_ended_engagement_closes_the_conversation(talking, owner, freelancer_user, media):
    engagement_cancel(engagement=talking, actor=owner, reason="Budget cut")
    with pytest.raises(ConflictError, match="ended"):
        conversation.message_post(engagement=talking, author=freelancer_user, as_freelancer=True, body="But…")


def test_revoked_access_ends_the_freelancers_place_in_the_thread(talking, freelancer_user, media):
    talking.freelancer.user = None
    talking.freelancer.save(update_fields=["user"])
    with pytest.raises(NotAllowed):
        conversation.message_post(engagement=Engagement.objects.get(pk=talking.pk), author=freelancer_user,
                                  as_freelancer=True, body="Still here?")


def test_the_author_edits_and_retracts_within_ten_minutes_and_never_after(talking, owner, freelancer_user, media):
    message = conversation.message_post(engagement=talking, author=owner, body="Typo hre")
    with pytest.raises(NotAllowed):
        conversation.message_edit(message_id=message.pk, author=freelancer_user, body="Not mine")
    edited = conversation.message_edit(message_id=message.pk, author=owner, body="Typo here")
    assert edited.body == "Typo here" and edited.edited_at is not None

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        with pytest.raises(ConflictError, match="first 10 minutes"):
            conversation.message_edit(message_id=message.pk, author=owner, body="Later")
        with pytest.raises(ConflictError, match="first 10 minutes"):
            conversation.message_retract(message_id=message.pk, author=owner)

    other = conversation.message_post(engagement=talking, author=owner, body="Oops, wrong thread",
                                      files=[upload("x.txt", b"secret")])
    conversation.message_retract(message_id=other.pk, author=owner)
    other.refresh_from_db()
    assert other.body == "" and other.retracted_at is not None and Message.objects.filter(pk=other.pk).exists()
    assert not selectors.conversation.visible_attachments(talking).filter(message=other).exists()


def test_read_marks_and_unread_counts(talking, owner, manager, freelancer_user, media):
    for text in ("One", "Two"):
        conversation.message_post(engagement=talking, author=owner, body=text)
    assert selectors.unread_count(talking, freelancer_user) == 2
    assert selectors.unread_count(talking, owner) == 0  # one's own messages are read
    assert [m.body for m in unread_messages_for(freelancer_user)] == ["Two", "One"]

    conversation.thread_mark_read(engagement=talking, user=freelancer_user)
    assert selectors.unread_count(talking, freelancer_user) == 0
    assert ThreadRead.objects.get(engagement=talking, user=freelancer_user).notify_at is None
    reply = conversation.message_post(engagement=talking, author=freelancer_user, as_freelancer=True, body="Ok")
    listed = selectors.engagement_list(talking.workspace, reader=owner).get(pk=talking.pk)
    assert listed.unread_messages == 1
    assert selectors.unread_count(talking, manager) == 3  # a teammate who never opened it
    assert list(unread_messages_for(owner)) == [reply]


def test_the_owners_list_counts_unread_in_a_fixed_number_of_queries(workspace, owner, freelancer, media,
                                                                      django_assert_num_queries):
    from engagements.services.lifecycle import engagement_create
    from engagements.tests.conftest import activate
    from engagements.tests.factories import ApprovedFreelancerFactory

    def listed():
        return list(selectors.engagement_list(workspace, reader=owner))

    with django_assert_num_queries(1):
        listed()
    for n in range(4):
        person = ApprovedFreelancerFactory(workspace=workspace, email=f"p{n}@example.net")
        e = activate(engagement_create(workspace=workspace, created_by=owner, freelancer=person, title=f"E{n}",
                                       budget=100000), owner)
        Message.objects.create(engagement=e, author_freelancer=person, author_name=person.name, body="hi")
    with django_assert_num_queries(1):
        rows = listed()
    assert sorted(r.unread_messages for r in rows) == [1, 1, 1, 1]


def test_the_thread_shows_the_engagements_story_as_system_lines(talking, owner, freelancer_user, media):
    status_update_post(engagement_id=talking.pk, freelancer=talking.freelancer, done="Wireframes", next="Build",
                       percent_complete=20)
    conversation.message_post(engagement=talking, author=owner, body="Thanks!")
    items = thread(talking, side=OWNER)
    system = [(i.activity.kind, i.url) for i in items if i.system]
    assert ("status_update", f"/engagements/{talking.pk}/updates/") in system
    assert ("offered", f"/engagements/{talking.pk}/") in system
    portal = [(i.activity.kind, i.url) for i in thread(talking, side="freelancer") if i.system]
    assert ("status_update", f"/portal/engagements/{talking.pk}/updates/") in portal
    assert not items[-1].system and items[-1].message.body == "Thanks!"  # newest at the bottom


def test_a_message_from_the_freelancer_resets_the_silence_detector(talking, freelancer_user, media):
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=4), tick=False):
        conversation.message_post(engagement=talking, author=freelancer_user, as_freelancer=True, body="Still on it")
    with time_machine.travel(start + timedelta(days=6), tick=False):
        silence_detector()
    talking.refresh_from_db()
    assert talking.gone_quiet_at is None
    with time_machine.travel(start + timedelta(days=10), tick=False):
        silence_detector()
    talking.refresh_from_db()
    assert talking.gone_quiet_at is not None


def test_the_reliability_record_has_the_median_reply_to_the_owners_messages(talking, owner, freelancer_user, media):
    start = timezone.now()
    plan = [(0, owner, False), (5, owner, False), (60, freelancer_user, True),  # 60 min from the first ask
            (120, owner, False), (240, freelancer_user, True),                     # 120 min
            (250, freelancer_user, True), (300, owner, False), (330, freelancer_user, True)]  # 30 min
    for minutes, who, as_freelancer in plan:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            conversation.message_post(engagement=talking, author=who, as_freelancer=as_freelancer, body="…")
    record = reliability_record(talking.freelancer)
    assert sorted(record.message_responses) == [timedelta(minutes=30), timedelta(minutes=60),
                                                timedelta(minutes=120)]
    assert record.median_message_response == timedelta(minutes=60)
    assert record.as_dict()["median_message_response_hours"] == 1.0


def test_an_upload_never_named_in_a_message_is_removed_after_a_day(talking, owner, media,
                                                                    django_capture_on_commit_callbacks):
    """POST /attachments/ followed by nothing: the file goes after a day; a file in a message,
    and a fresh upload that may still be named, stay."""
    forgotten = attachment_upload(workspace=talking.workspace, uploaded_by=owner,
                                  upload=upload("draft.pdf", b"%PDF-1.4 draft"))
    used = attachment_upload(workspace=talking.workspace, uploaded_by=owner,
                             upload=upload("final.pdf", b"%PDF-1.4 final"))
    conversation.message_post(engagement=talking, author=owner, body="Final.", attachment_ids=[used.pk])
    forgotten_file = forgotten.file.name
    assert forgotten_file.rsplit("/", 1)[-1] in stored_files(media)

    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        fresh = attachment_upload(workspace=talking.workspace, uploaded_by=owner,
                                  upload=upload("notes.pdf", b"%PDF-1.4 notes"))
    with (time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)),
          django_capture_on_commit_callbacks(execute=True)):  # the files go once the deletion commits
        assert attachments_purge_unused() == 1
        assert attachments_purge_unused() == 0

    assert set(Attachment.objects.values_list("pk", flat=True)) == {used.pk, fresh.pk}
    assert forgotten_file.rsplit("/", 1)[-1] not in stored_files(media)
    assert used.file.name.rsplit("/", 1)[-1] in stored_files(media)
