"""Pages of ketahanan: a village's Pokja Tansosmas — its bodies (current and past), their
periods and members; an officer of the village records them, adds a member by NIK and ends a
member's term. Observers read the bodies and the number of members, never their names."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketahanan.forms_pokja import AnggotaPokjaForm, PokjaForm
from ketahanan.models import AnggotaPokja, PokjaTansosmas
from network.views import end_term
from registry import access
from registry.models import Tingkat, Wilayah
from registry.pages import BadRequest, ChooseArea, area_param, get_editable_or_404, posted


def village_param(request: HttpRequest) -> Wilayah:
    """The village of `?wilayah=` (404 outside the user's area); for a larger area, the page
    opened lists the areas below it to choose from (ChooseArea), a form sent is a BadRequest."""
    area = area_param(request)
    if area.tingkat != Tingkat.DESA:
        if request.method == "GET":
            raise ChooseArea(within=area)
        raise BadRequest(_("Choose a village: add ?wilayah=CODE, e.g. ?wilayah=32.77.01.1002."))
    return area


def list_url(desa_id: str) -> str:
    return reverse("ketahanan:pokja_list") + f"?wilayah={desa_id}"


def _members_prefetch() -> Prefetch:
    return Prefetch("anggota", AnggotaPokja.objects.select_related("warga")
                    .order_by("selesai", "jabatan", "warga__nama"))


@login_required
def pokja_list(request: HttpRequest) -> HttpResponse:
    """A village's Pokja bodies, current first, each with its members (two queries)."""
    try:
        desa = village_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/pokja_list.html", {"error": str(exc)}, status=400)
    today = timezone.localdate()
    bodies = list(PokjaTansosmas.objects.filter(desa=desa).prefetch_related(_members_prefetch())
                  .order_by("-mulai", "-pk"))
    for body in bodies:
        body.kini = body.selesai is None or body.selesai >= today
    return render(request, "ketahanan/pokja_list.html", {
        "desa": desa, "current": [b for b in bodies if b.kini],
        "past": [b for b in bodies if not b.kini],
        "can_edit": access.may_write_area(request.user, desa),
        "personal": access.may_view(request.user, AnggotaPokja)
        and access.can_see_personal_data(request.user),
    })


@login_required
def pokja_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A Pokja: its period, its members (names for those who may see them), the form that adds
    a member."""
    body = get_object_or_404(
        PokjaTansosmas.objects.visible_to(request.user).select_related("desa")
        .prefetch_related(_members_prefetch()), pk=pk)
    can_edit = access.may_write_area(request.user, body.desa)
    form = AnggotaPokjaForm(user=request.user, pokja=body) if can_edit else None
    return _detail(request, body, can_edit, form)


def _detail(request, body, can_edit, form, status=200) -> HttpResponse:
    members = list(body.anggota.all())
    return render(request, "ketahanan/pokja_detail.html", {
        "pokja": body, "desa": body.desa, "can_edit": can_edit, "form": form,
        "current": [m for m in members if m.selesai is None],
        "past": [m for m in members if m.selesai is not None],
        "personal": access.can_see_personal_data(request.user),
        "back": list_url(body.desa_id),
    }, status=status)


@login_required
def pokja_new(request: HttpRequest) -> HttpResponse:
    try:
        desa = village_param(request)
    except BadRequest as exc:
        return render(request, "ketahanan/pokja_form.html", {"error": str(exc)}, status=400)
    if not access.may_write_area(request.user, desa):
        raise PermissionDenied
    form = PokjaForm(posted(request), instance=PokjaTansosmas(desa=desa), user=request.user)
    if request.method == "POST":

        def save() -> str | None:
            made = form.save()
            if made is None:
                return None
            messages.success(request, _("Pokja %(nama)s recorded.") % {"nama": made.nama})
            return reverse("ketahanan:pokja_detail", args=[made.pk])

        done = form.save_once(request, save, list_url(desa.pk))
        if done is not None:
            return done
    return render(request, "ketahanan/pokja_form.html", {
        "desa": desa, "form": form, "back": list_url(desa.pk),
    }, status=400 if request.method == "POST" else 200)


@login_required
def pokja_edit(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_editable_or_404(request, PokjaTansosmas.objects.select_related("desa"), pk=pk)
    page = reverse("ketahanan:pokja_detail", args=[body.pk])
    form = PokjaForm(posted(request), instance=body, user=request.user)
    if request.method == "POST":

        def save() -> str | None:
            if form.save() is None:
                return None
            messages.success(request, _("Pokja saved."))
            return page

        done = form.save_once(request, save, page)
        if done is not None:
            return done
        if form.conflicted:
            body.refresh_from_db()
    return render(request, "ketahanan/pokja_form.html", {
        "desa": body.desa, "pokja": body, "form": form, "back": page,
    }, status=409 if form.conflicted else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def pokja_anggota_add(request: HttpRequest, pk: int) -> HttpResponse:
    """POST only: a member added by NIK; the Pokja's page again with the errors if refused."""
    body = get_editable_or_404(
        request, PokjaTansosmas.objects.select_related("desa")
        .prefetch_related(_members_prefetch()), pk=pk)
    page = reverse("ketahanan:pokja_detail", args=[body.pk])
    form = AnggotaPokjaForm(request.POST, user=request.user, pokja=body)

    def save() -> str:
        AnggotaPokja.objects.create(
            pokja=body, warga=form.cleaned_data["nik"], jabatan=form.cleaned_data["jabatan"],
            unsur=form.cleaned_data["unsur"], mulai=form.cleaned_data["mulai"])
        messages.success(request, _("Pokja member added."))
        return page + "#anggota"

    done = form.save_once(request, save, page)
    if done is not None:
        return done
    return _detail(request, body, True, form, status=400)


@login_required
def pokja_anggota_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET); the member's term ends today on the POST."""
    member = get_editable_or_404(
        request, AnggotaPokja.objects.select_related("pokja", "warga"), pk=pk)
    page = reverse("ketahanan:pokja_detail", args=[member.pokja_id]) + "#anggota"
    question = _("End the term of %(name)s as %(position)s today?") % {
        "name": member.warga.nama, "position": member.get_jabatan_display()}
    return end_term(request, member, f"ketahanan:pokja_anggota_end:{pk}", page, question,
                    _("The member's term has ended."), _("This member's term has already ended."))


urlpatterns = [
    path("ketahanan/pokja/", pokja_list, name="pokja_list"),
    path("ketahanan/pokja/baru/", pokja_new, name="pokja_new"),
    path("ketahanan/pokja/<id:pk>/", pokja_detail, name="pokja_detail"),
    path("ketahanan/pokja/<id:pk>/ubah/", pokja_edit, name="pokja_edit"),
    path("ketahanan/pokja/<id:pk>/anggota/", pokja_anggota_add, name="pokja_anggota_add"),
    path("ketahanan/pokja/anggota/<id:pk>/akhiri/", pokja_anggota_end,
         name="pokja_anggota_end"),
]


def register() -> None:
    """Parts of other apps' pages this module adds (dashboard cards, panels), from ready()."""
