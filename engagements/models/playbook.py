"""The playbook: workspace documents in versions, attached to engagements, and the freelancer's
acknowledgement of each version they were asked to read."""

from django.db import models
from django.utils import timezone

from .engagement import Engagement


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
