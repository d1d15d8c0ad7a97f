"""The groups' own funds in the demo data (seed 004, D–E): every group is funded by its members'
dues (iuran) and holds an arisan, and the groups whose activity is savings and loans (the Dasa
Wisma and Peta Keluarga of `generator.ACTIVITY`) run a simpan-pinjam. Seed 004 gives no amounts:
each fund gets one entry, its books closed on 31 December of the year before the demo's year,
with amounts drawn from a generator seeded by the run's seed and the group's code (the village's
other data draw nothing more).

`plan` adds a village's entries to a planned batch (`generate_demo`); `add_to_village` gives the
groups of the demo village (`load_demo`) theirs."""

import datetime
import random

from network.models import DanaPerkumpulan
from registry import audit, rekap
from registry.models import JenisDana, Perkumpulan
from registry.workbook import insert_rows

SAVINGS_AND_LOANS = "SIMPAN_PINJAM"  # the activity (generator.ACTIVITY) that is also a fund


def funds_of(kode: str, activity: str, year: int, seed) -> list[tuple]:
    """One group's entries: (kode, fund, period end, collected, spent, note)."""
    rng = random.Random(f"{seed}:{kode}:dana")
    end = datetime.date(year - 1, 12, 31)
    dues = rng.randint(12, 60) * 10_000  # Rp 10,000 a month from 1–5 members' worth
    arisan = rng.randint(10, 30) * 12 * 20_000  # the draw pays out what was collected
    entries = [(kode, JenisDana.IURAN, end, dues, dues * rng.randint(50, 100) // 100, ""),
               (kode, JenisDana.ARISAN, end, arisan, arisan, "")]
    if activity == SAVINGS_AND_LOANS:
        savings = rng.randint(5, 40) * 100_000
        entries.append((kode, JenisDana.SIMPAN_PINJAM, end, savings,
                        savings * rng.randint(60, 100) // 100, "Pinjaman anggota"))
    return entries


def plan(funds: list, groups, activity: dict[str, str], year: int, seed) -> None:
    """Add the entries of a village's planned groups ((kode, jenis, …) tuples) to `funds`."""
    for kode, jenis, *_rest in groups:
        funds += funds_of(kode, activity[jenis], year, seed)


def rows(funds: list, group_ids: dict[str, int]) -> list[tuple]:
    """The planned entries as the bulk writer takes them (DanaPerkumpulan.bulk_columns)."""
    return [(group_ids[kode], *rest) for kode, *rest in funds]


def add_to_village(desa: str, activity: dict[str, str], year: int) -> int:
    """The funds of a village's groups that have none yet (safe to run again): returns how many
    entries were written."""
    groups = (Perkumpulan.objects.filter(desa_id=desa, dana__isnull=True)
              .values_list("pk", "kode", "jenis__kode").order_by("kode"))
    written = [row for pk, kode, jenis in groups
               for row in rows(funds_of(kode, activity.get(jenis, ""), year, "demo"), {kode: pk})]
    if written:
        with audit.changes(None, "Demo: dana perkumpulan"):
            insert_rows(DanaPerkumpulan, written)
    rekap.mark_stale([desa])
    return len(written)
