"""Engagements and their milestones.

The milestone state machine lives here, in one transition table, and every state change goes
through `milestone_transition` (engagements/transitions.py): a conditional UPDATE that fails
with a clear error when the row is no longer in a state the move is allowed from. Payments call
the same helper inside their own transaction.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency


class EngagementKind(models.TextChoices):
    TRIAL = "trial", "Trial job"
    PROJECT = "project", "Project"
    RETAINER = "retainer", "Retainer"


class PayTerms(models.TextChoices):
    FIXED = "fixed", "Fixed-price milestones"
    HOURLY = "hourly", "Hourly with a weekly cap"


class ReportingPreference(models.TextChoices):
    PROGRESS = "progress", "Progress reports"
    DELIVERY = "delivery", "Delivery only"


class EngagementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


ENGAGEMENT_TRANSITIONS = {
    EngagementStatus.DRAFT: {EngagementStatus.OFFERED, EngagementStatus.CANCELLED},
    EngagementStatus.OFFERED: {EngagementStatus.ACTIVE, EngagementStatus.DRAFT, EngagementStatus.CANCELLED},
    EngagementStatus.ACTIVE: {EngagementStatus.PAUSED, EngagementStatus.COMPLETED, EngagementStatus.CANCELLED},
    EngagementStatus.PAUSED: {EngagementStatus.ACTIVE, EngagementStatus.CANCELLED},
    EngagementStatus.COMPLETED: set(),
    EngagementStatus.CANCELLED: set(),
}


class Engagement(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="engagements")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=EngagementKind.choices, default=EngagementKind.PROJECT)
    pay_terms = models.CharField(max_length=16, choices=PayTerms.choices, default=PayTerms.FIXED)
    weekly_hour_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    # Money in minor units of `currency`.
    budget = models.PositiveBigIntegerField(default=0)
    contingency_percent = models.PositiveSmallIntegerField(default=15, validators=[MaxValueValidator(100)])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    starts_on = models.DateField(null=True, blank=True)
    target_end_on = models.DateField(null=True, blank=True)
    update_every_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    update_grace_hours = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(168)])
    checkin_every_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reporting_preference = models.CharField(
        max_length=16, choices=ReportingPreference.choices, default=ReportingPreference.PROGRESS
    )
    subcontracting_allowed = models.BooleanField(default=False)
    backups = models.ManyToManyField("freelancers.Freelancer", blank=True, related_name="backup_for")
    status = models.CharField(max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.DRAFT)
    # Deadlines: indexed columns recomputed whenever their inputs change (DESIGN.md).
    next_update_due_at = models.DateTimeField(null=True, blank=True)
    next_checkin_at = models.DateTimeField(null=True, blank=True)
    # Lifecycle moments: when the brief was first sent, when work started (first
    # acknowledgement), when it last resumed after a pause (the cadence restarts there), and
    # when it ended. `offered_at` → first response is the reliability record's response time.
    offered_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    playbook = models.ManyToManyField("PlaybookDocument", blank=True, related_name="engagements")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # --- Reminders (engagements/reminders.py) ---
    # Status updates: at `next_update_due_at` (which already includes the grace hours) the
    # freelancer is reminded; `update_escalate_hours` later they are reminded again and the owner
    # hears. `update_reminder_at`/`_step` are the ladder: the next step's moment and the steps
    # done (0, 1 reminded, 2 escalated); a new update moves the due date and restarts it.
    remind_freelancer_updates = models.BooleanField(
        "remind the freelancer", default=True,
        help_text="Email the freelancer when a status update is due, and again if it is still missing.")
    escalate_updates_to_owner = models.BooleanField(
        "tell the owner", default=True, help_text="Email you when an update is still missing after the second step.")
    update_escalate_hours = models.PositiveSmallIntegerField(
        "second step after (hours)", default=24, validators=[MinValueValidator(1), MaxValueValidator(168)])
    update_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    update_reminder_step = models.PositiveSmallIntegerField(default=0, editable=False)
    # Silence detector: nothing from the freelancer (update, submission, message, portal visit)
    # for `quiet_after_days` marks the engagement gone quiet (0 turns it off).
    quiet_after_days = models.PositiveSmallIntegerField(
        "gone quiet after (days)", default=5, validators=[MaxValueValidator(60)],
        help_text="Days without an update, submission, message or portal visit; 0 turns the detector off.")
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
    quiet_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    gone_quiet_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Check-in cadence: when it passes with no check-in planned, the owner is nudged once.
    checkin_nudge_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The reminder sweeps: one partial index per deadline, running engagements only.
            models.Index(fields=["update_reminder_at"], name="engagement_update_ladder",
                         condition=models.Q(status="active")),
            models.Index(fields=["quiet_check_at"], name="engagement_quiet_check",
                         condition=models.Q(status="active")),
            models.Index(fields=["checkin_nudge_at"], name="engagement_checkin_nudge",
                         condition=models.Q(status="active")),
            models.Index(fields=["workspace", "status"], name="engagement_ws_status"),
            models.Index(
                fields=["next_update_due_at"], name="engagement_update_due",
                condition=models.Q(status="active"),
            ),
            models.Index(
                fields=["next_checkin_at"], name="engagement_checkin_due",
                condition=models.Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_end_on__isnull=True) | models.Q(starts_on__isnull=True)
                | models.Q(target_end_on__gte=models.F("starts_on")),
                name="engagement_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def contingency_amount(self):
        return self.budget * self.contingency_percent // 100

    @property
    def budget_with_contingency(self):
        return self.budget + self.contingency_amount


class MilestoneState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FUNDED = "funded", "Funded"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    DISPUTED = "disputed", "Disputed"
    RELEASED = "released", "Released"
    REFUNDED = "refunded", "Refunded"
    SPLIT = "split", "Split"


S = MilestoneState
# The milestone state machine, the only one: state → states it may move to (DESIGN.md).
MILESTONE_TRANSITIONS = {
    S.DRAFT: {S.FUNDED},
    S.FUNDED: {S.SUBMITTED, S.DISPUTED, S.REFUNDED},
    S.SUBMITTED: {S.RELEASED, S.CHANGES_REQUESTED, S.DISPUTED},
    S.CHANGES_REQUESTED: {S.SUBMITTED, S.DISPUTED},
    S.DISPUTED: {S.RELEASED, S.REFUNDED, S.SPLIT},
    S.RELEASED: set(),
    S.REFUNDED: set(),
    S.SPLIT: set(),
}
MILESTONE_FINAL_STATES = frozenset({S.RELEASED, S.REFUNDED, S.SPLIT})


def allowed_from(to_state):
    """The states a milestone may be in for a move to `to_state`."""
    return {src for src, targets in MILESTONE_TRANSITIONS.items() if to_state in targets}


class Milestone(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    acceptance_criteria = models.TextField(help_text="How you will decide the work is done.")
    due_on = models.DateField(null=True, blank=True)
    # `due_on` at the end of the day in the freelancer's timezone, in UTC (the reminder deadline).
    due_at = models.DateTimeField(null=True, blank=True)
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    state = models.CharField(max_length=20, choices=MilestoneState.choices, default=MilestoneState.DRAFT)
    # When a submitted milestone is auto-released if not reviewed (payments).
    review_deadline_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    # Due-date reminders (engagements/reminders.py): 0 → "due in 2 days" to the freelancer,
    # 1 → "overdue" to the freelancer and the owner, 2 done. Re-armed when the date changes.
    due_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_reminder_step = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["engagement", "position", "id"]
        indexes = [
            models.Index(
                fields=["due_reminder_at"], name="milestone_due_reminder",
                condition=models.Q(state__in=["draft", "funded", "changes_requested"]),
            ),
            models.Index(
                fields=["review_deadline_at"], name="milestone_review_due",
                condition=models.Q(state="submitted"),
            ),
            models.Index(
                fields=["due_at"], name="milestone_due",
                condition=models.Q(state__in=["draft", "funded", "changes_requested"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_final(self):
        return self.state in MILESTONE_FINAL_STATES


# --- Briefs -----------------------------------------------------------------------------------
BRIEF_SECTIONS = [
    ("goal", "Goal"),
    ("deliverables", "Deliverables"),
    ("acceptance_criteria", "Acceptance criteria"),
    ("out_of_scope", "Out of scope"),
    ("timeline", "Timeline"),
    ("communication_plan", "Communication plan"),
]


class Brief(models.Model):
    """One version of an engagement's written requirements. Versions are never edited once the
    freelancer has been asked to acknowledge them (`sent_at`); a change is a new version."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="briefs")
    version = models.PositiveSmallIntegerField()
    goal = models.TextField()
    deliverables = models.TextField()
    acceptance_criteria = models.TextField()
    out_of_scope = models.TextField(blank=True)
    timeline = models.TextField(blank=True)
    communication_plan = models.TextField(blank=True)
    # What changed and why (a change order), for versions after the first.
    change_summary = models.TextField(blank=True)
    # When the freelancer was asked to acknowledge this version (offer, or a change order).
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "freelancers.Freelancer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Waiting for acknowledgement (engagements/reminders.py): 2 days after sending the
    # freelancer is nudged, after 4 the owner is told. Set when the version is sent.
    ack_nudge_at = models.DateTimeField(null=True, blank=True, editable=False)
    ack_nudge_step = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["engagement", "-version"]
        indexes = [
            models.Index(fields=["ack_nudge_at"], name="brief_ack_nudge",
                         condition=models.Q(acknowledged_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "version"], name="brief_version_unique"),
        ]

    def __str__(self):
        return f"{self.engagement} · brief v{self.version}"

    def sections(self):
        return [(name, label, getattr(self, name)) for name, label in BRIEF_SECTIONS]


