"""PMKS on the web app: the case list, a case's page with its timeline, the forms that add and
change a case and record its status, referrals and help, the by-name export, the coverage views,
the cases a group accompanies (on its page) and the dashboard's open cases. Never for observers:
PMKS data is sensitive. A case page and every export are written to the access log."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.models import Keanggotaan
from pmks.filters import CakupanFilter, KasusFilter
from pmks.forms import KasusForm, RujukanForm, StatusForm
from pmks.models import KasusPMKS, KategoriPMKS, LogAkses, Tindakan
from registry import access, audit, rekap, replicas
from registry.models import JenisPerkumpulan, Perkumpulan
from registry.pages import get_editable_or_404, paged, posted, require_editing_role, table_xlsx


def kasus_panel(request: HttpRequest, group: Perkumpulan) -> dict | None:
    """The cases the group accompanies: one query; no panel at all for observers."""
    if not access.can_see_pmks(request.user):
        return None
    cases = list(
        KasusPMKS.objects.visible_to(request.user).filter(pendamping=group)
        .select_related("kategori").order_by("status", "nama")
    )
    return {"cases": cases, "open": sum(1 for c in cases if c.status not in KasusPMKS.CLOSED)}


def kasus_card(request: HttpRequest, stored):
    """Open cases (neither closed nor refused) within the user's area, from the stored counts
    (a province's 114,000 cases are not counted); none for observers."""
    if not access.can_see_pmks(request.user):
        return None
    count = (rekap.stored_for(request.user, "kasus").exclude(status__in=KasusPMKS.CLOSED)
             .aggregate(n=Sum("jumlah"))["n"] or 0)
    return (_("open PMKS cases"), count, reverse("pmks:kasus_list"))


def visible_kasus(request: HttpRequest):
    """The cases of the user's area; 403 for a role that never sees PMKS (observers)."""
    if not access.can_see_pmks(request.user):
        raise PermissionDenied
    return KasusPMKS.objects.visible_to(request.user)


def _filtered(request: HttpRequest) -> KasusFilter:
    queryset = visible_kasus(request).select_related("kategori", "desa", "pendamping", "warga")
    return KasusFilter(request.GET, queryset=queryset.order_by("desa", "nama", "pk"),
                       request=request)


@login_required
def kasus_list(request: HttpRequest) -> HttpResponse:
    found = _filtered(request)
    page, query = paged(request, found.qs if found.is_valid() else KasusPMKS.objects.none())
    return render(request, "pmks/kasus_list.html", {
        "filter": found, "page": page, "query": query, "can_edit": access.can_edit(request.user),
    }, status=200 if found.is_valid() else 400)


@login_required
def kasus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case with its full NIK and its timeline: status changes, referrals, help (by date)."""
    kasus = get_object_or_404(
        visible_kasus(request).select_related("kategori", "desa", "pendamping", "warga"), pk=pk)
    LogAkses.catat(request.user, Tindakan.LIHAT, kasus.desa, kasus=kasus)
    timeline = sorted(
        [*kasus.riwayat.select_related("oleh"), *kasus.rujukan.select_related("oleh"),
         *(record for source in KASUS_TIMELINE for record in source(kasus))],
        key=lambda record: (record.tanggal, record.dicatat),
    )
    log = None
    if access.can_read_access_logs(request.user):
        log = list(kasus.log_akses.select_related("pengguna")[:20])
    forms = None
    if access.can_edit(request.user):
        forms = [(name, title, form(kasus=kasus, user=request.user))
                 for name, form, title in ACTIONS]
    history, history_total = audit.timeline(
        [audit.Source(KasusPMKS.history.filter(id=kasus.pk), lambda row, names: _("Case"))],
        request.user)
    episodes = episodes_of(request, kasus)
    return render(request, "pmks/kasus_detail.html", {
        "kasus": kasus, "timeline": timeline, "log": log, "forms": forms,
        "history": history, "history_total": history_total,
        "episodes": episodes,
        # The previous case sits outside the user's area (the person moved): told, not shown.
        "previous_elsewhere": bool(kasus.kasus_sebelumnya_id) and all(
            e.pk != kasus.kasus_sebelumnya_id for e in episodes),
    })


def episodes_of(request: HttpRequest, kasus: KasusPMKS) -> list[KasusPMKS]:
    """The person's other cases of the category the user may see, oldest first (one query): the
    earlier episodes (closed, history) and a later one when this case is closed."""
    if not kasus.warga_id:
        return []
    return list(visible_kasus(request).filter(warga_id=kasus.warga_id,
                                              kategori_id=kasus.kategori_id)
                .exclude(pk=kasus.pk).order_by("pk"))


def editable_kasus(request: HttpRequest, pk: int) -> KasusPMKS:
    """A case the user may change, with what its forms show."""
    return get_editable_or_404(
        request, KasusPMKS.objects.select_related("kategori", "desa", "warga"), pk=pk)


@login_required
def kasus_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new case, or a case's data changed (its status has a form of its own)."""
    require_editing_role(request)
    if not access.can_see_pmks(request.user):
        raise PermissionDenied
    kasus = editable_kasus(request, pk) if pk is not None else None
    form = KasusForm(posted(request), user=request.user, kasus=kasus)
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, (_("Case of %(name)s saved.") if kasus else
                                       _("Case of %(name)s recorded.")) % {"name": saved.nama})
            for warning in form.warnings:
                messages.warning(request, warning)
            return reverse("pmks:kasus_detail", args=[saved.pk])

        done = form.save_once(request, save, reverse("pmks:kasus_list"))
        if done is not None:
            return done
    if kasus is not None:  # the form shows the case's full NIK: a view of the case
        LogAkses.catat(request.user, Tindakan.LIHAT, kasus.desa, kasus=kasus)
    return render(request, "pmks/kasus_form.html", {
        "form": form, "kasus": kasus,
    }, status=form.http_status)


