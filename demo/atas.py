"""The demo's group above the village. Seed 004 notes that BKB and Peta Keluarga are organised up
to the kecamatan or the province: the demo village's kecamatan gets its BKB, to which each of the
village's BKBs reports (a `Berjenjang` link). It counts in the kecamatan's recap and above, never
in the village's: Cibeureum's tables stay seed 004's.

`add_kecamatan_bkb` gives the demo village's kecamatan its BKB (`load_demo`); `plan` and `add`
give every kecamatan of a `generate_demo` batch its BKB, the same group, and its villages' BKBs
their links to it. A kecamatan's BKB is made once: a later batch or run reuses it."""

from django.db import transaction
from django.utils import timezone

from network.models import BentukHubungan, Hubungan
from registry.models import JaringanKerja, JenisPerkumpulan, Perkumpulan, Prakarsa, Wilayah
from registry.workbook import insert_rows

JENIS = "BKB"
FOUNDED = 1990  # illustrative: seed 004 gives no year for the kecamatan's BKB


def kode_of(kecamatan: str) -> str:
    """The code of a kecamatan's BKB: KEC-327701-BKB-001 for 32.77.01."""
    return f"KEC-{kecamatan.replace('.', '')}-{JENIS}-001"


def fields_of(kecamatan: str, nama: str) -> dict:
    """The kecamatan's BKB as both paths write it (with `jenis`)."""
    return {"kode": kode_of(kecamatan), "nama": f"BKB Kecamatan {nama}", "desa_id": kecamatan,
            "tahun_berdiri": min(FOUNDED, timezone.localdate().year),
            "jaringan_kerja": JaringanKerja.PEMERINTAH, "prakarsa": Prakarsa.PEMERINTAH}


def add_kecamatan_bkb(desa: str) -> Perkumpulan:
    """The BKB of the village's kecamatan and its links from the village's BKBs; what exists is
    kept as it is (safe to run again)."""
    kecamatan = Wilayah.objects.get(pk=desa).kecamatan
    values = fields_of(kecamatan.pk, kecamatan.nama)
    group, _created = Perkumpulan.objects.get_or_create(kode=values.pop("kode"), defaults={
        **values, "jenis": JenisPerkumpulan.objects.get(kode=JENIS)})
    for village_bkb in Perkumpulan.objects.filter(desa_id=desa, jenis__kode=JENIS):
        Hubungan.objects.get_or_create(perkumpulan=village_bkb, mitra_perkumpulan=group,
                                       bentuk=BentukHubungan.BERJENJANG)
    return group


def plan(links: list, village, groups) -> None:
    """Link a planned village's BKBs (`groups`: (kode, jenis, …)) to its kecamatan's BKB
    (`links`: the batch's (kode, other kode, office, bentuk))."""
    above = kode_of(village.kecamatan)
    links += [(kode, above, None, BentukHubungan.BERJENJANG)
              for kode, jenis, *_rest in groups if jenis == JENIS]


def add(batch) -> dict[str, int]:
    """The BKBs of the batch's kecamatans, added where missing (one look-up for the batch):
    their ids by code. Run before the batch is written, by one thread at a time (a kecamatan's
    villages may fall in two batches)."""
    names = {v.kecamatan: v.kecamatan_nama for v in batch.villages}
    codes = {kode_of(kecamatan): kecamatan for kecamatan in names}

    def known():
        return dict(Perkumpulan.objects.filter(kode__in=codes).values_list("kode", "pk"))

    found = known()
    missing = sorted(kode for kode in codes if kode not in found)
    if missing:
        jenis = JenisPerkumpulan.objects.get(kode=JENIS).pk
        columns = {"jenis": jenis, "rw": None, "rt": None, "tujuan": None,
                   "jumlah_anggota": None, "masa_kepengurusan": None, "aktif": True}
        rows = []
        for kode in missing:
            values = {**columns, **fields_of(codes[kode], names[codes[kode]])}
            values["desa"] = values.pop("desa_id")
            rows.append(tuple(values[name] for name in Perkumpulan.bulk_columns))
        with transaction.atomic():  # (on SQLite, only then the write lock)
            insert_rows(Perkumpulan, rows)
        found = known()
    return found
