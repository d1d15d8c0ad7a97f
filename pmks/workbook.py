"""The `pmks` sheet: one row per case, keyed by (person, category) or (name, village, category).

A registered person (a row with a NIK) has at most one open case per category; closed cases are
history. A row finds its case within the person's cases of the category (`match_episodes`):
an open row updates the open case, or starts a new episode linked to the latest closed case; a
closed row updates the case of the same identification date, else closes the open case (when
no open row of the file names it), else updates the only closed case, else is a closed episode
of its own. A file with one row per person and category (every workbook before) imports as
before, except that an open row for a closed case starts a new episode instead of reopening it.
"""

from collections import defaultdict
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.workbook import People
from pmks.models import KasusPMKS, KategoriPMKS, LogAkses, RiwayatStatus, StatusKasus, Tindakan
from registry import access, audit, rekap
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    name_of,
    to_kode_perkumpulan,
    to_nik,
    to_past_date,
    to_rw_rt,
    to_text,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.perkumpulan import known_groups
from registry.workbook.writer import chunks, same

STATUS = matcher(
    choice_lookup(StatusKasus, {"MENOLAK": ["Menolak"], "SELESAI": ["Selesai Ditangani"]}),
    gettext_lazy("status"),
    ["Teridentifikasi", "Ditangani", "Dirujuk", "Selesai", "Menolak Bantuan"],
)
FIELDS = ["nama", "rw", "rt", "tanggal_identifikasi", "status", "pendamping_id", "catatan"]
OPEN = "open"


def match_episodes(items: list, cases: list) -> tuple[dict, int | None]:
    """One person's rows and stored cases of one category (cases oldest first) -> (the case each
    row updates, by the row's index in `items`: absent for a new case; the case a new episode
    links to). Each case is updated by one row at most."""
    claimed, found = set(), {}

    def claim(i, case):
        claimed.add(case.pk)
        found[i] = case

    def is_open(status) -> bool:
        return status not in KasusPMKS.CLOSED

    open_rows = [i for i, item in enumerate(items) if is_open(item["status"])]
    closed_rows = [i for i, item in enumerate(items) if not is_open(item["status"])]
    open_case = next((c for c in cases if is_open(c.status)), None)
    # A closed row names its case by the identification date (a closed one, or the open one it
    # closes).
    for i in closed_rows:
        when = items[i]["tanggal_identifikasi"]
        same_day = [c for c in cases if when and c.tanggal_identifikasi == when
                    and c.pk not in claimed]
        if same_day:
            claim(i, same_day[-1])
    # The open row updates the open case.
    for i in open_rows:
        if open_case is not None and open_case.pk not in claimed:
            claim(i, open_case)
    # A closed row left closes the open case no open row names, else updates the only closed
    # case (a file of one row per person and category, as before).
    left = [i for i in closed_rows if i not in found]
    for i in left:
        if open_case is not None and open_case.pk not in claimed and not open_rows:
            claim(i, open_case)
        elif len(left) == 1:
            earlier = [c for c in cases if not is_open(c.status) and c.pk not in claimed]
            if earlier:
                claim(i, earlier[-1])
    # A new episode follows the latest case that is closed once the file is in.
    stays_open = {c.pk for i, c in found.items() if is_open(items[i]["status"])}
    if open_case is not None and open_case.pk not in claimed:
        stays_open.add(open_case.pk)
    previous = [c.pk for c in cases if c.pk not in stays_open]
    return found, (previous[-1] if previous else None)


class _Categories:
    """The PMKS categories' converter, loaded once per import."""

    def __init__(self):
        categories = list(KategoriPMKS.objects.all())
        self.match = matcher(
            KategoriPMKS.lookup(categories), _("PMKS category"), [c.nama for c in categories]
        )


