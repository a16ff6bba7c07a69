"""Freelancers in a workspace's talent pool and their vetting pipeline.

Everything here hangs from a Freelancer, which belongs to one workspace: samples,
testimonials, the rate history, references (answered by referees through a tokenized link),
interviews with their scorecards, the pipeline's event log and the vetting decisions.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from accounts.models import validate_currency, validate_timezone


class FreelancerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    VETTING = "vetting", "Vetting"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# The pipeline's one transition table: status → statuses it may move to.
STATUS_TRANSITIONS = {
    FreelancerStatus.PROSPECT: {FreelancerStatus.VETTING, FreelancerStatus.REJECTED},
    FreelancerStatus.VETTING: {FreelancerStatus.APPROVED, FreelancerStatus.REJECTED, FreelancerStatus.PROSPECT},
    FreelancerStatus.APPROVED: {FreelancerStatus.VETTING, FreelancerStatus.REJECTED},
    FreelancerStatus.REJECTED: {FreelancerStatus.VETTING, FreelancerStatus.PROSPECT},
}


class RateUnit(models.TextChoices):
    HOUR = "hour", "per hour"
    DAY = "day", "per day"
    PROJECT = "project", "per project"
    MONTH = "month", "per month (retainer)"


class Freelancer(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="freelancers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    headline = models.CharField(max_length=200, blank=True)
    skills = models.JSONField(default=list, blank=True, help_text="Tags, e.g. ['logo design', 'figma'].")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code.")
    # Money in minor units (cents) with its currency; never floats.
    rate_amount = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(0)])
    rate_unit = models.CharField(max_length=16, choices=RateUnit.choices, default=RateUnit.HOUR)
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    links = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=FreelancerStatus.choices, default=FreelancerStatus.PROSPECT)
    do_not_hire = models.BooleanField(default=False)
    do_not_hire_reason = models.TextField(blank=True)
    # The portal login, once the freelancer accepted an invitation.
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="freelancer_profiles"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("email"), name="freelancer_email_per_workspace"),
            models.CheckConstraint(
                condition=models.Q(do_not_hire=False) | ~models.Q(do_not_hire_reason=""),
                name="freelancer_do_not_hire_needs_reason",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="freelancer_ws_status")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.do_not_hire and not self.do_not_hire_reason.strip():
            raise ValidationError({"do_not_hire_reason": "Say why this person should not be hired."})

    @property
    def allowed_moves(self):
        return [FreelancerStatus(s) for s in FreelancerStatus.values if s in STATUS_TRANSITIONS[self.status]]


def statuses_allowed_into(to_status):
    """The statuses a freelancer may be in for a move to `to_status`."""
    return {src for src, targets in STATUS_TRANSITIONS.items() if to_status in targets}


class EventKind(models.TextChoices):
    CREATED = "created", "Added"
    STATUS = "status", "Status changed"
    DO_NOT_HIRE = "do_not_hire", "Marked do not hire"
    CLEARED_DO_NOT_HIRE = "cleared_do_not_hire", "Do-not-hire cleared"
    DECISION = "decision", "Decision"


class FreelancerEvent(models.Model):
    """The pipeline's history: every status move and do-not-hire change, with who, when, why."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=FreelancerStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FreelancerStatus.choices, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.get_kind_display()}"


class RateChange(models.Model):
    """Rate history: one row each time the rate (amount, unit or currency) is set or changes."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="rate_changes")
    rate_amount = models.PositiveIntegerField(null=True, blank=True)
    rate_unit = models.CharField(max_length=16, choices=RateUnit.choices)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.rate_amount} {self.currency} {self.rate_unit}"


def sample_upload_to(instance, filename):
    """A generated name under the workspace's folder; the uploader's file name is kept only as
    metadata (shown, never used as a path). The extension follows the sniffed content type."""
    import uuid

    from .uploads import extension_for

    return f"samples/{instance.freelancer.workspace_id}/{uuid.uuid4().hex}{extension_for(instance.content_type)}"


class Sample(models.Model):
    """A portfolio piece: a link, an uploaded file, or both."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="samples")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=sample_upload_to, max_length=255, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(url="") | ~models.Q(file=""), name="sample_link_or_file"),
        ]

    def __str__(self):
        return self.title


class ReferenceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


# Statuses from which "Request" (or "Send again") may issue a fresh link.
REFERENCE_REQUESTABLE = {ReferenceStatus.DRAFT, ReferenceStatus.REQUESTED, ReferenceStatus.EXPIRED}
REFERENCE_RATINGS = [
    ("quality", "Quality of work"),
    ("reliability", "Reliability"),
    ("communication", "Communication"),
    ("deadlines", "Meeting deadlines"),
]


def _score_field(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def _score_between_1_and_5(field, name):
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
        name=name,
    )


