"""Every status update and message has its workspace (filled by the previous migration); the
search box's document indexes become (workspace, key, document), `btree_gin` giving GIN the
integer classes, so a workspace's matches among its newest keys come from one index scan;
(workspace, -id) finds where that window of newest keys starts. CreateExtension and the GIN indexes
do nothing on SQLite, where search uses `icontains`."""

import accounts.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import BtreeGinExtension
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_audit_refunds_after_release_and_provider_fees'),
        ('engagements', '0020_workspace_on_updates_and_messages'),
        ('freelancers', '0005_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.RemoveIndex(
            model_name='message',
            name='message_search',
        ),
        migrations.RemoveIndex(
            model_name='statusupdate',
            name='statusupdate_search',
        ),
        migrations.AlterField(
            model_name='message',
            name='workspace',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
        ),
        migrations.AlterField(
            model_name='statusupdate',
            name='workspace',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['workspace', '-id'], name='message_ws_newest'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=accounts.indexes.PostgresGinIndex(models.F('workspace'), models.F('id'), django.contrib.postgres.search.SearchVector('body', config='english'), name='message_ws_search'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=models.Index(fields=['workspace', '-id'], name='statusupdate_ws_newest'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=accounts.indexes.PostgresGinIndex(models.F('workspace'), models.F('id'), django.contrib.postgres.search.SearchVector('done', 'next', 'blockers', config='english'), name='statusupdate_ws_search'),
        ),
    ]
