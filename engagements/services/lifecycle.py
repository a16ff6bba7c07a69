"""Engagement actions: create and change an engagement, and its lifecycle.

The lifecycle (`draft → offered → active → completed | cancelled`, plus `paused`) moves only
through `engagement_transition` (a conditional UPDATE on ENGAGEMENT_TRANSITIONS). This module
orchestrates: an offer sends the brief (brief.py) and asks for the playbook to be read; the
freelancer's acknowledgement of the brief is recorded by brief.py and, on an offer, starts the
work here; the end revokes every access grant (access.py). Those modules never call back into
this one. The deadline columns are recomputed by deadlines.py.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from freelancers.models import Freelancer, FreelancerStatus
from freelancers.selectors import bench

from .. import webhooks
from ..emails import notify_freelancer, notify_owners
from ..models import (
    COMMISSION_PERCENT_MAX,
    MONEY_HELD_STATES,
    ActivityKind,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    PayTerms,
)
from ..selectors import current_brief, current_playbook_versions, money_has_moved
from .access import access_grants_revoke_all
from .activity import activity_record
from .agreement import agreement_offer_notify
from .brief import brief_acknowledgement_record, brief_send
from .deadlines import engagement_deadlines_recompute, milestones_due_recompute
from .ladders import engagement_heard_from, playbook_requests_arm
from .reporting import checkin_cancellation_notify
from .transitions import ConflictError, engagement_transition

EDITABLE_FIELDS = {
    "title", "kind", "pay_terms", "weekly_hour_cap", "budget", "contingency_percent", "currency", "starts_on",
    "target_end_on", "update_every_days", "update_grace_hours", "checkin_every_days", "reporting_preference",
    "subcontracting_allowed", "self_billing_proposed", "retainer_amount", "retainer_hours", "retainer_period",
    "commission_percent",
}
CADENCE_FIELDS = {"update_every_days", "update_grace_hours", "checkin_every_days", "reporting_preference"}


# --- Create and edit ---------------------------------------------------------------------------
def _check_freelancer(workspace, freelancer, kind):
    if freelancer.workspace_id != workspace.pk:
        raise ValidationError({"freelancer": "Choose a freelancer from this workspace."})
    if freelancer.do_not_hire:
        raise ValidationError(
            {"freelancer": f"{freelancer.name} is marked do-not-hire: {freelancer.do_not_hire_reason}"})
    if freelancer.status == FreelancerStatus.REJECTED:
        raise ValidationError({"freelancer": f"{freelancer.name} was rejected in vetting."})


def _check_backups(workspace, freelancer, backups, current=()):
    """Backups come from the bench (approved, hireable, not on an active engagement); one chosen
    earlier stays allowed even if they have since started other work."""
    on_bench = set(bench(workspace).values_list("pk", flat=True))
    for backup in backups:
        if backup.workspace_id != workspace.pk:
            raise ValidationError({"backups": "Backups must be freelancers of this workspace."})
        if backup.pk == freelancer.pk:
            raise ValidationError({"backups": "The freelancer cannot be their own backup."})
        if backup.do_not_hire:
            raise ValidationError({"backups": f"{backup.name} is marked do-not-hire."})
        if backup.pk not in on_bench and backup.pk not in current:
            raise ValidationError({"backups": f"{backup.name} is not on the bench (approved and free)."})


BUDGET_FIELDS = {"budget", "contingency_percent"}
BUDGET_LOCKED = ("Money has moved on this engagement, so its budget changes on its Money page, where it is "
                 "checked against what is already committed and recorded with a reason.")


def _check_fields(fields):
    errors = {}
    if fields.get("pay_terms") == PayTerms.HOURLY and not fields.get("weekly_hour_cap"):
        errors["weekly_hour_cap"] = "Hourly engagements need a weekly hour cap."
    errors.update(_pay_model_errors(fields))
    start, end = fields.get("starts_on"), fields.get("target_end_on")
    if start and end and end < start:
        errors["target_end_on"] = "The target end cannot be before the start."
    if errors:
        raise ValidationError(errors)


def _pay_model_errors(fields):
    """The retainer's amount (> 0) and included hours (≥ 0), the commission's percent (0 < p ≤ 100),
    named by field; required only for the pay terms that use them."""
    errors = {}
    terms = fields.get("pay_terms")
    amount, hours, percent = (fields.get("retainer_amount"), fields.get("retainer_hours"),
                              fields.get("commission_percent"))
    if terms == PayTerms.RETAINER:
        if amount is None or amount <= 0:
            errors["retainer_amount"] = "A retainer needs a monthly amount greater than zero."
        if hours is None or hours < 0:
            errors["retainer_hours"] = "Say how many hours a month the retainer includes (0 or more)."
    if terms == PayTerms.COMMISSION and (percent is None or not 0 < percent <= COMMISSION_PERCENT_MAX):
        errors["commission_percent"] = "A commission is a percent greater than 0 and at most 100."
    return errors


@transaction.atomic
def engagement_create(*, workspace, created_by, freelancer, title, backups=(), **fields):
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown engagement fields: {sorted(unknown)}")
    fields.setdefault("currency", workspace.currency)
    _check_freelancer(workspace, freelancer, fields.get("kind"))
    _check_backups(workspace, freelancer, backups)
    _check_fields(fields)
    engagement = Engagement(workspace=workspace, freelancer=freelancer, title=title, created_by=created_by, **fields)
    engagement.full_clean(exclude=["backups", "playbook"])
    engagement.save()
    if backups:
        engagement.backups.set(backups)
    activity_record(engagement=engagement, kind=ActivityKind.CREATED, actor_user=created_by,
                    summary=f"{created_by.get_full_name() if created_by else 'Someone'} created the engagement "
                            f"with {freelancer.name}.")
    return engagement


@transaction.atomic
def engagement_update(*, engagement, actor, backups=None, freelancer=None, **fields):
    """Change an engagement's terms. The freelancer can change only while it is a draft; the
    currency only while no milestone exists. Deadlines are recomputed when the cadence
    changes."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown engagement fields: {sorted(unknown)}")
    engagement = Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(pk=engagement.pk)
    if engagement.is_ended:
        raise ConflictError("A finished engagement cannot be changed.")
    changed = []
    if freelancer is not None and freelancer.pk != engagement.freelancer_id:
        if engagement.status != EngagementStatus.DRAFT:
            raise ConflictError("The freelancer can be changed only while the engagement is a draft.")
        _check_freelancer(engagement.workspace, freelancer, fields.get("kind", engagement.kind))
        engagement.freelancer = freelancer
        changed.append("freelancer")
    if "currency" in fields and fields["currency"] != engagement.currency and engagement.milestones.exists():
        raise ValidationError({"currency": "The currency cannot change once milestones exist."})
    budget_changes = sorted(n for n in BUDGET_FIELDS if n in fields and fields[n] != getattr(engagement, n))
    if budget_changes and money_has_moved(engagement):
        raise ValidationError(dict.fromkeys(budget_changes, BUDGET_LOCKED))
    merged = {name: getattr(engagement, name) for name in EDITABLE_FIELDS} | fields
    _check_fields(merged)
    for name, value in fields.items():
        if getattr(engagement, name) != value:
            setattr(engagement, name, value)
            changed.append(name)
    if backups is None and "freelancer" in changed:
        backups = list(engagement.backups.all())  # the new freelancer may be one of them
    if backups is not None:
        backups = list(backups)
        _check_backups(engagement.workspace, engagement.freelancer, backups,
                       current=set(engagement.backups.values_list("pk", flat=True)))
        if {b.pk for b in backups} != set(engagement.backups.values_list("pk", flat=True)):
            engagement.backups.set(backups)
            changed.append("backups")
    if not changed:
        return engagement
    engagement.full_clean(exclude=["backups", "playbook"])
    engagement.save()
    if CADENCE_FIELDS & set(changed) or "freelancer" in changed:
        engagement_deadlines_recompute(engagement=engagement)
    if "freelancer" in changed:
        milestones_due_recompute(engagement=engagement)
    labels = ", ".join(Engagement._meta.get_field(n).verbose_name if n != "backups" else "backups" for n in changed)
    activity_record(engagement=engagement, kind=ActivityKind.EDITED, actor_user=actor,
                    summary=f"Changed {labels}.")
    return engagement


