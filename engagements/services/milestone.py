"""Milestones: planning them (with the budget rules) and the work transitions.

Every state change goes through `milestone_transition` (transitions.py). This module builds the
work moves: the freelancer submits (funded | changes_requested → submitted; each round kept as
a Submission) and the owner requests changes (submitted → changes_requested; feedback kept on
the round). Accepting the work is releasing its money: `payments.services.escrow.milestone_release`, like
fund, refund and dispute, on the same helper — there is no second way to accept.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from freelancers.money import format_money
from freelancers.uploads import check_upload

from ..emails import notify_freelancer, notify_owners
from ..models import (
    ActivityKind,
    Attachment,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneState,
    Submission,
    SubmissionFile,
    SubmissionOutcome,
)
from ..selectors import planned_total
from .activity import activity_record
from .attachment import attachments_discard, attachments_store
from .deadlines import milestone_due_at
from .ladders import engagement_heard_from, milestone_due_fields
from .transitions import ConflictError, NotAllowed, milestone_transition

MAX_LINKS = 20
MAX_FILES = 10


# --- Planning ----------------------------------------------------------------------------------
class OverBudget(ValidationError):
    """Milestones would add up to more than budget + contingency; pass confirm_over_budget."""


def budget_check(engagement, total, *, confirmed=False):
    """Warnings for a milestone plan totalling `total`; raises OverBudget above budget +
    contingency unless `confirmed`. A budget of 0 means none was set."""
    warnings = []
    money = lambda v: format_money(v, engagement.currency)  # noqa: E731
    if not engagement.budget:
        warnings.append("This engagement has no budget set, so the milestones cannot be checked against one.")
        return warnings
    ceiling = engagement.budget_with_contingency
    if total > ceiling:
        message = (f"The milestones would total {money(total)}, above the budget plus contingency "
                   f"({money(ceiling)}).")
        if not confirmed:
            raise OverBudget({"amount": message + " Tick “go over budget” to do it anyway."}, code="over_budget")
        warnings.append(message)
    elif total > engagement.budget:
        warnings.append(f"The milestones total {money(total)}, above the budget of {money(engagement.budget)} "
                        f"(using {money(total - engagement.budget)} of the {money(engagement.contingency_amount)} "
                        "contingency).")
    return warnings


def check_due_on(due_on):
    """A due date a person could mean (and that date arithmetic in any time zone can hold)."""
    if due_on is None:
        return
    today = timezone.localdate()
    if not (today - timedelta(days=10 * 366) <= due_on <= today + timedelta(days=20 * 365)):
        raise ValidationError({"due_on": "Choose a due date within the next twenty years."})


def past_due_check(due_on, *, confirmed):
    """A due date before today (in the active time zone) is refused unless the person confirmed
    it (planning work already late is usually a typo). The pages and the API pass the person's
    answer; the services' own callers (the demo, tests building history) default to allowing it."""
    if due_on is not None and not confirmed and due_on < timezone.localdate():
        raise ValidationError({"due_on": f"{due_on:%d %b %Y} is in the past. Choose a later date, or tick "
                                         "“keep a past due date” to save it anyway."}, code="past_due")


def window_check(engagement, due_on):
    if due_on is None:
        return []
    if engagement.starts_on and due_on < engagement.starts_on:
        return [f"The due date {due_on:%d %b %Y} is before the engagement starts ({engagement.starts_on:%d %b %Y})."]
    if engagement.target_end_on and due_on > engagement.target_end_on:
        return [f"The due date {due_on:%d %b %Y} is after the engagement's target end "
                f"({engagement.target_end_on:%d %b %Y})."]
    return []


def _locked(engagement):
    engagement = Engagement.objects.select_for_update().select_related("freelancer").get(pk=engagement.pk)
    if engagement.is_ended:
        raise ConflictError("The milestones of a finished engagement cannot change.")
    return engagement


