"""The demo village's social resilience work (issue 21): its Pokja Tansosmas (seven members
drawn from its group leaders), a first assessment round of 30 respondents (seed 002: 30 local
figures per village) scoring every statement, an action plan of four activities (one done, one
under way, paid by a group's fund and by the village's aid programme), and a monitoring round
named by the officer. Made once: kept as they are when `load_demo` runs again; `clear` removes
them before the village is generated again."""

import datetime
import random

from ketahanan.models import (
    AnggotaPokja,
    Dimensi,
    Indikator,
    JabatanPokja,
    KegiatanAksi,
    Penilaian,
    Pernyataan,
    PokjaTansosmas,
    PutaranPantau,
    RencanaAksi,
    Responden,
    Skor,
    StatusKegiatan,
)
from members.models import Keanggotaan, PeranAnggota
from registry.models import Perkumpulan

RESPONDENTS = 30
# The demo's typical score per dimension (seed 002's villages: protection the weakest).
TYPICAL = {Dimensi.PERLINDUNGAN: 2.8, Dimensi.PARTISIPASI: 3.6,
           Dimensi.PENGENDALIAN_KONFLIK: 3.9, Dimensi.KEARIFAN_LOKAL: 4.2}
ACTIVITIES = [
    # name, dimension, indicator, group types responsible, budget, status, days from the start
    ("Pendataan ulang lansia terlantar bersama Posyandu", Dimensi.PERLINDUNGAN,
     Indikator.PMKS_DIDAMPINGI, ("POSYANDU", "DW"), 2_500_000, StatusKegiatan.SELESAI, 60),
    ("Forum WKSBM bertemu setiap bulan", Dimensi.PENGENDALIAN_KONFLIK, Indikator.FORUM_AKTIF,
     ("LPM",), 600_000, StatusKegiatan.BERJALAN, 150),
    ("Karang Taruna menjalin kerja sama dengan Puskesmas", Dimensi.PARTISIPASI,
     Indikator.PERKUMPULAN_BERJEJARING, ("KT",), 1_000_000, StatusKegiatan.DIRENCANAKAN, 200),
    ("Menghidupkan jimpitan di setiap RW", Dimensi.KEARIFAN_LOKAL,
     Indikator.DANA_KOMUNITAS_AKTIF, ("DW",), None, StatusKegiatan.DIRENCANAKAN, 250),
]


def clear(codes: list[str]) -> None:
    """The villages' resilience work (plans, assessments, Pokja, monitoring rounds), and the
    Pokja places and answers of the people living there (so that the village's people, groups
    and aid can go with it)."""
    RencanaAksi.objects.filter(desa__in=codes).delete()
    KegiatanAksi.objects.filter(dana_perkumpulan__desa__in=codes).delete()
    Penilaian.objects.filter(desa__in=codes).delete()
    Responden.objects.filter(warga__wilayah__in=codes).delete()
    PokjaTansosmas.objects.filter(desa__in=codes).delete()
    AnggotaPokja.objects.filter(warga__wilayah__in=codes).delete()
    PutaranPantau.objects.filter(wilayah__in=codes).delete()


def add_to_village(desa: str, today: datetime.date) -> PokjaTansosmas | None:
    if PokjaTansosmas.objects.filter(desa_id=desa).exists():
        return None
    start = today.replace(month=1, day=1)
    pokja = PokjaTansosmas.objects.create(
        desa_id=desa, nama="Pokja Tansosmas Kelurahan Cibeureum", mulai=start,
        sk_nomor=f"474/Kep.{start.year}/Kel.Cbr")
    chairs = list(Keanggotaan.objects.filter(
        perkumpulan__desa_id=desa, peran=PeranAnggota.KETUA, selesai__isnull=True)
        .order_by("perkumpulan__kode").values_list("warga", flat=True)[:7])
    roles = [JabatanPokja.KETUA, JabatanPokja.SEKRETARIS, JabatanPokja.BENDAHARA]
    members = [AnggotaPokja.objects.create(
        pokja=pokja, warga_id=warga, mulai=start, unsur="Tokoh masyarakat",
        jabatan=roles[i] if i < len(roles) else JabatanPokja.ANGGOTA)
        for i, warga in enumerate(chairs)]
    _add_assessment(desa, pokja, members, today - datetime.timedelta(days=7))
    _add_plan(desa, pokja, start, today)
    PutaranPantau.objects.create(wilayah_id=desa, nama="Pemantauan awal",
                                 tanggal=today - datetime.timedelta(days=1))
    return pokja


def _add_assessment(desa, pokja, members, tanggal) -> None:
    chance = random.Random(21)
    penilaian = Penilaian.objects.create(desa_id=desa, pokja=pokja, tanggal=tanggal,
                                         nama=f"Penilaian ketahanan sosial {tanggal.year}")
    penilaian.pelaksana.set(members[:3])
    statements = list(Pernyataan.objects.filter(aktif=True))
    scores = []
    for nomor in range(1, RESPONDENTS + 1):
        responden = Responden.objects.create(penilaian=penilaian, nomor=nomor,
                                             unsur="Tokoh masyarakat")
        for statement in statements:
            typical = TYPICAL.get(statement.dimensi, 3.0)
            value = min(5, max(1, round(chance.gauss(typical, 0.8))))
            scores.append(Skor(responden=responden, pernyataan=statement, nilai=value))
    Skor.objects.bulk_create(scores)


def _add_plan(desa, pokja, start, today) -> None:
    plan = RencanaAksi.objects.create(
        desa_id=desa, pokja=pokja, nama=f"Rencana aksi ketahanan sosial {start.year}",
        mulai=start, selesai=start.replace(month=12, day=31))
    groups = Perkumpulan.objects.filter(desa_id=desa, aktif=True)
    for nama, dimensi, indikator, types, anggaran, status, offset in ACTIVITIES:
        mulai = start + datetime.timedelta(days=offset)
        done = status == StatusKegiatan.SELESAI
        responsible = list(groups.filter(jenis__kode__in=types).order_by("kode")[:2])
        kegiatan = KegiatanAksi.objects.create(
            rencana=plan, nama=nama, dimensi=dimensi, indikator=indikator, anggaran=anggaran,
            mulai=mulai, selesai=mulai + datetime.timedelta(days=60), status=status,
            dana_perkumpulan=responsible[0] if anggaran and responsible and not done else None,
            jenis_dana="IURAN" if anggaran and responsible and not done else "",
            tanggal_selesai=min(today, mulai + datetime.timedelta(days=45)) if done else None,
            hasil="42 lansia didata ulang; 9 kasus baru didampingi Posyandu." if done else "")
        kegiatan.penanggung_jawab.set(responsible)
