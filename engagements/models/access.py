"""Access grants: credentials and resources shared for one engagement, and the log of every
reveal of a secret."""

from django.db import models
from django.utils import timezone

from .engagement import Engagement


class AccessGrant(models.Model):
    """A credential or resource shared for one engagement. `secret_token` holds the Fernet token
    (engagements.crypto), never the secret; the plaintext exists only inside the reveal."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="access_grants")
    label = models.CharField(max_length=120)
    url = models.URLField(blank=True)
    username = models.CharField(max_length=200, blank=True)
    secret_token = models.TextField(blank=True, editable=False)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    secret_changed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(max_length=200, blank=True)
    # The owner's "rotate this secret" checklist item, open from revocation until done.
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["engagement", "label", "id"]
        indexes = [
            models.Index(fields=["engagement"], name="grant_to_rotate",
                         condition=models.Q(revoked_at__isnull=False, rotated_at__isnull=True)),
        ]

    def __str__(self):
        return self.label

    def __repr__(self):  # never the token, even in a debugger or a traceback
        return f"<AccessGrant {self.pk} {self.label!r}>"

    @property
    def has_secret(self):
        return bool(self.secret_token)

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def needs_rotation(self):
        return self.revoked_at is not None and self.rotated_at is None and self.has_secret


class AccessReveal(models.Model):
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="reveals")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=16, default="portal")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    revealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-revealed_at", "-id"]

    def __str__(self):
        return f"{self.grant} revealed by {self.freelancer} at {self.revealed_at:%Y-%m-%d %H:%M}"
