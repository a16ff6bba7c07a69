"""Agreements: the workspace's templates, its agreement settings, the agreement rendered for one
engagement (versioned, frozen once sent) and the two signatures on it.

The rendered document (`html`, sanitised) is what both sides read and sign: its SHA-256 is
stored when the version is rendered, sent back by the signer's page and stored again on each
signature. On PostgreSQL a trigger refuses any change to a sent version and any change or
deletion of a signature (migration 0013), like the ledger's append-only rules.
"""

import hashlib

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .engagement import Engagement


def document_sha256(html):
    """The SHA-256 of the exact rendered document, as both sides read it."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


class AgreementTemplate(models.Model):
    """Markdown with `{{placeholders}}` from a fixed allow-list (services.agreement_text): never
    the Django template language, whatever the owner writes."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="agreement_templates")
    name = models.CharField(max_length=120)
    body = models.TextField(max_length=50_000)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace"], condition=models.Q(is_default=True),
                                    name="agreement_template_one_default"),
        ]

    def __str__(self):
        return self.name


class AgreementSettings(models.Model):
    """The workspace's rules and defaults for agreements."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE,
                                     related_name="agreement_settings")
    requires_signed_agreement = models.BooleanField(
        "require a signed agreement", default=False,
        help_text="The brief cannot be acknowledged, nor a milestone funded, before both sides signed.")
    notice_days = models.PositiveSmallIntegerField(
        "notice period (days)", default=14, validators=[MinValueValidator(0), MaxValueValidator(365)])
    governing_law = models.CharField(
        max_length=200, default="the laws of the place where the client has its registered office",
        help_text="Written into agreements as {{governing_law}}, e.g. “the laws of England and Wales”.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Agreement settings for {self.workspace}"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Waiting for signatures"
    SIGNED = "signed", "Signed by both"
    SUPERSEDED = "superseded", "Superseded"


class SignerSide(models.TextChoices):
    OWNER = "owner", "Client"
    FREELANCER = "freelancer", "Freelancer"


class Agreement(models.Model):
    """One version of the agreement for an engagement. A draft may be discarded; once sent it
    never changes (a change is a new version, which needs both signatures again)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    template_name = models.CharField(max_length=120)
    body = models.TextField()  # the template's Markdown with the placeholders filled in
    html = models.TextField()  # the sanitised document both sides read and sign
    document_sha256 = models.CharField(max_length=64)
    # What each placeholder stood for when this version was rendered: the page compares it with
    # today's values to say what changed since (pay terms, milestones, the brief's version…).
    values = models.JSONField(default=dict, blank=True)
    # The version's text has the self-billing clause (its {{self_billing}} placeholder, rendered
    # while the engagement proposed self-billing): once both sides sign it, the app self-bills.
    self_billing = models.BooleanField(default=False)
    # PROTECT, not SET_NULL: a sent version is never updated (the trigger would refuse it).
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["engagement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "version"], name="agreement_version_unique"),
        ]

    def __str__(self):
        return f"{self.engagement} · agreement v{self.version}"


class AgreementSignature(models.Model):
    """A simple electronic signature: the typed full name, "I agree", when, from where, and the
    hash of the document the signer's page showed. One per side per version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    side = models.CharField(max_length=16, choices=SignerSide.choices)
    user = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    freelancer = models.ForeignKey("freelancers.Freelancer", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    full_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    document_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["agreement", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "side"], name="agreement_signature_once_per_side"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.side}) on {self.agreement}"


class SignedAgreementPdf(models.Model):
    """The PDF of a version both sides signed, made once after the second signature committed
    (engagements.services.signed_copies: a worker claims the row, renders, stores), then
    emailed and downloaded as stored. `content` is None where WeasyPrint was missing."""

    agreement = models.OneToOneField(Agreement, primary_key=True, on_delete=models.CASCADE, related_name="signed_pdf")
    claimed_at = models.DateTimeField(default=timezone.now)  # a worker has been making it since
    made_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(null=True, blank=True)

    def __str__(self):
        return f"Signed PDF of {self.agreement_id}"
