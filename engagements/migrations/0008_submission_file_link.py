"""SubmissionFile keeps only the link to its Attachment (name, type, size and the stored file
are the attachment's)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("engagements", "0007_submission_files_to_attachments")]

    operations = [
        migrations.RemoveField(model_name="submissionfile", name="content_type"),
        migrations.RemoveField(model_name="submissionfile", name="file"),
        migrations.RemoveField(model_name="submissionfile", name="original_name"),
        migrations.RemoveField(model_name="submissionfile", name="size"),
        migrations.RemoveField(model_name="submissionfile", name="uploaded_at"),
        migrations.AlterField(
            model_name="submissionfile", name="attachment",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="submission_file",
                                       to="engagements.attachment"),
        ),
    ]
