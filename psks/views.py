"""The PSKS pages: an area's workers, welfare institutions (LKS) and trainings; a training with
its participants and the groups they lead; the forms; and the panel of a group's page telling
which of its leaders were trained.

Workers and participants are people: observers see their numbers, never their names."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Keanggotaan, PeranAnggota
from psks.forms import LKSForm, PelatihanForm, PesertaForm, PetugasForm
from psks.models import LEADER_ROLES, LKS, Pelatihan, PeranPSKS, PesertaPelatihan, PetugasPSKS
from registry import access
from registry.models import Perkumpulan, Wilayah
from registry.pages import (
    BadRequest,
    area_param,
    can_edit_record,
    get_editable_or_404,
    larger_areas,
    posted,
    require_editing_role,
)

LISTED = 100  # rows of each list on an area's page; the count tells of the rest


def serving(area: Wilayah) -> Q:
    """Records of the area, of the areas within it, and of the areas above it (the kecamatan's
    TKSK serves the village)."""
    above = [kode for kode in (area.provinsi_id, area.kabupaten_id, area.kecamatan_id) if kode]
    return access.within(area, "wilayah", any_level=True) | Q(wilayah__in=above)


# On a group's page ----------------------------------------------------------------------------
def pelatihan_panel(request: HttpRequest, group: Perkumpulan) -> dict | None:
    """The group's current leaders, each with the trainings they attended: one query (a row per
    leader and training, a leader without one on a row of their own) whatever the group's
    size. Observers get the numbers only."""
    found = (Keanggotaan.objects.filter(perkumpulan=group, selesai__isnull=True,
                                        peran__in=LEADER_ROLES)
             .order_by("pk", "warga__pelatihan__pelatihan__tanggal_mulai")
             .values_list("pk", "peran", "warga__nama", "warga__pelatihan__pelatihan__topik",
                          "warga__pelatihan__pelatihan__tanggal_mulai"))
    leaders: dict[int, dict] = {}
    for pk, peran, nama, topik, tanggal in found:
        leader = leaders.setdefault(pk, {"nama": nama, "peran": peran,
                                         "peran_label": PeranAnggota(peran).label,
                                         "trainings": []})
        if topik is not None:
            leader["trainings"].append({"topik": topik, "tanggal": tanggal})
    if not leaders:
        return None
    rows = sorted(leaders.values(),
                  key=lambda r: (LEADER_ROLES.index(r["peran"]), r["nama"].casefold()))
    return {
        "rows": rows,
        "trained": sum(1 for r in rows if r["trainings"]),
        "leaders": len(rows),
        "personal": access.can_see_personal_data(request.user),
    }


# An area's page -------------------------------------------------------------------------------
@login_required
def psks_index(request: HttpRequest) -> HttpResponse:
    try:
        area = area_param(request)
    except BadRequest as exc:
        return render(request, "psks/index.html", {"error": str(exc)}, status=400)
    user = request.user
    where = serving(area)
    personal = access.may_view(user, PetugasPSKS)
    # Counts by role: of the records the page is about, whoever may see the area (no names).
    by_role = dict(PetugasPSKS.objects.filter(where, selesai__isnull=True).order_by()
                   .values("peran").annotate(n=Count("pk")).values_list("peran", "n"))
    role_counts = [(label, by_role.get(value, 0)) for value, label in PeranPSKS.choices]
    workers = []
    if personal:
        workers = list(PetugasPSKS.objects.visible_to(user).filter(where)
                       .select_related("warga", "wilayah")
                       .order_by("selesai", "peran", "warga__nama", "pk")[:LISTED])
    for record in workers:
        record.editable = access.may_write_area(user, record.wilayah)
    lks = list(LKS.objects.visible_to(user).filter(where).select_related("wilayah")
               .order_by("-aktif", "nama")[:LISTED])
    for record in lks:
        record.editable = access.may_write_area(user, record.wilayah)
    lks_total = LKS.objects.visible_to(user).filter(where).count()
    trainings = Pelatihan.objects.visible_to(user).filter(where)
    may_write = access.may_write_area(user, area)
    return render(request, "psks/index.html", {
        "area": area,
        "larger": larger_areas(request, area),
        "personal": personal,
        "role_counts": role_counts,
        "current_total": sum(by_role.values()),
        "workers": workers,
        "lks": lks,
        "lks_total": lks_total,
        "trainings": list(trainings.select_related("wilayah")
                          .annotate(jumlah_peserta=Count("peserta"))
                          .order_by("-tanggal_mulai", "topik")[:LISTED]),
        "trainings_total": trainings.count(),
        "listed": LISTED,
        "can_edit": may_write,
    })


# A training -----------------------------------------------------------------------------------
def pelatihan_page(request: HttpRequest, pelatihan: Pelatihan, form=None,
                   status: int = 200) -> HttpResponse:
    """A training, its participants (for those who may see people) with the groups each leads
    now, and the form that adds one: a fixed number of queries."""
    user = request.user
    personal = access.may_view(user, PesertaPelatihan)
    participants, leads = [], {}
    if personal:
        participants = list(PesertaPelatihan.objects.visible_to(user).filter(pelatihan=pelatihan)
                            .select_related("warga").order_by("warga__nama", "pk"))
        for m in (Keanggotaan.objects.visible_to(user)
                  .filter(warga__in=[p.warga_id for p in participants], selesai__isnull=True,
                          peran__in=LEADER_ROLES)
                  .select_related("perkumpulan").order_by("perkumpulan__nama")):
            leads.setdefault(m.warga_id, []).append(m)
    can_edit = can_edit_record(request, pelatihan)
    if can_edit and form is None:
        form = PesertaForm(pelatihan=pelatihan, user=user)
    return render(request, "psks/pelatihan.html", {
        "pelatihan": pelatihan,
        "total": pelatihan.peserta.count(),
        "personal": personal,
        "rows": [{"peserta": p, "leads": leads.get(p.warga_id, [])} for p in participants],
        "can_edit": can_edit,
        "form": form if can_edit else None,
    }, status=status)


@login_required
def pelatihan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pelatihan = get_object_or_404(
        Pelatihan.objects.visible_to(request.user).select_related("wilayah"), pk=pk)
    return pelatihan_page(request, pelatihan)


@login_required
@require_POST
def peserta_add(request: HttpRequest, pk: int) -> HttpResponse:
    pelatihan = get_editable_or_404(request, Pelatihan.objects.select_related("wilayah"), pk=pk)
    form = PesertaForm(request.POST, pelatihan=pelatihan, user=request.user)
    page = reverse("psks:pelatihan_detail", args=[pelatihan.pk]) + "#peserta"

    def save() -> str | None:
        peserta = form.save()
        if peserta is None:
            return None
        messages.success(request, _("%(nama)s is listed as a participant.")
                         % {"nama": peserta.warga.nama})
        return page

    done = form.save_once(request, save, page)
    if done is not None:
        return done
    return pelatihan_page(request, pelatihan, form, status=400)


# The forms ------------------------------------------------------------------------------------
# What each form page records: its form and its model.
RECORDS = {
    "petugas": (PetugasForm, PetugasPSKS),
    "lks": (LKSForm, LKS),
    "pelatihan": (PelatihanForm, Pelatihan),
}


def _form_page(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    """Record a worker, an LKS or a training, or change one: 403 for a role that may not write,
    404 for a record outside what the user may change."""
    require_editing_role(request)
    form_class, model = RECORDS[kind]
    instance = None
    if pk is not None:
        instance = get_editable_or_404(request, model.objects.select_related("wilayah"), pk=pk)
    area = None
    kode = request.GET.get("wilayah")
    if instance is None and kode:
        area = Wilayah.objects.visible_to(request.user).filter(pk=kode).first()
    elif instance is None and request.user.wilayah_id:
        area = request.user.wilayah
    form = form_class(posted(request), instance=instance, user=request.user, area=area)
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("Saved: %(record)s.") % {"record": saved})
            if isinstance(saved, Pelatihan):
                return reverse("psks:pelatihan_detail", args=[saved.pk])
            return reverse("psks:index") + f"?wilayah={saved.wilayah_id}"

        done = form.save_once(request, save, reverse("psks:index"))
        if done is not None:
            return done
    back = reverse("psks:index") + (
        f"?wilayah={instance.wilayah_id}" if instance else f"?wilayah={area.pk}" if area else "")
    return render(request, "psks/form.html", {
        "form": form, "instance": instance, "what": model._meta.verbose_name, "back": back,
    }, status=form.http_status)


@login_required
def petugas_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _form_page(request, "petugas", pk)


@login_required
def lks_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _form_page(request, "lks", pk)


@login_required
def pelatihan_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _form_page(request, "pelatihan", pk)
