"""The people of a survey workbook (a stage, keyed by NIK) and its `anggota` sheet: one row per
membership, keyed by (group, person)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import rekap
from members.models import JenisKelamin, Keanggotaan, Pendidikan, PeranAnggota, Warga
from registry import access, audit, validators
from registry.rekap import mark_groups_stale
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    to_date,
    to_kode_perkumpulan,
    to_name,
    to_nik,
    to_year,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler, Stage
from registry.workbook.perkumpulan import known_groups
from registry.workbook.writer import chunks, insert_rows

PERSON_FIELDS = ["nama", "jenis_kelamin", "tanggal_lahir", "pendidikan"]

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
        if validators.normalize_label(earlier[0]) != validators.normalize_label(nama):
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
        merged = self.values.setdefault(nik, {k: None for k in PERSON_FIELDS})
        for name, value in values.items():
            if value not in (None, "") and merged.get(name) in (None, ""):
                merged[name] = value

    def plan(self, imp: Import) -> None:
        """Which people are new and which change; values left empty in the file change nothing.

        Registered people are compared as plain values: building 100,000 model objects to find
        them unchanged would cost more than the comparison."""
        existing = {}
        for part in chunks(list(self.values)):
            rows = Warga.objects.filter(nik__in=part).values("pk", "nik", *PERSON_FIELDS)
            existing.update((row["nik"], row) for row in rows)
        seen, owned = _reach(imp, [row["pk"] for row in existing.values()])
        for nik, values in self.values.items():
            row = existing.get(nik)
            if row is None:
                self.to_create.append((nik, values))
                continue
            if row["pk"] not in seen and not self._same_name(imp, nik, row["nama"]):
                continue
            changes = {k: v for k, v in values.items() if v not in (None, "") and row[k] != v}
            if changes and row["pk"] not in owned:
                imp.warn(self.named[nik][1], "nik", _(
                    "This person is registered in another village: their recorded data was "
                    "kept."))
                continue
            if changes:
                fields = {k: row[k] for k in PERSON_FIELDS} | changes
                self.to_update.append(Warga(pk=row["pk"], nik=nik, **fields))
        self.ids = {n: r["pk"] for n, r in existing.items()}

    def _same_name(self, imp: Import, nik: str, registered: str) -> bool:
        """A NIK registered to someone the user does not see is linked only when the file names
        them as registered; the error does not say the registered name."""
        nama, row = self.named[nik]
        if validators.normalize_label(nama) == validators.normalize_label(registered):
            return True
        imp.error(row, "nama", _(
            "This name does not match the name registered with this NIK in another village. "
            "Check the NIK and the name."), nama)
        return False

    def write(self, imp: Import) -> None:
        """Write the new and changed people; then `ids` holds every NIK of the file."""
        insert_rows(Warga, [
            (nik, v["nama"], v["jenis_kelamin"] or "", v["tanggal_lahir"],
             v["pendidikan"] or "", None, None, None, "")
            for nik, v in self.to_create
        ])
        if self.to_update:
            Warga.objects.bulk_update(self.to_update, PERSON_FIELDS, batch_size=1000)
            audit.record(Warga, [w.pk for w in self.to_update])
            rekap.mark_chairs_stale([w.pk for w in self.to_update])
        for part in chunks([nik for nik, _values in self.to_create]):
            self.ids.update(Warga.objects.filter(nik__in=part).values_list("nik", "pk"))


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


class AnggotaSheet(SheetHandler):
    name = "anggota"
    verbose_name = gettext_lazy("members")
    after = ("perkumpulan",)
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
    ]

    def parse(self, row: Row, imp: Import):
        kode = imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan, required=True)
        nik = imp.cell(row, "nik", to_nik, required=True)
        person = {
            "nama": imp.cell(row, "nama", to_name, required=True),
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
        }

    def check(self, parsed: list, imp: Import) -> dict[tuple, dict]:
        in_file = imp.groups.defined
        people = imp.part(People)
        registered = known_groups(imp, [i["kode"] for i in parsed if i["kode"] not in in_file])
        memberships: dict[tuple, dict] = {}
        chairs: dict[str, dict] = {}
        for item in parsed:
            row = item["row"]
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
        return memberships

    def plan(self, memberships: dict[tuple, dict], imp: Import):
        people = imp.part(People)
        renamed = {w.nik for w in people.to_update}
        group_ids = known_groups(imp, {kode for kode, _nik in memberships})
        person_ids = people.ids
        # Current memberships as (pk, role, start) by (group, person): plain values again.
        current = {}
        for part in chunks(list(set(group_ids.values()))):
            rows = Keanggotaan.objects.filter(perkumpulan_id__in=part, selesai__isnull=True)
            for pk, group, person, peran, mulai in rows.values_list(
                "pk", "perkumpulan_id", "warga_id", "peran", "mulai"
            ):
                current[(group, person)] = (pk, peran, mulai)
        chairs = {g: p for (g, p), (_pk, peran, _m) in current.items() if peran == "KETUA"}
        in_file = {(group_ids.get(k), person_ids.get(n)): i for (k, n), i in memberships.items()}
        counts = imp.counts.setdefault(self.name, Counts())
        today = timezone.localdate()
        plan = {"create": [], "close": [], "move": []}
        for (kode, nik), item in memberships.items():
            key = (group_ids.get(kode), person_ids.get(nik))
            mulai = datetime.date(item["mulai"], 1, 1) if item["mulai"] else None
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
        ])
        mark_groups_stale(
            [group_ids[kode] for kode, *_rest in plan["create"]]
            + [m.perkumpulan_id for m in plan["close"]]
        )

    text_columns = ("nik",)

    def export_rows(self, user, area):
        personal = access.can_see_personal_data(user)
        memberships = (
            Keanggotaan.objects.visible_to(user)
            .filter(access.within(area, "perkumpulan__desa", any_level=True), selesai__isnull=True)
            .select_related("warga", "perkumpulan")
            .order_by("perkumpulan__kode", "warga__nik")
        )
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
            ]

    def dropdowns(self):
        return {
            "jenis_kelamin": (["L", "P"], True),
            "pendidikan": (choice_labels(Pendidikan), True),
            "peran": (choice_labels(PeranAnggota), True),
        }
