"""Self-billing follows the signed agreement, no longer a switch on the engagement.

The engagement's old "self-billing agreed" switch becomes what the owner proposes for the next
agreement version (renamed, its value kept). Each agreement version records whether its text
has the self-billing clause; for the versions already rendered that is read from what their
{{self_billing}} placeholder stood for (`values`), the clause's first words being the ones the
app wrote then. Self-billing now applies only where the current version has the clause and both
sides signed it (`Engagement.self_billed`, kept by the agreement services): an engagement switched on without such a signature issues no more self-billed
invoices (those already issued stay as they are), and the freelancer issues their own.

Sent versions are frozen by a trigger (0014) that refuses any UPDATE; the backfill of the new
column, which changes no word of a document, runs with that trigger off for the moment."""

from django.db import migrations, models

CLAUSE_START = "The Client issues the Contractor's invoice for each payment"


def backfill(apps, schema_editor):
    Agreement = apps.get_model("engagements", "Agreement")
    Engagement = apps.get_model("engagements", "Engagement")
    ids = [pk for pk, values in Agreement.objects.values_list("pk", "values")
           if str((values or {}).get("self_billing", "")).startswith(CLAUSE_START)]
    if not ids:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE engagements_agreement DISABLE TRIGGER engagements_agreement_frozen")
    Agreement.objects.filter(pk__in=ids).update(self_billing=True)
    if postgres:
        schema_editor.execute("ALTER TABLE engagements_agreement ENABLE TRIGGER engagements_agreement_frozen")
    # Self-billed now: the current (newest sent) version has the clause and both sides signed it.
    current = {}
    for engagement_id, version, pk, self_billing in (Agreement.objects.filter(sent_at__isnull=False)
                                                     .values_list("engagement_id", "version", "pk", "self_billing")):
        if engagement_id not in current or version > current[engagement_id][0]:
            current[engagement_id] = (version, pk, self_billing)
    candidates = {pk: engagement_id for engagement_id, (_, pk, self_billing) in current.items() if self_billing}
    signed = (Agreement.objects.filter(pk__in=candidates).annotate(sides=models.Count("signatures__side", distinct=True))
              .filter(sides=2).values_list("pk", flat=True))
    Engagement.objects.filter(pk__in=[candidates[pk] for pk in signed]).update(self_billed=True)


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0017_merge_pay_models_and_self_billing'),
    ]

    operations = [
        migrations.RenameField(model_name='engagement', old_name='self_billing_agreed', new_name='self_billing_proposed'),
        migrations.AlterField(
            model_name='engagement',
            name='self_billing_proposed',
            field=models.BooleanField(default=False, help_text="The agreement's invoicing clause offers self-billing: once the freelancer signs a version with it, the app issues their invoice for each payment, in their name.", verbose_name='propose self-billing'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='self_billing',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='engagement',
            name='self_billed',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