class BriefQuestion(models.Model):
    """A question the freelancer asked about the brief, and the owner's answer. Both sides
    see both."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="questions")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["engagement", "asked_at", "id"]

    def __str__(self):
        return self.body[:60]


# --- Milestone work -------------------------------------------------------------------------
class SubmissionOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class Submission(models.Model):
    """One round of work handed in for a milestone, with the owner's feedback on it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="submissions")
    round = models.PositiveSmallIntegerField()
    message = models.TextField()
    links = models.JSONField(default=list, blank=True)
    # When subcontracting is not allowed: "I did this work myself" was ticked.
    attested_own_work = models.BooleanField(default=False)
    submitted_by = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=SubmissionOutcome.choices, default=SubmissionOutcome.PENDING)
    feedback = models.TextField(blank=True)
    feedback_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["milestone", "round"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "round"], name="submission_round_unique"),
        ]

    def __str__(self):
        return f"{self.milestone} · round {self.round}"


def submission_upload_to(instance, filename):
    # Generated names only: the uploaded name is kept in `original_name`, never on disk.
    import secrets

    return f"submissions/{secrets.token_hex(16)}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "id"]

    def __str__(self):
        return self.original_name


# --- Status updates and check-ins -------------------------------------------------------------
class StatusUpdate(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="status_updates")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="status_updates")
    done = models.TextField()
    next = models.TextField()
    blockers = models.TextField(blank=True)
    percent_complete = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    # The deadline this update was measured against, and whether it came after it.
    due_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["engagement", "-created_at"], name="statusupdate_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent_complete__lte=100), name="statusupdate_percent_range"),
        ]

    def __str__(self):
        return f"{self.engagement} · update {self.created_at:%Y-%m-%d}"


