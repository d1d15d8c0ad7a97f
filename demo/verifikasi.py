"""The demo's verification round and letterheads (issue 20).

Kota Cimahi opens the round "Verifikasi WKSBM <year>" for its villages. The demo village
(`load_demo`) held its village meeting and submitted its list (every record: its first round); the
kecamatan accepted its groups and returned one PMKS case with a reason, so `make run` shows a list
in mid-verification: the officer answers the returned item, the TKSK verifies, the clerk
approves. Cibeureum, its kecamatan and the city get letterheads with a signatory, and the
village's first groups get decree (SK) numbers — one of them expiring within 60 days.
"""

import datetime

from django.db import transaction

from registry.models import KopSurat, Perkumpulan, Wilayah
from verifikasi.models import JenisData, Putaran

LETTERHEADS = {
    # area code → (heading lines, address, place, signatory, title)
    "32.77": (["PEMERINTAH KOTA CIMAHI", "DINAS SOSIAL"], "Jl. Rd. Demang Hardjakusumah, Cimahi",
              "Cimahi", "Drs. H. Asep Sutisna", "Kepala Dinas Sosial"),
    "32.77.01": (["PEMERINTAH KOTA CIMAHI", "KECAMATAN CIMAHI SELATAN"],
                 "Jl. Jend. Amir Machmud, Cimahi", "Cimahi", "Dra. Hj. Nenden Rostiani",
                 "Camat Cimahi Selatan"),
    "32.77.01.1002": (["PEMERINTAH KOTA CIMAHI", "KECAMATAN CIMAHI SELATAN",
                       "KELURAHAN CIBEUREUM"], "Jl. Kebon Kopi No. 1, Cibeureum", "Cimahi",
                      "Yayan Suryana, S.IP.", "Lurah Cibeureum"),
}


def add_letterheads() -> None:
    for kode, (lines, alamat, kota, nama, jabatan) in LETTERHEADS.items():
        if Wilayah.objects.filter(pk=kode).exists():
            KopSurat.objects.get_or_create(wilayah_id=kode, defaults={
                "instansi": "\n".join(lines), "alamat": alamat, "kota": kota,
                "penandatangan": nama, "jabatan": jabatan})


def add_decrees(desa: str, today: datetime.date) -> None:
    """Decree numbers for the village's first ten groups, one expiring in 30 days."""
    if Perkumpulan.objects.filter(desa_id=desa).exclude(sk_nomor="").exists():
        return
    groups = list(Perkumpulan.objects.filter(desa_id=desa).order_by("kode")[:10])
    for n, group in enumerate(groups):
        group.sk_nomor = f"{n + 1:03d}/SK/KEL-CBR/{today.year - 1}"
        group.sk_tanggal = today.replace(year=today.year - 1, month=1, day=2)
        group.sk_berlaku_sampai = (today + datetime.timedelta(days=30) if n == 0
                                   else group.sk_tanggal.replace(year=today.year + 2))
    Perkumpulan.objects.bulk_update(groups, ["sk_nomor", "sk_tanggal", "sk_berlaku_sampai"])


@transaction.atomic
def add_round(desa: str, today: datetime.date) -> Putaran | None:
    """The city's round, and the demo village's list in mid-verification (once)."""
    from registry.access import Peran
    from registry.models import User

    village = Wilayah.objects.get(pk=desa)
    nama = f"Verifikasi WKSBM {today.year}"
    putaran, created = Putaran.objects.get_or_create(
        wilayah_id=village.kabupaten_id, nama=nama, defaults={
            "mulai": today.replace(month=1, day=1), "selesai": today.replace(month=12, day=31),
            "batas_usulan": today + datetime.timedelta(days=14),
            "batas_verifikasi": today + datetime.timedelta(days=28),
            "batas_persetujuan": today + datetime.timedelta(days=42),
            "catatan": "Pemutakhiran data perkumpulan, PMKS dan penerima bantuan."})
    if not created:
        return putaran
    usulan = putaran.usulan_desa(village)
    usulan.musdes_tanggal = today - datetime.timedelta(days=3)
    usulan.musdes_tempat = "Aula Kelurahan Cibeureum"
    usulan.musdes_hadir = 37
    officer = User.objects.filter(peran=Peran.OPERATOR, wilayah_id=desa).first()
    tksk = User.objects.filter(peran=Peran.KECAMATAN, wilayah_id=village.kecamatan_id).first()
    usulan.ajukan(officer, "Hasil musyawarah kelurahan.")
    items = usulan.items.all()
    for item in items.filter(jenis=JenisData.PERKUMPULAN):
        item.terima(tksk)
    case = items.filter(jenis=JenisData.PMKS).order_by("label").first()
    if case is not None:
        case.kembalikan(tksk, "Alamat belum lengkap: tuliskan RT/RW dan nama jalan.")
    return putaran
