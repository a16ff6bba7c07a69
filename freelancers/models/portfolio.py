"""What a freelancer shows of their work: samples (links or uploaded files) and testimonials."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from ..uploads import extension_for
from .freelancer import Freelancer
from .reference import Reference


def sample_upload_to(instance, filename):
    """A generated name under the workspace's folder; the uploader's file name is kept only as
    metadata (shown, never used as a path). The extension follows the sniffed content type."""
    return f"samples/{instance.freelancer.workspace_id}/{uuid.uuid4().hex}{extension_for(instance.content_type)}"


class Sample(models.Model):
    """A portfolio piece: a link, an uploaded file, or both."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="samples")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=sample_upload_to, max_length=255, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(url="") | ~models.Q(file=""), name="sample_link_or_file"),
        ]

    def __str__(self):
        return self.title


class Testimonial(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="testimonials")
    quote = models.TextField()
    author = models.CharField(max_length=150)
    source = models.CharField(max_length=200, blank=True, help_text="Where it comes from: a site, a client, a letter.")
    # Verified when a received reference vouches for it.
    verified_by = models.ForeignKey(Reference, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="testimonials")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.author}: {self.quote[:40]}"
