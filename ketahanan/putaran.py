"""Monitoring rounds of an area and what changed between two of them (seed 004 H, IV.B:
monitoring by repeated data collection).

A round is a named moment: a survey import into the area (when it was written), a verification
round's approval of the area's villages (the latest approval of that round within the area), or a
date an officer names (`PutaranPantau`, for the area or an area containing it; the end of that
day, or the moment it was named if named that day). Today is the last round. Between two rounds
the registry is read as it stood at each (registry.lampau.versions) and compared village by
village.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ketahanan.models import PutaranPantau
from members.models import Keanggotaan
from network.models import Hubungan
from pmks.models import KasusPMKS
from registry import access, lampau
from registry.models import Impor, StatusImpor, Wilayah
from verifikasi.models import Tahap, UsulanDesa

MAX_ROUNDS = 12  # the trend's latest rounds


@dataclass
class Round:
    kunci: str  # "i-<import>", "v-<verification round>", "t-<named round>", "kini"
    nama: str
    jenis: str  # impor / verifikasi / tanggal / kini
    momen: datetime.datetime


def _own_and_above(area: Wilayah) -> list[str]:
    codes = Wilayah.ancestor_codes(area.pk)
    return [area.pk, *(codes[f"{level}_id"] for level in ("kecamatan", "kabupaten", "provinsi")
                       if codes[f"{level}_id"])]


def rounds(area: Wilayah, user=None) -> list[Round]:
    """The area's rounds the user sees (None: every one), oldest first, today last: three
    queries."""
    def seen(model):
        return model.objects.all() if user is None else model.objects.visible_to(user)

    found = []
    for pk, nama, when in (seen(Impor).filter(
            access.within(area, "wilayah", any_level=True), status=StatusImpor.DIIMPOR,
            diimpor__isnull=False).values_list("pk", "nama_berkas", "diimpor")):
        found.append(Round(f"i-{pk}", _("Import %(file)s") % {"file": nama}, "impor", when))
    for pk, nama, when in (UsulanDesa.objects.filter(
            access.within(area, "desa"), tahap=Tahap.DISETUJUI, disetujui__isnull=False)
            .values("putaran").annotate(when=Max("disetujui"))
            .values_list("putaran", "putaran__nama", "when")):
        found.append(Round(f"v-{pk}", _("Verification %(name)s approved") % {"name": nama},
                           "verifikasi", when))
    for pk, nama, tanggal, dibuat in (seen(PutaranPantau).filter(
            wilayah__in=_own_and_above(area)).values_list("pk", "nama", "tanggal", "dibuat")):
        # The end of its day; a round named on its own day: the moment it was named.
        moment = min(lampau.parse_pada(tanggal), dibuat)
        found.append(Round(f"t-{pk}", nama, "tanggal", moment))
    now = timezone.now()
    found = sorted((r for r in found if r.momen < now), key=lambda r: (r.momen, r.kunci))
    return [*found, Round("kini", _("Today"), "kini", now)]


def find(area: Wilayah, user, kunci: str) -> Round | None:
    return next((r for r in rounds(area, user) if r.kunci == kunci), None)


# What the registry held at a moment ---------------------------------------------------------------
@dataclass
class Keadaan:
    """The area's groups, current memberships, links and cases as they stood at a moment."""

    groups: dict[int, tuple]  # id → (area, type id, active, code, name)
    members: set[tuple[int, int]]  # (person, group) of current memberships of active groups
    links: dict[int, int]  # link id → its declaring group
    cases: dict[int, tuple]  # case id → (village, open)


