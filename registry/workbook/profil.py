"""The `profil_desa` sheet of the survey workbook: a village's own figures for one year (its
monografi, seed 004 III.A), one row per village and year, keyed by kode_wilayah + tahun.

Optional: a workbook without it imports as before. A row sets every figure of its village's
profile for that year (an empty cell empties the figure); the population left empty is men +
women, or the sum of the age bands (as the form does)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access, audit, validators
from registry.models import ProfilDesa
from registry.workbook.cells import text_within, to_int, to_text, to_year
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.writer import chunks, same

# Seed 004 III.A's livelihoods of Cibeureum: the template's suggestions (an open list: any other
# is accepted, several separated by ";").
MATA_PENCAHARIAN = [
    "buruh/pegawai swasta", "pegawai negeri", "pengrajin", "penjahit", "petani", "peternak",
    "usaha warungan (dagang)", "sopir", "dokter", "montir", "pertukangan kayu dan batu",
    "pengemudi becak", "TNI/Polri", "pengusaha", "lain-lain",
]
SOURCE_MAX = ProfilDesa._meta.get_field("sumber").max_length


def _livelihoods(value) -> str:
    return text_within(validators.LIVELIHOODS_MAX)(validators.join_multi(to_text(value)))


class ProfilDesaSheet(SheetHandler):
    name = "profil_desa"
    verbose_name = gettext_lazy("village profiles")
    columns = [
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("tahun", required=True),
        *(Column(name) for name in ProfilDesa.FIGURES),
        Column("mata_pencaharian"),
        Column("sumber"),
    ]

    def parse(self, row: Row, imp: Import):
        desa = imp.desa(row, "kode_wilayah")
        tahun = imp.cell(row, "tahun", to_year, required=True)
        values = {name: imp.cell(row, name, to_int) for name in ProfilDesa.FIGURES}
        values["mata_pencaharian"] = imp.cell(row, "mata_pencaharian", _livelihoods) or ""
        values["sumber"] = imp.cell(row, "sumber", text_within(SOURCE_MAX)) or ""
        failed = False
        for column, message in validators.profil_errors(values).items():
            imp.error(row, column, message)
            failed = True
        if desa is None or tahun is None or failed:
            return None
        values["jumlah_penduduk"] = validators.population_of(values)
        return {"row": row, "key": (desa.pk, tahun), "values": values}

    def check(self, parsed: list, imp: Import) -> dict:
        first: dict[tuple, dict] = {}
        for item in parsed:
            earlier = first.setdefault(item["key"], item)
            if earlier is not item and earlier["values"] != item["values"]:
                imp.error(item["row"], "tahun",
                          _("%(kode)s %(tahun)d is on row %(row)d with other figures.")
                          % {"kode": item["key"][0], "tahun": item["key"][1],
                             "row": earlier["row"].number})
        return first

    def plan(self, profiles: dict, imp: Import):
        existing = {}
        for part in chunks(sorted({desa for desa, _tahun in profiles})):
            existing.update(((p.desa_id, p.tahun), p)
                            for p in ProfilDesa.objects.filter(desa__in=part))
        plan = {"create": [], "update": []}
        counts = imp.counts.setdefault(self.name, Counts())
        for (desa, tahun), item in profiles.items():
            found = existing.get((desa, tahun))
            if found is None:
                plan["create"].append(ProfilDesa(desa_id=desa, tahun=tahun, **item["values"]))
                counts.created += 1
            elif same(found, item["values"]):
                counts.unchanged += 1
            else:
                for name, value in item["values"].items():
                    setattr(found, name, value)
                plan["update"].append(found)
                counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        created = ProfilDesa.objects.bulk_create(plan["create"], batch_size=500)
        audit.record(ProfilDesa, [p.pk for p in created], "+")
        if plan["update"]:
            now = timezone.now()
            for profil in plan["update"]:
                profil.diubah = now
            ProfilDesa.objects.bulk_update(
                plan["update"], [*FIELDS, "diubah"], batch_size=500)
            audit.record(ProfilDesa, [p.pk for p in plan["update"]])

    def export_rows(self, user, area):
        profiles = (ProfilDesa.objects.visible_to(user).filter(access.within(area, "desa"))
                    .order_by("desa", "tahun"))
        for p in profiles.iterator(chunk_size=2000):
            yield [p.desa_id, p.tahun, *(getattr(p, name) for name in FIELDS[:-2]),
                   p.mata_pencaharian or None, p.sumber or None]

    def dropdowns(self):
        return {"mata_pencaharian": (MATA_PENCAHARIAN, False)}


FIELDS = [*ProfilDesa.FIGURES, "mata_pencaharian", "sumber"]
