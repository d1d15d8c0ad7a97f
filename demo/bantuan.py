"""The demo's aid (bantuan; seed 004 H and IV.B, seed 002, seed 000): a few programmes, their
recipients drawn from a village's people, households and groups, what was handed out, the
groups' stimulus reports, and the help its PMKS cases got.

Each kabupaten/kota has two programmes of the government (PEMERINTAH) for the demo's year and
the year before: `PKH-<year>-<kabupaten>` (cash to households, 750,000 a quarter) and
`BPNT-<year>-<kabupaten>` (goods to people: 10 kg worth 200,000 every two months). Each village
has a Dana Desa stimulus for groups (`STIM-<year>-<village>`, reports due 90 days after the
money) and a food programme of its own (`PANGAN-<year>-<village>`, July–December of last year),
and its ad-hoc programme of PMKS help (`Program.ad_hoc_code`: goods from the jimpitan). Every
distribution is dated last year, so the recap of last year shows the values, the current one the
recipients; 2006 (seed 004) shows none of it.

Recipients: every eighth household on PKH (the first stopped: graduated), every tenth person on
BPNT (the first stopped: moved away), two people on the village food programme — the first of
them a BPNT recipient too, added with a recorded reason (a double-aid override) — and four groups
on the stimulus: two reported, one overdue, one not paid yet. A PMKS case being handled or
closed got help once, as it always has in the demo: goods from the jimpitan worth 100,000 +
5,000 a day from identification to help, given by its accompanying group — now a distribution
of the village's ad-hoc programme to the case's person (or to the case, without a NIK).

`plan_village` plans a village's rows by keys (NIK, KK number, group code, case key); `add`
finds or adds the kabupaten programmes before a batch is written; `write` writes a plan with the
bulk writer (`generate_demo`); `add_to_village` gives the demo village (`load_demo`) its aid;
`clear` removes a village's aid before the village is generated again."""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from bantuan.models import (
    BentukBantuan,
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    Sasaran,
    StatusPenerima,
)
from members.models import Keluarga, Warga
from pmks.models import KasusPMKS, StatusKasus
from registry import audit, rekap
from registry.models import JenisDana, Perkumpulan, Wilayah
from registry.workbook import insert_rows

PROGRAM_COLUMNS = ("kode", "nama", "sumber", "bentuk", "sasaran", "wilayah", "mulai", "selesai",
                   "syarat", "kuota_per_desa", "batas_laporan_hari", "ad_hoc")
HELPED = (StatusKasus.DITANGANI, StatusKasus.SELESAI)
HELP_SOURCE, HELP_FORM = JenisDana.JIMPITAN, BentukBantuan.BARANG
STIMULUS_TYPES = ("LPM", "KT", "POSYANDU", "KWT")  # the groups first offered a stimulus
PKH_EVERY, BPNT_EVERY = 8, 10
DOUBLE_AID_REASON = "Lansia sebatang kara; disetujui musyawarah desa"


def digits(kode: str) -> str:
    return kode.replace(".", "")


def offered(groups: list[tuple[str, str]]) -> list[str]:
    """The order in which a village's groups ((code, type) pairs) are offered a stimulus: the
    first group of each of STIMULUS_TYPES, then the others, by code."""
    ordered = sorted(groups)
    first = [next(kode for kode, j in ordered if j == jenis) for jenis in STIMULUS_TYPES
             if any(j == jenis for _k, j in ordered)]
    return first + [kode for kode, _j in ordered if kode not in first]


def kabupaten_programs(kabupaten: str, nama: str, year: int) -> list[tuple]:
    """The kabupaten's PKH and BPNT (PROGRAM_COLUMNS rows)."""
    start, end = datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)
    return [
        (f"PKH-{year}-{digits(kabupaten)}", f"PKH {nama}", JenisDana.PEMERINTAH,
         BentukBantuan.UANG, Sasaran.KELUARGA, kabupaten, start, end,
         "Keluarga miskin dengan ibu hamil, balita, anak sekolah, lansia atau disabilitas.",
         None, 90, False),
        (f"BPNT-{year}-{digits(kabupaten)}", f"BPNT {nama}", JenisDana.PEMERINTAH,
         BentukBantuan.BARANG, Sasaran.WARGA, kabupaten, start, end,
         "Warga dalam data terpadu kesejahteraan sosial.", None, 90, False),
    ]


