import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    FREELANCER = "freelancer", "Freelancer"


class ApiToken(models.Model):
    """A bearer token bound to one workspace and one role. Only its hash is stored.

    Revoking deletes the row. The token stays valid only until `expires_at`
    (settings.API_TOKEN_LIFETIME after issue) and while what granted its role still holds (the
    membership with that role, or the freelancer profile linked to the user); see
    api/authentication.py.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(max_length=16, choices=TokenRole.choices)
    # For freelancer tokens: the Freelancer the token acts as (api sits above freelancers).
    freelancer = models.ForeignKey(
        "freelancers.Freelancer", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="freelancer", freelancer__isnull=False)
                    | (~models.Q(role="freelancer") & models.Q(freelancer__isnull=True))
                ),
                name="api_token_freelancer_role",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.user}, {self.workspace}, {self.role})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @classmethod
    def issue(cls, *, user, workspace, role, freelancer=None):
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            user=user, workspace=workspace, role=role, freelancer=freelancer,
            key_hash=hash_key(key), prefix=key[:8], created_at=now,
            expires_at=now + settings.API_TOKEN_LIFETIME,
        )
        return token, key


class IdempotencyKey(models.Model):
    """A stored response for an Idempotency-Key, scoped to the user (kept ≥ 24 h).

    The row is inserted (committed on its own) before the action runs, as an in-flight marker;
    the action and the stored response then commit together. See api/idempotency.py.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still being handled (a concurrent retry gets 409).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path})"
