"""The recap page of an area: seed 004's tables with bar charts, drill-down and an xlsx download."""

import dataclasses
import html
import io
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access, rekap, replicas
from registry.models import JenisPerkumpulan, Tingkat, Wilayah
from registry.pages import XLSX, BadRequest, CompiledQueries, area_param, larger_areas

YEAR_MIN, YEAR_MAX = 1900, 2100

# Chart geometry (SVG user units).
LABEL_W, BAR_W, VALUE_W, ROW_H, BAR_H = 190, 260, 50, 24, 16


@dataclass
class Bar:
    label: str
    value: int | str
    y: int
    width: float
    text_y: int


@dataclass
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_w: int
    value_x: float
    subject: str = ""  # what the bars measure, when not each row's total


# The page shows at most this many rows of a table (a province's aid table lists every
# village's own programmes: 6,000 rows, a 5.6 MB page); the largest, in the table's order.
PAGE_ROWS = 50


def chart_values(table: rekap.Tabel) -> list[tuple]:
    """Per row, the value its bar draws and its text: the row total, or the table's chart
    column (its values, or its percentages on a scale of 100)."""
    column = table.chart_column
    if column is None:
        return [(row.jumlah, row.jumlah) for row in table.baris]
    if table.chart_percent:
        return [(row.persen[column], f"{rekap.format_percent(row.persen[column])} %")
                for row in table.baris]
    return [(row.nilai[column], row.nilai[column]) for row in table.baris]


def largest_rows(table: rekap.Tabel, limit: int) -> tuple[rekap.Tabel, int]:
    """The table with at most `limit` rows — those whose bars are the longest, in the table's
    order; its total row still counts every row — and how many rows were left out."""
    left_out = len(table.baris) - limit
    if left_out <= 0:
        return table, 0
    values = chart_values(table)
    kept = sorted(sorted(range(len(values)), key=lambda i: values[i][0] or 0,
                         reverse=True)[:limit])
    return dataclasses.replace(table, baris=[table.baris[i] for i in kept]), left_out


