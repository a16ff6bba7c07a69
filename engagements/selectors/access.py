"""Reads about access grants: an engagement's grants with their reveal counts, the reveal log,
and the workspace's checklist of revoked secrets still to rotate. Never a secret: only the
freelancer's reveal (services/access.py) decrypts one."""

from django.db.models import Count

from ..models import AccessGrant, AccessReveal


def rotation_checklist(workspace):
    """Revoked secrets the owner has not yet said were rotated."""
    return (
        AccessGrant.objects.filter(engagement__workspace=workspace, revoked_at__isnull=False, rotated_at__isnull=True)
        .exclude(secret_token="")
        .select_related("engagement")
        .annotate(reveal_count=Count("reveals"))
        .order_by("revoked_at", "id")
    )


def grants_for(engagement):
    return (
        AccessGrant.objects.filter(engagement=engagement)
        .select_related("created_by", "revoked_by", "rotated_by")
        .annotate(reveal_count=Count("reveals"))
        .order_by("revoked_at", "label", "id")
    )


def reveal_log(engagement, limit=200):
    return AccessReveal.objects.filter(grant__engagement=engagement).select_related("grant", "freelancer", "user")[
        :limit]
