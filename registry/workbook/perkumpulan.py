"""The `perkumpulan` sheet of the survey workbook: one row per group, keyed by kode_perkumpulan."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access, audit, rekap, validators
from registry.models import (
    Daftar,
    JaringanKerja,
    JenisDana,
    JenisPerkumpulan,
    Perkumpulan,
    Pilihan,
    Prakarsa,
)
from registry.workbook.cells import (
    choice_label,
    choice_labels,
    choice_lookup,
    matcher,
    multi,
    name_of,
    to_bool,
    to_int,
    to_kode_perkumpulan,
    to_rw_rt,
    to_text,
    to_year,
)
from registry.workbook.frame import Column, Counts, Import, Row, SheetHandler
from registry.workbook.writer import chunks, insert_rows, inserted_ids, same

# Names no longer than their records hold: a group's, and a new activity added to its list.
GROUP_NAME = name_of(Perkumpulan, "nama")
LIST_NAME = name_of(Pilihan, "nama")
# Multi-valued columns and the list each draws from.
MULTI_COLUMNS = {
    "syarat_keanggotaan": Daftar.SYARAT,
    "sumber_dana": Daftar.SUMBER_DANA,
    "nilai_solidaritas": Daftar.NILAI,
    "kegiatan": Daftar.KEGIATAN,
}
SCALAR_FIELDS = [
    "nama",
    "jenis_id",
    "desa_id",
    "rw",
    "rt",
    "tahun_berdiri",
    "tujuan_id",
    "jumlah_anggota",
    "masa_kepengurusan",
    "jaringan_kerja",
    "prakarsa",
    "aktif",
]


def to_term(value) -> int:
    """A board's term in years: what a small integer column holds."""
    return to_int(value, maximum=32767)


def known_groups(imp: Import, kodes) -> dict[str, int]:
    """Ids of the registered groups with these codes that the importing user may change.

    Loaded once per code and kept for the whole file; groups the perkumpulan sheet creates are
    added when they are written."""
    found = imp.groups.ids
    unknown = imp.groups.unknown
    wanted = [k for k in set(kodes) if k not in found and k not in unknown]
    queryset = Perkumpulan.objects.all()
    if imp.user is not None:
        queryset = Perkumpulan.objects.editable_by(imp.user)
    for part in chunks(wanted):
        found.update(queryset.filter(kode__in=part).values_list("kode", "pk"))
    unknown.update(k for k in wanted if k not in found)
    return {k: found[k] for k in kodes if k in found}


# The fixed lists' converters (the admin's group import reads these columns with them too).
JARINGAN_KERJA = matcher(
    choice_lookup(JaringanKerja),
    gettext_lazy("working network"),
    ["Organisasi Sosial", "Pemerintah", "Tidak Ada"],
)
PRAKARSA = matcher(choice_lookup(Prakarsa), gettext_lazy("initiator"), ["Masyarakat", "Pemerintah"])
# The one list of funds (registry.models.JenisDana): the groups' own funds, the forum's, the
# sources of PMKS help.
JENIS_DANA = matcher(
    choice_lookup(
        JenisDana,
        {
            "IURAN": ["Iuran", "Iuran Anggota"],
            "SIMPAN_PINJAM": ["Simpan Pinjam", "Simpan-pinjam"],
            "DANA_KEMATIAN": ["Dana Kematian", "Dana Sosial Kematian"],
            "JIMPITAN": ["Jimpitan", "Jimpitan Beras"],
            "SUMBANGAN": ["Sumbangan", "Sumbangan Masyarakat"],
            "ZAKAT_INFAK": ["Zakat", "Infak", "Infaq", "Zakat/Infak", "Zakat/Infaq", "ZIS"],
            "DANA_DESA": ["Dana Desa", "ADD", "Alokasi Dana Desa"],
            "PEMERINTAH": ["Pemerintah", "Bantuan Pemerintah", "APBN", "APBD",
                           "Pemerintah (APBN/APBD)"],
            "CSR": ["Dunia Usaha/CSR", "Dunia Usaha", "Perusahaan", "Perusahaan (CSR)"],
            "LAIN": ["Lainnya", "Lain-lain"],
        },
    ),
    gettext_lazy("fund"),
    ["Iuran Anggota", "Arisan", "Simpan-pinjam", "Dana Kematian", "Jimpitan Beras",
     "Sumbangan Masyarakat", "Zakat/Infak", "Dana Desa", "Pemerintah (APBN/APBD)",
     "Dunia Usaha/CSR", "Lainnya"],
)


