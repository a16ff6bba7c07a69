"""CommittedTotal: each engagement's committed spend per currency, kept with the ledger totals;
its first rows summed from LedgerTotal (escrow, and payable credited by releases, resolutions,
timesheets, bonuses and commissions: models.totals.counts_as_committed)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO payments_committedtotal (workspace_id, engagement_id, currency, amount)
SELECT workspace_id, engagement_id, currency, SUM(amount) FROM payments_ledgertotal
WHERE account_kind = 'escrow'
   OR (account_kind = 'payable' AND transaction_kind IN ('release', 'resolve', 'timesheet', 'bonus', 'commission'))
GROUP BY workspace_id, engagement_id, currency
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_audit_actions_provider_and_paperwork'),
        ('engagements', '0017_merge_pay_models_and_self_billing'),
        ('payments', '0008_merge_provider_and_paperwork'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommittedTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('amount', models.BigIntegerField(default=0)),
                ('engagement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='committed_totals', to='engagements.engagement')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace')),
            ],
            options={
                'ordering': ['engagement', 'currency'],
                'indexes': [models.Index(fields=['workspace', 'engagement'], include=('currency', 'amount'), name='committed_total_ws')],
                'constraints': [models.UniqueConstraint(fields=('engagement', 'currency'), name='committed_total_one_row')],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
