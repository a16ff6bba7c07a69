"""The brief: versions of an engagement's written requirements, and the freelancer's questions
about them."""

from django.db import models
from django.utils import timezone

from accounts.indexes import document_index

from .engagement import Engagement

BRIEF_SECTIONS = [
    ("goal", "Goal"),
    ("deliverables", "Deliverables"),
    ("acceptance_criteria", "Acceptance criteria"),
    ("out_of_scope", "Out of scope"),
    ("timeline", "Timeline"),
    ("communication_plan", "Communication plan"),
]


# What the search box reads of a brief (its rank weighs them A, B, C, D…).
BRIEF_SEARCH_FIELDS = ("goal", "deliverables", "acceptance_criteria", "out_of_scope", "timeline",
                       "communication_plan")


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
    # Waiting for acknowledgement (engagements/reminders/acknowledgements.py): 2 days after sending the
    # freelancer is nudged, after 4 the owner is told. Set when the version is sent.
    ack_nudge_at = models.DateTimeField(null=True, blank=True, editable=False)
    ack_nudge_step = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["engagement", "-version"]
        indexes = [
            models.Index(fields=["ack_nudge_at"], name="brief_ack_nudge",
                         condition=models.Q(acknowledged_at__isnull=True)),
            document_index(BRIEF_SEARCH_FIELDS, name="brief_search"),  # the search box (PostgreSQL)
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