DEFAULT_PROMPTS = {
    "done_prompt": "What did you finish since your last update?",
    "next_prompt": "What will you work on next?",
    "blockers_prompt": "Is anything blocking you or at risk? What do you need from us?",
}


class UpdatePrompts(models.Model):
    """The workspace's template of status-update prompts, shown to freelancers."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="update_prompts")
    done_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["done_prompt"])
    next_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["next_prompt"])
    blockers_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["blockers_prompt"])
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Update prompts for {self.workspace}"


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HAPPENED = "happened", "Happened"
    MISSED = "missed", "Missed"


class CheckIn(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="checkins")
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(5),
                                                                                MaxValueValidator(480)])
    meeting_url = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Owner nudges (engagements/reminders.py): 0 → "tomorrow" with the agenda, 1 → "record it or
    # reschedule" once it is over, 2 done. `nudge_for` is the time they were planned for, so
    # moving the check-in re-arms them.
    nudge_at = models.DateTimeField(null=True, blank=True, editable=False)
    nudge_step = models.PositiveSmallIntegerField(default=0, editable=False)
    nudge_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "status", "scheduled_at"], name="checkin_upcoming"),
            models.Index(fields=["nudge_at"], name="checkin_nudge_due", condition=models.Q(status="scheduled")),
        ]

    def __str__(self):
        return f"{self.engagement} · check-in {self.scheduled_at:%Y-%m-%d %H:%M}"


# --- Playbook ---------------------------------------------------------------------------------
class PlaybookKind(models.TextChoices):
    HOW_WE_WORK = "how_we_work", "How we work"
    REPORTING = "reporting", "Reporting format"
    STYLE_GUIDE = "style_guide", "Style guide"
    OTHER = "other", "Other"


class PlaybookDocument(models.Model):
    """A workspace document (Markdown) attached to engagements; its text lives in versions."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="playbook_documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PlaybookKind.choices, default=PlaybookKind.HOW_WE_WORK)
    current_version = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class PlaybookVersion(models.Model):
    document = models.ForeignKey(PlaybookDocument, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="playbook_version_unique"),
        ]

    def __str__(self):
        return f"{self.document} v{self.version}"


