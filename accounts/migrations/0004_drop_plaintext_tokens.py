"""API tokens moved from DRF's authtoken (keys stored in plain text, never expiring) to django-rest-knox (digests,
with an expiry). The old table held live credentials: it goes, and every API client logs in again once."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_profile")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
