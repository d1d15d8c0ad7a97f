"""The demo's households (KK): each village's generated residents grouped into households of
three to five (about four), RW by RW, the first one its head; and a Dasa Wisma in four keeping its
members as households as well, about ten KK each (seed 004: a Dasa Wisma gathers about ten
households).

KK numbers are valid (registry.validators.validate_no_kk): the village's kecamatan, a date of
issue that is the village's own (2001-01-01 plus its four-digit desa number in days, so villages
of one kecamatan never share it) and a sequence from 0001 within the village. A village's
households are cleared with it (`demo.writer.clear`) before it is generated again.

`add_to_village` does the same for `load_demo`'s village (Cibeureum 2006), whose workbook
records only its groups' members: they are grouped by their group's RW and RT into households of
three or four (seed 004 III.A: 39,652 residents in 11,571 KK, 3.4 a KK), and the first Dasa
Wisma of each RW gets up to ten of the RW's households as members. The groups' declared sizes
stay as they are, so seed 004's tables do not change.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from members.models import (
    AnggotaKeluarga,
    HubunganKeluarga,
    Keanggotaan,
    KeanggotaanKeluarga,
    Keluarga,
)
from registry import rekap
from registry.models import Perkumpulan, Wilayah
from registry.workbook import insert_rows

SIZES = (3, 4, 5)  # people per household, about four
PER_KK = 3.4  # seed 004 III.A: 39,652 residents, 11,571 KK
DW_HOUSEHOLDS = 10  # seed 004: a Dasa Wisma is about ten households
DW_EVERY = 4  # one Dasa Wisma in four records its member households
FIRST_ISSUE = datetime.date(2001, 1, 1)


@dataclass
class Plan:
    """A batch's households: (no_kk, desa, rw, rt, alamat, head's NIK, issued), their members
    (no_kk, NIK, relation, from) and the Dasa Wisma's member households (kode, no_kk, from)."""

    households: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)
    groups: list[tuple] = field(default_factory=list)


def issued(desa: str) -> datetime.date:
    return FIRST_ISSUE + datetime.timedelta(days=int(desa.split(".")[3]))


def plan(batch, village, seed: int, people: list[tuple], groups: list[tuple]) -> None:
    """Group `people` (the village's new residents: Warga.bulk_columns rows) into households,
    and give some of its Dasa Wisma (`groups`: (kode, jenis, rw, …)) member households."""
    rng = random.Random(f"{seed}:{village.kode}:keluarga")
    by_rw = defaultdict(list)
    for person in people:
        by_rw[person[6]].append(person)
    households = []
    for rw, residents in sorted(by_rw.items()):
        start = 0
        while start < len(residents):
            households.append((rw, residents[start:start + rng.choice(SIZES)]))
            start += len(households[-1][1])
    numbers, in_rw = number(batch.households, village, households)
    day = issued(village.kode)
    dasa_wisma = [g for g in groups if g[1] == "DW"]
    for kode, _jenis, rw, *_rest in dasa_wisma[::DW_EVERY]:
        nearby = in_rw[rw] or numbers
        for no_kk in rng.sample(nearby, min(DW_HOUSEHOLDS, len(nearby))):
            batch.households.groups.append((kode, no_kk, day))


def number(kk: Plan, village, households: list[tuple]) -> tuple[list[str], dict]:
    """Give `households` ((rw, members: Warga.bulk_columns rows, the head first)) their KK
    numbers in `village` and add them and their members to `kk`; return the numbers, and those
    of each RW."""
    day = issued(village.kode)
    prefix = f"{village.kecamatan.replace('.', '')}{day:%d%m%y}"
    numbers, in_rw = [], defaultdict(list)
    for rw, members in households[:9999]:
        head = members[0]
        no_kk = f"{prefix}{len(numbers) + 1:04d}"
        numbers.append(no_kk)
        in_rw[rw].append(no_kk)
        kk.households.append((no_kk, village.kode, rw, head[7], head[8], head[0], day))
        for n, person in enumerate(members):
            relation = (HubunganKeluarga.KEPALA if n == 0 else
                        HubunganKeluarga.PASANGAN if n == 1 and person[2] != head[2] else
                        HubunganKeluarga.LAINNYA)
            kk.members.append((no_kk, person[0], relation, day))
    return numbers, in_rw