# The forms on a case's page: name, form, title (of its part of the page and of the page showing
# its errors). A higher app adds its own (the aid app: help given) with `register_kasus_action`.
ACTIONS = [
    ("status", StatusForm, gettext_lazy("Change the status")),
    ("rujukan", RujukanForm, gettext_lazy("Refer the case")),
]
# What a higher app adds to a case's timeline: functions of the case returning records with a
# date (`tanggal`) and a time recorded (`dicatat`); the aid app gives the help handed out.
KASUS_TIMELINE: list[Callable[[KasusPMKS], Iterable]] = []


def register_kasus_action(name: str, form, title) -> None:
    ACTIONS.append((name, form, title))


def register_kasus_timeline(source: Callable[[KasusPMKS], Iterable]):
    KASUS_TIMELINE.append(source)
    return source


@login_required
@require_POST
def kasus_aksi(request: HttpRequest, pk: int, aksi: str) -> HttpResponse:
    """A status change, a referral or help given, from the case's page; errors are shown beside
    the fields on a page of their own."""
    kasus = editable_kasus(request, pk)
    action = next((a for a in ACTIONS if a[0] == aksi), None)
    if action is None:
        raise Http404
    name, form_class, title = action
    form = form_class(request.POST, kasus=kasus, user=request.user)
    timeline = reverse("pmks:kasus_detail", args=[kasus.pk]) + "#timeline-judul"

    def save() -> str:
        form.save()
        messages.success(request, _("Saved in the case's timeline."))
        return timeline

    # Sent twice (a double click): written once, the second goes to the timeline as well.
    done = form.save_once(request, save, timeline)
    if done is not None:
        return done
    return render(request, "pmks/kasus_aksi.html", {
        "form": form, "kasus": kasus, "aksi": name, "title": title,
    }, status=400)