# --- Lifecycle ---------------------------------------------------------------------------------
# Offering work to a freelancer who cannot sign in yet: the brief's link would lead nowhere. The
# portal (a higher app) registers, when it loads, `invitation(engagement=, freelancer=, actor=)`:
# it issues a portal invitation without an email of its own and returns the email context of its
# link, which the brief email then carries — one email the freelancer can act on (portal.apps).
OFFER_HOOKS = {}


def offer_invitation_register(func):
    OFFER_HOOKS["invitation"] = func


@transaction.atomic
def engagement_offer(*, engagement, actor):
    """draft → offered: send the current brief to the freelancer to acknowledge."""
    brief = current_brief(engagement)
    if brief is None:
        raise ConflictError("Write the brief before offering the engagement.")
    freelancer = Freelancer.objects.get(pk=engagement.freelancer_id)
    _check_freelancer(engagement.workspace, freelancer, engagement.kind)
    if engagement.pay_terms == PayTerms.FIXED and not engagement.milestones.exists():
        raise ConflictError("A fixed-price engagement needs at least one milestone before it is offered.")
    now = timezone.now()
    engagement = engagement_transition(engagement_id=engagement.pk, to_status=EngagementStatus.OFFERED,
                                       offered_at=now)
    brief_send(brief=brief, at=now)
    playbook_requests_arm(engagement=engagement, versions=current_playbook_versions(engagement), at=now)
    webhooks.engagement_event("engagement.offered", engagement)
    activity_record(engagement=engagement, kind=ActivityKind.OFFERED, actor_user=actor,
                    summary=f"Offered to {freelancer.name} with brief v{brief.version}.")
    invite = OFFER_HOOKS.get("invitation")
    link = invite(engagement=engagement, freelancer=freelancer, actor=actor) if invite and not freelancer.user_id \
        else None
    notify_freelancer(
        engagement, kind="brief_offered", key=f"brief-offered:{brief.pk}:{now.isoformat()}", page="brief",
        context={"version": brief.version, "sender_name": actor.get_full_name() if actor else engagement.workspace.name,
                 "goal": brief.goal[:500], **(link or {})},
    )
    agreement_offer_notify(engagement=engagement)
    return engagement


