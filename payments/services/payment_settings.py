"""A workspace's payment rules: the owner sets the review window. The row is written only here,
when the owner saves; until then every reader uses the default (`selectors.payment_settings`)."""

from django.utils import timezone

from ..errors import InvalidInput
from ..models import MAX_REVIEW_WINDOW_DAYS, MIN_REVIEW_WINDOW_DAYS, PaymentSettings
from ..roles import require_owner


def payment_settings_update(*, workspace, actor, review_window_days):
    """Set the review window (days); it applies to work submitted from now on."""
    require_owner(workspace, actor, "Only the workspace owner can change payment settings.")
    if (isinstance(review_window_days, bool) or not isinstance(review_window_days, int)
            or not MIN_REVIEW_WINDOW_DAYS <= review_window_days <= MAX_REVIEW_WINDOW_DAYS):
        raise InvalidInput(f"The review window is {MIN_REVIEW_WINDOW_DAYS} to {MAX_REVIEW_WINDOW_DAYS} days.",
                           field="review_window_days")
    settings, _ = PaymentSettings.objects.update_or_create(
        workspace=workspace,
        defaults={"review_window_days": review_window_days, "updated_by": actor, "updated_at": timezone.now()},
    )
    return settings
