"""A village's action plans (think) and their activities (act).

- The plans of a village (`?wilayah=CODE`), each with its progress; a plan's page lists its
  activities by dimension: the indicator each means to move, the responsible groups, budget and
  who pays, schedule, status and what was done, and — beside a finished activity that names an
  indicator — the indicator's value before and after (`sebelum_sesudah`).
- The village's officer, Dinas Sosial staff and administrators write (a plan, an activity, an
  activity's next step); observers see the plans (groups and figures, no person's data) but may
  not write (403); a plan outside the user's area is not found (404).

The plan's page runs a fixed number of queries whatever the number of activities: the plan,
its activities (with their programme and paying group), their responsible groups (one prefetch),
the village's monitoring rounds (one query) and whether the user may write. The before/after
values are computed once per distinct moment of the page (`Nilai`), not once per activity.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketahanan import indikator
from ketahanan.forms_rencana import NEXT_STATUS, KegiatanForm, RencanaForm, StatusForm
from ketahanan.models import (
    Dimensi,
    KegiatanAksi,
    RencanaAksi,
    StatusKegiatan,
)
from registry import access, lampau, panels
from registry.models import Perkumpulan, Tingkat, Wilayah
from registry.pages import (
    BadRequest,
    ChooseArea,
    area_param,
    can_edit_record,
    get_editable_or_404,
    posted,
    require_editing_role,
)


def rupiah(value) -> str:
    """An amount as the pages show it: "Rp 1.500.000", "–" when empty."""
    if value is None:
        return "–"
    return "Rp " + f"{value:,}".replace(",", ".")


# Before and after -----------------------------------------------------------------------------
def monitoring_dates(desa: Wilayah) -> list[datetime.date]:
    """The days of the village's monitoring rounds before today (ketahanan.putaran.rounds:
    its imports, approved verification rounds, rounds named for it or a larger area), in
    order: three queries."""
    from ketahanan import putaran

    return sorted({timezone.localtime(r.momen).date() for r in putaran.rounds(desa)
                   if r.kunci != "kini"})


def _moment(day: datetime.date):
    """The registry as it stood on `day` (a past day), or today's registry."""
    return lampau.parse_pada(day) if day < timezone.localdate() else None


def sebelum_sesudah(kegiatan: KegiatanAksi, moments: list[datetime.date] | None = None,
                    memo: dict | None = None) -> tuple:
    """The value of the activity's indicator before (at its start, the registry as it stood
    then) and after (at the first monitoring round after it was done, or today if none): None
    for an activity not done or naming no indicator. `moments`: the village's monitoring dates
    (`monitoring_dates`), `memo`: results already computed on the page, by moment."""
    if kegiatan.status != StatusKegiatan.SELESAI or not kegiatan.indikator:
        return None, None
    desa = kegiatan.rencana.desa
    if moments is None:
        moments = monitoring_dates(desa)
    memo = {} if memo is None else memo
    today = timezone.localdate()
    after = next((d for d in moments if d > kegiatan.tanggal_selesai and d <= today), today)

    def value(day: datetime.date):
        key = (desa.pk, day)
        if key not in memo:
            memo[key] = indikator.hitung(desa, day, pada=_moment(day))
        return memo[key].nilai(kegiatan.indikator)

    return value(kegiatan.mulai), value(after)


# Progress -------------------------------------------------------------------------------------
PROGRESS = {
    "n_jumlah": Count("kegiatan", filter=~Q(kegiatan__status=StatusKegiatan.BATAL)),
    "n_selesai": Count("kegiatan", filter=Q(kegiatan__status=StatusKegiatan.SELESAI)),
    "n_anggaran": Sum("kegiatan__anggaran", filter=~Q(kegiatan__status=StatusKegiatan.BATAL)),
    "n_terpakai": Sum("kegiatan__anggaran", filter=Q(kegiatan__status=StatusKegiatan.SELESAI)),
}