@transaction.atomic
def milestone_create(*, engagement, actor, title, acceptance_criteria, amount, due_on=None,
                     confirm_over_budget=False, confirm_past_due=True):
    """Returns (milestone, warnings)."""
    engagement = _locked(engagement)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    check_due_on(due_on)
    past_due_check(due_on, confirmed=confirm_past_due)
    warnings = budget_check(engagement, planned_total(engagement) + amount, confirmed=confirm_over_budget)
    warnings += window_check(engagement, due_on)
    position = (engagement.milestones.aggregate(p=Max("position"))["p"] or 0) + 1
    milestone = Milestone(
        engagement=engagement, position=position, title=title.strip(), acceptance_criteria=acceptance_criteria.strip(),
        due_on=due_on, due_at=milestone_due_at(due_on, engagement.freelancer), amount=amount,
        currency=engagement.currency, **milestone_due_fields(due_on, engagement.freelancer),
    )
    milestone.full_clean()
    milestone.save()
    activity_record(engagement=engagement, kind=ActivityKind.MILESTONE_ADDED, actor_user=actor, milestone=milestone,
                    summary=f"Added milestone “{milestone.title}” ({format_money(amount, milestone.currency)}).")
    return milestone, warnings


@transaction.atomic
def milestone_update(*, milestone, actor, title, acceptance_criteria, amount, due_on=None,
                     confirm_over_budget=False, confirm_past_due=True):
    """Change a milestone's plan. The amount can change only before it is funded; nothing
    changes once it is settled."""
    engagement = _locked(milestone.engagement)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.is_final:
        raise ConflictError(f"A {milestone.get_state_display().lower()} milestone cannot be changed.")
    warnings = []
    if amount != milestone.amount:
        if milestone.state != MilestoneState.DRAFT:
            raise ConflictError("The amount can change only before the milestone is funded.")
        if amount is None or amount <= 0:
            raise ValidationError({"amount": "The amount must be more than zero."})
        warnings += budget_check(engagement, planned_total(engagement, exclude_pk=milestone.pk) + amount,
                                 confirmed=confirm_over_budget)
    if due_on != milestone.due_on:
        check_due_on(due_on)
        past_due_check(due_on, confirmed=confirm_past_due)
        warnings += window_check(engagement, due_on)
    milestone.title, milestone.acceptance_criteria = title.strip(), acceptance_criteria.strip()
    fields = ["title", "acceptance_criteria", "amount", "due_on", "due_at"]
    if due_on != milestone.due_on:
        # A new date restarts its reminders.
        for name, value in milestone_due_fields(due_on, engagement.freelancer).items():
            setattr(milestone, name, value)
            fields.append(name)
    milestone.amount, milestone.due_on = amount, due_on
    milestone.due_at = milestone_due_at(due_on, engagement.freelancer)
    milestone.full_clean()
    milestone.save(update_fields=fields)
    activity_record(engagement=engagement, kind=ActivityKind.MILESTONE_CHANGED, actor_user=actor, milestone=milestone,
                    summary=f"Changed milestone “{milestone.title}”.")
    return milestone, warnings


@transaction.atomic
def milestone_delete(*, milestone, actor):
    engagement = _locked(milestone.engagement)
    # Conditional delete: only a draft (no money has moved) can go.
    deleted, _ = Milestone.objects.filter(pk=milestone.pk, state=MilestoneState.DRAFT).delete()
    if not deleted:
        raise ConflictError("Only a milestone that was never funded can be removed.")
    activity_record(engagement=engagement, kind=ActivityKind.MILESTONE_REMOVED, actor_user=actor,
                    summary=f"Removed milestone “{milestone.title}”.")


@transaction.atomic
def milestone_move(*, milestone, actor, direction):
    """Swap with the neighbour above (-1) or below (+1)."""
    engagement = _locked(milestone.engagement)
    ordered = list(engagement.milestones.order_by("position", "id"))
    index = next(i for i, m in enumerate(ordered) if m.pk == milestone.pk)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            Milestone.objects.filter(pk=item.pk).update(position=position)


# --- Work transitions --------------------------------------------------------------------------
def clean_links(links):
    cleaned = []
    for link in links or []:
        link = (link or "").strip()
        if not link:
            continue
        parts = urlsplit(link)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValidationError({"links": f"“{link[:80]}” is not a web address (http:// or https://)."})
        cleaned.append(link[:2000])
    if len(cleaned) > MAX_LINKS:
        raise ValidationError({"links": f"At most {MAX_LINKS} links per submission."})
    return cleaned


