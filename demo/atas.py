"""The demo's group above the village. Seed 004 notes that BKB and Peta Keluarga are organised up
to the kecamatan or the province: the demo village's kecamatan gets its BKB, to which each of the
village's BKBs reports (a `Berjenjang` link). It counts in the kecamatan's recap and above, never
in the village's: Cibeureum's tables stay seed 004's."""

import datetime

from network.models import BentukHubungan, Hubungan
from registry.models import JaringanKerja, JenisPerkumpulan, Perkumpulan, Prakarsa, Wilayah

KODE = "KEC-BKB-001"
FOUNDED = 1990  # illustrative: seed 004 gives no year for the kecamatan's BKB


def add_kecamatan_bkb(desa: str) -> Perkumpulan:
    """The BKB of the village's kecamatan and its links from the village's BKBs; what exists is
    kept as it is (safe to run again)."""
    kecamatan = Wilayah.objects.get(pk=desa).kecamatan
    group, _created = Perkumpulan.objects.get_or_create(kode=KODE, defaults={
        "nama": f"BKB Kecamatan {kecamatan.nama}", "desa": kecamatan,
        "jenis": JenisPerkumpulan.objects.get(kode="BKB"),
        "tahun_berdiri": min(FOUNDED, datetime.date.today().year),
        "jaringan_kerja": JaringanKerja.PEMERINTAH, "prakarsa": Prakarsa.PEMERINTAH,
    })
    for village_bkb in Perkumpulan.objects.filter(desa_id=desa, jenis__kode="BKB"):
        Hubungan.objects.get_or_create(perkumpulan=village_bkb, mitra_perkumpulan=group,
                                       bentuk=BentukHubungan.BERJENJANG)
    return group
