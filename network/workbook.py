"""The `jaringan` sheet: one row per working link, keyed by (group, partner, form of the link);
and the `dana` sheet: one row per entry of a group's own fund, keyed by (group, fund, period end).

A partner (`mitra`) is another group's code, or the name of an outside partner: an outside partner
already recorded in the group's village or any area above it is reused, else it is created in the
group's village (then `jenis_mitra` is required)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.models import BentukHubungan, DanaPerkumpulan, Hubungan, JenisMitra, Mitra
from registry import access, audit, validators
from registry.models import JenisDana, Perkumpulan
from registry.rekap import mark_groups_stale
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    name_of,
    text_of,
    to_int,
    to_kode_perkumpulan,
    to_past_date,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.perkumpulan import JENIS_DANA, known_groups
from registry.workbook.writer import chunks, insert_rows

# Texts no longer than their records hold (told at their cell, never cut).
PARTNER_NAME = name_of(Mitra, "nama")
LINK_NOTE = text_of(Hubungan, "keterangan")
FUND_NOTE = text_of(DanaPerkumpulan, "keterangan")
PARTNER_TYPE = matcher(
    choice_lookup(
        JenisMitra,
        {
            "PERKUMPULAN": ["Perkumpulan", "Kelompok"],
            "ORSOS": ["Organisasi Sosial", "Orsos"],
            "CSR": ["Dunia Usaha/CSR", "Dunia Usaha", "CSR"],
            "LSM": ["LSM", "NGO"],
        },
    ),
    gettext_lazy("partner type"),
    ["Perkumpulan", "Organisasi Sosial", "Pemerintah", "Dunia Usaha/CSR", "LSM"],
)
FORM = matcher(
    choice_lookup(
        BentukHubungan,
        {
            "BERBAGI": ["Berbagi Sumber Daya"],
            "BERJENJANG": ["Berjenjang (vertikal)", "Vertikal"],
            "SEJENIS": ["Sejenis (horizontal)", "Horizontal"],
        },
    ),
    gettext_lazy("form of the link"),
    [
        "Koordinasi",
        "Rujukan",
        "Berbagi Sumber Daya",
        "Berjenjang (vertikal)",
        "Sejenis (horizontal)",
    ],
)


def group_code_or_none(value):
    try:
        return to_kode_perkumpulan(value)
    except validators.ValidationError:
        return None


class JaringanSheet(SheetHandler):
    name = "jaringan"
    verbose_name = gettext_lazy("working links")
    after = ("perkumpulan",)
    columns = [
        Column("kode_perkumpulan", required=True, aliases=("kode",)),
        Column("mitra", required=True),
        Column("jenis_mitra"),
        Column("bentuk_hubungan", aliases=("bentuk",)),
        Column("keterangan"),
    ]

    def parse(self, row: Row, imp: Import):
        item = {
            "row": row,
            "kode": imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan, required=True),
            "mitra": imp.cell(row, "mitra", PARTNER_NAME, required=True),
            "jenis_mitra": imp.cell(row, "jenis_mitra", PARTNER_TYPE),
            "bentuk": imp.cell(row, "bentuk_hubungan", FORM) or "",
            "keterangan": imp.cell(row, "keterangan", LINK_NOTE) or "",
        }
        if item["kode"] is None or item["mitra"] is None:
            return None
        return item

    def check(self, parsed: list, imp: Import) -> list:
        in_file = imp.groups.defined
        codes = {i["kode"] for i in parsed}
        codes |= {c for i in parsed if (c := group_code_or_none(i["mitra"]))}
        registered = known_groups(imp, [c for c in codes if c not in in_file])
        # Partner groups may lie outside the user's area (a link to a neighbour's group): any
        # registered group counts as a known code there.
        partner_codes = [c for c in codes if c not in in_file and c not in registered]
        anywhere = set()
        for part in chunks(partner_codes):
            anywhere.update(
                Perkumpulan.objects.filter(kode__in=part).values_list("kode", flat=True)
            )
        group_codes = anywhere | set(registered) | set(in_file)
        keys = {}
        for item in parsed:
            row = item["row"]
            if item["kode"] not in in_file and item["kode"] not in registered:
                imp.error(
                    row,
                    "kode_perkumpulan",
                    _(
                        "Group %(kode)s is neither on the perkumpulan sheet nor registered in your "
                        "area."
                    )
                    % {"kode": item["kode"]},
                )
                continue
            is_group = group_code_or_none(item["mitra"]) in group_codes
            item["is_group"] = is_group
            if is_group and item["mitra"] == item["kode"]:
                imp.error(row, "mitra", _("A group cannot be linked to itself."))
            if not is_group and item["jenis_mitra"] == JenisMitra.PERKUMPULAN:
                imp.error(
                    row, "mitra", _("No group has the code %(kode)s.") % {"kode": item["mitra"]}
                )
            if is_group and item["jenis_mitra"] not in (None, JenisMitra.PERKUMPULAN):
                imp.error(
                    row,
                    "jenis_mitra",
                    _("%(kode)s is a group's code: leave jenis_mitra empty or write Perkumpulan.")
                    % {"kode": item["mitra"]},
                )
            key = (item["kode"], validators.normalize_label(item["mitra"]), item["bentuk"])
            earlier = keys.setdefault(key, item)
            if earlier is not item and earlier["keterangan"] != item["keterangan"]:
                imp.error(
                    row,
                    "keterangan",
                    _("The same link is on row %(row)d already.") % {"row": earlier["row"].number},
                )
        return list(keys.values())

    def partners(self, imp: Import, items: list) -> dict:
        """Outside partners by (village of the group, name): the nearest one recorded in the
        village or an area above it, or None when it must be created."""
        groups = imp.groups.defined
        villages = {}
        for part in chunks([i["kode"] for i in items if i["kode"] not in groups]):
            villages.update(
                Perkumpulan.objects.filter(kode__in=part).values_list("kode", "desa_id")
            )
        villages.update((kode, g["values"]["desa"].pk) for kode, g in groups.items())
        # Partners are few per area: load those of the villages and every area above them,
        # then match names in any case and spacing.
        areas = set()
        for desa in {villages[i["kode"]] for i in items if not i["is_group"]}:
            parts = desa.split(".")
            areas.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        known = {}
        for part in chunks(list(areas)):
            for partner in Mitra.objects.filter(wilayah_id__in=part):
                known.setdefault(validators.normalize_label(partner.nama), []).append(partner)
        found = {}
        for item in items:
            if item["is_group"]:
                continue
            item["desa"] = desa = villages[item["kode"]]
            name = validators.normalize_label(item["mitra"])
            reachable = [
                p
                for p in known.get(name, [])
                if desa == p.wilayah_id or desa.startswith(p.wilayah_id + ".")
            ]
            # The nearest record wins: the village's own, then the kecamatan's, and so on up.
            reachable.sort(key=lambda p: -len(p.wilayah_id))
            found[(desa, name)] = reachable[0] if reachable else None
        return found

    def plan(self, items: list, imp: Import):
        partners = self.partners(imp, items)
        counts = imp.counts.setdefault(self.name, Counts())
        plan = {"new_partners": [], "partners": partners, "create": [], "update": []}
        for item in items:
            if item["is_group"]:
                continue
            key = (item["desa"], validators.normalize_label(item["mitra"]))
            if partners[key] is not None:
                continue
            if item["jenis_mitra"] is None:
                imp.error(
                    item["row"],
                    "jenis_mitra",
                    _(
                        "“%(name)s” is not a group's code nor a registered partner: give its "
                        "type (Organisasi Sosial, Pemerintah, Dunia Usaha/CSR or LSM)."
                    )
                    % {"name": item["mitra"]},
                )
                continue
            partners[key] = Mitra(nama=item["mitra"], jenis=item["jenis_mitra"], wilayah_id=key[0])
            plan["new_partners"].append(partners[key])
        group_ids = known_groups(imp, {i["kode"] for i in items})
        existing = {}
        for part in chunks(list(set(group_ids.values()))):
            for link in Hubungan.objects.filter(perkumpulan_id__in=part).select_related(
                "mitra_perkumpulan"
            ):
                partner = (
                    link.mitra_perkumpulan.kode if link.mitra_perkumpulan_id else link.mitra_luar_id
                )
                existing[(link.perkumpulan_id, partner, link.bentuk)] = link
        for item in items:
            group_id = group_ids.get(item["kode"])
            if item["is_group"]:
                partner = item["mitra"]
            else:
                partner = partners[(item["desa"], validators.normalize_label(item["mitra"]))]
                partner = partner.pk if partner is not None else None
            link = existing.get((group_id, partner, item["bentuk"])) if group_id else None
            if link is None:
                plan["create"].append(item)
                counts.created += 1
            elif link.keterangan != item["keterangan"]:
                link.keterangan = item["keterangan"]
                plan["update"].append(link)
                counts.updated += 1
            else:
                counts.unchanged += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        Mitra.objects.bulk_create(plan["new_partners"])
        items = plan["create"]
        codes = {i["kode"] for i in items} | {i["mitra"] for i in items if i["is_group"]}
        ids = {}
        for part in chunks(list(codes)):
            ids.update(Perkumpulan.objects.filter(kode__in=part).values_list("kode", "pk"))
        links = []
        for item in items:
            link = Hubungan(
                perkumpulan_id=ids[item["kode"]],
                bentuk=item["bentuk"],
                keterangan=item["keterangan"],
            )
            if item["is_group"]:
                link.mitra_perkumpulan_id = ids[item["mitra"]]
            else:
                key = (item["desa"], validators.normalize_label(item["mitra"]))
                link.mitra_luar_id = plan["partners"][key].pk
            links.append(link)
        Hubungan.objects.bulk_create(links, batch_size=1000)
        audit.record(Hubungan, [link.pk for link in links], "+")
        mark_groups_stale(ids.values())  # linked groups are no longer isolated
        if plan["update"]:
            Hubungan.objects.bulk_update(plan["update"], ["keterangan"], batch_size=1000)
            audit.record(Hubungan, [link.pk for link in plan["update"]])

    def export_rows(self, user, area):
        links = (
            Hubungan.objects.visible_to(user)
            .filter(access.within(area, "perkumpulan__desa", any_level=True))
            .select_related("perkumpulan", "mitra_perkumpulan", "mitra_luar")
            .order_by("perkumpulan__kode", "pk")
        )
        for link in links.iterator(chunk_size=5000):
            partner = link.mitra_perkumpulan or link.mitra_luar
            yield [
                link.perkumpulan.kode,
                partner.kode if link.mitra_perkumpulan_id else partner.nama,
                choice_label(JenisMitra, link.jenis_mitra),
                choice_label(BentukHubungan, link.bentuk) or None,
                link.keterangan or None,
            ]

    def dropdowns(self):
        return {
            "jenis_mitra": (choice_labels(JenisMitra), True),
            "bentuk_hubungan": (choice_labels(BentukHubungan), True),
        }


class DanaSheet(SheetHandler):
    """What a group's own fund collected and spent over a period (optional): a row per group,
    fund and period end; a re-import updates the amounts and the note."""

    name = "dana"
    verbose_name = gettext_lazy("group funds")
    after = ("perkumpulan",)
    columns = [
        Column("kode_perkumpulan", required=True, aliases=("kode",)),
        Column("jenis_dana", required=True, aliases=("jenis", "dana")),
        Column("tanggal", required=True, aliases=("akhir_periode", "periode")),
        Column("terkumpul"),
        Column("dipakai", aliases=("terpakai",)),
        Column("keterangan"),
    ]
    AMOUNTS = ("terkumpul", "dipakai", "keterangan")

    def parse(self, row: Row, imp: Import):
        errors = imp.errors.total
        item = {
            "row": row,
            "kode": imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan, required=True),
            "jenis": imp.cell(row, "jenis_dana", JENIS_DANA, required=True),
            "tanggal": imp.cell(row, "tanggal", to_past_date, required=True),
            "terkumpul": imp.cell(row, "terkumpul", to_int) or 0,
            "dipakai": imp.cell(row, "dipakai", to_int) or 0,
            "keterangan": imp.cell(row, "keterangan", FUND_NOTE) or "",
        }
        # A row with a bad cell is told once, not checked further.
        return item if imp.errors.total == errors else None

    def check(self, parsed: list, imp: Import) -> list:
        in_file = imp.groups.defined
        registered = known_groups(imp, [i["kode"] for i in parsed if i["kode"] not in in_file])
        keys = {}
        for item in parsed:
            row = item["row"]
            if item["kode"] not in in_file and item["kode"] not in registered:
                imp.error(row, "kode_perkumpulan", _(
                    "Group %(kode)s is neither on the perkumpulan sheet nor registered in your "
                    "area.") % {"kode": item["kode"]})
                continue
            earlier = keys.setdefault((item["kode"], item["jenis"], item["tanggal"]), item)
            if earlier is not item:
                imp.error(row, "tanggal", _(
                    "This group's entry of this fund for this period is on row %(row)d "
                    "already.") % {"row": earlier["row"].number})
        return list(keys.values())

    def plan(self, items: list, imp: Import):
        counts = imp.counts.setdefault(self.name, Counts())
        group_ids = known_groups(imp, {i["kode"] for i in items})
        existing = {}
        for part in chunks(list(set(group_ids.values()))):
            for entry in DanaPerkumpulan.objects.filter(perkumpulan_id__in=part):
                existing[(entry.perkumpulan_id, entry.jenis, entry.tanggal)] = entry
        plan = {"create": [], "update": []}
        for item in items:
            group_id = group_ids.get(item["kode"])
            entry = existing.get((group_id, item["jenis"], item["tanggal"])) if group_id else None
            if entry is None:
                plan["create"].append(item)
                counts.created += 1
            elif any(getattr(entry, name) != item[name] for name in self.AMOUNTS):
                for name in self.AMOUNTS:
                    setattr(entry, name, item[name])
                plan["update"].append(entry)
                counts.updated += 1
            else:
                counts.unchanged += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        ids = known_groups(imp, {i["kode"] for i in plan["create"]})
        insert_rows(DanaPerkumpulan, [
            (ids[i["kode"]], i["jenis"], i["tanggal"], i["terkumpul"], i["dipakai"],
             i["keterangan"]) for i in plan["create"]])
        if plan["update"]:
            now = timezone.now()
            for entry in plan["update"]:
                entry.diubah = now
            DanaPerkumpulan.objects.bulk_update(plan["update"], [*self.AMOUNTS, "diubah"],
                                                batch_size=1000)
            audit.record(DanaPerkumpulan, [entry.pk for entry in plan["update"]])

    def export_rows(self, user, area):
        entries = (
            DanaPerkumpulan.objects.visible_to(user)
            .filter(access.within(area, "perkumpulan__desa"))
            .select_related("perkumpulan")
            .order_by("perkumpulan__kode", "jenis", "tanggal")
        )
        for entry in entries.iterator(chunk_size=5000):
            yield [
                entry.perkumpulan.kode,
                choice_label(JenisDana, entry.jenis),
                entry.tanggal,
                entry.terkumpul,
                entry.dipakai,
                entry.keterangan or None,
            ]

    def dropdowns(self):
        return {"jenis_dana": (choice_labels(JenisDana), True)}
