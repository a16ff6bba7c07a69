"""References: referees asked about a freelancer, their ratings and answers, and the emailed
questionnaire links they answer through."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from .freelancer import Freelancer


class ReferenceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


# Statuses from which "Request" (or "Send again") may issue a fresh link.
REFERENCE_REQUESTABLE = {ReferenceStatus.DRAFT, ReferenceStatus.REQUESTED, ReferenceStatus.EXPIRED}
# A request's life: its links work this long; the referee is reminded every REMINDER_EVERY, at
# most MAX_REMINDERS times (the ladder is `reminders_sent` and `next_reminder_at`).
LINK_TTL = timedelta(days=14)
REMINDER_EVERY = timedelta(days=2)
MAX_REMINDERS = 2
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