def write(batch, codes: list[str], person_ids: dict, group_ids: dict, put) -> None:
    """Write the batch's households, their members and the Dasa Wisma's member households
    (`put`: demo.writer's insert with timing and counts)."""
    write_plan(batch.households, codes, person_ids, group_ids, put)


def write_plan(kk: Plan, codes: list[str], person_ids: dict, group_ids: dict, put) -> None:
    """Write planned households of the villages `codes`, their members and their groups."""
    put(Keluarga, [(no_kk, desa, rw, rt, alamat, person_ids[head])
                   for no_kk, desa, rw, rt, alamat, head, _day in kk.households], history=True)
    ids = dict(Keluarga.objects.filter(wilayah__in=codes).values_list("no_kk", "pk"))
    put(AnggotaKeluarga, [(ids[no_kk], person_ids[nik], relation, day, None)
                          for no_kk, nik, relation, day in kk.members], history=True)
    put(KeanggotaanKeluarga, [(ids[no_kk], group_ids[kode], day, None)
                              for kode, no_kk, day in kk.groups], history=True)


def clear(codes: list[str]) -> None:
    """Delete the villages' households (and their members' and groups' rows)."""
    KeanggotaanKeluarga.objects.filter(keluarga__wilayah__in=codes).delete()
    Keluarga.objects.filter(wilayah__in=codes).delete()


def add_to_village(desa: str) -> int:
    """Group the current members of village `desa`'s groups (the demo workbook's people, who
    carry no address of their own) into households of three or four by their first group's RW
    and RT, and make up to ten households of each RW members of the RW's first Dasa Wisma (a
    household in one Dasa Wisma at most). Nothing is done if the village has households
    already (the command runs again). Call inside `audit.changes`; returns the households
    added."""
    if Keluarga.objects.filter(wilayah_id=desa).exists():
        return 0
    kecamatan = Wilayah.objects.values_list("kecamatan", flat=True).get(pk=desa)
    village = SimpleNamespace(kode=desa, kecamatan=kecamatan)  # as the generator's villages
    people, person_ids = {}, {}
    for nik, sex, pk, rw, rt in (
            Keanggotaan.objects.filter(perkumpulan__desa_id=desa, selesai__isnull=True)
            .order_by("perkumpulan__kode", "pk")
            .values_list("warga__nik", "warga__jenis_kelamin", "warga_id", "perkumpulan__rw",
                         "perkumpulan__rt")):
        # A Warga.bulk_columns row, as `number` reads it (NIK, sex, RT, address).
        people.setdefault(nik, (nik, "", sex, None, "", desa, rw or 0, rt, ""))
        person_ids[nik] = pk
    by_rw = defaultdict(list)
    for person in sorted(people.values(), key=lambda p: (p[6], p[7] or 0, p[0])):
        by_rw[person[6]].append(person)
    households = []
    for rw, residents in sorted(by_rw.items()):
        count = max(1, round(len(residents) / PER_KK))
        size, extra = divmod(len(residents), count)
        start = 0
        for n in range(count):  # sizes differ by one at most: three or four
            end = start + size + (n < extra)
            households.append((rw or None, residents[start:end]))
            start = end
    kk = Plan()
    numbers, in_rw = number(kk, village, households)
    group_ids, first_of_rw = {}, {}
    for kode, pk, rw in (Perkumpulan.objects.filter(desa_id=desa, jenis__kode="DW", aktif=True)
                         .order_by("kode").values_list("kode", "pk", "rw")):
        group_ids[kode] = pk
        first_of_rw.setdefault(rw, kode)
    for rw, kode in first_of_rw.items():
        kk.groups.extend((kode, no_kk, None) for no_kk in in_rw.get(rw, [])[:DW_HOUSEHOLDS])
    write_plan(kk, [desa], person_ids, group_ids,
               lambda model, rows, history=False: insert_rows(model, rows))
    rekap.mark_stale([desa])
    return len(numbers)
