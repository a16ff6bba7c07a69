"""The search box's GIN indexes: each searchable model's words, the engagement title's trigrams.
PostgreSQL only (accounts.indexes.PostgresGinIndex): on SQLite search uses icontains."""

import accounts.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_audit_append_only'),
        ('engagements', '0012_engagement_list_index'),
        ('freelancers', '0004_import_and_money_limit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='brief',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('goal', 'deliverables', 'acceptance_criteria', 'out_of_scope', 'timeline', 'communication_plan', config='english'), name='brief_search'),
        ),
        migrations.AddIndex(
            model_name='engagement',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('title', 'end_reason', config='english'), name='engagement_search'),
        ),
        migrations.AddIndex(
            model_name='engagement',
            index=accounts.indexes.PostgresGinIndex(fields=['title'], name='engagement_title_trgm', opclasses=['gin_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='message',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('body', config='english'), name='message_search'),
        ),
        migrations.AddIndex(
            model_name='milestone',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('title', 'acceptance_criteria', config='english'), name='milestone_search'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('done', 'next', 'blockers', config='english'), name='statusupdate_search'),
        ),
    ]
