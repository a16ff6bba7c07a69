from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_a_lifetime(apps, schema_editor):
    # Tokens issued before expiry existed get a full lifetime from now, not from their issue
    # date: an integration must not break without warning on deploy.
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + getattr(settings, "API_TOKEN_LIFETIME", timedelta(days=90))
    )


class Migration(migrations.Migration):
    dependencies = [("api", "0002_apitoken_freelancer")]

    operations = [
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(give_existing_tokens_a_lifetime, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
    ]
