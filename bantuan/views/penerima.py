"""Recipients, distributions and stimulus reports; the aid history panels of a group's,
a person's and a household's pages."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bantuan.forms import LaporanForm, PenerimaForm, PenerimaStopForm, PenyaluranForm
from bantuan.models import (
    BentukBantuan,
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    StatusPenerima,
)
from members.models import AnggotaKeluarga, Keluarga, Warga
from pmks.models import KasusPMKS
from registry import access
from registry.models import Perkumpulan
from registry.pages import file_download, get_editable_or_404, paged, require_editing_role

RECIPIENT_RELATED = ("program", "program__wilayah", "warga", "keluarga", "perkumpulan", "kasus",
                     "desa", "diputuskan_oleh")


# Adding a recipient ----------------------------------------------------------------------------
@login_required
def penerima_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A person, a household or a group on a programme (by the programme's target). 403 for a
    role that may not write, 404 for a programme the user does not see."""
    require_editing_role(request)
    program = get_object_or_404(Program.objects.visible_to(request.user)
                                .select_related("wilayah"), pk=pk)
    form = PenerimaForm(request.POST if request.method == "POST" else None,
                        program=program, user=request.user)
    if form.is_bound:
        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("%(name)s added to %(programme)s.") % {
                "name": saved.nama, "programme": program.nama})
            return reverse("bantuan:penerima_detail", args=[saved.pk])

        done = form.save_once(request, save,
                              reverse("bantuan:program_detail", args=[program.pk]))
        if done is not None:
            return done
    return render(request, "bantuan/penerima_add.html", {
        "program": program, "form": form,
    }, status=400 if form.is_bound else 200)


# A recipient's page ----------------------------------------------------------------------------
def visible_penerima(request: HttpRequest, pk: int) -> Penerima:
    """A recipient within the user's area: 403 for a role that never sees aid recipients
    (observers), 404 outside the area."""
    if not access.may_view(request.user, Penerima):
        raise PermissionDenied
    return get_object_or_404(
        Penerima.objects.visible_to(request.user).select_related(*RECIPIENT_RELATED), pk=pk)


def editable_penerima(request: HttpRequest, pk: int) -> Penerima:
    """A recipient the user may write: 403 for a role that may not write (observers), 404
    outside the user's area (`editable_by`: the recipient's area within the user's)."""
    return get_editable_or_404(
        request, Penerima.objects.select_related(*RECIPIENT_RELATED), pk=pk)


def is_stimulus_group(penerima: Penerima) -> bool:
    return penerima.program.bentuk == BentukBantuan.STIMULAN and bool(penerima.perkumpulan_id)


def penerima_page(request: HttpRequest, penerima: Penerima, *, salur_form=None,
                  laporan_form=None, stop_form=None, status: int = 200) -> HttpResponse:
    """The recipient, their distributions (and a group's stimulus reports), the forms to record
    a distribution, a report and to stop: three queries besides the recipient's."""
    user = request.user
    distributions = list(penerima.penyaluran.select_related("oleh", "perkumpulan")
                         .order_by("-tanggal", "-pk"))
    stimulus = is_stimulus_group(penerima)
    reports = (list(penerima.laporan.select_related("oleh").order_by("-tanggal", "-pk"))
               if stimulus else [])
    can_edit = access.can_edit(user) and access.may_write_area(user, penerima.desa)
    stopped = penerima.status == StatusPenerima.DIHENTIKAN
    if can_edit:
        if salur_form is None and not stopped:
            salur_form = PenyaluranForm(penerima=penerima, user=user)
        if laporan_form is None and stimulus:
            laporan_form = LaporanForm(penerima=penerima, user=user)
        if stop_form is None and not stopped:
            stop_form = PenerimaStopForm()
    else:
        salur_form = laporan_form = stop_form = None
    due = None
    if stimulus and distributions:
        first = min(d.tanggal for d in distributions)
        due = first + datetime.timedelta(days=penerima.program.batas_laporan_hari)
    return render(request, "bantuan/penerima_detail.html", {
        "r": penerima,
        "program": penerima.program,
        "distributions": distributions,
        "reports": reports,
        "stimulus": stimulus,
        "stopped": stopped,
        "due": due,
        "total_nilai": sum(d.nilai or 0 for d in distributions),
        "can_edit": can_edit,
        "salur_form": salur_form,
        "laporan_form": laporan_form,
        "stop_form": stop_form,
    }, status=status)


@login_required
def penerima_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return penerima_page(request, visible_penerima(request, pk))


