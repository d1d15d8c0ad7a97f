"""The older ministry PMKS list (seed 002's names): its names as aliases of today's categories
where one covers them, its other categories as categories of their own marked `daftar_lama`.
The same entries as fixtures/referensi.json (which `loaddata referensi` keeps up to date): this
migration brings them to databases loaded before. Only adds: nothing an officer changed is lost."""

from django.db import migrations

# Today's category code -> the older names it covers.
ALIASES = {'AT': ['Remaja Terlantar', 'Anak atau Remaja Terlantar', 'Anak dan Remaja Terlantar'],
 'ABH': ['Anak Nakal'],
 'ADK': ['Anak Cacat'],
 'PD': ['Penyandang Cacat Terlantar',
        'Penyandang Cacat Bekas Penderita Penyakit Kronis',
        'Penyandang Cacat Eks Penyakit Kronis'],
 'BWBLP': ['Bekas Narapidana', 'Eks Narapidana'],
 'ODHA': ['ODHA'],
 'PMBS': ['Pekerja Migran Terlantar'],
 'KBS': ['Korban Bencana Sosial/Pengungsi',
         'Korban Bencana Sosial atau Pengungsi',
         'Pengungsi'],
 'PRSE': ['Wanita Rawan Sosial Ekonomi', 'WRSE'],
 'FM': ['Keluarga Fakir Miskin']}

NOTE = "Older PMKS list (before Permensos 08/2012); none of today's 26 covers it."

# (code, name, aliases, order, group types that usually help)
OLDER = [('KBRTLH',
  'Keluarga Berumah Tidak Layak Huni',
  ['Rumah Tidak Layak Huni', 'RTLH', 'Keluarga Rumah Tidak Layak Huni'],
  101,
  ['LPM']),
 ('KMM',
  'Keluarga Muda Miskin',
  ['Keluarga Muda yang Kondisi Sosial Ekonominya Miskin'],
  102,
  ['KUBE', 'UP2KS']),
 ('KR', 'Keluarga Rentan', [], 103, ['KUBE', 'UP2K']),
 ('MDRB',
  'Masyarakat yang Tinggal di Daerah Rawan Bencana',
  ['Masyarakat Daerah Rawan Bencana', 'Masyarakat di Daerah Rawan Bencana'],
  104,
  ['KT', 'LPM'])]


def add_older_list(apps, schema_editor):
    KategoriPMKS = apps.get_model("pmks", "KategoriPMKS")
    JenisPerkumpulan = apps.get_model("registry", "JenisPerkumpulan")
    for kategori in KategoriPMKS.objects.filter(kode__in=ALIASES):
        have = [a.strip() for a in kategori.alias.replace(",", ";").split(";") if a.strip()]
        known = {a.casefold() for a in have}
        added = [a for a in ALIASES[kategori.kode] if a.casefold() not in known]
        if added:
            kategori.alias = "; ".join(have + added)[:300]
            kategori.save(update_fields=["alias"])
    for kode, nama, aliases, urutan, helpers in OLDER:
        kategori, created = KategoriPMKS.objects.get_or_create(
            kode=kode, defaults={"nama": nama, "alias": "; ".join(aliases), "keterangan": NOTE,
                                 "urutan": urutan, "daftar_lama": True})
        if created:  # a code staff already use is left as they made it
            kategori.jenis_penolong.set(JenisPerkumpulan.objects.filter(kode__in=helpers))


class Migration(migrations.Migration):

    dependencies = [
        ("pmks", "0008_open_case_per_category"),
        ("registry", "0004_dashboard"),
    ]

    operations = [migrations.RunPython(add_older_list, migrations.RunPython.noop)]
