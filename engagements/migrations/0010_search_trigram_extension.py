"""pg_trgm for the search box's name fallback (trigram word similarity). CreateExtension does
nothing on SQLite, where search uses `icontains`."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("engagements", "0009_attention_snooze")]

    operations = [TrigramExtension()]