class PlaybookAcknowledgement(models.Model):
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE,
                                   related_name="playbook_acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "freelancer"], name="playbook_ack_unique"),
        ]

    def __str__(self):
        return f"{self.freelancer} read {self.version}"


class PlaybookAckRequest(models.Model):
    """A playbook version the freelancer of an engagement was asked to read (attached, or
    revised while attached), with its nudge ladder: 2 days → the freelancer, 4 → the owner."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="playbook_requests")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="requests")
    requested_at = models.DateTimeField(default=timezone.now)
    nudge_at = models.DateTimeField(null=True, blank=True)
    nudge_step = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "-requested_at"]
        indexes = [
            models.Index(fields=["nudge_at"], name="playbook_request_nudge",
                         condition=models.Q(nudge_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "version"], name="playbook_request_unique"),
        ]

    def __str__(self):
        return f"{self.version} for {self.engagement}"


# --- New due dates ----------------------------------------------------------------------------
class DateChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MilestoneDateChange(models.Model):
    """The freelancer asked for a new due date, with a reason; the owner accepts or declines.
    Kept on the milestone as its history (engagements/due_dates.py)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="date_changes")
    previous_on = models.DateField(null=True, blank=True)
    proposed_on = models.DateField()
    reason = models.TextField()
    requested_by = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=DateChangeStatus.choices, default=DateChangeStatus.PENDING)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["milestone", "-requested_at", "-id"]
        constraints = [
            # One open request per milestone at a time.
            models.UniqueConstraint(fields=["milestone"], condition=models.Q(status="pending"),
                                    name="date_change_one_pending"),
        ]

    def __str__(self):
        return f"{self.milestone}: {self.previous_on} → {self.proposed_on} ({self.status})"


