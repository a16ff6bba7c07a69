"""A workspace's payment rules: how long the owner has to review submitted work before it is
released automatically."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

DEFAULT_REVIEW_WINDOW_DAYS = 14
MIN_REVIEW_WINDOW_DAYS = 1
MAX_REVIEW_WINDOW_DAYS = 30


class PaymentSettings(models.Model):
    """A workspace's payment rules (kept here: accounts sits below payments)."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="payment_settings"
    )
    # Submitted work not reviewed within this many days is released automatically; approval of
    # submitted timesheets follows the same window.
    review_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_WINDOW_DAYS,
        validators=[MinValueValidator(MIN_REVIEW_WINDOW_DAYS), MaxValueValidator(MAX_REVIEW_WINDOW_DAYS)],
        help_text="Days you have to review submitted work before it is released automatically (1–30).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "payment settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_window_days__gte=MIN_REVIEW_WINDOW_DAYS)
                & models.Q(review_window_days__lte=MAX_REVIEW_WINDOW_DAYS),
                name="payment_settings_window_range",
            ),
        ]

    def __str__(self):
        return f"Payment settings for {self.workspace}"
