"""The village officer's pages about groups: the dashboard, the list, a group's page and its form.

Other apps add their part to a group's page and to the dashboard from their own module
(`register_group_panel`, `register_dashboard_card` in their AppConfig.ready()), so that this module
never reads their models: the members app adds the board and members, the network app the links,
the PMKS app the cases a group accompanies.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from registry import access, rekap
from registry.filters import PerkumpulanFilter
from registry.forms import PerkumpulanForm
from registry.models import JenisPerkumpulan, Perkumpulan
from registry.views import paged, posted, table_xlsx


@dataclass
class Panel:
    """A section of a group's page: a template and the context it needs (a fixed number of
    queries, whatever the group's size)."""

    order: int
    template: str
    context: Callable[[HttpRequest, Perkumpulan], dict | None]


@dataclass
class Card:
    """A figure on the dashboard: its label, its value and where it leads. `figure` gets the
    request and the stored recap counts of the user's area (`rekap.refresh_for`), so that a
    figure kept there costs one small query whatever the area's size."""

    order: int
    figure: Callable[[HttpRequest, QuerySet], tuple[str, int, str] | None]


GROUP_PANELS: list[Panel] = []
DASHBOARD_CARDS: list[Card] = []


def register_group_panel(order: int, template: str):
    def decorate(context):
        GROUP_PANELS.append(Panel(order, template, context))
        GROUP_PANELS.sort(key=lambda p: p.order)
        return context

    return decorate


def register_dashboard_card(order: int):
    def decorate(figure):
        DASHBOARD_CARDS.append(Card(order, figure))
        DASHBOARD_CARDS.sort(key=lambda c: c.order)
        return figure

    return decorate


def groups_of(request: HttpRequest):
    return Perkumpulan.objects.visible_to(request.user)


# Dashboard ------------------------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's area at a glance: groups by type (from the stored recap counts), the other
    apps' figures, the latest changed groups."""
    stored = rekap.refresh_for(request.user)
    counts = stored.filter(dimensi="jumlah")
    per_type = dict(counts.values("jenis").annotate(n=Sum("jumlah")).values_list("jenis", "n"))
    types = [
        {"jenis": t, "jumlah": per_type[t.pk]}
        for t in JenisPerkumpulan.objects.filter(pk__in=per_type).order_by("urutan", "nama")
    ]
    cards = [c for c in (card.figure(request, stored) for card in DASHBOARD_CARDS) if c]
    recent = groups_of(request).select_related("jenis", "desa").order_by("-diubah")[:10]
    return render(request, "registry/dashboard.html", {
        "area": request.user.wilayah,
        "types": types,
        "largest": max((t["jumlah"] for t in types), default=0),
        "jumlah": sum(per_type.values()),
        "cards": cards,
        "recent": recent,
    })


# The list ------------------------------------------------------------------------------------
def _filtered(request: HttpRequest) -> PerkumpulanFilter:
    queryset = groups_of(request).select_related("jenis", "desa").order_by("kode")
    return PerkumpulanFilter(request.GET, queryset=queryset, request=request)


@login_required
def perkumpulan_list(request: HttpRequest) -> HttpResponse:
    found = _filtered(request)
    groups = Perkumpulan.objects.none()
    if found.is_valid():
        groups = found.qs.order_by(*found.qs.query.order_by, "kode")  # ties in a stable order
    page, query = paged(request, groups)
    return render(request, "registry/perkumpulan_list.html", {
        "filter": found,
        "page": page,
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


# A group -------------------------------------------------------------------------------------
@login_required
def perkumpulan_detail(request: HttpRequest, kode: str) -> HttpResponse:
    group = get_object_or_404(
        groups_of(request).select_related("jenis", "desa", "tujuan").prefetch_related(
            "syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan"
        ),
        kode=kode,
    )
    panels = []
    for panel in GROUP_PANELS:
        context = panel.context(request, group)
        if context is not None:
            panels.append({"template": panel.template, "context": context})
    return render(request, "registry/perkumpulan_detail.html", {
        "group": group,
        "panels": panels,
        "can_edit": Perkumpulan.objects.editable_by(request.user).filter(pk=group.pk).exists(),
    })


@login_required
def perkumpulan_form(request: HttpRequest, kode: str | None = None) -> HttpResponse:
    if not access.can_edit(request.user):
        raise PermissionDenied
    group = None
    if kode is not None:
        group = get_object_or_404(Perkumpulan.objects.editable_by(request.user), kode=kode)
    form = PerkumpulanForm(posted(request), instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved is not None:
            messages.success(
                request,
                (_("Group %(kode)s saved.") if group else _("Group %(kode)s created."))
                % {"kode": saved.kode},
            )
            return redirect("registry:perkumpulan", kode=saved.kode)
    return render(request, "registry/perkumpulan_form.html", {
        "form": form, "group": group,
    }, status=form.http_status)
