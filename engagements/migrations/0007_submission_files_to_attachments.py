"""Every existing submission file becomes an Attachment that keeps its stored file where it is
(same storage name), and its SubmissionFile row links to it. Nothing is copied in storage."""

from django.db import migrations


def forwards(apps, schema_editor):
    SubmissionFile = apps.get_model("engagements", "SubmissionFile")
    Attachment = apps.get_model("engagements", "Attachment")
    rows = SubmissionFile.objects.filter(attachment__isnull=True).select_related(
        "submission__milestone__engagement", "submission__submitted_by")
    for row in rows.iterator():
        engagement = row.submission.milestone.engagement
        attachment = Attachment.objects.create(
            workspace_id=engagement.workspace_id, engagement_id=engagement.pk,
            uploaded_by_id=row.submission.submitted_by.user_id, file=row.file.name, name=row.original_name,
            content_type=row.content_type, size=row.size, created_at=row.uploaded_at,
        )
        SubmissionFile.objects.filter(pk=row.pk).update(attachment=attachment)


def backwards(apps, schema_editor):
    SubmissionFile = apps.get_model("engagements", "SubmissionFile")
    for row in SubmissionFile.objects.select_related("attachment").iterator():
        a = row.attachment
        SubmissionFile.objects.filter(pk=row.pk).update(
            file=a.file.name, original_name=a.name, content_type=a.content_type, size=a.size, uploaded_at=a.created_at)


class Migration(migrations.Migration):

    dependencies = [("engagements", "0006_conversation")]

    operations = [migrations.RunPython(forwards, backwards)]