def progress(kegiatan: list[KegiatanAksi]) -> dict:
    """Done of all activities (cancelled ones left out), and the budget spent on the done ones
    of the whole budget."""
    live = [k for k in kegiatan if k.status != StatusKegiatan.BATAL]
    done = [k for k in live if k.status == StatusKegiatan.SELESAI]
    return {"jumlah": len(live), "selesai": len(done),
            "anggaran": sum(k.anggaran or 0 for k in live),
            "terpakai": sum(k.anggaran or 0 for k in done)}


def rencana_card(request: HttpRequest, stored):
    """The action plans' activities done of all, in the user's area (one query); nothing
    shown while there is none."""
    found = KegiatanAksi.objects.visible_to(request.user).exclude(
        status=StatusKegiatan.BATAL).aggregate(
        jumlah=Count("pk"), selesai=Count("pk", filter=Q(status=StatusKegiatan.SELESAI)))
    if not found["jumlah"]:
        return None
    url = reverse("ketahanan:rencana_list")
    if request.user.wilayah_id:
        url += f"?wilayah={request.user.wilayah_id}"
    return (_("of %(n)d action plan activities done") % {"n": found["jumlah"]},
            found["selesai"], url)


def register() -> None:
    """Parts of other apps' pages this module adds (dashboard cards, panels), from ready()."""
    panels.register_dashboard_card(45)(rencana_card)


# Pages ----------------------------------------------------------------------------------------
def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "ketahanan/rencana_list.html", {"error": message}, status=400)


@login_required
def rencana_list(request: HttpRequest) -> HttpResponse:
    """The action plans of an area (a village's, or every village's within a larger area), with
    their progress."""
    try:
        area = area_param(request)
    except BadRequest as exc:
        return _bad(request, str(exc))
    plans = list(RencanaAksi.objects.visible_to(request.user)
                 .filter(access.within(area, "desa")).select_related("desa")
                 .annotate(**PROGRESS).order_by("desa__nama", "-mulai"))
    for p in plans:
        p.anggaran_rp, p.terpakai_rp = rupiah(p.n_anggaran or 0), rupiah(p.n_terpakai or 0)
    can_add = area.tingkat == Tingkat.DESA and access.may_write_area(request.user, area)
    return render(request, "ketahanan/rencana_list.html", {
        "area": area, "plans": plans, "can_add": can_add,
    })


def _village_to_write(request: HttpRequest) -> Wilayah:
    """The village of `?wilayah=` the user may write plans of: 404 outside the user's area, 403
    for a role that may not write, 400 for an area that is no village."""
    area = area_param(request)
    require_editing_role(request)
    if area.tingkat != Tingkat.DESA:
        if request.method == "GET":
            raise ChooseArea(within=area)
        raise BadRequest(_("Choose a village: add ?wilayah=CODE of a desa/kelurahan."))
    if not access.may_write_area(request.user, area):
        raise Http404
    return area


@login_required
def rencana_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        try:
            desa = _village_to_write(request)
        except BadRequest as exc:
            return _bad(request, str(exc))
        plan = RencanaAksi(desa=desa)
    else:
        plan = get_editable_or_404(request, RencanaAksi.objects.select_related("desa"), pk=pk)
        desa = plan.desa
    form = RencanaForm(posted(request), instance=plan, user=request.user)
    back = (reverse("ketahanan:rencana_detail", args=[plan.pk]) if plan.pk
            else reverse("ketahanan:rencana_list") + f"?wilayah={desa.kode}")
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("Action plan %(nama)s saved.") % {"nama": saved.nama})
            return reverse("ketahanan:rencana_detail", args=[saved.pk])

        done = form.save_once(request, save, back)
        if done is not None:
            return done
    return render(request, "ketahanan/rencana_form.html", {
        "form": form, "plan": plan, "desa": desa, "back": back,
    }, status=form.http_status)


