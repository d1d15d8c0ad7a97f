from django.db import migrations, models


def to_list(apps, schema_editor):
    """A preview kept as {sheet: table} becomes [{"lembar": sheet, ...}] (sheets as stored)."""
    Impor = apps.get_model("registry", "Impor")
    for record in Impor.objects.exclude(pratinjau=[]).only("pk", "pratinjau"):
        if isinstance(record.pratinjau, dict):
            record.pratinjau = [{"lembar": name, **table}
                                for name, table in record.pratinjau.items()]
            record.save(update_fields=["pratinjau"])


class Migration(migrations.Migration):
    """An import's preview is a list of sheets in the workbook's order: a JSON object's keys
    keep no order in PostgreSQL's jsonb."""

    dependencies = [
        ("registry", "0018_impor_pratinjau_kemajuan"),
    ]

    operations = [
        migrations.AlterField(
            model_name="impor",
            name="pratinjau",
            field=models.JSONField(blank=True, default=list, verbose_name="preview"),
        ),
        migrations.RunPython(to_list, migrations.RunPython.noop),
    ]