class _Converters(dict):
    """The converters of the sheet's lists by column, loaded once per import."""

    def __init__(self):
        super().__init__()
        jenis = JenisPerkumpulan.objects.all()
        pilihan = list(Pilihan.objects.all())
        lists = {daftar: [p for p in pilihan if p.daftar == daftar] for daftar in Daftar.values}
        made = {
            "jenis": matcher(
                JenisPerkumpulan.lookup(jenis), _("group type"), [j.nama for j in jenis]
            ),
            "tujuan": matcher(
                Pilihan.lookup(lists[Daftar.TUJUAN]),
                Daftar.TUJUAN.label,
                [p.nama for p in lists[Daftar.TUJUAN]],
            ),
            "jaringan_kerja": JARINGAN_KERJA,
            "prakarsa": PRAKARSA,
        }
        for column, daftar in MULTI_COLUMNS.items():
            lookup = Pilihan.lookup(lists[daftar])
            names = [p.nama for p in lists[daftar]]
            if daftar == Daftar.KEGIATAN:
                # An open list: a new activity is added to it (as its name).
                made[column] = multi(
                    lambda v, lookup=lookup: lookup.get(
                        validators.normalize_label(to_text(v)), LIST_NAME(v)
                    )
                )
            else:
                made[column] = multi(matcher(lookup, Daftar(daftar).label, names))
        self.update(made)


