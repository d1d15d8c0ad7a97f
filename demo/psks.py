"""The demo's social-welfare resources (PSKS): a kecamatan's TKSK, a village's PSM, an LKS, and a
training for group leaders (seed 004, IV.B: "memberikan pelatihan bagi pengurus kelompok
sosial") attended by the chairs of the Posyandu and Karang Taruna. The seed gives no numbers for
them: the people are of the demo's group boards (two treasurers: the first serves the kecamatan,
the second the village), the rest made up. The training is recent, so the 2006 recap (seed 004's
tables) stays as it was.

`add_psks` gives the demo village (`load_demo`) its TKSK, PSM, LKS and training, kept as they
are when `load_demo` runs again. For `generate_demo`, `plan` notes each village's PSM, the
kecamatan's TKSK where none serves yet, and its chairs' places at the training; `add` finds or
adds each kecamatan's LKS and training before the batch is written; `write` writes the rest with
the batch; `clear` removes a village's records and its people's roles and places with it."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from members.models import Keanggotaan, PeranAnggota, Warga
from psks.models import LKS, Pelatihan, PeranPSKS, PesertaPelatihan, PetugasPSKS, StatusLKS
from registry.models import Wilayah
from registry.workbook import insert_rows

TRAINING = {
    "topik": "Pengelolaan organisasi dan keuangan kelompok sosial",
    "tanggal_mulai": datetime.date(2025, 9, 15),
    "tanggal_selesai": datetime.date(2025, 9, 16),
}
ORGANISER = "Dinas Sosial {kabupaten}"
TRAINED_TYPES = ("POSYANDU", "KT")
SERVING_FROM = datetime.date(2024, 1, 1)
INSTITUTION = {
    "nama": "Panti Sosial Asuhan Anak Harapan", "status_hukum": StatusLKS.TERDAFTAR,
    "nomor_registrasi": "460/021-Dinsos", "layanan": "anak terlantar, anak yatim piatu",
}
# The bulk writer's columns (demo only: the workbook has no PSKS sheet).
WORKER_COLUMNS = ("warga", "peran", "wilayah", "mulai", "selesai", "keterangan")
INSTITUTION_COLUMNS = ("nama", "status_hukum", "nomor_registrasi", "layanan", "wilayah",
                       "alamat", "aktif")
TRAINING_COLUMNS = ("topik", "tanggal_mulai", "tanggal_selesai", "penyelenggara", "wilayah",
                    "keterangan")


def serving(people: list) -> tuple:
    """(TKSK, PSM) among a village's candidates in order: the first serves the kecamatan, the
    second the village; one alone serves the village."""
    if len(people) >= 2:
        return people[0], people[1]
    return None, (people[0] if people else None)


def add_psks(desa: str) -> None:
    village = Wilayah.objects.get(pk=desa)
    tksk, psm = serving(list(Warga.objects.filter(
        keanggotaan__perkumpulan__desa=village, keanggotaan__peran=PeranAnggota.BENDAHARA)
        .distinct().order_by("nik")[:2]))
    for person, peran, area in ((tksk, PeranPSKS.TKSK, village.kecamatan_id),
                                (psm, PeranPSKS.PSM, village.pk)):
        if person is not None:
            PetugasPSKS.objects.get_or_create(
                warga=person, peran=peran, wilayah_id=area, selesai=None,
                defaults={"mulai": SERVING_FROM})
    LKS.objects.get_or_create(
        nama=INSTITUTION["nama"], wilayah=village,
        defaults={**INSTITUTION, "alamat": "Jl. Cibeureum RW 03"})
    training, created = Pelatihan.objects.get_or_create(
        wilayah=village, **TRAINING,
        penyelenggara=ORGANISER.format(kabupaten=village.kabupaten.nama))
    if created:
        chairs = (Keanggotaan.objects.filter(
            perkumpulan__desa=village, perkumpulan__jenis__kode__in=TRAINED_TYPES,
            peran=PeranAnggota.KETUA, selesai__isnull=True)
            .order_by("warga_id").values_list("warga_id", flat=True).distinct())
        for warga_id in chairs:  # a few dozen, each with its history row
            PesertaPelatihan.objects.create(pelatihan=training, warga_id=warga_id)


# generate_demo ----------------------------------------------------------------------------------
@dataclass
class Plan:
    """A batch's PSKS: workers (NIK, role, area), a possible TKSK of each kecamatan (NIK), the
    training's participants (kecamatan, NIK), and each kecamatan's training id (`add`)."""

    workers: list[tuple] = field(default_factory=list)
    candidates: dict[str, str] = field(default_factory=dict)
    participants: list[tuple] = field(default_factory=list)
    trainings: dict[str, int] = field(default_factory=dict)


def plan(welfare: Plan, village, groups, members) -> None:
    """A planned village's PSM and its kecamatan's possible TKSK among its group treasurers (its
    board members where no group has one), and its Posyandu and Karang Taruna chairs at the
    kecamatan's training (`groups`: (kode, jenis, rw, jaringan, chair); `members`: the village's
    (NIK, kode, role, from))."""
    people = sorted({nik for nik, _kode, peran, _m in members if peran == PeranAnggota.BENDAHARA}
                    or {nik for nik, *_rest in members})
    tksk, psm = serving(people)
    if psm:
        welfare.workers.append((psm, PeranPSKS.PSM, village.kode))
    if tksk:
        welfare.candidates.setdefault(village.kecamatan, tksk)
    welfare.participants += [(village.kecamatan, chair) for _k, jenis, _rw, _j, chair in groups
                          if jenis in TRAINED_TYPES]


def plan_tksk(welfare: Plan, planned: set[str]) -> None:
    """A TKSK for each of the batch's kecamatans that has none serving (one look-up for the
    batch) and none planned earlier in the run (`planned`, updated)."""
    new = [kecamatan for kecamatan in welfare.candidates if kecamatan not in planned]
    served = set(PetugasPSKS.objects.filter(
        peran=PeranPSKS.TKSK, wilayah__in=new, selesai__isnull=True)
        .values_list("wilayah", flat=True))
    for kecamatan in new:
        if kecamatan not in served:
            welfare.workers.append((welfare.candidates[kecamatan], PeranPSKS.TKSK, kecamatan))
            planned.add(kecamatan)


def add(batch) -> None:
    """The LKS and the training of each of the batch's kecamatans, added where missing (one
    look-up each for the batch); the trainings' ids go to the batch's plan. Run before the
    batch is written, by one thread at a time (a kecamatan's villages may fall in two
    batches)."""
    kecamatan = {v.kecamatan: v for v in batch.villages}
    have = set(LKS.objects.filter(nama=INSTITUTION["nama"], wilayah__in=kecamatan)
               .values_list("wilayah", flat=True))
    values = {**INSTITUTION, "aktif": True}
    institutions = [tuple({**values, "wilayah": kode, "alamat": f"Kecamatan {v.kecamatan_nama}"}
                          [name] for name in INSTITUTION_COLUMNS)
                    for kode, v in sorted(kecamatan.items()) if kode not in have]

    def trainings():
        return dict(Pelatihan.objects.filter(wilayah__in=kecamatan, **TRAINING)
                    .values_list("wilayah", "pk"))

    found = trainings()
    held = [tuple({**TRAINING, "penyelenggara": ORGANISER.format(kabupaten=v.kabupaten_nama),
                   "wilayah": kode, "keterangan": ""}[name] for name in TRAINING_COLUMNS)
            for kode, v in sorted(kecamatan.items()) if kode not in found]
    if institutions or held:
        with transaction.atomic():  # (on SQLite, only then the write lock)
            if institutions:
                insert_rows(LKS, institutions, INSTITUTION_COLUMNS)
            if held:
                insert_rows(Pelatihan, held, TRAINING_COLUMNS)
                found = trainings()
    batch.welfare.trainings = found


def write(welfare: Plan, person_ids: dict[str, int], put) -> None:
    """The batch's workers and training participants (`put`: demo.writer's insert)."""
    put(PetugasPSKS, [(person_ids[nik], peran, area, SERVING_FROM, None, "")
                      for nik, peran, area in welfare.workers], history=True, fields=WORKER_COLUMNS)
    put(PesertaPelatihan, [(welfare.trainings[kecamatan], person_ids[nik])
                           for kecamatan, nik in welfare.participants],
        history=True, fields=("pelatihan", "warga"))


def clear(codes: list[str]) -> None:
    """The villages' PSKS records, and the roles and training places of the people living there
    (so that the village's people can go with it)."""
    PesertaPelatihan.objects.filter(warga__wilayah__in=codes).delete()
    Pelatihan.objects.filter(wilayah__in=codes).delete()
    PetugasPSKS.objects.filter(wilayah__in=codes).delete()
    PetugasPSKS.objects.filter(warga__wilayah__in=codes).delete()
    LKS.objects.filter(wilayah__in=codes).delete()
