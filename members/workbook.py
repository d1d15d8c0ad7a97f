"""The people of a survey workbook (a stage, keyed by NIK), its `keluarga` sheet (households, by
KK number) and its `anggota` sheet: one row per membership, keyed by (group, person) — or by
(group, household) for a row with a KK number and no NIK."""

import datetime
import functools
import sys

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import rekap
from members.models import (
    AnggotaKeluarga,
    HubunganKeluarga,
    JenisKelamin,
    Keanggotaan,
    KeanggotaanKeluarga,
    Keluarga,
    Pendidikan,
    PeranAnggota,
    Warga,
)
from registry import access, audit, validators
from registry.rekap import mark_groups_stale
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    is_blank,
    matcher,
    name_of,
    shown,
    text_of,
    to_date,
    to_kode_perkumpulan,
    to_nik,
    to_rw_rt,
    to_text,
    to_year,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler, Stage
from registry.workbook.perkumpulan import known_groups
from registry.workbook.writer import among, chunks, insert_rows, inserted_ids, same

PERSON_FIELDS = ["nama", "jenis_kelamin", "tanggal_lahir", "pendidikan"]
PERSON_NAME = name_of(Warga, "nama")
HOUSEHOLD_ADDRESS = text_of(Keluarga, "alamat")

SEX = matcher(
    choice_lookup(JenisKelamin, {"L": ["Laki-laki", "Laki laki", "Pria"], "P": ["Wanita"]}),
    gettext_lazy("sex"),
    ["L", "P"],
)
EDUCATION = matcher(
    choice_lookup(
        Pendidikan,
        {
            "TS": ["Tidak Sekolah", "Tidak Tamat SD", "Belum Sekolah"],
            "SD": ["Sekolah Dasar", "MI"],
            "SMP": ["SLTP", "MTs", "Sekolah Menengah Tingkat Pertama", "Sekolah Menengah Pertama"],
            "SMA": ["SLTA", "SMK", "MA", "Sekolah Menengah Tingkat Atas", "Sekolah Menengah Atas"],
            "PT": [
                "Akademi/Perguruan Tinggi",
                "Akademi",
                "Perguruan Tinggi",
                "D1",
                "D2",
                "D3",
                "D4",
                "S1",
                "S2",
                "S3",
                "Diploma",
                "Sarjana",
            ],
        },
    ),
    gettext_lazy("education"),
    ["Tidak Sekolah", "SD", "SMP", "SMA", "Akademi/Perguruan Tinggi"],
)
ROLE = matcher(
    choice_lookup(
        PeranAnggota,
        {
            "KETUA": ["Ketua"],
            "WAKIL": ["Wakil Ketua", "Wakil"],
            "SEKRETARIS": ["Sekretaris"],
            "BENDAHARA": ["Bendahara"],
            "ANGGOTA": ["Anggota"],
        },
    ),
    gettext_lazy("role"),
    ["Ketua", "Wakil Ketua", "Sekretaris", "Bendahara", "Anggota"],
)


