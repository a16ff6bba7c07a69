"""A CSV import of freelancers: uploaded and checked (a preview with each bad row's line),
then, once confirmed, imported all or nothing — in the request for a small file, by a Celery
task for a large one, with its progress stored here so the page can be left and reopened."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting for your confirmation"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed, nothing imported"


class FreelancerImport(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="freelancer_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    # The good rows as read from the file, each with its line: [{"line": 2, "name": ..., ...}].
    rows = models.JSONField(default=list, blank=True)
    # [{"line": 7, "field": "email", "message": "..."}]; line 1 is the header.
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="freelancer_import_ws_created")]

    def __str__(self):
        return f"Import {self.pk} ({self.filename or 'CSV'})"

    @property
    def percent(self):
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def finished(self):
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