@transaction.atomic
def engagement_withdraw(*, engagement, actor):
    """offered → draft: take the offer back to change it."""
    engagement = engagement_transition(engagement_id=engagement.pk, to_status=EngagementStatus.DRAFT,
                                       from_states=[EngagementStatus.OFFERED])
    activity_record(engagement=engagement, kind=ActivityKind.WITHDRAWN, actor_user=actor,
                    summary="Withdrew the offer.")
    return engagement


@transaction.atomic
def brief_acknowledge(*, brief_id, freelancer):
    """The freelancer confirms they read the current version of the brief (brief.py records
    it); on an offer, the first acknowledgement starts the work. Acknowledging twice is
    harmless; acknowledging an outdated version is refused."""
    brief, engagement, recorded = brief_acknowledgement_record(brief_id=brief_id, freelancer=freelancer)
    if not recorded:
        return brief
    started = engagement.status == EngagementStatus.OFFERED
    if started:
        engagement = engagement_activate(engagement=engagement, freelancer=freelancer)
    engagement_heard_from(engagement=engagement, at=brief.acknowledged_at)
    notify_owners(engagement, kind="brief_acknowledged", key=f"brief-acknowledged:{brief.pk}",
                  context={"version": brief.version, "started": started})
    webhooks.brief_acknowledged(brief, engagement)
    brief.refresh_from_db()
    return brief


def engagement_activate(*, engagement, freelancer):
    """offered → active, when the freelancer acknowledged the current brief (brief_acknowledge
    calls this inside its transaction). Starts the update and check-in cadences."""
    engagement = engagement_transition(
        engagement_id=engagement.pk, to_status=EngagementStatus.ACTIVE, from_states=[EngagementStatus.OFFERED],
        activated_at=engagement.activated_at or timezone.now(),
    )
    engagement_deadlines_recompute(engagement=engagement)
    milestones_due_recompute(engagement=engagement)
    activity_record(engagement=engagement, kind=ActivityKind.ACTIVATED, actor_freelancer=freelancer,
                    summary="Work started: the brief was acknowledged.")
    webhooks.engagement_event("engagement.accepted", engagement)
    return engagement


