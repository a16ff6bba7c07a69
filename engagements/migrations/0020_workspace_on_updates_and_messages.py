"""Status updates and messages carry their engagement's workspace (which never changes), so the
search box filters them by workspace without a join: the column, then existing rows filled from
their engagements in batches of BATCH ids. The next migration makes it NOT NULL: it is a
migration of its own because here the filled rows' deferred foreign-key checks are still pending
in this transaction, and PostgreSQL alters no table with pending trigger events."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery

BATCH = 20_000


def fill_workspace(apps, schema_editor):
    Engagement = apps.get_model("engagements", "Engagement")
    for name in ("StatusUpdate", "Message"):
        model = apps.get_model("engagements", name)
        workspace = Subquery(Engagement.objects.filter(pk=OuterRef("engagement_id")).values("workspace_id")[:1])
        last = model.objects.aggregate(last=Max("pk"))["last"] or 0
        for start in range(0, last + 1, BATCH):
            model.objects.filter(pk__gte=start, pk__lt=start + BATCH, workspace__isnull=True).update(
                workspace_id=workspace)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_audit_refunds_after_release_and_provider_fees'),
        ('engagements', '0019_signed_agreement_pdf'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='workspace',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
        ),
        migrations.AddField(
            model_name='statusupdate',
            name='workspace',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
        ),
        migrations.RunPython(fill_workspace, migrations.RunPython.noop, elidable=True),
    ]