@dataclass
class Plan:
    """A batch's aid, by keys: the villages' own programmes (PROGRAM_COLUMNS rows), recipients
    (programme code, target field, key, village, from, until, status, stop reason, double-aid
    reason), distributions (programme code, target field, key, date, value, quantity, unit,
    handed out by, proof number, giving group's code, case key, description), reports
    (programme code, group code, date, activities, spent, remaining, evidence), and the
    kabupaten programmes' codes by kabupaten (`add`)."""

    programs: list[tuple] = field(default_factory=list)
    recipients: list[tuple] = field(default_factory=list)
    given: list[tuple] = field(default_factory=list)
    reports: list[tuple] = field(default_factory=list)
    kabupaten: dict[str, str] = field(default_factory=dict)  # code -> name
    year: int = 0


def plan_village(aid: Plan, desa: str, kabupaten: str, kabupaten_nama: str, year: int, seed,
                 households: list[str], people: list[str], groups: list[str],
                 cases: list[tuple]) -> None:
    """A village's aid: `households` (KK numbers), `people` (NIKs) and `groups` (codes, those
    to get a stimulus first) in order; `cases`: (case key, NIK or None, status, identified,
    days to help, accompanying group's code or None)."""
    rng = random.Random(f"{seed}:{desa}:bantuan")
    last = year - 1
    aid.kabupaten[kabupaten] = kabupaten_nama
    aid.year = year
    pkh, bpnt = (row[0] for row in kabupaten_programs(kabupaten, kabupaten_nama, year))
    start = datetime.date(last, 1, 1)

    def recipient(kode, target, key, mulai=start, selesai=None, status=StatusPenerima.DITERIMA,
                  alasan="", ganda=""):
        aid.recipients.append((kode, target, key, desa, mulai, selesai, status, alasan, ganda))

    def give(kode, target, key, tanggal, nilai, jumlah=None, satuan="", penyalur="", bukti="",
             helper=None, case=None, keterangan=""):
        aid.given.append((kode, target, key, tanggal, nilai, jumlah, satuan, penyalur, bukti,
                          helper, case, keterangan))

    # PKH: every eighth household, paid each quarter; the first graduated in June.
    for n, no_kk in enumerate(households[PKH_EVERY // 2::PKH_EVERY]):
        stopped = n == 0
        recipient(pkh, "keluarga", no_kk, selesai=datetime.date(last, 6, 30) if stopped else None,
                  status=StatusPenerima.DIHENTIKAN if stopped else StatusPenerima.DITERIMA,
                  alasan="Graduasi: keluarga sudah mandiri" if stopped else "")
        for quarter in range(1 if stopped else 4):
            give(pkh, "keluarga", no_kk, datetime.date(last, 3 * quarter + 3, 20), 750_000,
                 penyalur="Bank penyalur", bukti=f"PKH/{last}/T{quarter + 1}/{no_kk[-4:]}")
    # BPNT: every tenth person, every two months; the first moved away in April.
    on_bpnt = people[BPNT_EVERY // 2::BPNT_EVERY]
    for n, nik in enumerate(on_bpnt):
        stopped = n == 0
        recipient(bpnt, "warga", nik, selesai=datetime.date(last, 4, 30) if stopped else None,
                  status=StatusPenerima.DIHENTIKAN if stopped else StatusPenerima.DITERIMA,
                  alasan="Pindah domisili" if stopped else "")
        for month in range(2, 5 if stopped else 13, 2):
            give(bpnt, "warga", nik, datetime.date(last, month, 10), 200_000, 10, "kg",
                 "E-warong desa", f"BPNT/{last}/{month:02d}/{nik[-4:]}")
    # The village's food programme: a BPNT recipient (double aid, with its reason) and another.
    pangan = f"PANGAN-{year}-{digits(desa)}"
    extra = [nik for nik in people[BPNT_EVERY - 3::BPNT_EVERY] if nik not in on_bpnt][:1]
    chosen = [(nik, DOUBLE_AID_REASON) for nik in on_bpnt[1:2]] + [(nik, "") for nik in extra]
    if chosen:
        aid.programs.append((pangan, "Bantuan Pangan Desa", JenisDana.DANA_DESA,
                             BentukBantuan.BARANG, Sasaran.WARGA, desa,
                             datetime.date(last, 7, 1), datetime.date(last, 12, 31),
                             "Lansia dan warga rawan pangan.", 10, 90, False))
        for nik, reason in chosen:
            recipient(pangan, "warga", nik, mulai=datetime.date(last, 7, 1),
                      selesai=datetime.date(last, 12, 31), ganda=reason)
            for month in (8, 11):
                give(pangan, "warga", nik, datetime.date(last, month, 15), 150_000, 5, "paket",
                     "Pemerintah desa", f"PD/{last}/{month:02d}/{nik[-4:]}")
    # The Dana Desa stimulus: four groups; two reported, one overdue, one not paid yet.
    stimulus = f"STIM-{year}-{digits(desa)}"
    if groups:
        aid.programs.append((stimulus, "Stimulan Kelompok Dana Desa", JenisDana.DANA_DESA,
                             BentukBantuan.STIMULAN, Sasaran.PERKUMPULAN, desa, start,
                             datetime.date(year, 12, 31),
                             "Kelompok aktif dengan rencana kegiatan.", None, 90, False))
    for n, kode in enumerate(groups[:4]):
        paid = n < 3
        recipient(stimulus, "perkumpulan", kode,
                  status=StatusPenerima.DITERIMA if paid else StatusPenerima.DISETUJUI)
        if not paid:
            continue
        value = rng.randint(5, 10) * 1_000_000
        when = datetime.date(last, 4 if n < 2 else 8, 1)
        give(stimulus, "perkumpulan", kode, when, value, penyalur="Pemerintah desa",
             bukti=f"STIM/{last}/{n + 1:02d}")
        if n < 2:
            spent = value * rng.randint(70, 100) // 100
            aid.reports.append((stimulus, kode, when + datetime.timedelta(days=60 + 20 * n),
                                "Kegiatan sesuai rencana kerja kelompok", spent, value - spent,
                                "Kuitansi dan foto kegiatan di sekretariat kelompok"))
    # The PMKS cases' help: the village's ad-hoc programme.
    helped = [(key, nik, identified + datetime.timedelta(days=days), days, helper)
              for key, nik, status, identified, days, helper in cases if status in HELPED]
    if helped:
        ad_hoc = Program.ad_hoc_code(desa, HELP_SOURCE, HELP_FORM)
        first = min(when for _k, _n, when, _d, _h in helped)
        aid.programs.append((ad_hoc, f"Bantuan langsung PMKS: {JenisDana(HELP_SOURCE).label}",
                             HELP_SOURCE, HELP_FORM, Sasaran.WARGA, desa, first, None, "", None,
                             90, True))
        seen = set()
        for key, nik, when, days, helper in sorted(helped, key=lambda h: h[2]):
            target = ("warga", nik) if nik else ("kasus", key)
            if target not in seen:  # (a person helped in two cases is one recipient)
                seen.add(target)
                recipient(ad_hoc, *target, mulai=when)
            give(ad_hoc, *target, when, 100_000 + days * 5_000, helper=helper, case=key)


def add(aid: Plan) -> None:
    """Add the kabupaten programmes the plan needs that do not exist yet (one look-up). Run
    before the batch is written, by one thread at a time."""
    rows = [row for kabupaten, nama in sorted(aid.kabupaten.items())
            for row in kabupaten_programs(kabupaten, nama, aid.year)]
    if not rows:
        return
    have = set(Program.objects.filter(kode__in=[r[0] for r in rows])
               .values_list("kode", flat=True))
    missing = [r for r in rows if r[0] not in have]
    if missing:
        with transaction.atomic():  # (on SQLite, only then the write lock)
            insert_rows(Program, missing, PROGRAM_COLUMNS)


def write(aid: Plan, codes: list[str], ids: dict[str, dict], put) -> None:
    """Write a plan (`put`: demo.writer's insert). `ids`: the database ids of the plan's keys,
    per target field ("warga": by NIK, "keluarga": by KK number, "perkumpulan": by code,
    "kasus": by case key)."""
    put(Program, aid.programs, history=True, fields=PROGRAM_COLUMNS)
    programs = {kode: (pk, selesai) for kode, pk, selesai in Program.objects.filter(
        kode__in={r[0] for r in aid.recipients}).values_list("kode", "pk", "selesai")}
    program_ids = {kode: pk for kode, (pk, _end) in programs.items()}
    targets = ("warga", "keluarga", "perkumpulan", "kasus")
    rows = []
    for kode, target, key, desa, mulai, selesai, status, alasan, ganda in aid.recipients:
        which = [ids[target][key] if name == target else None for name in targets]
        # A recipient's period ends with the programme's unless stopped before (Penerima.clean).
        rows.append((program_ids[kode], *which, desa, mulai, selesai or programs[kode][1],
                     status, alasan, None, ganda))
    put(Penerima, rows, history=True)
    found = {}
    for pk, program, desa, *which in Penerima.objects.filter(
            desa__in=codes, program__in=program_ids.values()).values_list(
            "pk", "program", "desa", *targets):
        name = next(n for n, v in zip(targets, which, strict=True) if v)
        found[program, name, which[targets.index(name)]] = (pk, program, desa)

    def penerima(kode, target, key) -> tuple:
        """The recipient's id, programme and area (a distribution carries all three)."""
        return found[program_ids[kode], target, ids[target][key]]

    put(Penyaluran, [
        (*penerima(kode, target, key), tanggal, nilai, jumlah, satuan, penyalur, bukti, "",
         ids["perkumpulan"].get(helper) if helper else None,
         ids["kasus"][case] if case is not None else None, keterangan, None)
        for kode, target, key, tanggal, nilai, jumlah, satuan, penyalur, bukti, helper, case,
        keterangan in aid.given], history=True)
    put(LaporanStimulan, [
        (penerima(kode, "perkumpulan", group)[0], tanggal, kegiatan, spent, rest, bukti, None,
         "")
        for kode, group, tanggal, kegiatan, spent, rest, bukti in aid.reports],
        history=True)


def clear(codes: list[str]) -> None:
    """The villages' aid: their recipients (with what they were given and reported) and their
    own programmes (before their people, households, groups and cases go)."""
    Penerima.objects.filter(desa__in=codes).delete()
    Program.objects.filter(wilayah__in=codes).delete()


def add_to_village(desa: str, year: int) -> int:
    """The demo village's aid (`load_demo`), unless it has some already (the command runs
    again): its current households, its groups' members and groups, and its cases (help dated
    last year). Returns the distributions written."""
    if Penerima.objects.filter(desa_id=desa).exists():
        return 0
    village = Wilayah.objects.select_related("kabupaten").get(pk=desa)
    households = dict(Keluarga.objects.filter(wilayah_id=desa).order_by("no_kk")
                      .values_list("no_kk", "pk"))
    people = dict(Warga.objects.filter(keanggotaan__perkumpulan__desa_id=desa)
                  .order_by("nik").values_list("nik", "pk").distinct())
    groups = list(Perkumpulan.objects.filter(desa_id=desa, aktif=True)
                  .values_list("kode", "pk", "jenis__kode"))
    cases, case_people = [], {}
    for pk, nama, nik, warga, status, helper in (
            KasusPMKS.objects.filter(desa_id=desa).order_by("pk")
            .values_list("pk", "nama", "warga__nik", "warga", "status", "pendamping__kode")):
        rng = random.Random(f"demo:{desa}:{nama}:{pk}")
        identified = datetime.date(year - 1, 1, 1) + datetime.timedelta(days=rng.randrange(300))
        cases.append((pk, nik, status, identified, rng.randint(1, 60), helper))
        if nik:
            case_people[nik] = warga
    aid = Plan()
    plan_village(aid, desa, village.kabupaten_id, village.kabupaten.nama, year, "demo",
                 list(households), list(people),
                 offered([(kode, jenis) for kode, _pk, jenis in groups]), cases)
    add(aid)
    ids = {"warga": {**people, **case_people}, "keluarga": households,
           "perkumpulan": {kode: pk for kode, pk, _j in groups}, "kasus": {c[0]: c[0] for c in
                                                                          cases}}
    with audit.changes(None, "Demo: bantuan"):
        write(aid, [desa], ids,
              lambda model, rows, history=False, fields=None: insert_rows(model, rows, fields))
    rekap.mark_stale([desa])  # (the recap's aid tables: raw writes send no signals)
    return len(aid.given)
