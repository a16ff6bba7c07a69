"""Asking for a new due date: the freelancer proposes a date with a reason, the owner accepts or
declines (with a note), and every request stays on the milestone as its history. Accepting
moves the due date and restarts the milestone's reminders."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..emails import notify_freelancer, notify_owners, portal_url
from ..models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    ActivityKind,
    DateChangeStatus,
    Milestone,
    MilestoneDateChange,
)
from .activity import activity_record
from .deadlines import milestone_due_at, tz_of
from .ladders import engagement_heard_from, milestone_due_fields
from .transitions import ConflictError, NotAllowed


def _day(value):
    return f"{value:%A} {value.day} {value:%B %Y}" if value else "no date"


@transaction.atomic
def milestone_date_request(*, milestone_id, freelancer, proposed_on, reason):
    """The freelancer asks for `proposed_on` instead of the current due date."""
    milestone = (Milestone.objects.select_for_update().select_related("engagement__freelancer", "engagement__workspace")
                 .filter(pk=milestone_id).first())
    if milestone is None or milestone.engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such milestone for this freelancer.")
    engagement = milestone.engagement
    if engagement.status not in OPEN_STATUSES or milestone.state not in OPEN_WORK_STATES:
        raise ConflictError("A new date can be asked for work that is still to be handed in, on a running engagement.")
    reason = (reason or "").strip()
    errors = {}
    today = timezone.localtime(timezone.now(), tz_of(engagement.freelancer)).date()
    if proposed_on is None:
        errors["proposed_on"] = "Choose the date you propose."
    elif proposed_on < today:
        errors["proposed_on"] = "The new date cannot be in the past."
    elif proposed_on == milestone.due_on:
        errors["proposed_on"] = "That is already the due date."
    if not reason:
        errors["reason"] = "Say why the date needs to move: the owner decides on it."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            change = MilestoneDateChange.objects.create(
                milestone=milestone, previous_on=milestone.due_on, proposed_on=proposed_on, reason=reason[:2000],
                requested_by=freelancer)
    except IntegrityError:
        raise ConflictError("A request for a new date is already waiting for an answer.") from None
    activity_record(engagement=engagement, kind=ActivityKind.DATE_REQUESTED, actor_freelancer=freelancer,
                    milestone=milestone,
                    summary=f"{freelancer.name} asked to move “{milestone.title}” from {_day(milestone.due_on)} to "
                            f"{_day(proposed_on)}.")
    engagement_heard_from(engagement=engagement, at=change.requested_at)
    notify_owners(engagement, kind="milestone_date_requested", key=f"date-requested:{change.pk}", page="milestone",
                  page_kwargs={"pk": engagement.pk, "milestone_pk": milestone.pk},
                  context={"audience": "owner", "milestone_title": milestone.title,
                           "previous_on": _day(milestone.due_on),
                           "proposed_on": _day(proposed_on), "reason": reason})
    return change


@transaction.atomic
def milestone_date_withdraw(*, milestone_id, freelancer):
    """The freelancer takes back their waiting request (the date stays as it is)."""
    updated = MilestoneDateChange.objects.filter(
        milestone_id=milestone_id, requested_by=freelancer, status=DateChangeStatus.PENDING
    ).update(status=DateChangeStatus.WITHDRAWN, decided_at=timezone.now())
    if not updated:
        raise ConflictError("There is no request waiting for an answer.")


@transaction.atomic
def milestone_date_decide(*, change, actor, accept, response=""):
    """The owner accepts (the due date moves, its reminders restart) or declines the request.
    Deciding twice is refused: the answer is a conditional UPDATE from `pending`."""
    response = (response or "").strip()
    if not accept and not response:
        raise ValidationError({"response": "Say why, or what date would work instead."})
    milestone = Milestone.objects.select_for_update().select_related(
        "engagement__freelancer", "engagement__workspace").get(pk=change.milestone_id)
    engagement = milestone.engagement
    now = timezone.now()
    if accept and milestone.state not in OPEN_WORK_STATES:
        raise ConflictError("The work was handed in meanwhile: its date no longer matters.")
    status = DateChangeStatus.ACCEPTED if accept else DateChangeStatus.DECLINED
    if not MilestoneDateChange.objects.filter(pk=change.pk, status=DateChangeStatus.PENDING).update(
            status=status, decided_by=actor, decided_at=now, response=response[:2000]):
        raise ConflictError("This request was already answered or withdrawn.")
    change.refresh_from_db()
    if accept:
        Milestone.objects.filter(pk=milestone.pk).update(
            due_on=change.proposed_on, due_at=milestone_due_at(change.proposed_on, engagement.freelancer),
            **milestone_due_fields(change.proposed_on, engagement.freelancer, now))
    who = actor.get_full_name() if actor else "The owner"
    activity_record(
        engagement=engagement, kind=ActivityKind.DATE_ACCEPTED if accept else ActivityKind.DATE_DECLINED,
        actor_user=actor, milestone=milestone,
        summary=(f"{who} moved “{milestone.title}” to {_day(change.proposed_on)}." if accept else
                 f"{who} kept “{milestone.title}” due {_day(change.previous_on)} "
                 f"(declined {_day(change.proposed_on)})."))
    notify_freelancer(engagement, kind="milestone_date_decided", key=f"date-decided:{change.pk}",
                      context={"url": portal_url("milestone", pk=engagement.pk, milestone_pk=milestone.pk),
                               "milestone_title": milestone.title, "accepted": accept, "response": response,
                               "proposed_on": _day(change.proposed_on), "previous_on": _day(change.previous_on)})
    return change
