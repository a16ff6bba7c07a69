"""The end review: the owner's ratings, notes and handover checklist once an engagement ends."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .engagement import Engagement


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

    def ratings(self):
        """The 1–5 ratings as [(label, value)], in the form's order. What other apps show of a
        review: the freelancers app's vetting scorecard and bench read only this, `rehire` and
        `created_at` (it sits below this app and reaches a review by the reverse relation)."""
        return [("Quality", self.quality), ("Communication", self.communication), ("Timeliness", self.timeliness)]

    @property
    def average_rating(self):
        return round((self.quality + self.communication + self.timeliness) / 3, 1)

    @property
    def handover_complete(self):
        return self.source_files_delivered and self.licences_transferred and self.access_revoked