@login_required
def kasus_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered cases by name and by address (NIK, name, address, category, status) for the
    ministry's data-verification rounds; logged with its filter and row count."""
    found = _filtered(request)
    if not found.is_valid():
        return kasus_list(request)
    exported = 0

    def rows():
        nonlocal exported
        for c in found.qs.iterator(chunk_size=2000):
            exported += 1
            yield (c.warga.nik if c.warga else "", c.nama, c.desa.nama, c.rw, c.rt, c.alamat,
                   c.kategori.nama, c.get_status_display(), c.tanggal_identifikasi,
                   c.pendamping.nama if c.pendamping else "")

    response = table_xlsx("pmks-by-name-by-address.xlsx", "PMKS", [
        "NIK", _("Name"), _("Village"), "RW", "RT", _("Address"), _("Category"), _("Status"),
        _("Identified on"), _("Accompanying group"),
    ], rows())
    # The user's area (none: an administrator's export of the whole country).
    LogAkses.catat(request.user, Tindakan.EKSPOR, request.user.wilayah,
                   keterangan=f"{exported} baris; {request.GET.urlencode()}"[:300])
    return response


def uncovered_needs(user, open_cases) -> tuple[list[dict], set[int]]:
    """Per village and category: the open cases whose village has no active group of a type
    that usually helps that category (`KategoriPMKS.jenis_penolong`); the types present come
    from the stored recap counts, so this reads a few rows per village. With them, the
    categories some type is recorded to help (the others the gaps cannot speak of)."""
    helpers: dict[int, set[int]] = {}
    for kategori, jenis in KategoriPMKS.jenis_penolong.through.objects.values_list(
            "kategoripmks_id", "jenisperkumpulan_id"):
        helpers.setdefault(kategori, set()).add(jenis)
    present = rekap.types_present(open_cases.values("desa"))
    names = dict(JenisPerkumpulan.objects.values_list("pk", "nama"))
    gaps = []
    for row in (open_cases.filter(kategori__in=list(helpers))
                .values("desa", "desa__nama", "kategori", "kategori__kode", "kategori__nama")
                .annotate(n=Count("pk")).order_by("desa", "kategori__urutan")):
        wanted = helpers[row["kategori"]]
        if not any((row["desa"], jenis) in present for jenis in wanted):
            gaps.append({**row, "types": sorted(names[j] for j in wanted)})
    return gaps, set(helpers)


@login_required
@replicas.heavy
def cakupan(request: HttpRequest) -> HttpResponse:
    """Who is helped and who is not, in the user's area: open cases with and without a group per
    village; open cases by category against the type of the group accompanying them (an empty
    row but for "no group" is a need no group takes up); PMKS who are members of some group."""
    found = CakupanFilter(request.GET, queryset=visible_kasus(request), request=request)
    if not found.is_valid():
        return render(request, "pmks/cakupan.html", {"filter": found}, status=400)
    open_cases = found.qs.exclude(status__in=KasusPMKS.CLOSED).order_by()
    villages = (open_cases.values("desa", "desa__nama")
                .annotate(semua=Count("pk"), didampingi=Count("pendamping"),
                          belum=Count("pk", filter=Q(pendamping__isnull=True)))
                .order_by("desa"))
    cells = {}
    for kategori, jenis, n in (open_cases.values("kategori", "pendamping__jenis")
                               .annotate(n=Count("pk"))
                               .values_list("kategori", "pendamping__jenis", "n")):
        cells[(kategori, jenis)] = n
    types = list(JenisPerkumpulan.objects.filter(pk__in={j for _k, j in cells if j})
                 .order_by("urutan", "nama"))
    categories = KategoriPMKS.objects.filter(pk__in={k for k, _j in cells}).order_by("urutan",
                                                                                   "nama")
    matrix = [{"kategori": k, "cells": [cells.get((k.pk, t.pk), 0) for t in types],
               "none": cells.get((k.pk, None), 0)} for k in categories]
    gaps, helped = uncovered_needs(request.user, open_cases)
    unmapped = [k for k in categories if k.pk not in helped]
    current = Keanggotaan.objects.filter(warga=OuterRef("warga"), selesai__isnull=True)
    members = (open_cases.filter(Exists(current))
               .select_related("warga", "kategori", "desa").order_by("desa", "nama"))
    return render(request, "pmks/cakupan.html", {
        "filter": found, "unmapped": unmapped, "ok": True,
        "villages": villages, "types": types, "matrix": matrix, "gaps": gaps,
        "members": members[:200], "members_count": members.count(),
    })