class People(Stage):
    """The people of one import, keyed by NIK: a stage planned and written once, before the
    sheets that need them (anggota, pmks) plan and write. Each sheet notes the name and merges
    what it says of a person as it checks its rows."""

    def __init__(self):
        self.named: dict[str, tuple[str, Row]] = {}  # each NIK's first name in the file, its row
        self.values: dict[str, dict] = {}  # what the file says of each NIK, over every sheet
        self.to_create: list[tuple[str, dict]] = []
        self.to_update: list[Warga] = []
        # The ids of registered people (after `plan`), then of every NIK of the file (`write`).
        self.ids: dict[str, int] = {}

    def note(self, imp: Import, row: Row, nik: str, nama: str, column: str = "nama") -> None:
        """One NIK has one name in the whole file (anggota and pmks sheets alike)."""
        earlier = self.named.setdefault(nik, (nama, row))
        # Equal texts are one name without normalising both (the NIK's first row, and most
        # later rows: a short text is read once and shared).
        if earlier[0] != nama and (
                validators.normalize_label(earlier[0]) != validators.normalize_label(nama)):
            imp.error(
                row,
                column,
                _("NIK %(nik)s is “%(name)s” on %(sheet)s row %(row)d; one NIK is one person.")
                % {
                    "nik": validators.mask_nik(nik),
                    "name": earlier[0],
                    "sheet": earlier[1].sheet,
                    "row": earlier[1].number,
                },
                nama,
            )

    def merge(self, nik: str, values: dict) -> None:
        """Add what a row says of a person: a value fills only what no earlier row gave."""
        merged = self.values.get(nik)
        if merged is None:
            merged = self.values[nik] = dict.fromkeys(PERSON_FIELDS)
        for name, value in values.items():
            if value not in (None, "") and merged.get(name) in (None, ""):
                merged[name] = value

    def plan(self, imp: Import) -> None:
        """Which people are new and which change; values left empty in the file change nothing.

        Registered people are compared as plain values, a batch of the file's NIKs at a time:
        building 100,000 model objects (or dicts) to find them unchanged would cost more time
        and memory than the comparison. Whether the user sees or may change a registered person
        is asked only of those the file names otherwise or changes (a re-import of 70,000
        people: none; asked of all it took 3.5 s on PostgreSQL)."""
        self.ids = {}
        for part in chunks(list(self.values)):
            found = among(Warga.objects, "nik", part).values_list("pk", "nik", *PERSON_FIELDS)
            existing = {registered[1]: registered for registered in found}
            asked = []  # (nik, pk, registered values, changes, named otherwise)
            for nik in part:
                values = self.values[nik]
                registered = existing.get(nik)
                if registered is None:
                    self.to_create.append((nik, values))
                    continue
                pk = self.ids[nik] = registered[0]
                row = dict(zip(PERSON_FIELDS, registered[2:], strict=True))
                changes = {k: v for k, v in values.items()
                           if v not in (None, "") and row[k] != v}
                # A sheet may name a person by NIK alone (a training's participant): no name to
                # tell otherwise.
                nama = self.named[nik][0] if nik in self.named else row["nama"]
                otherwise = nama != row["nama"] and (
                    validators.normalize_label(nama) != validators.normalize_label(row["nama"]))
                if changes or otherwise:
                    asked.append((nik, pk, row, changes, otherwise))
            seen, owned = _reach(imp, [pk for _nik, pk, *_rest in asked])
            for nik, pk, row, changes, otherwise in asked:
                if otherwise and pk not in seen:
                    self._not_the_registered_name(imp, nik)
                    continue
                if changes and pk not in owned:
                    imp.warn(self.named[nik][1], "nik", _(
                        "This person is registered in another village: their recorded data was "
                        "kept."))
                    continue
                if changes:
                    self.to_update.append(Warga(pk=pk, nik=nik, **(row | changes)))

    def _not_the_registered_name(self, imp: Import, nik: str) -> None:
        """A NIK registered to someone the user does not see is linked only when the file names
        them as registered; the error does not say the registered name."""
        nama, row = self.named[nik]
        imp.error(row, "nama", _(
            "This name does not match the name registered with this NIK in another village. "
            "Check the NIK and the name."), nama)

    def write(self, imp: Import) -> None:
        """Write the new and changed people; then `ids` holds every NIK of the file."""
        before = insert_rows(Warga, [
            (nik, v["nama"], v["jenis_kelamin"] or "", v["tanggal_lahir"],
             v["pendidikan"] or "", None, None, None, "")
            for nik, v in self.to_create
        ], binary=True)
        if self.to_update:
            Warga.objects.bulk_update(self.to_update, PERSON_FIELDS, batch_size=1000)
            audit.record(Warga, [w.pk for w in self.to_update])
            rekap.mark_chairs_stale([w.pk for w in self.to_update])
        if self.to_create:
            new = inserted_ids(Warga, before, "nik")
            self.ids.update((nik, new[nik]) for nik, _values in self.to_create)


