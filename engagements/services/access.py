"""Access grants: "tell them only what they need to know".

A secret is encrypted before it touches the database (accounts.crypto) and decrypted only
inside `access_grant_reveal`, for the engagement's own freelancer while it is active; every
reveal is logged. When the engagement ends every grant is revoked and stays on the owner's
checklist until they say the secret was rotated. Secrets never go into a log, an activity line,
an email or an error page: the functions that hold one are `sensitive_variables`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts import crypto
from accounts.audit import audit_record

from ..models import AccessGrant, AccessReveal, ActivityKind, Engagement, EngagementStatus
from .activity import activity_record
from .transitions import ConflictError, NotAllowed

MAX_SECRET_LENGTH = 4000


def _check_secret(secret):
    if len(secret) > MAX_SECRET_LENGTH:
        raise ValidationError({"secret": f"At most {MAX_SECRET_LENGTH} characters."})


@sensitive_variables("secret")
@transaction.atomic
def access_grant_create(*, engagement, actor, label, url="", username="", secret="", notes=""):
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.is_ended:
        raise ConflictError("Access cannot be shared on a finished engagement.")
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Name what this gives access to."})
    secret = secret or ""
    _check_secret(secret)
    now = timezone.now()
    grant = AccessGrant(engagement=engagement, label=label, url=url or "", username=username or "",
                        notes=(notes or "").strip(), created_by=actor, created_at=now,
                        secret_token=crypto.encrypt(secret) if secret else "",
                        secret_changed_at=now if secret else None)
    grant.full_clean()
    grant.save()
    activity_record(engagement=engagement, kind=ActivityKind.GRANT_ADDED, actor_user=actor,
                    summary=f"Shared access: {label}" + (" (with a secret)." if secret else "."))
    return grant


@sensitive_variables("secret")
@transaction.atomic
def access_grant_update(*, grant, actor, label, url="", username="", notes="", secret=None):
    """Change the details; a non-empty `secret` replaces the stored one (None or "" keeps it)."""
    grant = AccessGrant.objects.select_for_update().select_related("engagement").get(pk=grant.pk)
    if grant.is_revoked:
        raise ConflictError("This access was revoked; share a new one instead.")
    grant.label, grant.url, grant.username = (label or "").strip(), url or "", username or ""
    grant.notes = (notes or "").strip()
    replaced = bool(secret)
    if replaced:
        _check_secret(secret)
        grant.secret_token = crypto.encrypt(secret)
        grant.secret_changed_at = timezone.now()
    grant.full_clean()
    grant.save()
    activity_record(engagement=grant.engagement, kind=ActivityKind.GRANT_CHANGED, actor_user=actor,
                    summary=f"Changed access: {grant.label}" + (" (new secret)." if replaced else "."))
    return grant


@sensitive_variables("secret")
@transaction.atomic
def access_grant_reveal(*, grant_id, freelancer, user=None, ip_address=None, via="portal"):
    """The deliberate reveal: returns the plaintext secret to the engagement's freelancer while
    it is active, and logs who and when. Raises NotAllowed (someone else's grant) or
    ConflictError (revoked, engagement not active)."""
    grant = AccessGrant.objects.select_related("engagement").filter(pk=grant_id).first()
    if grant is None or grant.engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such access grant for this freelancer.")
    if grant.is_revoked:
        raise ConflictError("This access was revoked.")
    if grant.engagement.status != EngagementStatus.ACTIVE:
        raise ConflictError("Secrets are shown only while the engagement is active.")
    if not grant.secret_token:
        raise ConflictError("This access has no secret to show.")
    secret = crypto.decrypt(grant.secret_token)
    AccessReveal.objects.create(grant=grant, freelancer=freelancer, user=user, ip_address=ip_address, via=via[:16])
    audit_record(workspace=grant.engagement.workspace_id, action="grant_revealed", actor=user, obj=grant,
                 detail=f"{freelancer.name} revealed the secret for {grant.label} ({via}).", ip=ip_address)
    activity_record(engagement=grant.engagement, kind=ActivityKind.GRANT_REVEALED, actor_freelancer=freelancer,
                    summary=f"{freelancer.name} revealed the secret for {grant.label}.")
    return secret


@transaction.atomic
def access_grant_revoke(*, grant, actor, reason=""):
    now = timezone.now()
    if not AccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revoke_reason=(reason or "Revoked")[:200]
    ):
        return False
    grant.refresh_from_db()
    audit_record(workspace=grant.engagement.workspace_id, action="grant_revoked", actor=actor, obj=grant,
                 detail=f"Revoked access: {grant.label}.")
    activity_record(engagement=grant.engagement, kind=ActivityKind.GRANT_REVOKED, actor_user=actor,
                    summary=f"Revoked access: {grant.label}." + (" Rotate the secret." if grant.has_secret else ""))
    return True


def access_grants_revoke_all(*, engagement, actor, reason):
    """Revoke every live grant (the engagement ended). Returns the grants revoked."""
    live = list(AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=True))
    revoked = [grant for grant in live if access_grant_revoke(grant=grant, actor=actor, reason=reason)]
    return revoked


@transaction.atomic
def access_grant_mark_rotated(*, grant, actor):
    """Tick the checklist item: the owner changed the secret where it lives."""
    if grant.revoked_at is None:
        raise ConflictError("Revoke the access before marking its secret rotated.")
    if not AccessGrant.objects.filter(pk=grant.pk, rotated_at__isnull=True).update(
        rotated_at=timezone.now(), rotated_by=actor
    ):
        return False
    activity_record(engagement=grant.engagement, kind=ActivityKind.GRANT_ROTATED, actor_user=actor,
                    summary=f"Rotated the secret for {grant.label}.")
    return True


def access_grants_reencrypt(*, batch_size=500):
    """Re-encrypt every stored secret under the current (first) key, so older keys can be
    dropped. Returns how many were re-encrypted. Conditional per row: a secret replaced
    meanwhile is left alone (it is already under the current key)."""
    done = 0
    last_pk = 0
    while True:
        rows = list(
            AccessGrant.objects.exclude(secret_token="").filter(pk__gt=last_pk).order_by("pk")
            .values_list("pk", "secret_token")[:batch_size]
        )
        if not rows:
            return done
        for pk, token in rows:
            rotated = crypto.rotate(token)
            done += AccessGrant.objects.filter(pk=pk, secret_token=token).update(secret_token=rotated)
        last_pk = rows[-1][0]
