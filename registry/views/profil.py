"""A village's own figures (its monografi) year by year: the page of a village's profiles and
the form an officer enters or corrects a year's profile with. The dashboard and the recap show
the latest profiles' totals (registry.models.ProfilDesaQuerySet.summary)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from registry import access, audit, validators
from registry.forms import ProfilDesaForm
from registry.models import ProfilDesa, Wilayah
from registry.pages import get_editable_or_404, posted, require_editing_role


def profil_history(desa: Wilayah) -> audit.Source:
    return audit.Source(ProfilDesa.history.filter(desa_id=desa.pk),
                        lambda row, names: _("Village profile %(tahun)s") % {"tahun": row.tahun})


@login_required
def profil_list(request: HttpRequest, kode: str) -> HttpResponse:
    """A village's profiles, latest year first, and their history: for everyone who sees the
    village (404 outside the user's area); the forms for those who may write it."""
    desa = get_object_or_404(Wilayah.objects.visible_to(request.user).desa(), pk=kode)
    profiles = list(ProfilDesa.objects.visible_to(request.user).filter(desa=desa)
                    .order_by("-tahun"))
    history, history_total = audit.timeline([profil_history(desa)], request.user)
    return render(request, "registry/profil_desa.html", {
        "desa": desa,
        "profiles": profiles,
        "bands": validators.AGE_BANDS,
        "history": history,
        "history_total": history_total,
        "can_edit": access.may_write_area(request.user, desa),
    })


@login_required
def profil_form(request: HttpRequest, kode: str, tahun: int | None = None) -> HttpResponse:
    """Enter a year's profile of a village, or correct one: 403 for a role that may not write,
    404 for a village outside the user's area."""
    require_editing_role(request)
    desa = get_object_or_404(Wilayah.objects.editable_by(request.user).desa(), pk=kode)
    profil = None
    if tahun is not None:
        profil = get_editable_or_404(request, ProfilDesa, desa=desa, tahun=tahun)
    form = ProfilDesaForm(posted(request), instance=profil, user=request.user, desa=desa)
    page = reverse("registry:profil_list", args=[desa.pk])
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("The profile of %(desa)s for %(tahun)d is saved.")
                             % {"desa": desa.nama, "tahun": saved.tahun})
            return page

        done = form.save_once(request, save, page)
        if done is not None:
            return done
    return render(request, "registry/profil_desa_form.html", {
        "form": form, "desa": desa, "profil": profil,
    }, status=form.http_status)