@login_required
@require_POST
def penerima_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a recipient with a reason (required: 400 with the form without one)."""
    penerima = editable_penerima(request, pk)
    form = PenerimaStopForm(request.POST)
    if form.is_valid():
        try:
            penerima.hentikan(form.cleaned_data["alasan_berhenti"], oleh=request.user)
        except ValidationError as error:
            form.add_error("alasan_berhenti", error.message_dict.get("alasan_berhenti"))
        else:
            messages.success(request, _("The recipient was stopped."))
            return redirect("bantuan:penerima_detail", penerima.pk)
    return penerima_page(request, penerima, stop_form=form, status=400)


@login_required
@require_POST
def penyaluran_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a distribution (with its proof): written once however often it is sent; every
    error beside its field, nothing written (400)."""
    penerima = editable_penerima(request, pk)
    form = PenyaluranForm(request.POST, request.FILES, penerima=penerima, user=request.user)
    here = reverse("bantuan:penerima_detail", args=[penerima.pk])

    def save() -> str:
        form.save()
        messages.success(request, _("Distribution recorded."))
        return here + "#penyaluran-judul"

    done = form.save_once(request, save, here)
    if done is not None:
        return done
    return penerima_page(request, penerima, salur_form=form, status=400)


@login_required
def penyaluran_bukti(request: HttpRequest, pk: int) -> FileResponse:
    """A distribution's proof, as a download, to whoever may see the distribution; 404
    otherwise (and for a distribution without a file)."""
    return file_download(
        request.user, get_object_or_404(Penyaluran.objects.visible_to(request.user), pk=pk),
        "berkas_bukti")


@login_required
def laporan_bukti(request: HttpRequest, pk: int) -> FileResponse:
    """A stimulus report's evidence, as a download, to whoever may see the report; 404
    otherwise (and for a report without a file)."""
    return file_download(
        request.user, get_object_or_404(LaporanStimulan.objects.visible_to(request.user), pk=pk),
        "berkas_bukti")


@login_required
@require_POST
def laporan_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A stimulus report of a group recipient; 400 with the errors beside the fields."""
    penerima = editable_penerima(request, pk)
    if not is_stimulus_group(penerima):
        raise Http404
    form = LaporanForm(request.POST, request.FILES, penerima=penerima, user=request.user)
    here = reverse("bantuan:penerima_detail", args=[penerima.pk])

    def save() -> str:
        form.save()
        messages.success(request, _("Report recorded."))
        return here + "#laporan-judul"

    done = form.save_once(request, save, here)
    if done is not None:
        return done
    return penerima_page(request, penerima, laporan_form=form, status=400)


# Stimulus reports due ---------------------------------------------------------------------------
LAPORAN_STATUS = {"dilaporkan", "jatuh_tempo", "terlambat", "belum_disalurkan"}


def stimulus_recipients(user):
    """The stimulus recipients (groups) of the user's area. Observers never see recipients
    (`Penerima` is sensitive): theirs are the stimulus rows of the groups they see, with the
    group's name and code only."""
    stimulus = Q(program__bentuk=BentukBantuan.STIMULAN, perkumpulan__isnull=False)
    if access.may_view(user, Penerima):
        return Penerima.objects.visible_to(user).filter(stimulus)
    return Penerima.objects.filter(
        stimulus, perkumpulan__in=Perkumpulan.objects.visible_to(user).values("pk"))


def _status(row, today: datetime.date) -> str:
    if row.pertama is None:
        return "belum_disalurkan"
    row.batas = row.pertama + datetime.timedelta(days=row.program.batas_laporan_hari)
    if row.laporan_terakhir is not None and row.laporan_terakhir >= row.pertama:
        return "dilaporkan"
    return "terlambat" if today > row.batas else "jatuh_tempo"


@login_required
def laporan_list(request: HttpRequest) -> HttpResponse:
    """The groups receiving a stimulus within the user's area: last distribution, report due
    date (first distribution + the programme's days), last report, and whether it is reported,
    due or overdue. One query for the rows, one to count them."""
    user = request.user
    distributions = Penyaluran.objects.filter(penerima=OuterRef("pk")).order_by()
    rows = (
        stimulus_recipients(user)
        .select_related("program", "perkumpulan", "desa")
        .annotate(
            pertama=Subquery(distributions.order_by("tanggal").values("tanggal")[:1]),
            terakhir=Subquery(distributions.order_by("-tanggal").values("tanggal")[:1]),
            laporan_terakhir=Subquery(
                LaporanStimulan.objects.filter(penerima=OuterRef("pk"))
                .order_by("-tanggal").values("tanggal")[:1]),
        )
        .order_by("program__nama", "perkumpulan__nama", "pk")
    )
    page, query = paged(request, rows)
    today = timezone.localdate()
    for row in page.object_list:
        row.batas = None
        row.laporan_status = _status(row, today)
    return render(request, "bantuan/laporan_list.html", {
        "page": page, "query": query, "rows": page.object_list,
        "show_recipients": access.may_view(user, Penerima),
    })


