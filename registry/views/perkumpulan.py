"""The village officer's pages about groups: the dashboard, the list, a group's page and its form.

The other apps add their part to a group's page and to the dashboard through registry.panels.
"""

import html
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, Model, Q, Sum, Value, Window
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from registry import access, audit, rekap
from registry.filters import PerkumpulanFilter
from registry.forms import PerkumpulanForm, group_labels
from registry.models import JenisPerkumpulan, Perkumpulan, ProfilDesa, RekapSel, Tingkat
from registry.pages import (
    CompiledQueries,
    can_edit_record,
    get_editable_or_404,
    paged,
    posted,
    require_editing_role,
    table_xlsx,
)
from registry.panels import (
    DASHBOARD_CARDS,
    GROUP_LIST_COLUMNS,
    PERKUMPULAN_HISTORY,
    PERKUMPULAN_PANELS,
    shown,
)


def perkumpulan_history(group: Perkumpulan) -> audit.Source:
    return audit.Source(Perkumpulan.history.filter(id=group.pk), lambda row, names: _("Group"))


def visible_perkumpulan(request: HttpRequest):
    return Perkumpulan.objects.visible_to(request.user)


# Dashboard ------------------------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's area at a glance: groups by type (from the stored recap counts), the other
    apps' figures, the latest changed groups, and the area's own figures — its villages' latest
    profiles summed, with groups per 1,000 residents and memberships per adult (one query)."""
    stored = rekap.stored_for(request.user)
    counts = stored.filter(dimensi="jumlah")
    per_type = dict(counts.values("jenis").annotate(n=Sum("jumlah")).values_list("jenis", "n"))
    types = [
        {"jenis": t, "jumlah": per_type[t.pk]}
        for t in JenisPerkumpulan.objects.filter(pk__in=per_type).order_by("urutan", "nama")
    ]
    cards = [c for c in (card.figure(request, stored) for card in DASHBOARD_CARDS) if c]
    recent = visible_perkumpulan(request).select_related("jenis", "desa").order_by("-diubah")[:10]
    area = request.user.wilayah
    return render(request, "registry/dashboard.html", {
        "area": area,
        "profil": ProfilDesa.objects.visible_to(request.user).summary(),
        "village": area is not None and area.tingkat == Tingkat.DESA,
        "can_edit_profil": area is not None and access.may_write_area(request.user, area),
        "can_edit_kop": area is not None and access.may_edit_letterhead(request.user, area),
        "types": types,
        "largest": max((t["jumlah"] for t in types), default=0),
        "jumlah": sum(per_type.values()),
        "cards": cards,
        "recent": recent,
    })


# The list ------------------------------------------------------------------------------------
def _scoped(request: HttpRequest):
    return visible_perkumpulan(request).select_related("jenis", "desa").order_by("kode")


def _filtered(request: HttpRequest) -> PerkumpulanFilter:
    return PerkumpulanFilter(request.GET, queryset=_scoped(request), request=request)


# The list's columns: what a page of 50 rows reads (no more, and as tuples: no model instances),
# and each row's cells.
LIST_COLUMNS = ("kode", "nama", "jenis__nama", "desa__nama", "rw", "tahun_berdiri", "aktif")
ROW = (
    '<tr>\n      <td data-label="{l_kode}"><a href="{url}">{kode}</a></td>\n'
    '      <td data-label="{l_nama}">{nama}</td>\n'
    '      <td data-label="{l_jenis}">{jenis}</td>\n'
    '      <td data-label="{l_desa}">{desa}</td>\n'
    '      <td data-label="RW">{rw}</td>\n'
    '      <td data-label="{l_tahun}">{tahun}</td>\n'
    '      <td data-label="{l_aktif}">{aktif}</td>\n'
)
CELL = '      <td data-label="{label}"{num}>{value}</td>\n'
# reverse() quotes a path argument with these characters left as they are.
URL_SAFE = "!$&'()*+,;=/~:@"


def _rows(groups) -> SafeString:
    """The table's rows (tuples of LIST_COLUMNS, then the other apps' columns), written here
    rather than by the template language: the page's largest cost was 50 rows × 7 cells of
    template tags (a translation per label, a URL per row). Every value is escaped, as the
    template would (Django's escape is the standard library's, behind a check for lazy text
    these plain strings don't need); each group's URL is the one reverse() gives, from one
    reversed prefix."""
    labels = {
        "l_kode": escape(_("Code")), "l_nama": escape(_("Name")), "l_jenis": escape(_("Type")),
        "l_desa": escape(_("Village")), "l_tahun": escape(_("Founded")),
        "l_aktif": escape(_("Active")),
    }
    yes, no = (escape(v) for v in _("yes,no").split(",")[:2])
    prefix = reverse("registry:perkumpulan_detail", args=["-"])[:-2]  # …/perkumpulan/-/ less "-/"
    # The other apps' columns (registry.panels.GROUP_LIST_COLUMNS), after the row's own: their
    # cells joined to the row's format once, their labels escaped once.
    fixed = len(LIST_COLUMNS)
    row_format = ROW + "".join(
        CELL.format(label=escape(c.label), num=' class="num"' if c.numeric else "",
                    value=f"{{c{i}}}")
        for i, c in enumerate(GROUP_LIST_COLUMNS)) + "    </tr>\n"
    return mark_safe("".join(  # noqa: S308 — every value above and below is escaped
        row_format.format(
            url=html.escape(f"{prefix}{quote(row[0], safe=URL_SAFE)}/"), kode=html.escape(row[0]),
            nama=html.escape(row[1]), jenis=html.escape(row[2]), desa=html.escape(row[3]),
            rw=row[4] or "–", tahun=row[5], aktif=yes if row[6] else no, **labels,
            **{f"c{i}": "–" if value is None else html.escape(str(value))
               for i, value in enumerate(row[fixed:])},
        )
        for row in groups
    ))


# The list's most asked queries, compiled once per process for each scope and query string.
_COMPILED = CompiledQueries()

# Rendered filter fields by (language, query string, group types): a few kept per process.
_FILTER_FIELDS: dict[tuple, SafeString] = {}
_FILTER_FIELDS_KEPT = 64


def _filter_fields(found: PerkumpulanFilter, request: HttpRequest) -> SafeString:
    """The filter form's fields as HTML. Rendering eight fields and their 40 options through
    the form templates took a third of the page's time, and gives the same HTML for the same
    query string, language and list of group types: the types are read here (the one query the
    rendering made) and the HTML is kept for the next request that asks the same."""
    form = found.form
    jenis = form.fields["jenis"]
    # (code, name): what the field's select shows of each type (its to_field_name, str()).
    types = tuple(_COMPILED.rows(JenisPerkumpulan, ("types",),
                                 lambda: jenis.queryset.values_list("kode", "nama")))
    key = (get_language(), access.scope_key(request.user),  # the areas offered are the user's
           tuple(sorted((k, tuple(v)) for k, v in request.GET.lists())), types)
    html = _FILTER_FIELDS.get(key)
    if html is None:
        # The select renders these, rather than query the types a second time.
        jenis.widget.choices = [("", jenis.empty_label), *types]
        html = mark_safe(render_to_string(  # noqa: S308 — the form templates escape
            "registry/perkumpulan_filter_fields.html", {"form": form}))
        if len(_FILTER_FIELDS) >= _FILTER_FIELDS_KEPT:
            _FILTER_FIELDS.clear()
        _FILTER_FIELDS[key] = html
    return html


def _stored_count(found: PerkumpulanFilter, request: HttpRequest, groups) -> int | None:
    """The number of groups of the user's area (or the part of it chosen) when the list is not
    filtered or filtered only by type and/or activity (sorting aside): the stored recap counts of
    the area's active and inactive groups (of that type), rather than a COUNT over every group of
    the area (100,000 in a city, 339,026 Dasa Wisma in a province). When a village of the area
    has stale stored counts, the groups are counted. None for any other filter or without an
    area: the paginator counts then. `groups`: a function that gives the list's queryset."""
    user = request.user
    data = found.form.cleaned_data
    area = data.get("wilayah") or user.wilayah  # a part of the user's area, or all of it
    if area is None or any(v not in (None, "") for k, v in data.items()
                           if k not in ("urut", "jenis", "aktif", "wilayah")):
        return None
    rekap.own_writes_counted()
    jenis, aktif = data.get("jenis"), data.get("aktif")
    kinds = {True: ("jumlah",), False: (rekap.INACTIVE,)}.get(aktif, ("jumlah", rekap.INACTIVE))

    def stored():  # one query: the sum, and whether a village of the area waits for its counts
        rows = RekapSel.objects.filter(wilayah_id=area.pk, dimensi__in=kinds)
        if jenis is not None:
            rows = rows.filter(jenis=jenis)
        return (rows.values("wilayah")
                .annotate(n=Sum("jumlah"), basi=Exists(rekap.stale_in(area)))
                .values_list("n", "basi")[:1])

    key = ("stored", area.pk, jenis and jenis.pk, kinds)
    found = _COMPILED.rows(RekapSel, key, stored)
    if not found:  # none of these stored: none, unless a village waits for its counts
        return groups().count() if rekap.stale_in(area).exists() else 0
    total, waiting = found[0]
    return groups().count() if waiting else total


class _ListRows:
    """The filtered list as the paginator asks for it: a page's rows (tuples of LIST_COLUMNS) run
    from SQL compiled once per user scope, filters and page; the count, where the stored counts do
    not give it, with the ids of the page asked for (`count_with_page`, called by pages.paged)
    in one query, rather than a COUNT and then the page: both read every group the filters match
    (a name search, without an index that orders its matches, finds them all twice)."""

    def __init__(self, request: HttpRequest, found: PerkumpulanFilter, groups):
        self.groups = groups
        # The filters as the SQL holds them: a type by its primary key, not its code (a type
        # made anew under an old code is another filter).
        self.key = ("list", access.scope_key(request.user), tuple(
            (name, value.pk if isinstance(value, Model) else
             tuple(value) if isinstance(value, list) else value)
            for name, value in sorted(found.form.cleaned_data.items())
        ))
        self.start: int | None = None
        self.ids: list[int] | None = None  # the page's groups from `start`, counted with them

    def count_with_page(self, start: int, size: int) -> int:
        found = _COMPILED.rows(Perkumpulan, (*self.key, "counted", start, size), lambda: (
            self.groups().annotate(total=Window(Count("pk")))
            .values_list("pk", "total")[start:start + size]))
        if not found:  # past the last page, or no group at all: counted alone
            return self.count()
        self.start, self.ids = start, [pk for pk, _total in found]
        return found[0][1]

    def count(self) -> int:
        return self.groups().count()

    def __getitem__(self, page: slice) -> list[tuple]:
        if self.ids is not None and page.start == self.start:
            ids = self.ids[:page.stop - page.start]
            return _COMPILED.once(Perkumpulan, lambda: self.rows_of(Q(pk__in=ids), self.groups()))
        return _COMPILED.rows(Perkumpulan, (*self.key, page.start, page.stop),
                              lambda: self.page_rows(page))

    def page_rows(self, page: slice):
        """The page's groups as LIST_COLUMNS and the other apps' columns: the page chosen first
        (`pk IN (… LIMIT 50)`), so that the columns' subqueries run for its 50 groups only."""
        groups = self.groups()
        return self.rows_of(Q(pk__in=groups.values("pk")[page]), groups)

    @staticmethod
    def rows_of(chosen: Q, groups):
        """The groups `chosen` as LIST_COLUMNS and the other apps' columns, in the list's order
        (`groups`: the list's queryset)."""
        columns = {c.name: c.value() for c in GROUP_LIST_COLUMNS}
        return (Perkumpulan.objects.filter(chosen)
                .annotate(**columns).order_by(*groups.query.order_by)
                .values_list(*LIST_COLUMNS, *columns))


@login_required
def perkumpulan_list(request: HttpRequest) -> HttpResponse:
    # The filters over no groups: the scoped groups are built only where the rows' SQL is
    # compiled (`groups`), not on every request.
    found = PerkumpulanFilter(request.GET, queryset=Perkumpulan.objects.none(), request=request)
    if found.is_valid():

        def groups():
            filtered = found.filter_queryset(_scoped(request))
            return filtered.order_by(*filtered.query.order_by, "kode")  # ties in a stable order

        count = _stored_count(found, request, groups)
        page, query = paged(request, _ListRows(request, found, groups), count=count)
    else:
        page, query = paged(request, [], count=0)
    return render(request, "registry/perkumpulan_list.html", {
        "filter": found,
        "filter_fields": _filter_fields(found, request),
        "page": page,
        "rows": _rows(page.object_list),
        "columns": GROUP_LIST_COLUMNS,
        "query": query,
        "can_edit": access.can_edit(request.user),
    }, status=200 if found.is_valid() else 400)


@login_required
def perkumpulan_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook (all rows, not one page)."""
    found = _filtered(request)
    if not found.is_valid():
        return perkumpulan_list(request)
    return table_xlsx("perkumpulan.xlsx", _("Groups"), [
        _("Code"), _("Name"), _("Type"), _("Village"), "RW", "RT", _("Year founded"),
        _("Declared members"), _("Working network"), _("Active"),
    ], (
        (g.kode, g.nama, g.jenis.nama, g.desa.nama, g.rw, g.rt, g.tahun_berdiri, g.jumlah_anggota,
         g.get_jaringan_kerja_display(), _("yes") if g.aktif else _("no"))
        for g in found.qs.iterator(chunk_size=2000)
    ))


# Picking a group ------------------------------------------------------------------------------
SEARCH_SHOWN = 20


@login_required
def perkumpulan_cari(request: HttpRequest) -> JsonResponse:
    """The groups the user sees whose name or code holds `?q=` (2 characters or more), for the
    group pickers (registry.forms.GroupPicker): at most 20, those of the village `?desa=` first,
    each {"kode", "label"} (`group_label`: name, type, RW, village, code)."""
    text = " ".join(request.GET.get("q", "").split())[:100]
    if len(text) < 2:
        return JsonResponse({"hasil": []})
    groups = visible_perkumpulan(request).filter(Q(nama__icontains=text) | Q(kode__icontains=text))
    desa = request.GET.get("desa", "")
    found = []
    if desa:
        found = group_labels(groups.filter(desa_id=desa).order_by("nama", "kode")[:SEARCH_SHOWN])
        groups = groups.exclude(desa_id=desa)
    if len(found) < SEARCH_SHOWN:
        found += group_labels(groups.order_by("nama", "kode")[:SEARCH_SHOWN - len(found)])
    return JsonResponse({"hasil": [{"kode": kode, "label": label} for kode, label in found]})


# A group -------------------------------------------------------------------------------------
# The survey's lists a group's page shows (many-to-many fields to Pilihan).
GROUP_LISTS = ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan")


def group_lists(group: Perkumpulan) -> dict[str, list[str]]:
    """The names of the group's values of each of GROUP_LISTS, each list in Pilihan's order: one
    query (a UNION of the four tables that link them), rather than one for each list."""
    parts = [
        getattr(Perkumpulan, name).through.objects.filter(perkumpulan_id=group.pk)
        .annotate(daftar_grup=Value(i)).values_list(
            "daftar_grup", "pilihan__daftar", "pilihan__urutan", "pilihan__nama")
        for i, name in enumerate(GROUP_LISTS)
    ]
    found: dict[str, list[str]] = {name: [] for name in GROUP_LISTS}
    for i, _daftar, _urutan, nama in parts[0].union(*parts[1:], all=True).order_by(
            "daftar_grup", "pilihan__daftar", "pilihan__urutan", "pilihan__nama"):
        found[GROUP_LISTS[i]].append(nama)
    return found


@login_required
def perkumpulan_detail(request: HttpRequest, kode: str) -> HttpResponse:
    group = get_object_or_404(
        visible_perkumpulan(request).select_related("jenis", "desa", "tujuan"), kode=kode)
    panels = shown(PERKUMPULAN_PANELS, request, group)
    history, history_total = audit.timeline(
        [perkumpulan_history(group), *(source(group) for source in PERKUMPULAN_HISTORY)],
        request.user)
    return render(request, "registry/perkumpulan_detail.html", {
        "group": group,
        "lists": group_lists(group),
        "panels": panels,
        "history": history,
        "history_total": history_total,
        "can_edit": can_edit_record(request, group),
    })


@login_required
def perkumpulan_form(request: HttpRequest, kode: str | None = None) -> HttpResponse:
    require_editing_role(request)
    group = None
    if kode is not None:
        group = get_editable_or_404(request, Perkumpulan, kode=kode)
    form = PerkumpulanForm(posted(request), instance=group, user=request.user)
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(
                request,
                (_("Group %(kode)s saved.") if group else _("Group %(kode)s created."))
                % {"kode": saved.kode},
            )
            return reverse("registry:perkumpulan_detail", args=[saved.kode])

        done = form.save_once(request, save, reverse("registry:perkumpulan_list"))
        if done is not None:
            return done
    return render(request, "registry/perkumpulan_form.html", {
        "form": form, "group": group,
    }, status=form.http_status)
