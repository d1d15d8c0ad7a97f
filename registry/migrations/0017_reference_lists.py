"""The group types and the lists of choices a fresh registry needs (registry/referensi.py)."""

from django.db import migrations

from registry.referensi import create_missing


def create(apps, schema_editor):
    create_missing(apps, {"registry.jenisperkumpulan", "registry.pilihan"})


class Migration(migrations.Migration):
    dependencies = [("registry", "0016_perkumpulan_jenis_kode_idx")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