def keadaan(area: Wilayah, moment: datetime.datetime) -> Keadaan:
    """Four queries."""
    groups = lampau.groups(area, moment)
    rows = {pk: (desa, jenis, aktif, kode, nama) for pk, desa, jenis, aktif, kode, nama in
            groups.order_by().values_list("id", "desa_id", "jenis_id", "aktif", "kode", "nama")}
    active = groups.filter(aktif=True).values("id")
    members = set(lampau.versions(Keanggotaan, moment).filter(
        perkumpulan_id__in=active, selesai__isnull=True).values_list("warga_id",
                                                                     "perkumpulan_id"))
    links = dict(lampau.versions(Hubungan, moment).filter(
        perkumpulan_id__in=groups.values("id")).values_list("id", "perkumpulan_id"))
    cases = {pk: (desa, status not in KasusPMKS.CLOSED) for pk, desa, status in
             lampau.versions(KasusPMKS, moment).filter(access.within(area, "desa"))
             .values_list("id", "desa_id", "status")}
    return Keadaan(rows, members, links, cases)


def figures(state: Keadaan) -> dict[str, int]:
    """The trend's main figures at a moment."""
    return {"perkumpulan": sum(1 for g in state.groups.values() if g[2]),
            "keanggotaan": len(state.members),
            "hubungan": len(state.links),
            "kasus_terbuka": sum(1 for _d, open_ in state.cases.values() if open_)}


# What changed -----------------------------------------------------------------------------------
CHANGES = ("didirikan", "dibubarkan", "ganti_jenis", "anggota_masuk", "anggota_keluar",
           "hubungan_dibuat", "hubungan_berakhir", "kasus_dibuka", "kasus_ditutup")


@dataclass
class Perubahan:
    """What changed in one place (a village, or the area's own level) between two rounds."""

    wilayah: str
    counts: Counter = field(default_factory=Counter)
    groups: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # kind → names


def perubahan(before: Keadaan, after: Keadaan) -> list[Perubahan]:
    """Per place, in code order: groups founded (there after, not before), dissolved (active
    before; gone or inactive after), changed type; memberships (a person in a group) begun and
    ended; links made and ended; cases opened (new and open, or open again) and closed (open
    before; closed or gone after)."""
    places: dict[str, Perubahan] = {}

    def at(code) -> Perubahan:
        return places.setdefault(code, Perubahan(code))

    def group_place(pk):
        row = after.groups.get(pk) or before.groups.get(pk)
        return row[0] if row else None

    for pk, row in after.groups.items():
        old = before.groups.get(pk)
        label = f"{row[4]} ({row[3]})"
        if old is None:
            at(row[0]).counts["didirikan"] += 1
            at(row[0]).groups["didirikan"].append(label)
        elif old[1] != row[1]:
            at(row[0]).counts["ganti_jenis"] += 1
            at(row[0]).groups["ganti_jenis"].append(label)
        if old is not None and old[2] and not row[2]:
            at(row[0]).counts["dibubarkan"] += 1
            at(row[0]).groups["dibubarkan"].append(label)
    for pk, old in before.groups.items():
        if pk not in after.groups and old[2]:
            at(old[0]).counts["dibubarkan"] += 1
            at(old[0]).groups["dibubarkan"].append(f"{old[4]} ({old[3]})")
    for kind, pairs in (("anggota_masuk", after.members - before.members),
                        ("anggota_keluar", before.members - after.members)):
        for _person, group in pairs:
            if (place := group_place(group)) is not None:
                at(place).counts[kind] += 1
    for kind, ids, source in (("hubungan_dibuat", after.links.keys() - before.links.keys(),
                               after.links),
                              ("hubungan_berakhir", before.links.keys() - after.links.keys(),
                               before.links)):
        for pk in ids:
            if (place := group_place(source[pk])) is not None:
                at(place).counts[kind] += 1
    for pk, (desa, open_) in after.cases.items():
        was = before.cases.get(pk)
        if open_ and (was is None or not was[1]):
            at(desa).counts["kasus_dibuka"] += 1
    for pk, (desa, open_) in before.cases.items():
        now = after.cases.get(pk)
        if open_ and (now is None or not now[1]):
            at(desa).counts["kasus_ditutup"] += 1
    return [places[code] for code in sorted(places)]
