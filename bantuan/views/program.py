"""Programmes: the list, a programme's page, its form, its recipients by name by address as a
workbook (logged), and the double-aid overlaps of an area.

The figures (recipients, distributions, value) count the recipients within the user's area,
for every role; names are shown only to roles that see PMKS — observers see the totals."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bantuan.forms import ProgramForm
from bantuan.models import (
    FAR_FUTURE,
    BentukBantuan,
    Penerima,
    Penyaluran,
    Program,
    StatusPenerima,
    running,
)
from pmks.models import LogAkses, Tindakan
from registry import access
from registry.models import JenisDana
from registry.pages import (
    BadRequest,
    area_param,
    can_edit_record,
    get_editable_or_404,
    paged,
    posted,
    require_editing_role,
    table_xlsx,
)

STOPPED = StatusPenerima.DIHENTIKAN
DECIDED = (StatusPenerima.DISETUJUI, StatusPenerima.DITERIMA)
TARGETS = ("warga", "keluarga", "keluarga__kepala", "perkumpulan", "kasus", "desa")


def active_filter() -> Q:
    """Programmes running today."""
    today = timezone.localdate()
    return running(today, today)


def in_user_area(user, path: str) -> Q:
    """Recipients (at `path`, a Wilayah key) within the user's area: the rows the figures count,
    for observers too (they see numbers, never the rows)."""
    return access.area_filter(user, path, any_level=True)


# The dashboard's figure -----------------------------------------------------------------------
def program_card(request: HttpRequest, stored):
    """Aid programmes running today that the user sees (ad-hoc PMKS help left out)."""
    count = (Program.objects.visible_to(request.user).filter(active_filter(), ad_hoc=False)
             .count())
    return (_("active aid programmes"), count, reverse("bantuan:program_list"))


# The list -------------------------------------------------------------------------------------
class ProgramFilter(forms.Form):
    tahun = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=1900,
                               max_value=9999,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    bentuk = forms.ChoiceField(label=gettext_lazy("form"), required=False,
                               choices=[("", "—"), *BentukBantuan.choices])
    sumber = forms.ChoiceField(label=gettext_lazy("source"), required=False,
                               choices=[("", "—"), *JenisDana.choices])
    aktif = forms.BooleanField(label=gettext_lazy("Running today only"), required=False)
    ad_hoc = forms.BooleanField(label=gettext_lazy("Show ad-hoc PMKS help"), required=False)

    def filter(self, programmes):
        data = self.cleaned_data
        if data.get("tahun"):
            year = data["tahun"]
            programmes = programmes.filter(running(datetime.date(year, 1, 1),
                                                   datetime.date(year, 12, 31)))
        if data.get("bentuk"):
            programmes = programmes.filter(bentuk=data["bentuk"])
        if data.get("sumber"):
            programmes = programmes.filter(sumber=data["sumber"])
        if data.get("aktif"):
            programmes = programmes.filter(active_filter())
        if not data.get("ad_hoc"):
            programmes = programmes.filter(ad_hoc=False)
        return programmes


def with_totals(programmes, user):
    """Each programme with its recipients not stopped and the value distributed, within the
    user's area: two correlated aggregates, evaluated for the rows of the page only."""
    recipients = (Penerima.objects.filter(in_user_area(user, "desa"), program=OuterRef("pk"))
                  .exclude(status=STOPPED).order_by().values("program")
                  .annotate(n=Count("pk")).values("n"))
    value = (Penyaluran.objects.filter(in_user_area(user, "desa"),
                                       program=OuterRef("pk"))
             .order_by().values("program").annotate(s=Sum("nilai")).values("s"))
    return programmes.annotate(
        jumlah_penerima=Coalesce(Subquery(recipients, output_field=IntegerField()), 0),
        nilai_disalurkan=Coalesce(Subquery(value, output_field=BigIntegerField()), 0),
    )


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    found = ProgramFilter(request.GET)
    valid = found.is_valid()
    programmes = Program.objects.visible_to(user).select_related("wilayah")
    programmes = found.filter(programmes) if valid else programmes.none()
    page, query = paged(request, with_totals(programmes, user).order_by("-mulai", "nama", "pk"))
    return render(request, "bantuan/program_list.html", {
        "filter": found, "page": page, "query": query, "can_edit": access.can_edit(user),
        "can_see_pmks": access.can_see_pmks(user),
    }, status=200 if valid else 400)


