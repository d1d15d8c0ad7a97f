from django.db import migrations
from django.utils import timezone

LEADER_ROLES = ["KETUA", "WAKIL", "SEKRETARIS", "BENDAHARA"]  # members.PeranAnggota


def mark_villages_with_trained_leaders(apps, schema_editor):
    """Table 13 now reads stored counts (the dimension `latih`): the villages whose groups have
    a trained current leader are computed again by the next write or `rekap --segarkan-basi`
    (until then the recap says they wait)."""
    Keanggotaan = apps.get_model("members", "Keanggotaan")
    PesertaPelatihan = apps.get_model("psks", "PesertaPelatihan")
    RekapBasi = apps.get_model("registry", "RekapBasi")
    now = timezone.now()
    villages = (Keanggotaan.objects.filter(
        selesai__isnull=True, peran__in=LEADER_ROLES,
        warga__in=PesertaPelatihan.objects.values("warga"))
        .order_by().values_list("perkumpulan__desa", flat=True).distinct())
    RekapBasi.objects.bulk_create([RekapBasi(desa_id=d, sejak=now) for d in villages],
                                  batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0005_keluarga"),
        ("psks", "0001_initial"),
        ("registry", "0016_perkumpulan_jenis_kode_idx"),
    ]

    operations = [
        migrations.RunPython(mark_villages_with_trained_leaders, migrations.RunPython.noop),
    ]