class PerkumpulanSheet(SheetHandler):
    name = "perkumpulan"
    verbose_name = gettext_lazy("groups")
    columns = [
        Column("kode_perkumpulan", required=True, aliases=("kode",)),
        Column("kode_wilayah", required=True, aliases=("wilayah",)),
        Column("nama", required=True, aliases=("nama_perkumpulan",)),
        Column("jenis", required=True, aliases=("jenis_perkumpulan",)),
        Column("rw"),
        Column("rt"),
        Column("tahun_berdiri", required=True),
        Column("tujuan"),
        Column("jumlah_anggota"),
        Column("syarat_keanggotaan"),
        Column("masa_kepengurusan"),
        Column("sumber_dana"),
        Column("jaringan_kerja"),
        Column("nilai_solidaritas"),
        Column("kegiatan"),
        Column("prakarsa"),
        Column("aktif"),
    ]

    def converters(self, imp: Import) -> dict:
        return imp.part(_Converters)

    def parse(self, row: Row, imp: Import):
        convert = self.converters(imp)
        kode = imp.cell(row, "kode_perkumpulan", to_kode_perkumpulan, required=True)
        desa = imp.desa(row, "kode_wilayah", any_level=True)
        values = {
            "nama": imp.cell(row, "nama", GROUP_NAME, required=True),
            "jenis": imp.cell(row, "jenis", convert["jenis"], required=True),
            "rw": imp.cell(row, "rw", to_rw_rt),
            "rt": imp.cell(row, "rt", to_rw_rt),
            "tahun_berdiri": imp.cell(row, "tahun_berdiri", to_year, required=True),
            "tujuan": imp.cell(row, "tujuan", convert["tujuan"]),
            "jumlah_anggota": imp.cell(row, "jumlah_anggota", to_int),
            # Years, in a small integer column.
            "masa_kepengurusan": imp.cell(row, "masa_kepengurusan", to_term),
            "jaringan_kerja": imp.cell(row, "jaringan_kerja", convert["jaringan_kerja"]) or "",
            "prakarsa": imp.cell(row, "prakarsa", convert["prakarsa"]) or "",
            "aktif": imp.cell(row, "aktif", to_bool),
        }
        if values["aktif"] is None:
            values["aktif"] = True
        for column in MULTI_COLUMNS:
            values[column] = imp.cell(row, column, convert[column]) or []
        if kode is None or desa is None:
            return None
        values["desa"] = desa
        return {"row": row, "kode": kode, "values": values}

    def check(self, parsed: list, imp: Import) -> dict[str, dict]:
        first: dict[str, dict] = {}
        for item in parsed:
            earlier = first.setdefault(item["kode"], item)
            if earlier is not item and earlier["values"] != item["values"]:
                imp.error(
                    item["row"],
                    "kode_perkumpulan",
                    _("Code %(kode)s is used on row %(row)d for a different group.")
                    % {"kode": item["kode"], "row": earlier["row"].number},
                )
        imp.groups.defined = first
        # A code may not take over a registered group the user may not change.
        taken = set()
        for part in chunks(list(first)):
            taken.update(Perkumpulan.objects.filter(kode__in=part).values_list("kode", flat=True))
        mine = known_groups(imp, taken)
        for kode in taken - set(mine):
            imp.error(
                first[kode]["row"],
                "kode_perkumpulan",
                _("Code %(kode)s belongs to a group outside your area.") % {"kode": kode},
            )
        return first

    def plan(self, groups: dict[str, dict], imp: Import):
        existing = {}
        # A group's list values as the pks of its through rows: no list value is built as a
        # model instance (thousands a file, each held until the import ends).
        chosen: dict[tuple[str, int], set[int]] = {}
        for part in chunks(list(groups)):
            found = {g.pk: g for g in Perkumpulan.objects.filter(kode__in=part)}
            existing.update((g.kode, g) for g in found.values())
            for column in MULTI_COLUMNS:
                through = getattr(Perkumpulan, column).through
                rows = through.objects.filter(perkumpulan_id__in=list(found))
                for group, value in rows.values_list("perkumpulan_id", "pilihan_id"):
                    chosen.setdefault((column, group), set()).add(value)
        new_activities = {}
        for item in groups.values():
            for value in item["values"]["kegiatan"]:
                if isinstance(value, str):
                    new_activities.setdefault(validators.normalize_label(value), value)
        plan = {"create": [], "update": [], "m2m": {}, "activities": list(new_activities.values())}
        counts = imp.counts.setdefault(self.name, Counts())
        for kode, item in groups.items():
            v = item["values"]
            scalars = {
                "nama": v["nama"],
                "jenis_id": v["jenis"].pk,
                "desa_id": v["desa"].pk,
                "rw": v["rw"],
                "rt": v["rt"],
                "tahun_berdiri": v["tahun_berdiri"],
                "tujuan_id": v["tujuan"].pk if v["tujuan"] else None,
                "jumlah_anggota": v["jumlah_anggota"],
                "masa_kepengurusan": v["masa_kepengurusan"],
                "jaringan_kerja": v["jaringan_kerja"],
                "prakarsa": v["prakarsa"],
                "aktif": v["aktif"],
            }
            m2m = {column: v[column] for column in MULTI_COLUMNS}
            group = existing.get(kode)
            if group is None:
                plan["create"].append(Perkumpulan(kode=kode, **scalars))
                plan["m2m"][kode] = m2m
                counts.created += 1
                continue
            m2m_same = all(
                chosen.get((column, group.pk), set())
                == {p.pk for p in values if not isinstance(p, str)}
                and not any(isinstance(p, str) for p in values)
                for column, values in m2m.items()
            )
            if same(group, scalars) and m2m_same:
                counts.unchanged += 1
                continue
            for name, value in scalars.items():
                setattr(group, name, value)
            plan["update"].append(group)
            plan["m2m"][kode] = m2m
            counts.updated += 1
        return plan

    def write(self, plan, imp: Import) -> None:
        activities = {}
        if plan["activities"]:
            used = set(
                Pilihan.objects.filter(daftar=Daftar.KEGIATAN).values_list("kode", flat=True)
            )
            for name in plan["activities"]:
                kode = _new_code(name, used)
                activities[validators.normalize_label(name)] = Pilihan.objects.create(
                    daftar=Daftar.KEGIATAN, kode=kode, nama=name, urutan=999
                )
        # As rows (insert_rows, with their history rows): bulk_create's 3,000 groups of a
        # district took ~0.5 s on PostgreSQL preparing queries of 8,500 parameters each.
        attnames = [Perkumpulan._meta.get_field(name).attname for name in Perkumpulan.bulk_columns]
        before = insert_rows(Perkumpulan, [
            tuple(getattr(group, attname) for attname in attnames) for group in plan["create"]
        ])
        if plan["create"]:
            new = inserted_ids(Perkumpulan, before, "kode")
            for group in plan["create"]:
                group.pk = new[group.kode]
                group._state.adding = False
        if plan["update"]:
            Perkumpulan.objects.bulk_update(plan["update"], SCALAR_FIELDS, batch_size=500)
            audit.record(Perkumpulan, [g.pk for g in plan["update"]])
        ids = imp.groups.ids
        for group in plan["create"] + plan["update"]:
            ids[group.kode] = group.pk
            imp.groups.unknown.discard(group.kode)
        # Many-to-many values: replace the rows of every created or changed group.
        changed = [ids[kode] for kode in plan["m2m"]]
        for column in MULTI_COLUMNS:
            through = getattr(Perkumpulan, column).through
            for part in chunks(changed):
                through.objects.filter(perkumpulan_id__in=part).delete()
            # Rows as tuples (insert_rows): bulk_create spent ~1 s making and preparing the
            # through models of a district's 3,000 groups.
            insert_rows(through, [
                (ids[kode],
                 activities[validators.normalize_label(p)].pk if isinstance(p, str) else p.pk)
                for kode, m2m in plan["m2m"].items()
                for p in m2m[column]
            ], ("perkumpulan", "pilihan"))
        rekap.mark_stale(
            {g.desa_id for g in plan["create"] + plan["update"]}
            | {getattr(g, "desa_tersimpan", None) for g in plan["update"]}
        )

    def export_rows(self, user, area):
        groups = (
            Perkumpulan.objects.visible_to(user)
            .filter(access.within(area, "desa", any_level=True))
            .select_related("jenis", "tujuan")
            .prefetch_related(*MULTI_COLUMNS)
            .order_by("kode")
        )
        for g in groups.iterator(chunk_size=2000):
            yield [
                g.kode,
                g.desa_id,
                g.nama,
                g.jenis.nama,
                g.rw,
                g.rt,
                g.tahun_berdiri,
                g.tujuan.nama if g.tujuan else None,
                g.jumlah_anggota,
                _names(g.syarat_keanggotaan),
                g.masa_kepengurusan,
                _names(g.sumber_dana),
                choice_label(JaringanKerja, g.jaringan_kerja),
                _names(g.nilai_solidaritas),
                _names(g.kegiatan),
                choice_label(Prakarsa, g.prakarsa),
                "Ya" if g.aktif else "Tidak",
            ]

    def dropdowns(self):
        pilihan = list(Pilihan.objects.all())

        def names(daftar):
            return [p.nama for p in pilihan if p.daftar == daftar]

        return {
            "jenis": ([j.nama for j in JenisPerkumpulan.objects.all()], True),
            "tujuan": (names(Daftar.TUJUAN), True),
            "syarat_keanggotaan": (names(Daftar.SYARAT), False),
            "sumber_dana": (names(Daftar.SUMBER_DANA), False),
            "jaringan_kerja": (choice_labels(JaringanKerja), True),
            "nilai_solidaritas": (names(Daftar.NILAI), False),
            "kegiatan": (names(Daftar.KEGIATAN), False),
            "prakarsa": (choice_labels(Prakarsa), True),
            "aktif": (["Ya", "Tidak"], True),
        }


def _names(related) -> str | None:
    """A many-to-many value as the workbook writes it: names joined by '; ' (prefetched)."""
    return "; ".join(p.nama for p in related.all()) or None



def _new_code(name: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")[:16] or "KEGIATAN"
    kode, n = base, 1
    while kode in used:
        n += 1
        kode = f"{base}_{n}"[:20]
    used.add(kode)
    return kode