# Panels ---------------------------------------------------------------------------------------
PANEL_LIMIT = 100


def perkumpulan_panel(request: HttpRequest, group: Perkumpulan) -> dict | None:
    """A group's aid: the programmes it receives, their distributions, its stimulus reports,
    and how many distributions it handed out. Three queries (the group's recipients, the
    distributions received and the count of those given in one, the reports); none for
    observers."""
    user = request.user
    if not access.may_view(user, Penerima):
        return None
    recipients = list(Penerima.objects.visible_to(user).filter(perkumpulan=group)
                      .select_related("program").order_by("-mulai", "pk"))
    # By the recipients' ids (a distribution is seen where its recipient is): as a join,
    # `received OR given` read every distribution of a province (2 million: 1.3 s).
    received = Q(penerima__in=[r.pk for r in recipients])
    rows = list(
        Penyaluran.objects.visible_to(user).filter(received | Q(perkumpulan=group))
        .annotate(
            diterima=ExpressionWrapper(received, output_field=BooleanField()),
            diberikan=Window(Count("pk", filter=Q(perkumpulan=group))))
        .select_related("penerima__program")
        .order_by("-diterima", "-tanggal", "-pk")[:PANEL_LIMIT])
    reports = list(LaporanStimulan.objects.visible_to(user).filter(penerima__perkumpulan=group)
                   .select_related("penerima__program").order_by("-tanggal", "-pk")[:PANEL_LIMIT])
    return {"recipients": recipients, "distributions": [d for d in rows if d.diterima],
            "reports": reports, "given": rows[0].diberikan if rows else 0, "group": group}


def _history(user, received: Q, on_programme: Q) -> dict:
    """Everything received (`received`, a Q over Penyaluran) in one query, and the recipient
    rows (`on_programme`, a Q over Penerima) that received nothing yet in another."""
    distributions = list(
        Penyaluran.objects.visible_to(user).filter(received)
        .select_related("penerima__program", "penerima__warga", "penerima__keluarga",
                        "perkumpulan", "kasus")
        .order_by("-tanggal", "-pk")[:PANEL_LIMIT])
    waiting = list(
        Penerima.objects.visible_to(user).filter(on_programme)
        .filter(~Exists(Penyaluran.objects.filter(penerima=OuterRef("pk"))))
        .select_related("program", "warga", "keluarga").order_by("-mulai", "pk"))
    return {"distributions": distributions, "waiting": waiting,
            "total_nilai": sum(d.nilai or 0 for d in distributions)}


def warga_panel(request: HttpRequest, person: Warga) -> dict | None:
    """Everything a person received: as a recipient, through their households (any period) and
    as help in their PMKS cases. Five queries (three id lists, the distributions, the
    recipients waiting); none for observers."""
    if not access.may_view(request.user, Penerima):
        return None
    # Lists of ids read first, each from its own index: given as subqueries, PostgreSQL ran
    # the recipients' one again for each of two million distributions (53 s).
    households = list(AnggotaKeluarga.objects.filter(warga=person)
                      .values_list("keluarga_id", flat=True))
    cases = list(KasusPMKS.objects.filter(warga=person).values_list("pk", flat=True))
    recipients = list(Penerima.objects.filter(
        Q(warga=person) | Q(keluarga__in=households) | Q(kasus__in=cases))
        .values_list("pk", flat=True))
    received = Q(penerima__in=recipients) | Q(kasus__in=cases)
    on_programme = Q(pk__in=recipients)
    return {"person": person, **_history(request.user, received, on_programme)}


def keluarga_panel(request: HttpRequest, household: Keluarga) -> dict | None:
    """A household's aid: its own recipient rows and its current members' own. Four queries;
    none for observers."""
    if not access.may_view(request.user, Penerima):
        return None
    members = list(AnggotaKeluarga.objects.filter(keluarga=household, selesai__isnull=True)
                   .values_list("warga_id", flat=True))
    recipients = list(Penerima.objects.filter(Q(keluarga=household) | Q(warga__in=members))
                      .values_list("pk", flat=True))
    received = Q(penerima__in=recipients)
    on_programme = Q(pk__in=recipients)
    return {"household": household, **_history(request.user, received, on_programme)}