@functools.lru_cache(maxsize=512)
def _january_first(year: int) -> datetime.date:
    """The start of a membership given as a year: one date object a year for the whole file."""
    return datetime.date(year, 1, 1)


def _reach(imp: Import, pks: list[int]) -> tuple[set[int], set[int]]:
    """Of the registered people `pks`: those the importing user sees, and those they may change
    (a person is changed where they live: registry.access). A command run without a user
    reaches everyone."""
    if imp.user is None:
        return set(pks), set(pks)
    seen, owned = set(), set()
    for part in chunks(pks):
        seen.update(Warga.objects.visible_to(imp.user).filter(pk__in=part)
                    .values_list("pk", flat=True))
        owned.update(Warga.objects.editable_by(imp.user).filter(pk__in=part)
                     .values_list("pk", flat=True))
    return seen, owned


def to_no_kk(value) -> str:
    """A KK number must arrive as text, like a NIK (Excel keeps 15 significant digits)."""
    if isinstance(value, float) or (isinstance(value, int) and value % 10 == 0):
        raise ValidationError(
            _(
                "KK number “%(value)s” was typed as a number and Excel may have changed its last "
                "digit: format the column as text and type it again."
            )
            % {"value": shown(value)},
            code="kk_number",
        )
    text = to_text(value)
    validators.validate_no_kk(text)
    return text


class Households:
    """The households of one import, by KK number: those the keluarga sheet defines, the ids of
    registered ones looked up so far, and the household each NIK of the file is put in."""

    def __init__(self):
        self.defined: dict[str, dict] = {}  # the keluarga sheet's checked rows by KK number
        self.ids: dict[str, int] = {}
        self.unknown: set[str] = set()
        self.placed: dict[str, tuple[str, Row]] = {}  # NIK -> (KK number, its first row)

    def known(self, imp: Import, numbers) -> dict[str, int]:
        """Ids of the registered households with these numbers that the user may change; loaded
        once per number for the whole file (those the keluarga sheet creates are added when
        written)."""
        wanted = [n for n in set(numbers) if n not in self.ids and n not in self.unknown]
        queryset = Keluarga.objects.all()
        if imp.user is not None:
            queryset = Keluarga.objects.editable_by(imp.user)
        for part in chunks(wanted):
            self.ids.update(queryset.filter(no_kk__in=part).values_list("no_kk", "pk"))
        self.unknown.update(n for n in wanted if n not in self.ids)
        return {n: self.ids[n] for n in numbers if n in self.ids}

    def place(self, imp: Import, row: Row, column: str, nik: str, no_kk: str) -> None:
        """A person belongs to one household in the whole file."""
        earlier = self.placed.setdefault(nik, (no_kk, row))
        if earlier[0] != no_kk:
            imp.error(row, column, _(
                "NIK %(nik)s is put in household %(kk)s on %(sheet)s row %(row)d; a person "
                "belongs to one household.") % {
                "nik": validators.mask_nik(nik), "kk": validators.mask_nik(earlier[0]),
                "sheet": earlier[1].sheet, "row": earlier[1].number,
            })


def move_people(links: dict[int, tuple[int, str]]) -> None:
    """Put each person (by id) in their household (id, relation to the head) from today: a
    person now in another household moves, that membership ending today; one already there
    stays as recorded."""
    if not links:
        return
    today = timezone.localdate()
    current = {}
    for part in chunks(list(links)):
        rows = AnggotaKeluarga.objects.filter(warga_id__in=part, selesai__isnull=True)
        current.update((w, (pk, k)) for pk, w, k in rows.values_list(
            "pk", "warga_id", "keluarga_id"))
    ended = [AnggotaKeluarga(pk=pk, selesai=today)
             for w, (pk, k) in current.items() if links[w][0] != k]
    if ended:
        AnggotaKeluarga.objects.bulk_update(ended, ["selesai"], batch_size=1000)
        audit.record(AnggotaKeluarga, [m.pk for m in ended])
    new = [(k, w, h, today, None) for w, (k, h) in links.items()
           if w not in current or current[w][1] != k]
    if new:
        insert_rows(AnggotaKeluarga, new)


