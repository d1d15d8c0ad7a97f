"""Distributions carry their recipient's programme and area: the recap reads them alone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    """The distributions written so far take their recipient's programme and area."""
    Penerima = apps.get_model("bantuan", "Penerima")
    Penyaluran = apps.get_model("bantuan", "Penyaluran")
    for program, desa in Penerima.objects.values_list("program", "desa").distinct():
        Penyaluran.objects.filter(penerima__program=program, penerima__desa=desa).update(
            program=program, desa=desa)


class Migration(migrations.Migration):

    dependencies = [
        ('bantuan', '0002_help_given_becomes_distributions'),
        ('pmks', '0011_delete_bantuan'),
        ('registry', '0011_perkumpulan_desa_any_level'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpenyaluran',
            name='desa',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.wilayah', verbose_name='area'),
        ),
        migrations.AddField(
            model_name='historicalpenyaluran',
            name='program',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='bantuan.program', verbose_name='programme'),
        ),
        migrations.AddField(
            model_name='penyaluran',
            name='desa',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.wilayah', verbose_name='area'),
        ),
        migrations.AddField(
            model_name='penyaluran',
            name='program',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='penyaluran', to='bantuan.program', verbose_name='programme'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='penyaluran',
            name='desa',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.wilayah', verbose_name='area'),
        ),
        migrations.AlterField(
            model_name='penyaluran',
            name='program',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='penyaluran', to='bantuan.program', verbose_name='programme'),
        ),
        migrations.AddIndex(
            model_name='penyaluran',
            index=models.Index(fields=['desa', 'tanggal'], name='penyaluran_desa_idx'),
        ),
        migrations.AddIndex(
            model_name='penyaluran',
            index=models.Index(fields=['program', 'tanggal'], name='penyaluran_program_idx'),
        ),
    ]
