"""Distributions carry their recipient's programme and area, always (filled by 0003: a migration
of its own, as PostgreSQL alters no table with the fill's constraint checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bantuan', '0003_penyaluran_program_desa'),
    ]

    operations = [
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
