"""Pages of ketahanan: a village's assessment rounds (look) — the list, a new round, a
respondent's scores typed in a form or imported from a workbook, the blank workbook of a round,
and the round's page: the means per dimension and per statement, and (for those who may see
personal data) the respondents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ketahanan import penilaian as logic
from ketahanan.forms_penilaian import ImporForm, PenilaianForm, SkorForm
from ketahanan.models import Penilaian, Responden
from ketahanan.views.pokja import village_param
from registry import access
from registry.pages import XLSX, BadRequest, get_editable_or_404, posted


def list_url(desa_id: str) -> str:
    return reverse("ketahanan:penilaian_list") + f"?wilayah={desa_id}"


@login_required
def penilaian_list(request: HttpRequest) -> HttpResponse:
    """A village's rounds, latest first, each with its number of respondents (one query)."""
    from django.db.models import Count

    try:
        desa = village_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/penilaian_list.html", {"error": str(exc)}, status=400)
    rounds = (Penilaian.objects.filter(desa=desa).select_related("pokja")
              .annotate(n_responden=Count("responden")).order_by("-tanggal", "-pk"))
    return render(request, "ketahanan/penilaian_list.html", {
        "desa": desa, "rounds": rounds, "can_edit": access.may_write_area(request.user, desa),
    })


@login_required
def penilaian_new(request: HttpRequest) -> HttpResponse:
    try:
        desa = village_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/penilaian_form.html", {"error": str(exc)}, status=400)
    if not access.may_write_area(request.user, desa):
        raise PermissionDenied
    form = PenilaianForm(posted(request), instance=Penilaian(desa=desa), user=request.user)
    if request.method == "POST":

        def save() -> str:
            made = form.save()
            messages.success(request, _("Assessment round %(nama)s recorded.")
                             % {"nama": made.nama})
            return reverse("ketahanan:penilaian_detail", args=[made.pk])

        done = form.save_once(request, save, list_url(desa.pk))
        if done is not None:
            return done
    return render(request, "ketahanan/penilaian_form.html", {
        "desa": desa, "form": form, "back": list_url(desa.pk),
    }, status=400 if request.method == "POST" else 200)


@login_required
def penilaian_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round: means per dimension and per statement, respondents' count; the respondents
    listed only for who may see the village's personal data."""
    record = get_object_or_404(
        Penilaian.objects.visible_to(request.user).select_related("desa", "pokja"), pk=pk)
    hidden = access.hidden_fields(request.user, Responden)
    shows_people = access.may_view(request.user, Responden) and "nama" not in hidden
    respondents = list(record.responden.order_by("nomor")) if shows_people else None
    pelaksana = ([f"{a.warga.nama} ({a.get_jabatan_display()})"
                  for a in record.pelaksana.select_related("warga")] if shows_people
                 else None)
    return render(request, "ketahanan/penilaian_detail.html", {
        "penilaian": record, "desa": record.desa, **logic.round_summary(record),
        "respondents": respondents, "pelaksana": pelaksana,
        "can_edit": access.may_write_area(request.user, record.desa),
        "back": list_url(record.desa_id),
    })


@login_required
def penilaian_skor(request: HttpRequest, pk: int) -> HttpResponse:
    """One respondent's scores typed in: a 1–5 choice per statement in use, by dimension."""
    record = get_editable_or_404(request, Penilaian.objects.select_related("desa"), pk=pk)
    page = reverse("ketahanan:penilaian_detail", args=[record.pk])
    form = SkorForm(posted(request), user=request.user, penilaian=record,
                    pernyataan=logic.statements())
    if request.method == "POST":

        def save() -> str:
            data = form.cleaned_data
            by_pk = {p.pk: p for p in form.pernyataan}
            logic.save_respondents(record, [(
                data["nomor"], data["nama"], data["unsur"],
                {by_pk[k]: v for k, v in form.scores().items()})])
            messages.success(request, _("Respondent %(n)d recorded.") % {"n": data["nomor"]})
            return reverse("ketahanan:penilaian_skor", args=[record.pk])

        done = form.save_once(request, save, page)
        if done is not None:
            return done
    return render(request, "ketahanan/penilaian_skor.html", {
        "penilaian": record, "desa": record.desa, "form": form, "back": page,
    }, status=400 if request.method == "POST" else 200)


@login_required
def penilaian_impor(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's respondents and scores from a workbook: all or nothing; every error named by
    its row and column (400)."""
    record = get_editable_or_404(request, Penilaian.objects.select_related("desa"), pk=pk)
    page = reverse("ketahanan:penilaian_detail", args=[record.pk])
    form = ImporForm(posted(request), request.FILES or None, user=request.user,
                     penilaian=record)
    errors: list[str] = []
    if request.method == "POST":

        def save() -> str | None:
            try:
                with transaction.atomic():
                    n = logic.import_xlsx(record, form.cleaned_data["berkas"])
            except logic.ImportError_ as exc:
                errors.extend(exc.errors)
                return None
            messages.success(request, _("%(n)d respondents imported.") % {"n": n})
            return page

        done = form.save_once(request, save, page)
        if done is not None:
            return done
    return render(request, "ketahanan/penilaian_impor.html", {
        "penilaian": record, "desa": record.desa, "form": form, "errors": errors,
        "back": page,
    }, status=400 if request.method == "POST" else 200)


@login_required
def penilaian_template(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(Penilaian.objects.visible_to(request.user), pk=pk)
    return FileResponse(logic.template_bytes(record), as_attachment=True,
                        filename=f"penilaian-{record.pk}.xlsx", content_type=XLSX)


urlpatterns = [
    path("ketahanan/penilaian/", penilaian_list, name="penilaian_list"),
    path("ketahanan/penilaian/baru/", penilaian_new, name="penilaian_new"),
    path("ketahanan/penilaian/<id:pk>/", penilaian_detail, name="penilaian_detail"),
    path("ketahanan/penilaian/<id:pk>/skor/", penilaian_skor, name="penilaian_skor"),
    path("ketahanan/penilaian/<id:pk>/impor/", penilaian_impor, name="penilaian_impor"),
    path("ketahanan/penilaian/<id:pk>/templat.xlsx", penilaian_template,
         name="penilaian_template"),
]


def register() -> None:
    """Parts of other apps' pages this module adds (dashboard cards, panels), from ready()."""