class PmksSheet(SheetHandler):
    name = "pmks"
    verbose_name = gettext_lazy("PMKS cases")
    after = ("perkumpulan",)
    stages = (People,)
    columns = [
        Column("nik"),
        Column("nama", required=True),
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("rw"),
        Column("rt"),
        Column("kategori", required=True),
        Column("tanggal_identifikasi"),
        Column("kode_perkumpulan_pendamping", aliases=("pendamping",)),
        Column("status"),
        Column("catatan"),
    ]

    def category(self, imp: Import):
        return imp.part(_Categories).match

    def parse(self, row: Row, imp: Import):
        if imp.user is not None and not access.can_see_pmks(imp.user):
            imp.error(row, "nama", _("Your role may not see or import PMKS cases."), "")
            return None
        nik = imp.cell(row, "nik", to_nik)
        item = {
            "row": row,
            "nik": nik,
            "nama": imp.cell(row, "nama", name_of(KasusPMKS, "nama"), required=True),
            "desa": imp.desa(row, "kode_wilayah"),
            "kategori": imp.cell(row, "kategori", self.category(imp), required=True),
            "rw": imp.cell(row, "rw", to_rw_rt),
            "rt": imp.cell(row, "rt", to_rw_rt),
            "tanggal_identifikasi": imp.cell(row, "tanggal_identifikasi", to_past_date),
            "pendamping": imp.cell(row, "kode_perkumpulan_pendamping", to_kode_perkumpulan),
            "status": imp.cell(row, "status", STATUS) or StatusKasus.TERIDENTIFIKASI,
            "catatan": imp.cell(row, "catatan", to_text) or "",
        }
        if None in (item["nama"], item["desa"], item["kategori"]):
            return None
        return item

    def check(self, parsed: list, imp: Import) -> list:
        in_file = imp.groups.defined
        people = imp.part(People)
        helpers = [i["pendamping"] for i in parsed if i["pendamping"]]
        registered = known_groups(imp, [k for k in helpers if k not in in_file])
        keys = {}
        for item in parsed:
            row = item["row"]
            helper = item["pendamping"]
            if helper and helper not in in_file and helper not in registered:
                imp.error(
                    row,
                    "kode_perkumpulan_pendamping",
                    _(
                        "Group %(kode)s is neither on the perkumpulan sheet nor registered in your "
                        "area."
                    )
                    % {"kode": item["pendamping"]},
                )
            if item["nik"]:
                people.note(imp, row, item["nik"], item["nama"])
                people.merge(item["nik"], {"nama": item["nama"]})
            key = self.row_key(item)
            earlier = keys.setdefault(key, item)
            if earlier is not item:
                imp.error(
                    row,
                    "kategori",
                    (_("This person has an open case of this category on row %(row)d already: "
                       "one open case per person and category.") if key[-1] == OPEN else
                     _("The same person and category are on row %(row)d already."))
                    % {"row": earlier["row"].number},
                )
        return parsed

    @staticmethod
    def key(item) -> tuple:
        """The case's key: a person's cases of a category, or a name's case in a village."""
        if item["nik"]:
            return ("nik", item["nik"], item["kategori"].pk)
        return ("nama", item["nama"].casefold(), item["desa"].pk, item["kategori"].pk)

    @classmethod
    def row_key(cls, item) -> tuple:
        """A row's key within the file: a person has one open row per category, and closed
        rows (history) told apart by their identification date."""
        if not item["nik"]:
            return cls.key(item)
        if item["status"] not in KasusPMKS.CLOSED:
            return (*cls.key(item), OPEN)
        return (*cls.key(item), "closed", item["tanggal_identifikasi"])

    def plan(self, parsed: list, imp: Import):
        person_ids = imp.part(People).ids
        desas = {i["desa"].pk for i in parsed}
        by_name, by_person = {}, defaultdict(dict)
        for part in chunks(list(desas)):
            for case in KasusPMKS.objects.filter(desa_id__in=part).select_related("warga"):
                if case.warga_id:
                    by_person[("nik", case.warga.nik, case.kategori_id)][case.pk] = case
                else:
                    by_name[("nama", case.nama.casefold(), case.desa_id, case.kategori_id)] = case
        # A registered person's case may sit in another village: look those up by person.
        wanted = [person_ids[i["nik"]] for i in parsed if i["nik"] in person_ids]
        for part in chunks(wanted):
            for case in KasusPMKS.objects.filter(warga_id__in=part).select_related("warga"):
                by_person[("nik", case.warga.nik, case.kategori_id)][case.pk] = case
        # Each row's case: by name, or among the person's episodes of the category.
        rows_of = defaultdict(list)
        for item in parsed:
            if item["nik"]:
                rows_of[self.key(item)].append(item)
        found, previous = {}, {}
        for key, items in rows_of.items():
            cases = sorted(by_person.get(key, {}).values(), key=lambda c: c.pk)
            matched, before = match_episodes(items, cases)
            for i, item in enumerate(items):
                found[id(item)] = matched.get(i)
                previous[id(item)] = before
        helper_ids = known_groups(imp, {i["pendamping"] for i in parsed if i["pendamping"]})
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"create": [], "update": [], "episodes": defaultdict(list)}
        for item in parsed:
            values = {
                "nama": item["nama"],
                "rw": item["rw"],
                "rt": item["rt"],
                "tanggal_identifikasi": item["tanggal_identifikasi"],
                "status": item["status"],
                "pendamping_id": helper_ids.get(item["pendamping"]),
                "catatan": item["catatan"],
                "desa_id": item["desa"].pk,
                "kategori_id": item["kategori"].pk,
            }
            if item["nik"]:
                case = found[id(item)]
            else:
                case = by_name.get(self.key(item))
            if case is None:
                values["kasus_sebelumnya_id"] = previous.get(id(item))
                if item["nik"]:
                    plan["episodes"][self.key(item)].append(len(plan["create"]))
                plan["create"].append((item["nik"], item["pendamping"], values))
                counts.created += 1
            elif same(case, values):
                counts.unchanged += 1
            else:
                moved = case.status != values["status"]
                for name, value in values.items():
                    setattr(case, name, value)
                plan["update"].append((case, item["pendamping"], moved))
                counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        person_ids = imp.part(People).ids
        helpers = ({p for _n, p, _v in plan["create"] if p}
                   | {p for _c, p, _m in plan["update"] if p})
        helper_ids = known_groups(imp, helpers)
        # Updates first: a case this file closes makes room for the person's new open episode.
        for case, helper, _moved in plan["update"]:
            case.pendamping_id = helper_ids.get(helper)
        if plan["update"]:
            KasusPMKS.objects.bulk_update(
                [c for c, _h, _m in plan["update"]], FIELDS + ["desa_id"], batch_size=1000
            )
            audit.record(KasusPMKS, [c.pk for c, _h, _m in plan["update"]])
        cases = []
        for nik, helper, values in plan["create"]:
            values["pendamping_id"] = helper_ids.get(helper)
            cases.append(KasusPMKS(warga_id=person_ids.get(nik) if nik else None, **values))
        KasusPMKS.objects.bulk_create(cases, batch_size=1000)
        # Several new episodes of one person and category (history written at once): each links
        # to the one before it — closed ones by identification date, the open one last.
        chained = []
        for indexes in plan["episodes"].values():
            if len(indexes) < 2:
                continue
            episodes = sorted((cases[i] for i in indexes), key=lambda c: (
                c.status not in KasusPMKS.CLOSED, c.tanggal_identifikasi or date.min))
            for before, after in zip(episodes, episodes[1:], strict=False):
                after.kasus_sebelumnya_id = before.pk
                chained.append(after)
        if chained:
            KasusPMKS.objects.bulk_update(chained, ["kasus_sebelumnya"], batch_size=1000)
        audit.record(KasusPMKS, [c.pk for c in cases], "+")
        # Their villages' recap counts, and those of the villages updated cases left.
        rekap.mark_stale({c.desa_id for c in cases}
                         | {d for c, _h, _m in plan["update"]
                            for d in (c.desa_id, getattr(c, "desa_tersimpan", None))})
        # Every new case starts its status history; an imported status change is kept too.
        note = _("survey import")
        today = timezone.localdate()
        RiwayatStatus.objects.bulk_create(
            [RiwayatStatus(kasus=c, status=c.status, oleh=imp.user, catatan=note,
                           tanggal=c.tanggal_identifikasi or today) for c in cases]
            + [RiwayatStatus(kasus=c, status=c.status, oleh=imp.user, catatan=note,
                             tanggal=today) for c, _h, moved in plan["update"] if moved],
            batch_size=1000,
        )

    text_columns = ("nik",)

    def export_rows(self, user, area):
        if not access.can_see_pmks(user):
            return None
        # The survey workbook's pmks sheet holds full NIKs: an export, logged as every other.
        LogAkses.catat(user, Tindakan.EKSPOR, area, keterangan="formulir pendataan")
        cases = (
            KasusPMKS.objects.visible_to(user)
            .filter(access.within(area, "desa"))
            .select_related("warga", "kategori", "pendamping")
            .order_by("desa_id", "nama", "kategori__kode", "pk")
        )
        return (
            [
                c.warga.nik if c.warga_id else None,
                c.nama,
                c.desa_id,
                c.rw,
                c.rt,
                c.kategori.nama,
                c.tanggal_identifikasi,
                c.pendamping.kode if c.pendamping_id else None,
                choice_label(StatusKasus, c.status),
                c.catatan or None,
            ]
            for c in cases.iterator(chunk_size=5000)
        )

    def dropdowns(self):
        return {
            "kategori": ([c.nama for c in KategoriPMKS.objects.all()], True),
            "status": (choice_labels(StatusKasus), True),
        }
