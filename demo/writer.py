"""Writing the demo data: a planned batch (`demo.generator.Batch`) in the importer's way, and the
clearing of villages to replace.

The rows go through the importer's bulk writer (`registry.workbook.insert_rows`: COPY on
PostgreSQL, executemany in batches on SQLite) with each model's `bulk_columns`, which writes their
audit history as it does the importer's (`audit.record_inserted`, one INSERT … SELECT per table
and batch, with the reason of the caller's `audit.changes`).
"""

import datetime
import time
from collections import Counter
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from demo import atas, bantuan, dana, keluarga, ketahanan, psks
from demo.generator import Batch
from members.models import AnggotaKeluarga, Keanggotaan, Keluarga, Warga
from network.models import (
    DanaKomunitas,
    DanaPerkumpulan,
    Forum,
    Hubungan,
    JenisPertemuan,
    Mitra,
    PengurusForum,
    PertemuanForum,
    TingkatForum,
)
from pmks.models import KasusPMKS, RiwayatStatus, Rujukan, StatusKasus
from registry import rekap
from registry.models import JenisDana, Perkumpulan
from registry.workbook import chunks, insert_rows


def occupied(codes: list[str]) -> list[str]:
    """The villages among `codes` that already hold groups, PMKS cases or a forum."""
    found = set()
    for part in chunks(codes):
        for model in (Perkumpulan, KasusPMKS, Forum):
            found.update(model.objects.filter(desa__in=part).values_list("desa", flat=True)
                         .distinct())
    return sorted(found)


def clear(codes: list[str]) -> None:
    """Delete the villages' groups (with their members, links and lists), PMKS cases, forum,
    and the people living there whom nothing refers to any more. Through the ORM: every
    deletion is in the audit history and marks the recap stale."""
    # Groups elsewhere linked to these lose a link: their villages' counts change too.
    rekap.mark_stale(Hubungan.objects.filter(mitra_perkumpulan__desa__in=codes)
                     .values_list("perkumpulan__desa", flat=True).distinct())
    rekap.mark_stale(Hubungan.objects.filter(perkumpulan__desa__in=codes)  # (a kecamatan's BKB)
                     .values_list("mitra_perkumpulan__desa", flat=True).distinct())
    ketahanan.clear(codes)  # (its plans hold on to groups' funds and aid programmes)
    bantuan.clear(codes)  # (its recipients hold on to the people, households and groups)
    KasusPMKS.objects.filter(desa__in=codes).delete()
    Forum.objects.filter(desa__in=codes).delete()
    Perkumpulan.objects.filter(desa__in=codes).delete()
    keluarga.clear(codes)
    psks.clear(codes)
    Warga.objects.filter(wilayah__in=codes).filter(
        ~Exists(Keanggotaan.objects.filter(warga=OuterRef("pk"))),
        ~Exists(AnggotaKeluarga.objects.filter(warga=OuterRef("pk"))),
        ~Exists(KasusPMKS.objects.filter(warga=OuterRef("pk"))),
        ~Exists(PengurusForum.objects.filter(warga=OuterRef("pk"))),
    ).delete()


def add_offices(batch: Batch) -> None:
    """Find the batch's outside partners by (name, area) and add the missing ones, and so its
    kecamatans' BKB (demo.atas), LKS and training (demo.psks) and its kabupatens' aid
    programmes (demo.bantuan). Partners are shared by batches
    (a kabupaten's Dinas Sosial), and so are a kecamatan's rows: run before the batch is
    written, by one thread at a time."""
    areas = {area for _nama, area in batch.offices}

    def known():
        return {(n, w): pk for n, w, pk in Mitra.objects.filter(wilayah__in=areas)
                .values_list("nama", "wilayah", "pk")}

    found = known()
    new = [(nama, jenis, area, "") for (nama, area), jenis in sorted(batch.offices.items())
           if (nama, area) not in found]
    if new:
        with transaction.atomic():  # (on SQLite, only then the write lock)
            insert_rows(Mitra, new)
        found = known()
    batch.office_ids = found
    batch.above_ids = atas.add(batch)
    psks.add(batch)
    bantuan.add(batch.aid)


