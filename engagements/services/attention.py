"""Snoozing an item of the "needs attention" list: hidden for this user in this workspace for a
day (SNOOZE_HOURS); snoozing again restarts the day. Callers check that the key is one of the
user's current items (engagements/selectors/attention.py and its merge in payments)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SNOOZE_HOURS, AttentionSnooze


@transaction.atomic
def attention_snooze(*, user, workspace, key, now=None):
    now = now or timezone.now()
    snooze, _ = AttentionSnooze.objects.update_or_create(
        user=user, workspace=workspace, key=key, defaults={"until": now + timedelta(hours=SNOOZE_HOURS)})
    # Old snoozes are of no use once they end; each user's few are cleaned as they snooze.
    AttentionSnooze.objects.filter(user=user, until__lte=now).delete()
    return snooze