@transaction.atomic
def milestone_submit(*, milestone_id, freelancer, message, links=(), files=(), attest_own_work=False):
    """The freelancer hands in work for review: funded | changes_requested → submitted. Each
    round is kept. Without subcontracting, the freelancer must attest they did it themselves."""
    milestone = Milestone.objects.select_related("engagement__freelancer", "engagement__workspace").filter(
        pk=milestone_id).first()
    if milestone is None or milestone.engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such milestone for this freelancer.")
    engagement = milestone.engagement
    if engagement.status != EngagementStatus.ACTIVE:
        raise ConflictError(f"Work can be submitted while the engagement is active; it is "
                            f"{engagement.get_status_display().lower()}.")
    message = (message or "").strip()
    errors = {}
    if not message:
        errors["message"] = "Say what you are handing in and how to check it."
    if not engagement.subcontracting_allowed and not attest_own_work:
        errors["attest_own_work"] = ("This engagement does not allow subcontracting: confirm that you did this "
                                     "work yourself.")
    if errors:
        raise ValidationError(errors)
    links = clean_links(links)
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"At most {MAX_FILES} files per submission."})
    content_types = [check_upload(f) for f in files]
    # The files go to the one attachment storage first; if anything below fails they go again.
    stored = attachments_store(workspace=engagement.workspace, uploaded_by=freelancer.user, files=files,
                               content_types=content_types) if files else []
    try:
        milestone = milestone_transition(
            milestone_id=milestone.pk, to_state=MilestoneState.SUBMITTED,
            from_states=[MilestoneState.FUNDED, MilestoneState.CHANGES_REQUESTED],
        )
        round_no = (Submission.objects.filter(milestone=milestone).aggregate(r=Max("round"))["r"] or 0) + 1
        submission = Submission.objects.create(
            milestone=milestone, round=round_no, message=message, links=links,
            attested_own_work=bool(attest_own_work), submitted_by=freelancer,
        )
        Attachment.objects.filter(pk__in=[a.pk for a in stored]).update(engagement=engagement)
        SubmissionFile.objects.bulk_create([SubmissionFile(submission=submission, attachment=a) for a in stored])
    except Exception:
        attachments_discard(stored)
        raise
    activity_record(engagement=engagement, kind=ActivityKind.MILESTONE_SUBMITTED, actor_freelancer=freelancer,
                    milestone=milestone, summary=f"Submitted “{milestone.title}” (round {round_no}).")
    engagement_heard_from(engagement=engagement)
    notify_owners(engagement, kind="milestone_submitted", key=f"milestone-submitted:{submission.pk}",
                  page="milestone", page_kwargs={"pk": engagement.pk, "milestone_pk": milestone.pk},
                  context={"milestone_title": milestone.title, "round": round_no, "message": message[:1000]})
    return submission


def _latest_submission(milestone):
    return Submission.objects.filter(milestone=milestone).order_by("-round").first()


@transaction.atomic
def milestone_request_changes(*, milestone, actor, feedback):
    """submitted → changes_requested, with feedback kept on the round it answers."""
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError({"feedback": "Say what needs to change."})
    milestone = milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.CHANGES_REQUESTED,
                                     from_states=[MilestoneState.SUBMITTED])
    submission = _latest_submission(milestone)
    Submission.objects.filter(pk=submission.pk).update(
        outcome=SubmissionOutcome.CHANGES_REQUESTED, feedback=feedback, feedback_by=actor, feedback_at=timezone.now()
    )
    engagement = Engagement.objects.select_related("freelancer", "workspace").get(pk=milestone.engagement_id)
    activity_record(engagement=engagement, kind=ActivityKind.CHANGES_REQUESTED, actor_user=actor, milestone=milestone,
                    summary=f"Asked for changes to “{milestone.title}” (round {submission.round}).")
    notify_freelancer(engagement, kind="milestone_changes_requested", key=f"changes-requested:{submission.pk}",
                      context={"milestone_title": milestone.title, "round": submission.round, "feedback": feedback})
    return milestone
