"""The activity timeline: one row per thing that happened on an engagement."""

from django.db import models
from django.utils import timezone

from .engagement import Engagement
from .milestone import Milestone


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
    AGREEMENT_SENT = "agreement_sent", "Agreement sent"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"


class Activity(models.Model):
    """One line of an engagement's timeline: who did what, when. Written by the services (and
    by higher apps, e.g. payments, through `engagements.services.activity.activity_record`)."""

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