def write(batch: Batch, year: int, spent: Callable[[str, float], None]) -> Counter:
    """Write a planned batch (call inside a transaction and `audit.changes`); return the
    rows written per table, history included."""
    written = Counter()
    began = time.perf_counter()
    inserting = [0.0]

    def put(model, rows, history=False, fields=None):
        clock = time.perf_counter()
        insert_rows(model, rows, fields)
        seconds = time.perf_counter() - clock
        inserting[0] += seconds
        spent(model._meta.label, seconds)
        written[model._meta.label] += len(rows)
        if history:
            written["history"] += len(rows)

    codes = [v.kode for v in batch.villages]
    put(Perkumpulan, batch.groups, history=True)
    group_ids = dict(Perkumpulan.objects.filter(desa__in=codes).values_list("kode", "pk"))
    group_ids.update(batch.above_ids)
    for relation, rows in batch.lists.items():
        put(getattr(Perkumpulan, relation).through,
            [(group_ids[kode], value) for kode, value in rows],
            fields=["perkumpulan", "pilihan"])
    put(Warga, batch.people, history=True)
    person_ids = dict(Warga.objects.filter(wilayah__in=codes).values_list("nik", "pk"))
    put(Keanggotaan, [(person_ids[nik], group_ids[kode], peran, mulai, None)
         for nik, kode, peran, mulai in batch.members], history=True)
    keluarga.write(batch, codes, person_ids, group_ids, put)

    known = batch.office_ids
    put(Hubungan, [(group_ids[kode], group_ids[other] if other else None,
          known[office] if office else None, bentuk, "")
         for kode, other, office, bentuk in batch.links], history=True)

    put(KasusPMKS, [(person_ids[nik] if nik else None, nama, desa, rw, rt, alamat, kategori,
                     when, status, group_ids[helper] if helper else None, respon, "")
         for nik, nama, desa, rw, rt, alamat, kategori, when, status, helper, respon, _d
         in batch.cases], history=True)
    case_ids = {(d, n, k, w): pk for d, n, k, w, pk in KasusPMKS.objects.filter(
        desa__in=codes).values_list("desa", "nama", "kategori", "warga", "pk")}
    statuses, referrals = [], []
    for nik, nama, desa, _rw, _rt, _a, kategori, when, status, _helper, _r, days in batch.cases:
        pk = case_ids[desa, nama, kategori, person_ids[nik] if nik else None]
        statuses.append((pk, when, None, StatusKasus.TERIDENTIFIKASI, ""))
        later = when + datetime.timedelta(days=days)
        if status != StatusKasus.TERIDENTIFIKASI:
            statuses.append((pk, later, None, status, ""))
        if status == StatusKasus.DIRUJUK:
            referrals.append((pk, later, None, "DINAS_SOSIAL", "", ""))
    put(RiwayatStatus, statuses)
    put(Rujukan, referrals)

    # The village's own forums and those of an RW, in one write; read back by (village, RW).
    put(Forum, [(desa, nama, mekanisme, formed, "", TingkatForum.DESA, None, None, "")
                for desa, nama, mekanisme, formed, *_rest in batch.forums]
        + [(desa, nama, mekanisme, formed, "", TingkatForum.RW, rw, None, "")
           for desa, rw, nama, mekanisme, formed, _members, _chair in batch.rw_forums],
        fields=(*Forum.bulk_columns, *Forum.LEVEL_COLUMNS))
    forum_ids = {(desa, rw): pk for desa, rw, pk in Forum.objects.filter(
        desa__in=codes).values_list("desa", "rw", "pk")}
    anggota, pengurus, meetings, funds = [], [], [], []
    for desa, rw, _nama, _m, formed, members, chair in batch.rw_forums:
        forum = forum_ids[desa, rw]
        anggota += [(forum, group_ids[kode]) for kode in members]
        pengurus.append((forum, person_ids[chair], "Ketua", formed, None))
    for desa, _nama, _m, formed, members, leaders, rng in batch.forums:
        forum = forum_ids[desa, None]
        anggota += [(forum, group_ids[kode]) for kode in members]
        pengurus += [(forum, person_ids[nik], jabatan, formed, None)
                     for nik, jabatan in leaders]
        for month in (3, 9):
            meetings.append((forum, datetime.date(year - 1, month, 15),
                             JenisPertemuan.RUTIN, rng.randint(10, 40),
                             "Pertemuan rutin WKSBM"))
        for jenis in (JenisDana.DANA_KEMATIAN, JenisDana.JIMPITAN):
            collected = rng.randint(5, 60) * 100_000
            funds.append((forum, jenis, datetime.date(year - 1, 12, 31), collected,
                          collected * rng.randint(20, 90) // 100, ""))
    put(Forum.anggota.through, anggota, fields=["forum", "perkumpulan"])
    put(PengurusForum, pengurus)
    put(PertemuanForum, meetings)
    put(DanaKomunitas, funds)
    put(DanaPerkumpulan, dana.rows(batch.funds, group_ids), history=True)
    psks.write(batch.welfare, person_ids, put)
    bantuan.write(batch.aid, codes, {
        "warga": person_ids, "perkumpulan": group_ids,
        "keluarga": dict(Keluarga.objects.filter(wilayah__in=codes).values_list("no_kk", "pk")),
        "kasus": {(d, n, k, nik): case_ids[d, n, k, person_ids[nik] if nik else None]
                  for nik, n, d, _rw, _rt, _a, k, *_rest in batch.cases}}, put)
    rekap.mark_stale([*codes, *{v.kecamatan for v in batch.villages}])  # (their BKB's links)
    spent("read back, mark", time.perf_counter() - began - inserting[0])
    return written


def analyze() -> None:
    """Planner statistics after a bulk load (SQLite's ANALYZE; autovacuum's pass on PostgreSQL,
    done at once)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
