from django.db import migrations
from django.utils import timezone


def mark_villages_with_groups(apps, schema_editor):
    """The stored counts gained the number of inactive groups (the group list's total): every
    village with groups is computed again at its first recap, dashboard or list."""
    Perkumpulan = apps.get_model("registry", "Perkumpulan")
    RekapBasi = apps.get_model("registry", "RekapBasi")
    now = timezone.now()
    villages = Perkumpulan.objects.order_by().values_list("desa", flat=True).distinct()
    RekapBasi.objects.bulk_create([RekapBasi(desa_id=d, sejak=now) for d in villages],
                                  batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0005_historicalperkumpulan"),
    ]

    operations = [
        migrations.RunPython(mark_villages_with_groups, migrations.RunPython.noop),
    ]
