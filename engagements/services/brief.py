"""Briefs: versioned written requirements, sending them, their acknowledgement, and Q&A.

A version is edited in place only until the freelancer is asked to acknowledge it; after that
every change is a new version (a change order), sent at once when the engagement is under
way. Only the current version can be acknowledged; acknowledging an older one is refused. The
acknowledgement is recorded here; the freelancer's action is `lifecycle.brief_acknowledge`,
which also starts the work on an offer (this module never calls the lifecycle). What changed
between two versions is a read (selectors.brief_diff).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..emails import notify_freelancer, notify_owners
from ..models import BRIEF_SECTIONS, OPEN_STATUSES, ActivityKind, Brief, BriefQuestion, Engagement
from ..selectors import agreement_block, current_brief
from .activity import activity_record
from .ladders import brief_ack_fields, engagement_heard_from
from .transitions import ConflictError, NotAllowed

SECTION_NAMES = [name for name, _ in BRIEF_SECTIONS]
REQUIRED_SECTIONS = {"goal", "deliverables", "acceptance_criteria"}


@transaction.atomic
def brief_save(*, engagement, actor, change_summary="", **sections):
    """Write the brief. Returns (brief, created_new_version). Unchanged text changes nothing."""
    unknown = set(sections) - set(SECTION_NAMES)
    if unknown:
        raise TypeError(f"Unknown brief sections: {sorted(unknown)}")
    sections = {name: (sections.get(name) or "").strip() for name in SECTION_NAMES}
    missing = {name: "This part of the brief is required." for name in REQUIRED_SECTIONS if not sections[name]}
    if missing:
        raise ValidationError(missing)
    # Lock the engagement: a new version and an acknowledgement must not interleave.
    engagement = Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(pk=engagement.pk)
    if engagement.is_ended:
        raise ConflictError("The brief of a finished engagement cannot change.")
    latest = current_brief(engagement)
    if latest is not None and all(getattr(latest, n) == sections[n] for n in SECTION_NAMES):
        return latest, False
    if latest is not None and latest.sent_at is None:
        for name, value in sections.items():
            setattr(latest, name, value)
        latest.change_summary = change_summary.strip() or latest.change_summary
        latest.save()
        activity_record(engagement=engagement, kind=ActivityKind.BRIEF_VERSION, actor_user=actor,
                        summary=f"Edited brief v{latest.version} (not sent yet).")
        return latest, False
    version = latest.version + 1 if latest else 1
    if latest is not None and not change_summary.strip():
        raise ValidationError({"change_summary": "Say what changed and why: the freelancer sees this with the diff."})
    now = timezone.now()
    sent = engagement.status in OPEN_STATUSES
    brief = Brief.objects.create(
        engagement=engagement, version=version, change_summary=change_summary.strip(), created_by=actor,
        sent_at=now if sent else None, **brief_ack_fields(now if sent else None), **sections,
    )
    if version == 1:
        summary = "Wrote brief v1."
    elif sent:
        summary = f"Changed the brief to v{version} (change order); it needs a new acknowledgement."
    else:
        summary = f"Wrote brief v{version}."
    activity_record(engagement=engagement, kind=ActivityKind.BRIEF_VERSION, actor_user=actor, summary=summary)
    if sent:
        notify_freelancer(
            engagement, kind="brief_changed", key=f"brief-changed:{brief.pk}", page="brief",
            context={"version": version, "previous_version": version - 1, "change_summary": brief.change_summary},
        )
    return brief, True


def brief_send(*, brief, at):
    """The version goes to the freelancer to acknowledge (the engagement was offered): stamped
    as sent, its acknowledgement reminders armed."""
    Brief.objects.filter(pk=brief.pk).update(sent_at=at, **brief_ack_fields(at))


def brief_acknowledgement_record(*, brief_id, freelancer):
    """Record that the freelancer read the current version, inside the caller's transaction
    (lifecycle.brief_acknowledge). Returns (brief, locked engagement, whether this call recorded
    it): acknowledging twice records nothing; an outdated or unsent version is refused."""
    brief = Brief.objects.select_related("engagement").filter(pk=brief_id).first()
    if brief is None or brief.engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such brief for this freelancer.")
    engagement = (
        Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(pk=brief.engagement_id)
    )
    if engagement.status not in OPEN_STATUSES:
        raise ConflictError(f"This engagement is {engagement.get_status_display().lower()}: "
                            "there is no brief waiting for acknowledgement.")
    latest = current_brief(engagement)
    if latest.pk != brief.pk:
        raise ConflictError(
            f"Version {brief.version} of the brief is out of date: read and acknowledge version {latest.version}."
        )
    if brief.sent_at is None:
        raise ConflictError("This version of the brief has not been sent yet.")
    block = agreement_block(engagement, action="acknowledge the brief")
    if block is not None:
        raise ConflictError(f"{block.message} Read and sign it: {block.portal_url}")
    now = timezone.now()
    if not Brief.objects.filter(pk=brief.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=freelancer
    ):
        brief.refresh_from_db()
        return brief, engagement, False
    brief.acknowledged_at, brief.acknowledged_by = now, freelancer
    activity_record(engagement=engagement, kind=ActivityKind.BRIEF_ACKNOWLEDGED, actor_freelancer=freelancer,
                    summary=f"{freelancer.name} acknowledged brief v{brief.version}.")
    return brief, engagement, True


@transaction.atomic
def brief_question_ask(*, brief_id, freelancer, body):
    brief = Brief.objects.select_related("engagement__freelancer", "engagement__workspace").filter(pk=brief_id).first()
    if brief is None or brief.engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such brief for this freelancer.")
    engagement = brief.engagement
    if engagement.status not in OPEN_STATUSES:
        raise ConflictError("Questions can be asked while the engagement is offered or under way.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write your question."})
    question = BriefQuestion.objects.create(brief=brief, engagement=engagement, asked_by=freelancer, body=body)
    engagement_heard_from(engagement=engagement, at=question.asked_at)
    activity_record(engagement=engagement, kind=ActivityKind.QUESTION_ASKED, actor_freelancer=freelancer,
                    summary=f"{freelancer.name} asked about brief v{brief.version}: {body[:120]}")
    notify_owners(engagement, kind="brief_question", key=f"brief-question:{question.pk}", page="brief",
                  context={"question": body, "version": brief.version})
    return question


@transaction.atomic
def brief_question_answer(*, question, actor, answer):
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Write an answer."})
    first = not question.answered_at
    question.answer = answer
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    engagement = question.engagement
    activity_record(engagement=engagement, kind=ActivityKind.QUESTION_ANSWERED, actor_user=actor,
                    summary=f"Answered: {question.body[:80]}")
    notify_freelancer(
        engagement, kind="brief_answer", page="brief",
        key=f"brief-answer:{question.pk}" + ("" if first else f":{question.answered_at.isoformat()}"),
        context={"question": question.body, "answer": answer},
    )
    return question