class Reference(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="references")
    name = models.CharField("referee's name", max_length=150)
    email = models.EmailField("referee's email")
    relationship = models.CharField(max_length=150, help_text="e.g. former client, agency lead.")
    company = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=16, choices=ReferenceStatus.choices, default=ReferenceStatus.DRAFT)
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    # Reminder ladder: when the next nudge is due (None when none is left) and how many were sent.
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    quality = _score_field("quality of work")
    reliability = _score_field("reliability")
    communication = _score_field("communication")
    deadlines = _score_field("meeting deadlines")
    would_rehire = models.BooleanField(null=True, blank=True)
    what_to_know = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The reminder sweep's one query: due rows among those still waiting for an answer.
            models.Index(fields=["next_reminder_at"], name="reference_reminder_due",
                         condition=models.Q(status="requested")),
            models.Index(fields=["expires_at"], name="reference_expiry",
                         condition=models.Q(status="requested")),
        ]
        constraints = [
            _score_between_1_and_5("quality", "reference_quality_1_5"),
            _score_between_1_and_5("reliability", "reference_reliability_1_5"),
            _score_between_1_and_5("communication", "reference_communication_1_5"),
            _score_between_1_and_5("deadlines", "reference_deadlines_1_5"),
        ]

    def __str__(self):
        return f"{self.name} for {self.freelancer}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def ratings(self):
        return [(label, getattr(self, field)) for field, label in REFERENCE_RATINGS]

    @property
    def average(self):
        values = [getattr(self, field) for field, _ in REFERENCE_RATINGS if getattr(self, field)]
        return sum(values) / len(values) if values else None

    @property
    def effective_status(self):
        """A requested reference past its expiry reads as expired even before the sweep runs."""
        if self.status == ReferenceStatus.REQUESTED and self.expires_at and self.expires_at <= now():
            return ReferenceStatus.EXPIRED
        return self.status

    @property
    def can_request(self):
        return self.status in REFERENCE_REQUESTABLE


class ReferenceLink(models.Model):
    """One emailed questionnaire link. Only the SHA-256 of the token is kept. The request and
    each reminder carry their own token (the raw one exists only in that email), and all of a
    reference's links die together once it is answered, declined or expired."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Link for {self.reference}"


class Testimonial(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="testimonials")
    quote = models.TextField()
    author = models.CharField(max_length=150)
    source = models.CharField(max_length=200, blank=True, help_text="Where it comes from: a site, a client, a letter.")
    # Verified when a received reference vouches for it.
    verified_by = models.ForeignKey(Reference, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="testimonials")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.author}: {self.quote[:40]}"


DEFAULT_CRITERIA = [
    "Communication",
    "Relevant skill",
    "Understanding of the brief",
    "Timeline / availability fit",
    "Professionalism",
]


class ScorecardCriterion(models.Model):
    """A workspace's interview scorecard criteria (editable; defaults in DEFAULT_CRITERIA)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="scorecard_criteria")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="criterion_name_per_workspace"),
        ]

    def __str__(self):
        return self.name


class InterviewKind(models.TextChoices):
    INTRO = "intro", "Intro call"
    TECHNICAL = "technical", "Technical"
    PROJECT_FIT = "project_fit", "Project fit"


class InterviewOutcome(models.TextChoices):
    PENDING = "pending", "Not decided"
    ADVANCE = "advance", "Advance"
    HOLD = "hold", "Hold"
    REJECT = "reject", "Reject"


class RedFlag(models.TextChoices):
    SCOPE = "scope", "Hesitated about the scope"
    TIMELINE = "timeline", "Hesitated about the timeline"
    WHO_DOES_WORK = "who_does_work", "Vague about who will do the work"
    AVAILABILITY = "availability", "Unclear availability"
    PRICE_MOVED = "price_moved", "Price moved after agreement"


class Interview(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(max_length=16, choices=InterviewKind.choices, default=InterviewKind.INTRO)
    scheduled_at = models.DateTimeField(help_text="Stored in UTC.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    meeting_url = models.URLField(max_length=500, blank=True)
    # The time zone the time was entered in (the interviewer's), kept to show it back the same way.
    organizer_timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # iCalendar: SEQUENCE goes up with each reschedule so calendars replace the old event.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=InterviewOutcome.choices, default=InterviewOutcome.PENDING)
    scored_at = models.DateTimeField(null=True, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["freelancer", "scheduled_at"], name="interview_freelancer_time")]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.freelancer}"

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    @property
    def red_flag_labels(self):
        return [RedFlag(flag).label for flag in self.red_flags if flag in RedFlag.values]

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def is_upcoming(self):
        return not self.is_cancelled and self.scheduled_at > now()


class InterviewScore(models.Model):
    """One criterion's score. The criterion's name is copied so editing the workspace's list
    later does not rewrite past scorecards."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "criterion"], name="interview_score_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="interview_score_1_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class Decision(models.Model):
    """The owner's vetting decision, kept as history: who, when, why, and what they saw."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", "Approve"
        REJECTED = "rejected", "Reject"

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(default=now)
    # What the scorecard showed when the decision was taken.
    references_received = models.PositiveSmallIntegerField(default=0)
    red_flags = models.JSONField(default=list, blank=True)
    confirmed_warnings = models.BooleanField(default=False)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.get_decision_display()}"
