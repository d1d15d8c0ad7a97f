"""The first assessment statements (reference data; staff extend them in the admin): three per
dimension of decree 12/HUK/2006 as seed 002 names them — social protection of the vulnerable,
poor and PMKS; participation in local social organisations; control of social conflict and
violence; keeping local wisdom."""

from django.db import migrations

PERNYATAAN = [
    ("PL1", "perlindungan", "Warga desa peduli dan membantu warga miskin, rentan, dan "
                            "penyandang masalah sosial di sekitarnya."),
    ("PL2", "perlindungan", "Lembaga dan kelompok di desa mendampingi warga yang mengalami "
                            "masalah sosial hingga mendapat pertolongan."),
    ("PL3", "perlindungan", "Warga tahu ke mana melapor dan meminta bantuan bila ada warga "
                            "yang terlantar atau membutuhkan pertolongan."),
    ("PA1", "partisipasi", "Warga aktif mengikuti kegiatan organisasi sosial lokal di desa."),
    ("PA2", "partisipasi", "Warga ikut merencanakan dan memutuskan kegiatan sosial di desa."),
    ("PA3", "partisipasi", "Warga menyumbangkan tenaga, pikiran, atau dana untuk kegiatan "
                           "bersama di desa."),
    ("PK1", "pengendalian_konflik", "Perselisihan antarwarga diselesaikan dengan musyawarah "
                                    "tanpa kekerasan."),
    ("PK2", "pengendalian_konflik", "Tokoh masyarakat dan lembaga desa berperan mencegah "
                                    "konflik sosial dan tindak kekerasan."),
    ("PK3", "pengendalian_konflik", "Korban tindak kekerasan di desa mendapat perlindungan "
                                    "dan pendampingan."),
    ("KL1", "kearifan_lokal", "Nilai gotong royong dan kebersamaan masih dijalankan warga "
                              "desa."),
    ("KL2", "kearifan_lokal", "Adat, tradisi, dan nilai budaya setempat dipakai untuk menjaga "
                              "kerukunan warga."),
    ("KL3", "kearifan_lokal", "Warga menghimpun dan mengelola dana sosial bersama secara "
                              "swadaya."),
]


def load(apps, schema_editor):
    Pernyataan = apps.get_model("ketahanan", "Pernyataan")
    for urutan, (kode, dimensi, teks) in enumerate(PERNYATAAN, start=1):
        Pernyataan.objects.get_or_create(
            kode=kode, defaults={"dimensi": dimensi, "teks": teks, "urutan": urutan})


def unload(apps, schema_editor):
    apps.get_model("ketahanan", "Pernyataan").objects.filter(
        kode__in=[kode for kode, _d, _t in PERNYATAAN]).delete()


class Migration(migrations.Migration):
    dependencies = [("ketahanan", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