@transaction.atomic
def engagement_pause(*, engagement, actor, reason=""):
    engagement = engagement_transition(engagement_id=engagement.pk, to_status=EngagementStatus.PAUSED)
    activity_record(engagement=engagement, kind=ActivityKind.PAUSED, actor_user=actor,
                    summary="Paused." + (f" {reason}" if reason else ""))
    webhooks.engagement_event("engagement.paused", engagement)
    notify_freelancer(engagement, kind="engagement_paused", key=f"engagement-paused:{engagement.pk}:"
                      f"{timezone.now().isoformat()}", context={"reason": reason})
    return engagement


@transaction.atomic
def engagement_resume(*, engagement, actor):
    """paused → active: the cadences restart from now."""
    engagement = engagement_transition(engagement_id=engagement.pk, to_status=EngagementStatus.ACTIVE,
                                       from_states=[EngagementStatus.PAUSED], resumed_at=timezone.now())
    engagement_deadlines_recompute(engagement=engagement)
    milestones_due_recompute(engagement=engagement)
    activity_record(engagement=engagement, kind=ActivityKind.RESUMED, actor_user=actor, summary="Resumed.")
    webhooks.engagement_event("engagement.resumed", engagement)
    notify_freelancer(engagement, kind="engagement_resumed", key=f"engagement-resumed:{engagement.pk}:"
                      f"{engagement.resumed_at.isoformat()}")
    return engagement


def _open_money_milestones(engagement):
    return list(engagement.milestones.filter(state__in=MONEY_HELD_STATES).values_list("title", flat=True))


def _end(engagement, *, actor, to_status, reason, kind, verb):
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    open_titles = _open_money_milestones(engagement)
    if open_titles:
        raise ConflictError(
            "Settle these milestones first (release or refund them): " + ", ".join(open_titles) + "."
        )
    now = timezone.now()
    invited = engagement.status != EngagementStatus.DRAFT  # a draft's check-ins were never emailed
    engagement = engagement_transition(
        engagement_id=engagement.pk, to_status=to_status, ended_at=now, end_reason=reason[:300],
    )
    revoked = access_grants_revoke_all(engagement=engagement, actor=actor, reason=f"Engagement {verb}")
    upcoming = CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED, scheduled_at__gt=now)
    for checkin in upcoming.select_related("created_by") if invited else ():
        checkin_cancellation_notify(engagement=engagement, checkin=checkin)  # off their calendar
    upcoming.update(
        status=CheckInStatus.MISSED, notes="Cancelled: the engagement ended.", recorded_at=now, recorded_by=actor,
    )
    activity_record(engagement=engagement, kind=kind, actor_user=actor,
                    summary=f"{verb.capitalize()}." + (f" {reason}" if reason else ""))
    webhooks.engagement_event("engagement.ended", engagement)
    notify_freelancer(engagement, kind="engagement_ended", key=f"engagement-ended:{engagement.pk}",
                      context={"verb": verb, "reason": reason})
    if revoked:
        notify_owners(
            engagement, kind="access_rotate", key=f"access-rotate:{engagement.pk}", page="grants",
            context={"labels": [g.label for g in revoked if g.has_secret], "verb": verb},
        )
    return engagement


@transaction.atomic
def engagement_complete(*, engagement, actor, reason=""):
    """active → completed. Every access grant is revoked and the owner gets a rotate-this-secret
    checklist item for each."""
    return _end(engagement, actor=actor, to_status=EngagementStatus.COMPLETED, reason=reason,
                kind=ActivityKind.COMPLETED, verb="completed")


@transaction.atomic
def engagement_cancel(*, engagement, actor, reason=""):
    return _end(engagement, actor=actor, to_status=EngagementStatus.CANCELLED, reason=reason,
                kind=ActivityKind.CANCELLED, verb="cancelled")
