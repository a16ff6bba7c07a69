"""What the portal keeps of its own: per person, the session epoch that ends their sessions;
per freelancer profile, the state of their portal access (joined, last seen, revoked).

Invitations themselves are `accounts.Invitation` rows with role=freelancer and
target_id=Freelancer id; the portal login is `Freelancer.user`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PortalUser(models.Model):
    """One row per person whose portal sessions were ever ended (whatever the number of
    workspaces they freelance for).

    `session_epoch` is copied into each session at login; bumping it ends every session of the
    person at their next request (portal/sessions.py), on any session backend. No row means
    epoch 0.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_settings")
    session_epoch = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "portal user"

    def __str__(self):
        return f"Portal settings of {self.user}"


class PortalAccess(models.Model):
    """The portal side of one freelancer profile: when its login joined, when it was last
    seen, and whether the owner revoked it (then `Freelancer.user` is empty again)."""

    freelancer = models.OneToOneField("freelancers.Freelancer", on_delete=models.CASCADE,
                                      related_name="portal_access")
    joined_at = models.DateTimeField(null=True, blank=True)
    # Written at most every few minutes (portal/access.py); the silence detector reads it.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_email = models.EmailField(blank=True, help_text="The login that was unlinked.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "portal access"
        verbose_name_plural = "portal access"

    def __str__(self):
        return f"Portal access of {self.freelancer}"
