"""Actions on a freelancer's profile and their place in the pipeline: create, update (keeping
the rate history), move between statuses through the one transition table, do-not-hire.

`freelancer_transition` is the one place a status changes; the pipeline moves here and the
vetting decision (services.vetting) both go through it. Field problems raise
django.core.exceptions.ValidationError with a dict naming the field; moves the current state
does not allow raise TransitionError. Pages and the API call these same functions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record

from ..errors import TransitionError
from ..models import (
    DECISION_STATUSES,
    EventKind,
    Freelancer,
    FreelancerEvent,
    FreelancerStatus,
    RateChange,
    RateUnit,
    statuses_allowed_into,
)

PROFILE_FIELDS = ("name", "email", "headline", "skills", "timezone", "country", "rate_amount", "rate_unit",
                  "currency", "links", "notes")
RATE_FIELDS = ("rate_amount", "rate_unit", "currency")


def normalise_skills(skills):
    """Tags: trimmed, lowercased, de-duplicated, in the order given."""
    if isinstance(skills, str):
        skills = skills.split(",")
    seen, result = set(), []
    for skill in skills or []:
        tag = " ".join(str(skill).split()).lower()[:50]
        if tag and tag not in seen:
            seen.add(tag)
            result.append(tag)
    return result


def _check_email_free(workspace, email, exclude_pk=None):
    qs = Freelancer.objects.filter(workspace=workspace, email__iexact=(email or "").strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"email": "A freelancer with this email is already in your workspace."})


def _validate(freelancer, exclude=("workspace", "user")):
    if freelancer.rate_amount is not None and freelancer.rate_amount < 0:
        raise ValidationError({"rate_amount": "The rate cannot be negative."})
    freelancer.country = (freelancer.country or "").strip().upper()
    if freelancer.rate_unit not in RateUnit.values:
        raise ValidationError({"rate_unit": f"Choose one of: {', '.join(RateUnit.values)}."})
    # full_clean runs the field validators (time zone, currency, email); the unique check on
    # email is ours (case-insensitive), so the constraint is excluded here.
    freelancer.full_clean(exclude=list(exclude), validate_constraints=False)


# What a new profile from a CSV row is not given: it keeps the model's defaults (valid by
# definition), so checking them again for each of 10,000 rows would be half the import's checks.
NOT_IMPORTED = ("id", "workspace", "user", "links", "status", "do_not_hire", "do_not_hire_reason", "created_at",
                "updated_at", "status_changed_at")


def freelancer_validate(freelancer):
    """The checks `freelancer_create` makes of an unsaved profile (the CSV import's rows) on
    what a row sets, except the email's uniqueness; ValidationError naming the fields."""
    _validate(freelancer, exclude=NOT_IMPORTED)


def _save_unique(freelancer):
    try:
        with transaction.atomic():
            freelancer.save()
    except IntegrityError as exc:  # two requests raced past the check
        if "email" in str(exc).lower() or "freelancer_email_per_workspace" in str(exc):
            raise ValidationError({"email": "A freelancer with this email is already in your workspace."}) from exc
        raise


@transaction.atomic
def freelancer_create(*, workspace, actor=None, name, email, headline="", skills=(), timezone_name="UTC",
                      country="", rate_amount=None, rate_unit=RateUnit.HOUR, currency=None, links=(), notes=""):
    freelancer = Freelancer(
        workspace=workspace, name=(name or "").strip(), email=(email or "").strip().lower(),
        headline=headline or "", skills=normalise_skills(skills), timezone=timezone_name or "UTC",
        country=country or "", rate_amount=rate_amount, rate_unit=rate_unit or RateUnit.HOUR,
        currency=(currency or workspace.currency).upper(), links=list(links or []), notes=notes or "",
        status=FreelancerStatus.PROSPECT, status_changed_at=timezone.now(),
    )
    _validate(freelancer)
    _check_email_free(workspace, freelancer.email)
    _save_unique(freelancer)
    FreelancerEvent.objects.create(freelancer=freelancer, kind=EventKind.CREATED, to_status=freelancer.status,
                                   actor=actor)
    if freelancer.rate_amount is not None:
        RateChange.objects.create(freelancer=freelancer, rate_amount=freelancer.rate_amount,
                                  rate_unit=freelancer.rate_unit, currency=freelancer.currency, changed_by=actor)
    return freelancer


# Called with `freelancer=` when a freelancer's time zone changed, inside the change's
# transaction, whoever changed it (the owner's page, the API, the freelancer's portal profile):
# the engagements app registers the recomputing of the deadlines that follow the zone.
_ZONE_FOLLOWERS: dict[str, Callable] = {}


def freelancer_zone_follower_register(name, follower):
    _ZONE_FOLLOWERS[name] = follower


@transaction.atomic
def freelancer_update(*, freelancer, actor=None, **fields):
    """Change profile fields (not the status: that is `freelancer_move`/`freelancer_decide`).
    A changed rate, unit or currency adds a row to the rate history; a changed time zone
    recomputes every deadline that follows it (`_ZONE_FOLLOWERS`)."""
    unknown = set(fields) - set(PROFILE_FIELDS) - {"timezone_name"}
    if unknown:
        raise TypeError(f"freelancer_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if "timezone_name" in fields:
        fields["timezone"] = fields.pop("timezone_name")
    before = {f: getattr(freelancer, f) for f in RATE_FIELDS}
    zone_before = freelancer.timezone
    for field, value in fields.items():
        if field == "skills":
            value = normalise_skills(value)
        elif field == "email":
            value = (value or "").strip().lower()
        elif field == "currency":
            value = (value or "").upper()
        setattr(freelancer, field, value)
    _validate(freelancer)
    if "email" in fields:
        _check_email_free(freelancer.workspace, freelancer.email, exclude_pk=freelancer.pk)
    _save_unique(freelancer)
    after = {f: getattr(freelancer, f) for f in RATE_FIELDS}
    if after != before:
        RateChange.objects.create(freelancer=freelancer, changed_by=actor, **after)
    if freelancer.timezone != zone_before:
        for follower in _ZONE_FOLLOWERS.values():
            follower(freelancer=freelancer)
    return freelancer


def freelancer_transition(*, freelancer, to_status, actor, reason="", kind=EventKind.STATUS):
    """The one place a status changes: a conditional UPDATE from the status just read, which
    the table must allow. Two pages moving the same card at once: one wins, the other gets a
    clear error and changes nothing."""
    to_status = FreelancerStatus(to_status)
    current = Freelancer.objects.filter(pk=freelancer.pk).values_list("status", flat=True).first()
    if current is None:
        raise TransitionError("This freelancer no longer exists.")
    current = FreelancerStatus(current)
    if current == to_status:
        raise TransitionError(f"{freelancer.name} is already {current.label.lower()}.")
    if current not in statuses_allowed_into(to_status):
        raise TransitionError(
            f"{freelancer.name} cannot move from {current.label.lower()} to {to_status.label.lower()}."
            + _hint(current, to_status)
        )
    now = timezone.now()
    moved = Freelancer.objects.filter(pk=freelancer.pk, status=current).update(
        status=to_status, status_changed_at=now, updated_at=now
    )
    if not moved:
        raise TransitionError(f"{freelancer.name} was moved by someone else meanwhile; reload and try again.")
    freelancer.status = to_status
    freelancer.status_changed_at = now
    FreelancerEvent.objects.create(freelancer=freelancer, kind=kind, from_status=current, to_status=to_status,
                                   reason=reason, actor=actor, created_at=now)
    return freelancer


def _hint(current, to_status):
    if to_status == FreelancerStatus.APPROVED and current == FreelancerStatus.PROSPECT:
        return " Move them to vetting first: check references and interview them."
    if to_status == FreelancerStatus.APPROVED and current == FreelancerStatus.REJECTED:
        return " Reopen vetting first."
    return ""


@transaction.atomic
def freelancer_move(*, freelancer, to_status, actor=None, reason=""):
    """A pipeline move (prospect ⇄ vetting, reopening). Approving and rejecting are decisions
    with a reason: `services.vetting.freelancer_decide`."""
    if to_status not in FreelancerStatus.values:
        raise TransitionError(f"“{to_status}” is not a pipeline status.")
    if to_status in DECISION_STATUSES:
        raise TransitionError(
            f"{FreelancerStatus(to_status).label} is a decision: record it with a reason on the scorecard."
        )
    return freelancer_transition(freelancer=freelancer, to_status=to_status, actor=actor, reason=reason)


def start_vetting_if_prospect(*, freelancer, actor):
    """Requesting a reference or scheduling an interview is vetting: a prospect moves on."""
    if freelancer.status == FreelancerStatus.PROSPECT:
        try:
            freelancer_transition(freelancer=freelancer, to_status=FreelancerStatus.VETTING, actor=actor,
                                  reason="Vetting started")
        except TransitionError:  # moved meanwhile by someone else; nothing to do
            freelancer.refresh_from_db(fields=["status"])


@dataclass(frozen=True)
class DoNotHireConsequence:
    """What marking a freelancer do-not-hire also does, given by the app that owns it (the
    engagements app: open offers and live access grants; the portal: the login, its sessions and
    pending invitations), registered when that app loads: this app sits below them.

    `preview(freelancer)` → sentences for the confirmation page, what would happen;
    `apply(freelancer=, actor=)` does it inside the marking's transaction and returns sentences
    saying what was done. Both return [] when there is nothing to do.
    """

    preview: Callable
    apply: Callable


_DO_NOT_HIRE_CONSEQUENCES: dict[str, DoNotHireConsequence] = {}


def do_not_hire_consequence_register(name, consequence):
    _DO_NOT_HIRE_CONSEQUENCES[name] = consequence


def do_not_hire_preview(freelancer):
    """What marking `freelancer` do-not-hire would revoke, in sentences (a read; no change)."""
    return [line for c in _DO_NOT_HIRE_CONSEQUENCES.values() for line in c.preview(freelancer)]


@transaction.atomic
def freelancer_mark_do_not_hire(*, freelancer, actor=None, reason):
    """Mark the freelancer do-not-hire and close every door they had (see
    DoNotHireConsequence). Returns the sentences saying what was revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this person should not be hired."})
    changed = Freelancer.objects.filter(pk=freelancer.pk, do_not_hire=False).update(
        do_not_hire=True, do_not_hire_reason=reason, updated_at=timezone.now()
    )
    if not changed:
        raise TransitionError(f"{freelancer.name} is already marked do not hire.")
    freelancer.do_not_hire, freelancer.do_not_hire_reason = True, reason
    FreelancerEvent.objects.create(freelancer=freelancer, kind=EventKind.DO_NOT_HIRE, reason=reason, actor=actor)
    audit_record(workspace=freelancer.workspace_id, action="freelancer_do_not_hire", actor=actor, obj=freelancer,
                 detail=f"Marked {freelancer.name} do not hire.")
    return [line for c in _DO_NOT_HIRE_CONSEQUENCES.values() for line in c.apply(freelancer=freelancer, actor=actor)]


@transaction.atomic
def freelancer_clear_do_not_hire(*, freelancer, actor=None, reason=""):
    changed = Freelancer.objects.filter(pk=freelancer.pk, do_not_hire=True).update(
        do_not_hire=False, do_not_hire_reason="", updated_at=timezone.now()
    )
    if not changed:
        raise TransitionError(f"{freelancer.name} is not marked do not hire.")
    freelancer.do_not_hire, freelancer.do_not_hire_reason = False, ""
    FreelancerEvent.objects.create(freelancer=freelancer, kind=EventKind.CLEARED_DO_NOT_HIRE,
                                   reason=(reason or "").strip(), actor=actor)
    return freelancer
