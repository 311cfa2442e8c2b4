# Results get a random storage name and a verification token (the digest their QR code carries).
#
# Existing results were stored as results/YYYY/MM/<dossier code>.pdf, a name anyone could derive from the code:
# each is copied to its random name and the old file removed. Their PDFs already carry a QR code without a token,
# so their page shows nothing until the holder uploads the file itself (which still verifies: by its SHA-256).

import secrets

import dossiers.models
from django.db import migrations, models


def give_keys(apps, schema_editor):
    from django.core.files.storage import default_storage

    Result = apps.get_model("dossiers", "Result")
    for result in Result.objects.filter(storage_key="").iterator():
        result.storage_key = f"{secrets.token_hex(16)}.pdf"
        result.verification_token = secrets.token_urlsafe(24)
        old = result.file.name
        if old and default_storage.exists(old):
            with default_storage.open(old, "rb") as handle:
                result.file.name = default_storage.save(f"results/{result.storage_key}", handle)
            default_storage.delete(old)
        result.save(update_fields=["storage_key", "verification_token", "file"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_history_hash_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="storage_key",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="result",
            name="verification_token",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="result",
            name="file",
            field=models.FileField(max_length=255, upload_to=dossiers.models._result_path),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="result",
            name="storage_key",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