# A programme's page ---------------------------------------------------------------------------
def village_rows(program: Program, user) -> tuple[list[dict], dict]:
    """Per village of the user's area: recipients by status, those approved or received who
    got at least one distribution, and the distributions (number, value); with the totals.
    Two grouped queries whatever the programme's size."""
    received = Penyaluran.objects.filter(penerima=OuterRef("pk"))
    by_status = {s: Count("pk", filter=Q(status=s)) for s in StatusPenerima.values}
    rows = {r["desa"]: r for r in (
        Penerima.objects.filter(in_user_area(user, "desa"), program=program).order_by()
        .values("desa", "desa__nama", "desa__kode")
        .annotate(semua=Count("pk"), **by_status,
                  diputuskan=Count("pk", filter=Q(status__in=DECIDED)),
                  tersalur=Count("pk", filter=Q(status__in=DECIDED) & Q(Exists(received)))))}
    for r in rows.values():
        r.update(penyaluran=0, nilai=0)
    for desa, n, nilai in (Penyaluran.objects
                           .filter(in_user_area(user, "desa"), program=program)
                           .order_by().values("desa")
                           .annotate(n=Count("pk"), nilai=Sum("nilai"))
                           .values_list("desa", "n", "nilai")):
        if desa in rows:
            rows[desa].update(penyaluran=n, nilai=nilai or 0)
    keys = ["semua", *StatusPenerima.values, "diputuskan", "tersalur", "penyaluran", "nilai"]
    totals = {k: sum(r[k] for r in rows.values()) for k in keys}
    ordered = sorted(rows.values(), key=lambda r: (r["desa__nama"], r["desa"]))
    for r in [*ordered, totals]:
        r["kuota_terpakai"] = r["semua"] - r[STOPPED]
        r["persen"] = round(100 * r["tersalur"] / r["diputuskan"]) if r["diputuskan"] else 0
    return ordered, totals


@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_object_or_404(Program.objects.visible_to(user).select_related("wilayah"),
                                pk=pk)
    villages, totals = village_rows(program, user)
    personal = access.may_view(user, Penerima)
    page = query = None
    if personal:
        recipients = (Penerima.objects.visible_to(user).filter(program=program)
                      .select_related(*TARGETS).order_by("desa", "pk"))
        page, query = paged(request, recipients, count=totals["semua"])
    return render(request, "bantuan/program_detail.html", {
        "program": program,
        "villages": villages,
        "totals": totals,
        "statuses": StatusPenerima.choices,
        "personal": personal,
        "page": page,
        "query": query,
        "can_add": personal and access.can_edit(user) and not program.ad_hoc,
        "can_edit": not program.ad_hoc and can_edit_record(request, program),
    })


