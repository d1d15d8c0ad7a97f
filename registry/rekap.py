"""The recap (rekap) tables of an area: seed 004's Tables 1–5 and more, for any level.

Every figure comes from an aggregate query in the database (GROUP BY type, bracket or list value);
Python only arranges the few result rows into tables. Each app registers its own tables with
`register_table` from its AppConfig.ready() (the members app brings Tables 3 and 4), so the list
stays open: Tables 10–11 belong to the PMKS cases, 12+ to whoever needs them.

The bracket edges (a group's age, size, board term) live here and nowhere else.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.models import JaringanKerja, JenisPerkumpulan, Perkumpulan, Pilihan, Wilayah

AGE_YEARS = 10  # Table 1: "< 10 tahun" is tahun_acuan − tahun_berdiri < 10
SIZE_BRACKETS = [("≤ 10 orang", None, 10), ("11–20 orang", 11, 20), ("> 20 orang", 21, None)]
TERM_BRACKETS = [("≤ 5 tahun", None, 5), ("6–10 tahun", 6, 10), ("> 10 tahun", 11, None)]


def percent(part: int, whole: int) -> float:
    """A share in percent, rounded half up to 2 decimals (15.385 → 15.39, as people round)."""
    if not whole:
        return 0.0
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def format_percent(value: float) -> str:
    """Indonesian notation: 15,38."""
    return f"{value:.2f}".replace(".", ",")


def bracket_filter(field_name: str, low: int | None, high: int | None) -> Q:
    q = Q()
    if low is not None:
        q &= Q(**{f"{field_name}__gte": low})
    if high is not None:
        q &= Q(**{f"{field_name}__lte": high})
    return q


@dataclass
class Baris:
    label: str
    kode: str
    nilai: list[int]
    jumlah: int = 0
    persen: list[float] = field(default_factory=list)


@dataclass
class Tabel:
    nomor: int
    judul: str
    kolom: list[str]
    baris: list[Baris]
    total: Baris | None = None
    catatan: str = ""
    # Single-column tables give each row's share of all groups, not of the row.
    share_of_groups: bool = False

    def as_dict(self) -> dict:
        data = {
            "nomor": self.nomor,
            "judul": str(self.judul),
            "kolom": self.kolom,
            "baris": [
                {"label": b.label, "kode": b.kode, "nilai": b.nilai, "jumlah": b.jumlah,
                 "persen": b.persen}
                for b in self.baris
            ],
            "total": {"nilai": self.total.nilai, "jumlah": self.total.jumlah,
                      "persen": self.total.persen},
        }
        if self.catatan:
            data["catatan"] = str(self.catatan)
        return data


@dataclass
class Rekap:
    wilayah: Wilayah
    tahun_acuan: int
    groups: QuerySet
    jumlah_perkumpulan: int = 0
    tabel: list[Tabel] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "wilayah": {"kode": self.wilayah.kode, "nama": self.wilayah.nama,
                        "tingkat": self.wilayah.tingkat_label},
            "tahun_acuan": self.tahun_acuan,
            "jumlah_perkumpulan": self.jumlah_perkumpulan,
            "tabel": [t.as_dict() for t in self.tabel],
        }


def make_table(nomor, judul, kolom, rows: list[Baris], total_groups: int, catatan="") -> Tabel:
    """Fill in row totals, percentages and the total row; drop rows whose total is zero."""
    single = kolom == ["jumlah"]
    kept = []
    for row in rows:
        row.jumlah = sum(row.nilai)
        if not row.jumlah:
            continue
        row.persen = (
            [percent(row.jumlah, total_groups)] if single
            else [percent(v, row.jumlah) for v in row.nilai]
        )
        kept.append(row)
    sums = [sum(r.nilai[i] for r in kept) for i in range(len(kolom))]
    total = Baris(label="Jumlah", kode="", nilai=sums, jumlah=sum(sums))
    total.persen = (
        [percent(total.jumlah, total_groups)] if single
        else [percent(v, total.jumlah) for v in sums]
    )
    return Tabel(nomor, judul, kolom, kept, total, catatan, share_of_groups=single)


# Registration --------------------------------------------------------------------------------
TABLES: dict[int, Callable[[Rekap], Tabel]] = {}


def register_table(nomor: int):
    def decorate(build: Callable[[Rekap], Tabel]):
        TABLES[nomor] = build
        return build

    return decorate


def active_groups(area: Wilayah, user=None) -> QuerySet:
    """The active groups within an area (as `user` may see them, when given)."""
    groups = Perkumpulan.objects.visible_to(user) if user is not None else Perkumpulan.objects
    return groups.filter(access.within(area, "desa"), aktif=True)


def build(area: Wilayah, tahun_acuan: int, user=None) -> Rekap:
    groups = active_groups(area, user)
    rekap = Rekap(area, tahun_acuan, groups, groups.count())
    for nomor in sorted(TABLES):
        table = TABLES[nomor](rekap)
        if table is not None:
            rekap.tabel.append(table)
    return rekap


# The group tables ---------------------------------------------------------------------------
def by_type(groups: QuerySet, counts: dict[str, Q]) -> list[Baris]:
    """One row per group type, one conditional count per column: one query."""
    rows = groups.values("jenis").annotate(
        **{f"c{i}": Count("pk", filter=q) for i, q in enumerate(counts.values())}
    )
    found = {r["jenis"]: [r[f"c{i}"] for i in range(len(counts))] for r in rows}
    types = JenisPerkumpulan.objects.filter(pk__in=found).order_by("urutan", "nama")
    return [Baris(t.nama, t.kode, found[t.pk]) for t in types]


def by_list_value(rekap: Rekap, relation: str, daftar: str) -> list[Baris]:
    """One row per value of a many-to-many list (a group may count in several rows)."""
    through = getattr(Perkumpulan, relation).through
    counts = dict(
        through.objects.filter(perkumpulan__in=rekap.groups.values("pk"))
        .values_list("pilihan")
        .annotate(n=Count("perkumpulan", distinct=True))
    )
    values = Pilihan.objects.filter(daftar=daftar, pk__in=counts)
    return [Baris(p.nama, p.kode, [counts[p.pk]]) for p in values.order_by("urutan", "nama")]


@register_table(1)
def table_age(rekap: Rekap) -> Tabel:
    edge = rekap.tahun_acuan - AGE_YEARS
    rows = by_type(rekap.groups, {
        "< 10 tahun": Q(tahun_berdiri__gt=edge),
        "≥ 10 tahun": Q(tahun_berdiri__lte=edge),
    })
    return make_table(1, _("Community groups by year founded"), ["< 10 tahun", "≥ 10 tahun"],
                      rows, rekap.jumlah_perkumpulan)


@register_table(2)
def table_purpose(rekap: Rekap) -> Tabel:
    counts = dict(
        rekap.groups.filter(tujuan__isnull=False).values_list("tujuan").annotate(n=Count("pk"))
    )
    values = Pilihan.objects.filter(pk__in=counts).order_by("urutan", "nama")
    rows = [Baris(p.nama, p.kode, [counts[p.pk]]) for p in values]
    return make_table(2, _("Purposes for which the groups were founded"), ["jumlah"], rows,
                      rekap.jumlah_perkumpulan)


@register_table(5)
def table_network(rekap: Rekap) -> Tabel:
    rows = by_type(rekap.groups, {
        "Organisasi Sosial": Q(jaringan_kerja=JaringanKerja.ORGANISASI_SOSIAL),
        "Pemerintah": Q(jaringan_kerja=JaringanKerja.PEMERINTAH),
    })
    neither = rekap.groups.exclude(
        jaringan_kerja__in=[JaringanKerja.ORGANISASI_SOSIAL, JaringanKerja.PEMERINTAH]
    ).count()
    note = (
        _("%(n)d groups work with neither and are left out of this table.") % {"n": neither}
        if neither else ""
    )
    return make_table(5, _("Working network of the community groups"),
                      ["Organisasi Sosial", "Pemerintah"], rows, rekap.jumlah_perkumpulan, note)


@register_table(6)
def table_board_term(rekap: Rekap) -> Tabel:
    counts = rekap.groups.aggregate(**{
        f"c{i}": Count("pk", filter=bracket_filter("masa_kepengurusan", low, high))
        for i, (_label, low, high) in enumerate(TERM_BRACKETS)
    })
    rows = [Baris(label, "", [counts[f"c{i}"]]) for i, (label, *_e) in enumerate(TERM_BRACKETS)]
    return make_table(6, _("Years the board has served"), ["jumlah"], rows,
                      rekap.jumlah_perkumpulan)


@register_table(7)
def table_requirements(rekap: Rekap) -> Tabel:
    return make_table(7, _("Membership requirements"), ["jumlah"],
                      by_list_value(rekap, "syarat_keanggotaan", "syarat"),
                      rekap.jumlah_perkumpulan)


@register_table(8)
def table_values(rekap: Rekap) -> Tabel:
    return make_table(8, _("Solidarity values"), ["jumlah"],
                      by_list_value(rekap, "nilai_solidaritas", "nilai"),
                      rekap.jumlah_perkumpulan)


@register_table(9)
def table_funds(rekap: Rekap) -> Tabel:
    return make_table(9, _("Sources of funds"), ["jumlah"],
                      by_list_value(rekap, "sumber_dana", "sumber_dana"),
                      rekap.jumlah_perkumpulan)


# Rendering ------------------------------------------------------------------------------------
def as_text(rekap: Rekap) -> str:
    """The tables as plain text, percentages the Indonesian way."""
    lines = [
        f"Rekap {rekap.wilayah.nama} ({rekap.wilayah.kode}), tahun acuan {rekap.tahun_acuan}: "
        f"{rekap.jumlah_perkumpulan} perkumpulan aktif",
    ]
    for table in rekap.tabel:
        lines += ["", f"Tabel {table.nomor}. {table.judul}"]
        header = ["", *table.kolom] if table.share_of_groups else [
            "", *[c for col in table.kolom for c in (col, "%")], "Jumlah"
        ]
        body = []
        for row in [*table.baris, table.total]:
            if table.share_of_groups:
                body.append([row.label, f"{row.jumlah} ({format_percent(row.persen[0])} %)"])
            else:
                cells = [c for v, p in zip(row.nilai, row.persen, strict=True)
                         for c in (str(v), format_percent(p))]
                body.append([row.label, *cells, str(row.jumlah)])
        widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
        for r in [header, *body]:
            lines.append("  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ))
        if table.catatan:
            lines.append(str(table.catatan))
    return "\n".join(lines) + "\n"


def as_xlsx(rekap: Rekap, stream) -> None:
    """One sheet per table; counts and percentages as numbers."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in rekap.tabel:
        sheet = book.create_sheet(f"Tabel {table.nomor}")
        sheet.append([f"Tabel {table.nomor}. {table.judul}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([f"{rekap.wilayah.nama} ({rekap.wilayah.kode}), "
                      f"tahun acuan {rekap.tahun_acuan}"])
        if table.share_of_groups:
            sheet.append(["", "Jumlah", "%"])
        else:
            sheet.append(["", *[c for col in table.kolom for c in (col, "%")], "Jumlah", "%"])
        for row in [*table.baris, table.total]:
            if table.share_of_groups:
                values = [row.label, row.jumlah, row.persen[0]]
            else:
                values = [row.label, *[c for v, p in zip(row.nilai, row.persen, strict=True)
                                       for c in (v, p)], row.jumlah, 100.0]
            sheet.append(values)
            for cell in sheet[sheet.max_row][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
        sheet.column_dimensions["A"].width = 40
        if table.catatan:
            sheet.append([str(table.catatan)])
    book.save(stream)
