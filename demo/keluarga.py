"""The demo's households (KK): each village's generated residents grouped into households of
three to five (about four), RW by RW, the first one its head; and a Dasa Wisma in four keeping its
members as households as well, about ten KK each (seed 004: a Dasa Wisma gathers about ten
households).

KK numbers are valid (registry.validators.validate_no_kk): the village's kecamatan, a date of
issue that is the village's own (2001-01-01 plus its four-digit desa number in days, so villages
of one kecamatan never share it) and a sequence from 0001 within the village. A village's
households are cleared with it (`demo.writer.clear`) before it is generated again.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from members.models import AnggotaKeluarga, HubunganKeluarga, KeanggotaanKeluarga, Keluarga

SIZES = (3, 4, 5)  # people per household, about four
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
    day = issued(village.kode)
    prefix = f"{village.kecamatan.replace('.', '')}{day:%d%m%y}"
    by_rw = defaultdict(list)
    for person in people:
        by_rw[person[6]].append(person)
    numbers, in_rw = [], defaultdict(list)
    for rw, residents in sorted(by_rw.items()):
        start = 0
        while start < len(residents) and len(numbers) < 9999:
            members = residents[start:start + rng.choice(SIZES)]
            start += len(members)
            head = members[0]
            no_kk = f"{prefix}{len(numbers) + 1:04d}"
            numbers.append(no_kk)
            in_rw[rw].append(no_kk)
            batch.households.households.append(
                (no_kk, village.kode, rw, head[7], head[8], head[0], day))
            for n, person in enumerate(members):
                relation = (HubunganKeluarga.KEPALA if n == 0 else
                            HubunganKeluarga.PASANGAN if n == 1 and person[2] != head[2] else
                            HubunganKeluarga.LAINNYA)
                batch.households.members.append((no_kk, person[0], relation, day))
    dasa_wisma = [g for g in groups if g[1] == "DW"]
    for kode, _jenis, rw, *_rest in dasa_wisma[::DW_EVERY]:
        nearby = in_rw[rw] or numbers
        for no_kk in rng.sample(nearby, min(DW_HOUSEHOLDS, len(nearby))):
            batch.households.groups.append((kode, no_kk, day))


def write(batch, codes: list[str], person_ids: dict, group_ids: dict, put) -> None:
    """Write the batch's households, their members and the Dasa Wisma's member households
    (`put`: demo.writer's insert with timing and counts)."""
    kk = batch.households
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