@login_required
def rencana_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(RencanaAksi.objects.visible_to(request.user)
                             .select_related("desa", "pokja"), pk=pk)
    activities = list(
        plan.kegiatan.select_related("program", "dana_perkumpulan")
        .prefetch_related(Prefetch("penanggung_jawab",
                                   queryset=Perkumpulan.objects.only("kode", "nama")
                                   .order_by("nama")))
        .order_by("mulai", "nama", "pk"))
    moments = None
    memo: dict = {}
    for k in activities:
        k.rencana = plan
        k.anggaran_rp = rupiah(k.anggaran)
        k.sebelum = k.sesudah = None
        if k.status == StatusKegiatan.SELESAI and k.indikator:
            if moments is None:
                moments = monitoring_dates(plan.desa)
            before, after = sebelum_sesudah(k, moments, memo)
            k.sebelum, k.sesudah = indikator.shown(before), indikator.shown(after)
        k.can_move = bool(NEXT_STATUS.get(k.status))
    groups = []
    for value, label in Dimensi.choices:
        items = [k for k in activities if k.dimensi == value]
        if items:
            groups.append({"dimensi": value, "label": label, "kegiatan": items})
    figures = progress(activities)
    figures["anggaran_rp"] = rupiah(figures["anggaran"])
    figures["terpakai_rp"] = rupiah(figures["terpakai"])
    return render(request, "ketahanan/rencana_detail.html", {
        "plan": plan, "groups": groups, "progress": figures,
        "can_edit": can_edit_record(request, plan),
    })


@login_required
def kegiatan_form(request: HttpRequest, pk: int | None = None,
                  rencana: int | None = None) -> HttpResponse:
    """A new activity of plan `rencana`, or activity `pk` changed."""
    if pk is None:
        plan = get_editable_or_404(request, RencanaAksi.objects.select_related("desa"),
                                   pk=rencana)
        kegiatan = KegiatanAksi(rencana=plan)
    else:
        kegiatan = get_editable_or_404(
            request, KegiatanAksi.objects.select_related("rencana__desa"), pk=pk)
        plan = kegiatan.rencana
    form = KegiatanForm(posted(request), instance=kegiatan, user=request.user, desa=plan.desa)
    back = reverse("ketahanan:rencana_detail", args=[plan.pk])
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("Activity %(nama)s saved.") % {"nama": saved.nama})
            return f"{back}#kegiatan-{saved.pk}"

        done = form.save_once(request, save, back)
        if done is not None:
            return done
    return render(request, "ketahanan/rencana_kegiatan.html", {
        "form": form, "plan": plan, "kegiatan": kegiatan, "back": back,
    }, status=form.http_status)


@login_required
def kegiatan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity's next step: GET the form, POST the step (400 with the reason when refused)."""
    kegiatan = get_editable_or_404(
        request, KegiatanAksi.objects.select_related("rencana__desa"), pk=pk)
    back = reverse("ketahanan:rencana_detail", args=[kegiatan.rencana_id])
    if not NEXT_STATUS.get(kegiatan.status):
        if request.method == "POST":
            messages.info(request, _("This activity is %(status)s: its status no longer "
                                     "changes.") % {"status": kegiatan.get_status_display()})
        return redirect(back)
    form = StatusForm(posted(request), kegiatan=kegiatan)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                form.save()
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("%(nama)s: %(status)s.") % {
                    "nama": kegiatan.nama, "status": kegiatan.get_status_display()})
                return redirect(f"{back}#kegiatan-{kegiatan.pk}")
        status = 400
    return render(request, "ketahanan/rencana_status.html", {
        "form": form, "kegiatan": kegiatan, "back": back,
    }, status=status)


urlpatterns = [
    path("rencana/", rencana_list, name="rencana_list"),
    path("rencana/baru/", rencana_form, name="rencana_new"),
    path("rencana/<id:pk>/", rencana_detail, name="rencana_detail"),
    path("rencana/<id:pk>/ubah/", rencana_form, name="rencana_edit"),
    path("rencana/<id:rencana>/kegiatan/baru/", kegiatan_form, name="kegiatan_new"),
    path("kegiatan/<id:pk>/ubah/", kegiatan_form, name="kegiatan_edit"),
    path("kegiatan/<id:pk>/status/", kegiatan_status, name="kegiatan_status"),
]
