"""Users, workspaces (the tenant), memberships and invitations.

The invitation is general on purpose: a teammate (manager) invitation and a freelancer's
portal invitation are the same row with a different `role`; the layer that owns the invitee
(accounts for managers, the portal for freelancers) performs what accepting means.
"""

import functools
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

# The largest amount anywhere, in minor units (15 digits: 9,999,999,999,999.99 USD): every money
# field of every form and of the API has this one limit (accounts.forms.check_money_limit).
MAX_MONEY = 10**15 - 1


# The IANA names, read once: `zoneinfo.available_timezones()` walks the zone files on every call
# (about 50 ms), and a CSV import checks thousands of rows.
known_timezones = functools.cache(zoneinfo.available_timezones)


def validate_timezone(value):
    if value not in known_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (use an IANA name such as Europe/Paris).")


def validate_currency(value):
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValidationError("Use a three-letter ISO 4217 code such as USD or EUR.")


def timezone_choices():
    return [(tz, tz) for tz in sorted(known_timezones()) if "/" in tz or tz == "UTC"]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        # Emails are unique regardless of case; store them lowercased.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, password_hash=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        if password_hash is not None:
            # Hashed by the caller before its transaction began, so the slow hash does not hold
            # the database's write lock (README, "Short transactions").
            user.password = password_hash
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    # Stored lowercased (see save); the Lower() constraint also guards rows written otherwise.
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = User.objects.normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split(" ")[0] if self.full_name else self.email)

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Workspace(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    created_at = models.DateTimeField(default=now)
    # When the owners' daily digest is next due (08:00 in `timezone`); set and moved forward by
    # the digest sweep (notifications.digest).
    next_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["next_digest_at"], name="workspace_digest_due")]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MANAGER)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique"),
        ]
        ordering = ["workspace__name", "created_at"]

    def __str__(self):
        return f"{self.user} · {self.workspace} ({self.role})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A 256-bit URL-safe token and its SHA-256 hash (only the hash is stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class InvitationRole(models.TextChoices):
    MANAGER = "manager", "Teammate (manager)"
    FREELANCER = "freelancer", "Freelancer (portal)"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class InvitationQuerySet(models.QuerySet):
    def pending(self, at=None):
        return self.filter(status=InvitationStatus.PENDING, expires_at__gt=at or now())


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=InvitationRole.choices)
    # The invitee's record in the layer that owns it (the Freelancer's id for role=freelancer).
    # An integer, not a foreign key, so accounts depends on nothing above it.
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_invitations"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Reminder ladder (used by the reminders sweep): when the next nudge is due, and how far
    # along it is (0 nothing sent, 1 the invitee was reminded, 2 the inviter was told it expired).
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    reminder_step = models.PositiveSmallIntegerField(default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="invitation_pending_expiry",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["next_reminder_at"], name="invitation_reminder_due",
                condition=models.Q(next_reminder_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} invitation for {self.email}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if not self.expires_at:
            self.expires_at = (self.created_at or now()) + settings.INVITATION_TTL
        super().save(*args, **kwargs)

    @property
    def effective_status(self):
        """Pending rows whose time has passed read as expired even before the sweep runs."""
        if self.status == InvitationStatus.PENDING and self.expires_at <= now():
            return InvitationStatus.EXPIRED
        return self.status


AUDIT_ACTIONS = (
    "login", "login_failed", "logout", "password_changed", "access_denied", "grant_revealed", "grant_revoked",
    "role_changed", "member_removed", "token_created", "token_revoked", "freelancer_do_not_hire",
    "money.fund", "money.release", "money.auto_release", "money.refund", "money.dispute", "money.resolve",
    "money.bonus", "money.payout", "money.timesheet_approve", "money.budget_change", "money.commission",
    "money.invoice", "money.credit_note",
    # The payment provider (payments/providers/): payouts turned on, a payout account's status
    # changed, a payment that arrived for a milestone that could no longer be funded, what the
    # nightly reconciliation could not match.
    "money.payouts_enabled", "money.payout_account", "money.provider_unfundable", "money.provider_unexplained",
    # Money given back after a release: the owner's ask (the refund itself is `money.refund_released`).
    "money.refund_requested", "money.refund_released",
    # Stripe's fee on a charge, posted from its balance transaction (the platform's cost).
    "money.provider_fee",
)


AUDIT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "ip", "detail"]


class AuditEvent(models.Model):
    """One line of a workspace's audit log (accounts/audit.py writes it; every app calls it).

    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0005). So the
    workspace and the actor are plain ids without a foreign-key constraint — deleting a user
    or a workspace must not have to touch the log — and the actor's email is kept as it was.
    No token, password or secret is ever written here (`detail` is a fixed sentence).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    at = models.DateTimeField(default=now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=40, choices=[(a, a) for a in AUDIT_ACTIONS])
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"], name="audit_workspace_at"),
                   models.Index(fields=["workspace", "action", "-at"], name="audit_workspace_action")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.actor_email or 'nobody'}"


class CalendarAudience(models.TextChoices):
    OWNER = "owner", "Owner side"  # the workspace's deadlines (owners and managers)
    FREELANCER = "freelancer", "Freelancer"  # one freelancer's own engagements


class CalendarFeed(models.Model):
    """A person's private calendar (.ics) URL for one workspace, from its owner side or as a
    freelancer there. The URL's token is an HMAC of `salt` with the SECRET_KEY, so the page can
    show the URL again while the database alone cannot rebuild it; only the token's SHA-256 is
    stored for the lookup. Rotating replaces the salt (the old URL answers 404); revoking
    deletes the row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calendar_feeds")
    audience = models.CharField(max_length=16, choices=CalendarAudience.choices)
    salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace", "audience"], name="calendar_feed_one_per_side"),
        ]

    def __str__(self):
        return f"Calendar of {self.user} in {self.workspace} ({self.audience})"


class WorkspaceChange(models.Model):
    """One row of a workspace's change mark (accounts/changes.py): the last value the database
    backend `backend` (its process id; 0 for the rows of backends that have gone) took for a
    write to the workspace's rows. Written by triggers only; no foreign key, so the write that
    deletes a workspace can still mark it."""

    workspace_id = models.BigIntegerField()
    backend = models.IntegerField()
    mark = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace_id", "backend"], name="workspace_change_per_backend")]
        # Its table is made by migration 0012, then left out of Django's flush: a test's flush
        # truncating it while a straggling writer's trigger marks a workspace deadlocked the two.
        managed = False

    def __str__(self):
        return f"Workspace {self.workspace_id}, backend {self.backend}: {self.mark}"