class KeluargaSheet(SheetHandler):
    """Households, one row per family card (KK), keyed by KK number. Optional: a workbook
    without it imports as before."""

    name = "keluarga"
    verbose_name = gettext_lazy("households")
    after = ("perkumpulan",)
    stages = (People,)
    columns = [
        Column("no_kk", required=True),
        Column("desa", required=True, aliases=("kode_desa",)),
        Column("rw"),
        Column("rt"),
        Column("alamat"),
        Column("nik_kepala"),
        Column("nama_kepala"),
    ]
    text_columns = ("no_kk", "nik_kepala")

    def parse(self, row: Row, imp: Import):
        no_kk = imp.cell(row, "no_kk", to_no_kk, required=True)
        desa = imp.desa(row, "desa")
        item = {
            "row": row,
            "no_kk": no_kk,
            "desa": desa,
            "rw": imp.cell(row, "rw", to_rw_rt),
            "rt": imp.cell(row, "rt", to_rw_rt),
            "alamat": imp.cell(row, "alamat", HOUSEHOLD_ADDRESS) or "",
            "nik": imp.cell(row, "nik_kepala", to_nik),
            "nama": imp.cell(row, "nama_kepala", PERSON_NAME),
        }
        if no_kk is None or desa is None:
            return None
        return item

    def check(self, parsed: list, imp: Import) -> list:
        households = imp.part(Households)
        people = imp.part(People)
        for item in parsed:
            row = item["row"]
            earlier = households.defined.setdefault(item["no_kk"], item)
            if earlier is not item:
                imp.error(row, "no_kk", _("KK number %(kk)s is already on row %(row)d.") % {
                    "kk": validators.mask_nik(item["no_kk"]), "row": earlier["row"].number})
            if item["nik"] and item["nama"]:
                people.note(imp, row, item["nik"], item["nama"], "nama_kepala")
                people.merge(item["nik"], {"nama": item["nama"]})
            if item["nik"]:
                households.place(imp, row, "nik_kepala", item["nik"], item["no_kk"])
        households.known(imp, list(households.defined))
        if imp.user is not None:
            # A number registered where the user may not write: refused, not overwritten.
            for part in chunks([n for n in households.defined if n in households.unknown]):
                for no_kk in Keluarga.objects.filter(no_kk__in=part).values_list("no_kk",
                                                                                 flat=True):
                    imp.error(households.defined[no_kk]["row"], "no_kk", _(
                        "KK number %(kk)s is registered in another area.") % {
                        "kk": validators.mask_nik(no_kk)})
        return parsed

    def plan(self, parsed: list, imp: Import):
        """New households, changed addresses and heads. A head is a person of this file or a
        registered one the user sees."""
        households = imp.part(Households)
        people = imp.part(People)
        heads = dict(people.ids)
        outside = [i["nik"] for i in parsed if i["nik"] and i["nik"] not in people.values]
        queryset = Warga.objects.all() if imp.user is None else Warga.objects.visible_to(imp.user)
        for part in chunks(outside):
            heads.update(queryset.filter(nik__in=part).values_list("nik", "pk"))
        existing = {}
        for part in chunks([households.ids[i["no_kk"]] for i in parsed
                            if i["no_kk"] in households.ids]):
            existing.update((k.no_kk, k) for k in Keluarga.objects.filter(pk__in=part))
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": [], "heads": heads}
        for item in parsed:
            if item["nik"] and item["nik"] not in people.values and item["nik"] not in heads:
                imp.error(item["row"], "nik_kepala", _(
                    "The head's NIK is neither in this file nor registered in your area: add "
                    "their name in nama_kepala."))
            household = existing.get(item["no_kk"])
            if household is None:
                plan["create"].append(item)
                counts.created += 1
                continue
            changes = {k: v for k, v in (("wilayah_id", item["desa"].pk), ("rw", item["rw"]),
                                         ("rt", item["rt"]), ("alamat", item["alamat"]))
                       if v not in (None, "")}
            # A head not yet registered (-1 here) is a new head.
            new_head = item["nik"] is not None and heads.get(item["nik"], -1) != household.kepala_id
            if same(household, changes) and not new_head:
                counts.unchanged += 1
                continue
            for name, value in changes.items():
                setattr(household, name, value)
            plan["update"].append((household, item))
            counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        households = imp.part(Households)
        person_ids = imp.part(People).ids | plan["heads"]
        if plan["create"]:
            insert_rows(Keluarga, [
                (i["no_kk"], i["desa"].pk, i["rw"], i["rt"], i["alamat"],
                 person_ids.get(i["nik"]))
                for i in plan["create"]
            ])
            for part in chunks([i["no_kk"] for i in plan["create"]]):
                households.ids.update(Keluarga.objects.filter(no_kk__in=part)
                                      .values_list("no_kk", "pk"))
        changed = []
        for household, item in plan["update"]:
            if item["nik"]:
                household.kepala_id = person_ids[item["nik"]]
            changed.append(household)
        if changed:
            Keluarga.objects.bulk_update(changed, ["wilayah", "rw", "rt", "alamat", "kepala"],
                                         batch_size=1000)
            audit.record(Keluarga, [k.pk for k in changed])
        move_people({
            person_ids[i["nik"]]: (households.ids[i["no_kk"]], HubunganKeluarga.KEPALA)
            for i in plan["create"] + [item for _k, item in plan["update"]] if i["nik"]
        })

    def export_rows(self, user, area):
        rows = (
            Keluarga.objects.visible_to(user)
            .filter(access.within(area, "wilayah"))
            .select_related("kepala")
            .order_by("no_kk")
        )
        for k in rows.iterator(chunk_size=5000):
            yield [
                k.no_kk,
                k.wilayah_id,
                k.rw,
                k.rt,
                k.alamat or None,
                k.kepala.nik if k.kepala_id else None,
                k.kepala.nama if k.kepala_id else None,
            ]