# The form -------------------------------------------------------------------------------------
@login_required
def program_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new programme, or a programme's data changed: 403 for a role that may not write, 404
    for a programme outside what the user may change (ad-hoc PMKS help is kept by its cases)."""
    require_editing_role(request)
    program = None
    if pk is not None:
        program = get_editable_or_404(
            request, Program.objects.filter(ad_hoc=False).select_related("wilayah"), pk=pk)
    form = ProgramForm(posted(request), instance=program, user=request.user)
    if request.method == "POST":

        def save() -> str | None:
            saved = form.save()
            if saved is None:
                return None
            messages.success(request, _("Programme %(nama)s saved.") % {"nama": saved.nama})
            return reverse("bantuan:program_detail", args=[saved.pk])

        done = form.save_once(request, save, reverse("bantuan:program_list"))
        if done is not None:
            return done
    back = (reverse("bantuan:program_detail", args=[program.pk]) if program
            else reverse("bantuan:program_list"))
    return render(request, "bantuan/program_form.html", {
        "form": form, "program": program, "back": back,
    }, status=form.http_status)


# Recipients by name by address ----------------------------------------------------------------
def _address(p: Penerima) -> tuple:
    """Identifier, RW, RT and address of a recipient, from the person, household, group or
    case it is."""
    if p.warga_id:
        return p.warga.nik, p.warga.rw, p.warga.rt, p.warga.alamat
    if p.keluarga_id:
        return p.keluarga.no_kk, p.keluarga.rw, p.keluarga.rt, p.keluarga.alamat
    if p.perkumpulan_id:
        return p.perkumpulan.kode, p.perkumpulan.rw, p.perkumpulan.rt, ""
    if p.kasus_id:
        return "", p.kasus.rw, p.kasus.rt, p.kasus.alamat
    return "", None, None, ""


@login_required
def program_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's recipients within the user's area by name and by address, with what
    each received; logged like the PMKS export (it tells who is poor). Never for observers."""
    user = request.user
    if not access.may_view(user, Penerima):
        raise PermissionDenied
    program = get_object_or_404(Program.objects.visible_to(user), pk=pk)
    recipients = (Penerima.objects.visible_to(user).filter(program=program)
                  .select_related(*TARGETS)
                  .annotate(n=Count("penyaluran"), nilai=Sum("penyaluran__nilai"))
                  .order_by("desa", "pk"))
    exported = 0

    def rows():
        nonlocal exported
        for p in recipients.iterator(chunk_size=2000):
            exported += 1
            kode, rw, rt, alamat = _address(p)
            yield (kode, p.nama, p.desa.nama, rw, rt, alamat, p.get_status_display(), p.mulai,
                   p.selesai, p.n, p.nilai or 0)

    response = table_xlsx(f"bantuan-{program.kode}.xlsx".replace("/", "-"), _("Recipients"), [
        _("NIK / KK number / group code"), _("Name"), _("Village"), "RW", "RT", _("Address"),
        _("Status"), _("From"), _("Until"), _("Distributions"), _("Value received (Rp)"),
    ], rows())
    LogAkses.catat(user, Tindakan.EKSPOR, user.wilayah if user.wilayah_id else None,
                   keterangan=f"bantuan {program.kode}: {exported} baris"[:300])
    return response


# Double aid -----------------------------------------------------------------------------------
def overlaps(user, area=None):
    """The recipients (not stopped, of programmes that are not ad hoc) whose person, household
    or group is on another such programme of the same form over an overlapping period: one
    query, an EXISTS over the recipients themselves. Each row carries the first other
    recipient found (`lain_id`)."""
    others = (Penerima.objects.filter(program__ad_hoc=False,
                                      program__bentuk=OuterRef("program__bentuk"))
              .exclude(status=STOPPED).exclude(pk=OuterRef("pk"))
              .filter(Q(warga=OuterRef("warga")) | Q(keluarga=OuterRef("keluarga"))
                      | Q(perkumpulan=OuterRef("perkumpulan")))
              .filter(mulai__lte=Coalesce(OuterRef("selesai"),
                                          Value(FAR_FUTURE, output_field=DateField())))
              .filter(Q(selesai__isnull=True) | Q(selesai__gte=OuterRef("mulai")))
              .order_by("mulai", "pk"))
    found = (Penerima.objects.visible_to(user).filter(program__ad_hoc=False)
             .exclude(status=STOPPED).filter(Exists(others)))
    if area is not None:
        found = found.filter(access.within(area, "desa", any_level=True))
    return found.annotate(lain_id=Subquery(others.values("pk")[:1]))


@login_required
def ganda_list(request: HttpRequest) -> HttpResponse:
    """Every double-aid overlap within the user's area (or `?wilayah=CODE` within it), with
    both programmes and the reason recorded for adding the recipient all the same."""
    user = request.user
    if not access.may_view(user, Penerima):
        raise PermissionDenied
    area = None
    if request.GET.get("wilayah") or user.wilayah_id:
        try:
            area = area_param(request)
        except BadRequest as exc:
            return render(request, "bantuan/ganda_list.html", {"error": str(exc)}, status=400)
    found = (overlaps(user, area).select_related("program", *TARGETS)
             .order_by("desa__nama", "program__bentuk", "pk"))
    page, query = paged(request, found)
    rows = list(page.object_list)
    others = Penerima.objects.select_related("program", "desa").in_bulk(
        [r.lain_id for r in rows if r.lain_id])
    return render(request, "bantuan/ganda_list.html", {
        "area": area, "page": page, "query": query,
        "rows": [{"penerima": r, "lain": others.get(r.lain_id)} for r in rows],
    })