def chart(table: rekap.Tabel) -> Chart:
    """A horizontal bar per row, its length proportional to the row total (or to the table's
    chart column: its values, or its percentages on a scale of 100)."""
    column = table.chart_column
    values = chart_values(table)
    largest = 100 if table.chart_percent else max((v for v, _t in values), default=0) or 1
    bars = []
    for i, (row, (value, text)) in enumerate(zip(table.baris, values, strict=True)):
        y = i * ROW_H + (ROW_H - BAR_H) // 2
        width = round(BAR_W * value / largest, 1)
        bars.append(Bar(row.label, text, y, width, i * ROW_H + ROW_H // 2 + 5))
    value_w = max([VALUE_W, *(7 * len(str(text)) + 8 for _v, text in values)])
    subject = "" if column is None else table.kolom[column] + (" (%)" if table.chart_percent
                                                                else "")
    return Chart(bars, LABEL_W + BAR_W + value_w, max(1, len(bars)) * ROW_H, LABEL_W - 6,
                 LABEL_W, subject)


def _params(request: HttpRequest) -> tuple[Wilayah, int]:
    """The area and reference year asked for; BadRequest for a missing area or a bad year."""
    area = area_param(request)
    raw_year = request.GET.get("tahun", "").strip()
    if raw_year:
        try:
            tahun = int(raw_year)
        except ValueError:
            tahun = None
        if tahun is None or not YEAR_MIN <= tahun <= YEAR_MAX:
            raise BadRequest(
                _("The reference year must be a year between %(min)d and %(max)d.")
                % {"min": YEAR_MIN, "max": YEAR_MAX}
            )
    else:
        tahun = timezone.localdate().year
    return area, tahun


def _sumber(request: HttpRequest, area: Wilayah) -> rekap.SumberRekap | None:
    """The source of stored counts asked for (`?putaran=ID`: the recap as approved in a round,
    from a registered source), or None for the live recap. 404 for one the user does not see,
    BadRequest for one that does not cover the area."""
    for param, kind in rekap.REKAP_SOURCES.items():
        raw = request.GET.get(param, "").strip()
        if not raw:
            continue
        try:
            return kind.open(raw, area, request.user)
        except LookupError as exc:
            raise Http404(str(exc)) from exc
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
    return None


def _params_and_source(request: HttpRequest):
    """The area, the reference year (by default that of the source's moment, else this year)
    and the source asked for."""
    area, tahun = _params(request)
    sumber = _sumber(request, area)
    if sumber is not None and not request.GET.get("tahun", "").strip():
        tahun = sumber.tahun_acuan or tahun
    return area, tahun, sumber


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registry/rekap.html", {"error": message}, status=400)


# The drill-down's row of the groups organised at the area's own level.
OWN_LEVEL = {
    Tingkat.KECAMATAN: gettext_lazy("At kecamatan level (no village)"),
    Tingkat.KABUPATEN: gettext_lazy("At regency/city level (no kecamatan)"),
    Tingkat.PROVINSI: gettext_lazy("At province level (no regency/city)"),
}


# The comparison's queries, compiled once per process for each area and scope
# (registry.pages.CompiledQueries), and what they read of the sub-areas and the group types.
COMPILED = CompiledQueries()


class SubArea(NamedTuple):
    kode: str
    nama: str


class GroupType(NamedTuple):
    pk: int
    kode: str
    nama: str


def comparison(area: Wilayah, user, sumber: rekap.SumberRekap | None = None) -> tuple[list, list]:
    """Groups per type per sub-area, from the stored counts of the sub-areas (one query), and a
    row for the groups at the area's own level, if any: the rows add up to the area's total.
    With a source, its counts per sub-area."""
    if area.tingkat == Tingkat.DESA:
        return [], []
    subs = [SubArea(*row) for row in COMPILED.rows(
        Wilayah, ("sub-areas", area.pk, access.scope_key(user)),
        lambda: Wilayah.objects.visible_to(user).filter(induk=area).order_by("kode")
        .values_list("kode", "nama"))]
    counts = rekap.sub_area_counts(area) if sumber is None else sumber.sub_area_counts()
    pks = sorted({j for _s, j in counts})
    types = [GroupType(*row) for row in COMPILED.rows(
        JenisPerkumpulan, ("types", *pks),
        lambda: JenisPerkumpulan.objects.filter(pk__in=pks).order_by("urutan", "nama")
        .values_list("pk", "kode", "nama"))]
    rows = []
    for sub in subs:
        values = [counts.get((sub.kode, t.pk), 0) for t in types]
        rows.append({"wilayah": sub, "nilai": values, "jumlah": sum(values)})
    # Groups organised at the area's own level (a kecamatan's BKB) belong to no sub-area.
    own = [counts.get((area.pk, t.pk), 0) for t in types]
    if any(own):
        rows.append({"wilayah": None, "own": OWN_LEVEL[area.tingkat], "nilai": own,
                     "jumlah": sum(own)})
    totals = [sum(r["nilai"][i] for r in rows) for i in range(len(types))]
    rows.append({"wilayah": None, "nilai": totals, "jumlah": sum(totals)})
    return types, rows


def _cell(value) -> str:
    """A value as the template language shows it (localised, escaped). A count — most of a
    recap's cells, a thousand on a city's page — is its digits when numbers are not grouped:
    written at once, not through `localize` (a tenth of the page's time)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if type(value) is str:  # (`localize` gives a text as it is; `escape` is html.escape)
        return html.escape(value)
    return escape(localize(value))


def short_label(label: str, length: int = 28) -> str:
    """A bar's label as `Truncator(label).chars(length)` gives it: a label no longer than
    `length` as it is (normalised), without building a Truncator for each bar."""
    text = unicodedata.normalize("NFC", str(label))
    return text if len(text) <= length else Truncator(text).chars(length)


def table_html(t: rekap.Tabel, table_class: str = "") -> SafeString:
    """A recap table as HTML: the recap page's and its print's. Written here rather than by the
    template language: a city's recap has some 20 tables of up to 17 rows, and their cells
    through template tags were a third of the page's time. Every value is escaped."""
    out = [f'<table class="{escape(table_class)}">' if table_class else "<table>", "\n  <thead>"]
    num = '<th scope="col" class="num">'
    count, total_label = escape(_("Count")), escape(_("Total"))  # (not inside f-strings:
    # xgettext does not look there)
    if t.share_of_groups:
        out.append(f'<tr><th scope="col"></th>{num}{count}</th>{num}%</th></tr>')
    elif t.amounts:
        last = t.kolom_jumlah or _("Groups")
        out.append('<tr><th scope="col"></th>' + "".join(f"{num}{_cell(k)}</th>" for k in t.kolom)
                   + f"{num}{_cell(last)}</th></tr>")
    else:
        out.append('<tr><th scope="col"></th>'
                   + "".join(f"{num}{_cell(k)}</th>{num}%</th>" for k in t.kolom)
                   + f"{num}{total_label}</th></tr>")
    out.append("</thead>\n  <tbody>\n")
    for row in [*t.baris, t.total]:
        is_total = row is t.total
        cells = ['<tr class="total">' if is_total else "<tr>",
                 f'<th scope="row">{total_label if is_total else _cell(row.label)}</th>']
        if t.share_of_groups:
            share = rekap.format_percent(row.persen[0]) if row.persen else ""
            cells.append(f'<td class="num">{_cell(row.jumlah)}</td><td class="num">{_cell(share)}'
                         "</td>")
        elif t.amounts:
            cells.extend(f'<td class="num">{_cell(v)}</td>' for v in row.nilai)
            cells.append(f'<td class="num">{_cell(row.jumlah)}</td>')
        else:
            cells.extend(f'<td class="num">{_cell(v)}</td><td class="num">'
                         f"{_cell(rekap.format_percent(p))}</td>"
                         for v, p in zip(row.nilai, row.persen, strict=True))
            cells.append(f'<td class="num">{_cell(row.jumlah)}</td>')
        out.append("".join(cells) + "</tr>\n")
    out.append("  </tbody>\n</table>")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


def chart_svg(t: rekap.Tabel) -> SafeString:
    """The table's bar chart as SVG (empty without bars), written here for the reason
    `table_html` gives."""
    c = chart(t)
    if not c.bars:
        return mark_safe("")
    if c.subject:
        label = _("Bar chart of Table %(nomor)s: %(subject)s") % {"nomor": t.nomor,
                                                                   "subject": c.subject}
    else:
        label = _("Bar chart of Table %(nomor)s: groups per row") % {"nomor": t.nomor}
    out = [f'<svg class="rekap-chart" role="img" viewBox="0 0 {c.width} {c.height}" '
           f'width="{c.width}" height="{c.height}" aria-label="{escape(label)}">']
    for bar in c.bars:
        value = _cell(bar.value)
        out.append(
            f'<g class="bar"><title>{_cell(bar.label)}: {value}</title>'
            f'<text x="{c.label_w}" y="{bar.text_y}" text-anchor="end">'
            f"{escape(short_label(bar.label))}</text>"
            f'<rect x="{c.value_x}" y="{bar.y}" width="{bar.width}" height="16"></rect>'
            f'<text class="value" x="{c.value_x + 4}" dx="{bar.width}" y="{bar.text_y}">'
            f"{value}</text></g>"
        )
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 — every value above is escaped


@login_required
@replicas.heavy
def rekap_page(request: HttpRequest) -> HttpResponse:
    try:
        area, tahun, sumber = _params_and_source(request)
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    data = rekap.build(area, tahun, sensitive=access.can_see_pmks(request.user), sumber=sumber)
    types, compare_rows = comparison(area, request.user, sumber)
    tables = []
    for full in data.tabel:
        t, left_out = largest_rows(full, PAGE_ROWS)
        tables.append({"tabel": t, "html": table_html(t), "chart": chart_svg(t),
                       "left_out": left_out, "rows": len(full.baris)})
    # The sources to pick from, per option: a list (the rounds with approved villages in the
    # area) or a date field (the registry as it stood).
    pickers = []
    for param, kind in rekap.REKAP_SOURCES.items():
        choices = [] if kind.input_type else kind.choices(area, request.user)
        if kind.input_type or choices:
            pickers.append({"param": param, "choices": choices, "input": kind.input_type,
                            "selected": sumber.pk if sumber is not None and sumber.kunci == param
                            else None})
    return render(request, "registry/rekap.html", {
        "area": area,
        "ancestors": larger_areas(request, area),
        "tahun": tahun,
        "rekap": data,
        "tables": tables,
        "types": types,
        "compare_rows": compare_rows,
        "sumber": sumber,
        "pickers": pickers,
        # Carried by the links to other areas and the download.
        "sumber_query": (f"&{sumber.kunci}={quote(str(sumber.pk))}" if sumber is not None
                         else ""),
        "today": timezone.localdate(),
    })


@login_required
@replicas.heavy
def rekap_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        area, tahun, sumber = _params_and_source(request)
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    buffer = io.BytesIO()
    data = rekap.build(area, tahun, sensitive=access.can_see_pmks(request.user), sumber=sumber)
    rekap.as_xlsx(data, buffer)
    buffer.seek(0)
    name = f"rekap-{area.kode}-{tahun}.xlsx"
    if sumber is not None:
        name = f"rekap-{area.kode}-{tahun}-{sumber.kunci}-{sumber.pk}.xlsx".replace(" ", "_")
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)