class AnggotaSheet(SheetHandler):
    name = "anggota"
    verbose_name = gettext_lazy("members")
    after = ("perkumpulan", "keluarga")
    stages = (People,)
    columns = [
        Column("kode_perkumpulan", required=True, aliases=("kode",)),
        Column("nik", required=True),
        Column("nama", required=True),
        Column("jenis_kelamin"),
        Column("tanggal_lahir"),
        Column("pendidikan"),
        Column("peran", aliases=("jabatan",)),
        Column("mulai_tahun"),
        Column("no_kk"),
    ]

    def parse(self, row: Row, imp: Import):
        kode = imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan, required=True)
        no_kk = imp.cell(row, "no_kk", to_no_kk)
        if is_blank(row.values.get("nik")) and not is_blank(row.values.get("no_kk")):
            return self.parse_household(row, imp, kode, no_kk)
        nik = imp.cell(row, "nik", to_nik, required=True)
        person = {
            "nama": imp.cell(row, "nama", PERSON_NAME, required=True),
            "jenis_kelamin": imp.cell(row, "jenis_kelamin", SEX) or "",
            "tanggal_lahir": imp.cell(row, "tanggal_lahir", to_date),
            "pendidikan": imp.cell(row, "pendidikan", EDUCATION) or "",
        }
        peran = imp.cell(row, "peran", ROLE) or PeranAnggota.ANGGOTA
        mulai = imp.cell(row, "mulai_tahun", to_year)
        if kode is None or nik is None or person["nama"] is None:
            return None
        born = person["tanggal_lahir"] and validators.nik_birth_date(nik)
        if born and born[0] != person["tanggal_lahir"]:
            imp.warn(row, "tanggal_lahir", _("The date of birth differs from the one in the NIK."))
        return {
            "row": row,
            "kode": kode,
            "nik": nik,
            "person": person,
            "peran": peran,
            "mulai": mulai,
            "no_kk": no_kk,
        }

    def parse_household(self, row: Row, imp: Import, kode, no_kk):
        """A row with a KK number and no NIK: the household is the member (one member in
        Table 3); its name cell is not read, and it holds no board role."""
        peran = imp.cell(row, "peran", ROLE)
        if peran not in (None, PeranAnggota.ANGGOTA):
            imp.error(row, "peran", _(
                "A household is a member, not a board role: give the NIK of the person who "
                "holds the role."))
        mulai = imp.cell(row, "mulai_tahun", to_year)
        if kode is None or no_kk is None:
            return None
        return {"row": row, "kode": kode, "nik": None, "no_kk": no_kk, "mulai": mulai}

    def check(self, parsed: list, imp: Import) -> dict[str, dict[tuple, dict]]:
        in_file = imp.groups.defined
        people = imp.part(People)
        households = imp.part(Households)
        registered = known_groups(imp, [i["kode"] for i in parsed if i["kode"] not in in_file])
        numbers = [i["no_kk"] for i in parsed if i["no_kk"]]
        known = households.known(imp, [n for n in numbers if n not in households.defined])
        memberships: dict[tuple, dict] = {}
        by_household: dict[tuple, dict] = {}
        chairs: dict[str, dict] = {}
        for item in parsed:
            row = item["row"]
            if item["no_kk"] and item["no_kk"] not in households.defined \
                    and item["no_kk"] not in known:
                imp.error(row, "no_kk", _(
                    "Household %(kk)s is neither on the keluarga sheet nor registered in your "
                    "area.") % {"kk": validators.mask_nik(item["no_kk"])})
            if item["kode"] not in in_file and item["kode"] not in registered:
                imp.error(
                    row,
                    "kode_perkumpulan",
                    _(
                        "Group %(kode)s is neither on the perkumpulan sheet nor registered in "
                        "your area."
                    )
                    % {"kode": item["kode"]},
                )
            if item["nik"] is None:
                earlier = by_household.setdefault((item["kode"], item["no_kk"]), item)
                if earlier is not item and earlier["mulai"] != item["mulai"]:
                    imp.error(row, "mulai_tahun", _(
                        "This household is already in group %(kode)s on row %(row)d with "
                        "another start.") % {"kode": item["kode"], "row": earlier["row"].number})
                continue
            if item["no_kk"]:
                households.place(imp, row, "no_kk", item["nik"], item["no_kk"])
            people.note(imp, row, item["nik"], item["person"]["nama"])
            people.merge(item["nik"], item["person"])
            earlier = memberships.setdefault((item["kode"], item["nik"]), item)
            if earlier is not item and (earlier["peran"], earlier["mulai"]) != (
                item["peran"],
                item["mulai"],
            ):
                imp.error(
                    row,
                    "peran",
                    _("This person is already in group %(kode)s on row %(row)d with another role.")
                    % {"kode": item["kode"], "row": earlier["row"].number},
                )
            if item["peran"] == PeranAnggota.KETUA:
                chair = chairs.setdefault(item["kode"], item)
                if chair["nik"] != item["nik"]:
                    imp.error(
                        row,
                        "peran",
                        _("Group %(kode)s already has a chair on row %(row)d.")
                        % {"kode": item["kode"], "row": chair["row"].number},
                    )
        return {"people": memberships, "households": by_household}

    def plan(self, checked: dict[str, dict[tuple, dict]], imp: Import):
        memberships = checked["people"]
        people = imp.part(People)
        renamed = {w.nik for w in people.to_update}
        group_ids = known_groups(imp, {kode for kode, _nik in memberships})
        person_ids = people.ids
        # Current memberships as (pk, role, start) by (group, person): plain values again, a
        # group's id and a start held once (a file's 100,000 memberships: 6 MB less at the
        # re-import's peak of memory).
        current = {}
        groups: dict[int, int] = {}
        starts: dict = {}
        for part in chunks(list(set(group_ids.values()))):
            rows = Keanggotaan.objects.filter(perkumpulan_id__in=part, selesai__isnull=True)
            for pk, group, person, peran, mulai in rows.values_list(
                "pk", "perkumpulan_id", "warga_id", "peran", "mulai"
            ):
                current[(groups.setdefault(group, group), person)] = (
                    pk, sys.intern(peran), starts.setdefault(mulai, mulai))
        chairs = {g: p for (g, p), (_pk, peran, _m) in current.items() if peran == "KETUA"}
        # The file's rows of the current chairs (whether they stay chair).
        chair_keys = set(chairs.items())
        in_file = {key: i for (k, n), i in memberships.items()
                   if (key := (group_ids.get(k), person_ids.get(n))) in chair_keys}
        counts = imp.counts.setdefault(self.name, Counts())
        today = timezone.localdate()
        plan = {"create": [], "close": [], "move": [],
                 "households": self.plan_households(checked["households"], imp, counts),
                 "places": {i["nik"]: i["no_kk"] for i in memberships.values() if i["no_kk"]}}
        for (kode, nik), item in memberships.items():
            key = (group_ids.get(kode), person_ids.get(nik))
            mulai = _january_first(item["mulai"]) if item["mulai"] else None
            existing = current.get(key) if None not in key else None
            chair = chairs.get(key[0])
            if item["peran"] == PeranAnggota.KETUA and chair and chair != key[1]:
                staying = in_file.get((key[0], chair))
                if staying is None or staying["peran"] == PeranAnggota.KETUA:
                    imp.error(
                        item["row"],
                        "peran",
                        _(
                            "Group %(kode)s already has a chair, %(name)s: put them in the sheet "
                            "with their new role."
                        )
                        % {"kode": kode, "name": Warga.objects.get(pk=chair).nama},
                    )
                    continue
            if existing is None:
                plan["create"].append((kode, nik, item["peran"], mulai))
                counts.created += 1
            elif existing[1] != item["peran"]:
                # A new role is a new period: the old one ends today, so history is kept.
                plan["close"].append(Keanggotaan(pk=existing[0], selesai=today))
                plan["create"].append((kode, nik, item["peran"], mulai or today))
                counts.updated += 1
            elif mulai and existing[2] != mulai:
                plan["move"].append(Keanggotaan(pk=existing[0], mulai=mulai))
                counts.updated += 1
            elif nik in renamed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return plan

    def plan_households(self, rows: dict[tuple, dict], imp: Import, counts: Counts) -> dict:
        """The households' memberships of groups: new ones, and a changed start."""
        plan = {"create": [], "move": []}
        if not rows:
            return plan
        group_ids = known_groups(imp, {kode for kode, _kk in rows})
        kk_ids = imp.part(Households).ids
        current = {}
        for part in chunks(list(set(group_ids.values()))):
            found = KeanggotaanKeluarga.objects.filter(perkumpulan_id__in=part,
                                                       selesai__isnull=True)
            for pk, group, household, mulai in found.values_list(
                    "pk", "perkumpulan_id", "keluarga_id", "mulai"):
                current[(group, household)] = (pk, mulai)
        for (kode, no_kk), item in rows.items():
            mulai = _january_first(item["mulai"]) if item["mulai"] else None
            existing = current.get((group_ids.get(kode), kk_ids.get(no_kk)))
            if existing is None:
                plan["create"].append((kode, no_kk, mulai))
                counts.created += 1
            elif mulai and existing[1] != mulai:
                plan["move"].append(KeanggotaanKeluarga(pk=existing[0], mulai=mulai))
                counts.updated += 1
            else:
                counts.unchanged += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        person_ids = imp.part(People).ids
        group_ids = known_groups(imp, {kode for kode, *_rest in plan["create"]})
        if plan["close"]:
            Keanggotaan.objects.bulk_update(plan["close"], ["selesai"], batch_size=1000)
        if plan["move"]:
            Keanggotaan.objects.bulk_update(plan["move"], ["mulai"], batch_size=1000)
        audit.record(Keanggotaan, [m.pk for m in plan["close"] + plan["move"]])
        insert_rows(Keanggotaan, [
            (person_ids[nik], group_ids[kode], peran, mulai, None)
            for kode, nik, peran, mulai in plan["create"]
        ], binary=True)
        mark_groups_stale(
            [group_ids[kode] for kode, *_rest in plan["create"]]
            + [m.perkumpulan_id for m in plan["close"]]
        )
        self.write_households(plan, imp)

    def write_households(self, plan, imp: Import) -> None:
        """The households' memberships of groups, and the households of the people whose row
        gives a KK number (a person in another household moves there today)."""
        kk_ids = imp.part(Households).ids
        person_ids = imp.part(People).ids
        households = plan["households"]
        move_people({person_ids[nik]: (kk_ids[no_kk], HubunganKeluarga.LAINNYA)
                     for nik, no_kk in plan["places"].items()})
        if households["move"]:
            KeanggotaanKeluarga.objects.bulk_update(households["move"], ["mulai"],
                                                    batch_size=1000)
            audit.record(KeanggotaanKeluarga, [m.pk for m in households["move"]])
        if households["create"]:
            group_ids = known_groups(imp, {kode for kode, *_rest in households["create"]})
            insert_rows(KeanggotaanKeluarga, [
                (kk_ids[no_kk], group_ids[kode], mulai, None)
                for kode, no_kk, mulai in households["create"]
            ])
            mark_groups_stale([group_ids[kode] for kode, *_rest in households["create"]])

    text_columns = ("nik", "no_kk")

    def export_rows(self, user, area):
        personal = access.can_see_personal_data(user)
        household = AnggotaKeluarga.objects.filter(
            warga=OuterRef("warga"), selesai__isnull=True).values("keluarga__no_kk")[:1]
        memberships = (
            Keanggotaan.objects.visible_to(user)
            .filter(access.within(area, "perkumpulan__desa", any_level=True), selesai__isnull=True)
            .select_related("warga", "perkumpulan")
            .annotate(no_kk=Subquery(household))
            .order_by("perkumpulan__kode", "warga__nik")
        )
        mask = (lambda v: v) if personal else validators.mask_nik
        for m in memberships.iterator(chunk_size=5000):
            w = m.warga
            yield [
                m.perkumpulan.kode,
                w.nik if personal else w.nik_tersamar,
                w.nama,
                w.jenis_kelamin or None,
                w.tanggal_lahir if personal else None,
                choice_label(Pendidikan, w.pendidikan) or None,
                choice_label(PeranAnggota, m.peran),
                m.mulai.year if m.mulai else None,
                mask(m.no_kk) or None,
            ]
        households = (
            KeanggotaanKeluarga.objects.visible_to(user)
            .filter(access.within(area, "perkumpulan__desa"), selesai__isnull=True)
            .select_related("keluarga__kepala", "perkumpulan")
            .order_by("perkumpulan__kode", "keluarga__no_kk")
        )
        for m in households.iterator(chunk_size=5000):
            head = m.keluarga.kepala
            yield [m.perkumpulan.kode, None, head.nama if head else None, None, None, None,
                   choice_label(PeranAnggota, PeranAnggota.ANGGOTA),
                   m.mulai.year if m.mulai else None, mask(m.keluarga.no_kk)]

    def dropdowns(self):
        return {
            "jenis_kelamin": (["L", "P"], True),
            "pendidikan": (choice_labels(Pendidikan), True),
            "peran": (choice_labels(PeranAnggota), True),
        }
