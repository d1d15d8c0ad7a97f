"""The PMKS categories and the types of group that usually help each (registry/referensi.py)."""

from django.db import migrations

from registry.referensi import create_missing


def create(apps, schema_editor):
    create_missing(apps, {"pmks.kategoripmks"})


class Migration(migrations.Migration):
    dependencies = [("pmks", "0012_rekap_kasus"), ("registry", "0017_reference_lists")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
