"""MonthTotal: what each engagement released and paid out per slot of time (models.totals
.month_slot), kept with the ledger totals; its first rows summed from the entries the way
services.totals.months_from_entries sums them."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q, Sum

from payments.models.totals import RELEASED_KINDS, month_figures, month_slot


def fill(apps, schema_editor):
    Entry = apps.get_model("payments", "Entry")
    MonthTotal = apps.get_model("payments", "MonthTotal")
    rows = (Entry.objects.filter(Q(account__kind="payable", transaction__kind__in=RELEASED_KINDS)
                                 | Q(account__kind="paid_out"), transaction__engagement__isnull=False)
            .values_list("transaction__workspace_id", "transaction__engagement_id", "currency",
                         "transaction__created_at", "account__kind", "transaction__kind")
            .annotate(total=Sum("amount")).order_by())
    sums = defaultdict(lambda: [0, 0])
    for ws, e, c, at, account_kind, tx_kind, total in rows:
        released, paid_out = month_figures(account_kind, tx_kind, total)
        figures = sums[(ws, e, c, month_slot(at))]
        figures[0] += released
        figures[1] += paid_out
    MonthTotal.objects.bulk_create([
        MonthTotal(workspace_id=ws, engagement_id=e, currency=c, slot=slot, released=released, paid_out=paid_out)
        for (ws, e, c, slot), (released, paid_out) in sorted(sums.items())], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_audit_refunds_after_release_and_provider_fees'),
        ('engagements', '0019_signed_agreement_pdf'),
        ('payments', '0013_account_kind_choices_after_merge'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('slot', models.DateTimeField()),
                ('released', models.BigIntegerField(default=0)),
                ('paid_out', models.BigIntegerField(default=0)),
                ('engagement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='month_totals', to='engagements.engagement')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace')),
            ],
            options={
                'ordering': ['engagement', 'currency', 'slot'],
                'indexes': [models.Index(fields=['workspace', 'slot'], include=('currency', 'released', 'paid_out'), name='month_total_ws')],
                'constraints': [models.UniqueConstraint(fields=('engagement', 'currency', 'slot'), name='month_total_one_row')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