# --- Access grants ----------------------------------------------------------------------------
class AccessGrant(models.Model):
    """A credential or resource shared for one engagement. `secret_token` holds the Fernet token
    (engagements.crypto), never the secret; the plaintext exists only inside the reveal."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="access_grants")
    label = models.CharField(max_length=120)
    url = models.URLField(blank=True)
    username = models.CharField(max_length=200, blank=True)
    secret_token = models.TextField(blank=True, editable=False)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    secret_changed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(max_length=200, blank=True)
    # The owner's "rotate this secret" checklist item, open from revocation until done.
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["engagement", "label", "id"]
        indexes = [
            models.Index(fields=["engagement"], name="grant_to_rotate",
                         condition=models.Q(revoked_at__isnull=False, rotated_at__isnull=True)),
        ]

    def __str__(self):
        return self.label

    def __repr__(self):  # never the token, even in a debugger or a traceback
        return f"<AccessGrant {self.pk} {self.label!r}>"

    @property
    def has_secret(self):
        return bool(self.secret_token)

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def needs_rotation(self):
        return self.revoked_at is not None and self.rotated_at is None and self.has_secret


class AccessReveal(models.Model):
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="reveals")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=16, default="portal")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    revealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-revealed_at", "-id"]

    def __str__(self):
        return f"{self.grant} revealed by {self.freelancer} at {self.revealed_at:%Y-%m-%d %H:%M}"


# --- The end review ---------------------------------------------------------------------------
class Review(models.Model):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="review")
    # Shared with the freelancer.
    went_well = models.TextField()
    do_differently = models.TextField()
    # The owner's only.
    private_notes = models.TextField(blank=True)
    quality = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    communication = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    timeliness = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    rehire = models.BooleanField()
    # Handover checklist.
    source_files_delivered = models.BooleanField(default=False)
    licences_transferred = models.BooleanField(default=False)
    access_revoked = models.BooleanField(default=False)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quality__gte=1, quality__lte=5), name="review_quality_range"),
            models.CheckConstraint(condition=models.Q(communication__gte=1, communication__lte=5),
                                   name="review_communication_range"),
            models.CheckConstraint(condition=models.Q(timeliness__gte=1, timeliness__lte=5),
                                   name="review_timeliness_range"),
        ]

    def __str__(self):
        return f"Review of {self.engagement}"

    @property
    def average_rating(self):
        return round((self.quality + self.communication + self.timeliness) / 3, 1)

    @property
    def handover_complete(self):
        return self.source_files_delivered and self.licences_transferred and self.access_revoked


# --- Activity timeline ------------------------------------------------------------------------
class ActivityKind(models.TextChoices):
    CREATED = "created", "Engagement created"
    EDITED = "edited", "Engagement changed"
    OFFERED = "offered", "Offered"
    WITHDRAWN = "withdrawn", "Offer withdrawn"
    ACTIVATED = "activated", "Started"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    BRIEF_VERSION = "brief_version", "Brief written"
    BRIEF_ACKNOWLEDGED = "brief_acknowledged", "Brief acknowledged"
    QUESTION_ASKED = "question_asked", "Question asked"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    MILESTONE_ADDED = "milestone_added", "Milestone added"
    MILESTONE_CHANGED = "milestone_changed", "Milestone changed"
    MILESTONE_REMOVED = "milestone_removed", "Milestone removed"
    MILESTONE_SUBMITTED = "milestone_submitted", "Work submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    STATUS_UPDATE = "status_update", "Status update"
    CHECKIN_SCHEDULED = "checkin_scheduled", "Check-in scheduled"
    CHECKIN_RECORDED = "checkin_recorded", "Check-in recorded"
    PLAYBOOK_ATTACHED = "playbook_attached", "Playbook attached"
    PLAYBOOK_DETACHED = "playbook_detached", "Playbook removed"
    PLAYBOOK_ACKNOWLEDGED = "playbook_acknowledged", "Playbook acknowledged"
    GRANT_ADDED = "grant_added", "Access shared"
    GRANT_CHANGED = "grant_changed", "Access changed"
    GRANT_REVEALED = "grant_revealed", "Secret revealed"
    GRANT_REVOKED = "grant_revoked", "Access revoked"
    GRANT_ROTATED = "grant_rotated", "Secret rotated"
    REVIEW_SAVED = "review_saved", "Review written"
    DATE_REQUESTED = "date_requested", "New date requested"
    DATE_ACCEPTED = "date_accepted", "New date accepted"
    DATE_DECLINED = "date_declined", "New date declined"
    GONE_QUIET = "gone_quiet", "Gone quiet"
    REMINDERS_CHANGED = "reminders_changed", "Reminders changed"


class Activity(models.Model):
    """One line of an engagement's timeline: who did what, when. Written by the services (and
    by higher apps, e.g. payments, through `engagements.activity.activity_record`)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=32)
    summary = models.CharField(max_length=300)
    actor_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_freelancer = models.ForeignKey("freelancers.Freelancer", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["engagement", "-created_at"], name="activity_recent")]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.summary

    @property
    def kind_label(self):
        try:
            return ActivityKind(self.kind).label
        except ValueError:
            return self.kind.replace("_", " ").capitalize()

    @property
    def actor_name(self):
        if self.actor_freelancer_id:
            return self.actor_freelancer.name
        if self.actor_user_id:
            return self.actor_user.get_full_name()
        return "System"
