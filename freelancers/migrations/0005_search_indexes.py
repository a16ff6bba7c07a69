"""The search box's GIN indexes on the freelancer (its words; its name's trigrams, so a misspelt
name is found through the index). PostgreSQL only: on SQLite the index and the extension are no-ops
(search uses icontains there)."""

import accounts.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_audit_append_only'),
        ('freelancers', '0004_import_and_money_limit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),  # also created by engagements' search migration; whichever runs first
        migrations.AddIndex(
            model_name='freelancer',
            index=accounts.indexes.PostgresGinIndex(django.contrib.postgres.search.SearchVector('name', 'headline', 'notes', config='english'), name='freelancer_search'),
        ),
        migrations.AddIndex(
            model_name='freelancer',
            index=accounts.indexes.PostgresGinIndex(fields=['name'], name='freelancer_name_trgm', opclasses=['gin_trgm_ops']),
        ),
    ]
