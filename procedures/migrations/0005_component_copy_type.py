from django.db import migrations, models


def guess(name):
    lowered = name.lower()
    if "bản sao" in lowered:
        return "certified" if "chứng thực" in lowered else "copy"
    return "original"


def guess_from_name(apps, schema_editor):
    """Existing papers: the name said the kind ("Bản sao có chứng thực ..."); a paper not named a copy is an
    original. From now on the field is the one source."""
    Component = apps.get_model("procedures", "Component")
    for component in Component.objects.filter(name__icontains="bản sao").iterator():
        component.copy_type = guess(component.name)
        component.save(update_fields=["copy_type"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_agency_symbol_version_result_template")]

    operations = [
        migrations.AddField(
            model_name="component",
            name="copy_type",
            field=models.CharField(
                choices=[("original", "original"), ("certified", "certified copy"), ("copy", "copy")],
                default="original",
                max_length=16,
                verbose_name="copy type",
            ),
        ),
        migrations.RunPython(guess_from_name, migrations.RunPython.noop),
    ]
