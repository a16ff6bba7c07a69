"""The engagement itself: its kind, pay terms and reporting choice, its status with the one
table of status moves and the one definition of each set of statuses (ended, running, open),
and the deadline columns the reminder sweeps read."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.indexes import document_index, trigram_index
from accounts.models import validate_currency


class EngagementKind(models.TextChoices):
    TRIAL = "trial", "Trial job"
    PROJECT = "project", "Project"
    RETAINER = "retainer", "Retainer"


class PayTerms(models.TextChoices):
    FIXED = "fixed", "Fixed-price milestones"
    HOURLY = "hourly", "Hourly with a weekly cap"
    RETAINER = "retainer", "Monthly retainer with included hours"
    COMMISSION = "commission", "Commission on reported amounts"


class RetainerPeriodLength(models.TextChoices):
    MONTH = "month", "Month"


# A commission is a percent with two decimals, more than 0 and at most 100.
COMMISSION_PERCENT_MAX = 100


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


# The one definition of "this engagement is over": no more work, reporting, reminders or money.
ENDED_STATUSES = frozenset({EngagementStatus.COMPLETED, EngagementStatus.CANCELLED})
# Under way: the freelancer reports (status updates), even while paused.
RUNNING_STATUSES = frozenset({EngagementStatus.ACTIVE, EngagementStatus.PAUSED})
# The freelancer has it (offered, or under way) and it is not over: they read and acknowledge the
# brief and the playbook, ask questions, and may ask for a new due date.
OPEN_STATUSES = frozenset({EngagementStatus.OFFERED, *RUNNING_STATUSES})

ENGAGEMENT_TRANSITIONS = {
    EngagementStatus.DRAFT: {EngagementStatus.OFFERED, EngagementStatus.CANCELLED},
    EngagementStatus.OFFERED: {EngagementStatus.ACTIVE, EngagementStatus.DRAFT, EngagementStatus.CANCELLED},
    EngagementStatus.ACTIVE: {EngagementStatus.PAUSED, EngagementStatus.COMPLETED, EngagementStatus.CANCELLED},
    EngagementStatus.PAUSED: {EngagementStatus.ACTIVE, EngagementStatus.CANCELLED},
    EngagementStatus.COMPLETED: set(),
    EngagementStatus.CANCELLED: set(),
}
# What a move INTO each status clears, in the same UPDATE (engagement_transition): the deadlines
# run only while the engagement is active or about to be (they are recomputed when it resumes).
_DEADLINES = ("next_update_due_at", "next_checkin_at")
ENGAGEMENT_CLEARS = {
    EngagementStatus.DRAFT: (),
    EngagementStatus.OFFERED: (),
    EngagementStatus.ACTIVE: (),
    EngagementStatus.PAUSED: _DEADLINES,
    EngagementStatus.COMPLETED: _DEADLINES,
    EngagementStatus.CANCELLED: _DEADLINES,
}


# What the search box reads of an engagement, most telling first (its rank weighs them A, B).
ENGAGEMENT_SEARCH_FIELDS = ("title", "end_reason")


def in_engagement_workspace(row):
    """A row of an engagement that carries its workspace (status updates, messages) takes it from
    the engagement when written without one; bulk inserts pass it themselves (NOT NULL)."""
    if row.workspace_id is None and row.engagement_id is not None:
        row.workspace_id = row.engagement.workspace_id


class Engagement(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="engagements")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=EngagementKind.choices, default=EngagementKind.PROJECT)
    pay_terms = models.CharField(max_length=16, choices=PayTerms.choices, default=PayTerms.FIXED)
    weekly_hour_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    # Retainer pay terms: `retainer_amount` (minor units of `currency`) is funded at the start of
    # each period and released at its end (payments.services.retainer); `retainer_hours` are the
    # hours it includes (hours used beyond them are flagged to the owner, not paid).
    retainer_amount = models.PositiveBigIntegerField(null=True, blank=True)
    retainer_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    retainer_period = models.CharField(max_length=8, choices=RetainerPeriodLength.choices,
                                       default=RetainerPeriodLength.MONTH)
    # Commission pay terms: the percent of what the owner reports per month (payments.services.commission).
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
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
    # Self-billing as the owner proposes it: the next agreement version's {{self_billing}} clause
    # says so. It applies only once a version with the clause is signed by both sides
    # (selectors.agreement.self_billing_agreement), so the freelancer agreed to it in writing.
    self_billing_proposed = models.BooleanField(
        "propose self-billing", default=False,
        help_text="The agreement's invoicing clause offers self-billing: once the freelancer signs a version with "
                  "it, the app issues their invoice for each payment, in their name.")
    # Whether it applies now: the current agreement version has the clause and both sides signed
    # it. Kept by the agreement services under this row's lock (a version sent or its second
    # signature), so a payment reads it without a query.
    self_billed = models.BooleanField(default=False, editable=False)
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
    # --- Reminders (engagements/reminders/) ---
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
            # The engagement list's page (newest first): read in order, cut at the page.
            models.Index(fields=["workspace", "-created_at", "-id"], name="engagement_ws_recent"),
            # The search box (PostgreSQL only): words, and a misspelt title.
            document_index(ENGAGEMENT_SEARCH_FIELDS, name="engagement_search"),
            trigram_index("title", name="engagement_title_trgm"),
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
    def is_ended(self):
        return self.status in ENDED_STATUSES

    @property
    def contingency_amount(self):
        return self.budget * self.contingency_percent // 100

    @property
    def budget_with_contingency(self):
        return self.budget + self.contingency_amount
