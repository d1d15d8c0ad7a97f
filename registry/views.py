"""Survey workbook pages: upload and check, confirm, the list of imports, template and export."""

import io
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry import access, sheets, workbook
from registry.forms import UploadForm
from registry.models import Impor, StatusImpor, Wilayah
from registry.validators import normalize_kode_wilayah

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


class BadRequest(Exception):
    """A request the page cannot answer: its message is shown with a 400."""


def area_param(request: HttpRequest) -> Wilayah:
    """The area of `?wilayah=CODE` (default: the user's own) within the user's area: 404
    outside it, BadRequest for a missing or malformed code."""
    kode = request.GET.get("wilayah") or (request.user.wilayah_id or "")
    try:
        kode = normalize_kode_wilayah(kode)
    except ValidationError as exc:
        raise BadRequest(_("Choose an area: add ?wilayah=CODE, e.g. ?wilayah=32.77.")) from exc
    return get_object_or_404(Wilayah.objects.visible_to(request.user), kode=kode)


def larger_areas(request: HttpRequest, area: Wilayah) -> list[Wilayah]:
    """The kecamatan, kabupaten and province of `area` that the user may see, largest first."""
    above = [kode for kode in (area.provinsi_id, area.kabupaten_id, area.kecamatan_id) if kode]
    return list(Wilayah.objects.visible_to(request.user).filter(pk__in=above).order_by("kode"))


def posted(request: HttpRequest):
    """A POST's data, else None: an empty POST is a form sent empty, told what it lacks (400),
    not a fresh form."""
    return request.POST if request.method == "POST" else None


def paged(request: HttpRequest, items, size: int = PAGE_SIZE,
          count: int | None = None) -> tuple[Page, str]:
    """The page `?page=` asks for (a bad or too large number gives the first or the last) and the
    query string without `page`, for the links to the other pages. `count`: the number of items
    when the caller knows it (no COUNT query then)."""
    paginator = Paginator(items, size)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def table_xlsx(filename: str, title: str, header: list, rows: Iterable) -> FileResponse:
    """A one-sheet workbook of a header and rows, written as the rows come, every text a text
    cell that a spreadsheet never runs as a formula (registry.sheets)."""
    buffer = io.BytesIO()
    sheets.table(buffer, title, header, rows)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


def _upload_dir() -> Path:
    folder = Path(settings.WKSBM_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _error_rows(errors) -> list[list[str | int]]:
    return [[e.sheet, e.row, e.column, e.value, e.message] for e in errors]


def _forget_file(record: Impor) -> None:
    if record.berkas:
        Path(record.berkas).unlink(missing_ok=True)
        record.berkas = ""


@login_required
def impor(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: it is checked in full and nothing is written until the user confirms."""
    if not access.can_edit(request.user):
        raise PermissionDenied
    form = UploadForm(posted(request), request.FILES)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["berkas"]
        path = _upload_dir() / f"{uuid.uuid4().hex}.xlsx"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        record = Impor(
            pengguna=request.user, wilayah=request.user.wilayah,
            nama_berkas=Path(upload.name).name[:255], berkas=str(path),
        )
        try:
            result = workbook.run(path, user=request.user, dry_run=True)
        except workbook.WorkbookError as exc:
            path.unlink(missing_ok=True)
            form.add_error("berkas", str(exc))
        else:
            record.jumlah = {s: c.as_dict() for s, c in result.counts.items()}
            record.kesalahan = _error_rows(result.errors)
            record.peringatan = _error_rows(result.warnings)
            record.status = StatusImpor.DIPERIKSA if result.ok else StatusImpor.GAGAL
            if not result.ok:
                _forget_file(record)
            record.save()
            return redirect("registry:impor_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/impor_form.html", {"form": form}, status=status)


@login_required
def impor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(Impor.objects.visible_to(request.user), pk=pk)
    return render(request, "registry/impor_detail.html", {
        "record": record,
        "sheets": [(name, record.jumlah[name]) for name in workbook.SHEET_ORDER
                   if name in record.jumlah],
        "errors": record.kesalahan[:1000],
        "more_errors": max(0, len(record.kesalahan) - 1000),
        "can_confirm": record.status == StatusImpor.DIPERIKSA and record.pengguna == request.user,
    })


@login_required
@require_POST
def impor_konfirmasi(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the checked workbook: all or nothing, checked again against today's registry."""
    record = get_object_or_404(
        Impor.objects.visible_to(request.user).filter(pengguna=request.user), pk=pk
    )
    # An empty name is the current folder, which exists: only a stored file will do.
    if record.status != StatusImpor.DIPERIKSA or not (record.berkas
                                                      and Path(record.berkas).is_file()):
        messages.error(request, _("This import cannot be confirmed any more; upload it again."))
        return redirect("registry:impor_detail", pk=record.pk)
    try:
        result = workbook.run(record.berkas, user=request.user, name=record.nama_berkas)
    except workbook.WorkbookError as exc:
        record.kesalahan = [["", 0, "", "", str(exc)]]
        result = None
    if result is not None:
        record.jumlah = {s: c.as_dict() for s, c in result.counts.items()}
        record.kesalahan = _error_rows(result.errors)
    if result is not None and result.ok:
        record.status, record.diimpor = StatusImpor.DIIMPOR, timezone.now()
        messages.success(request, _("Imported: %(summary)s.") % {"summary": result.summary()})
    else:
        record.status = StatusImpor.GAGAL
        messages.error(request, _("The registry changed since the check: nothing was imported."))
    _forget_file(record)
    record.save()
    return redirect("registry:impor_detail", pk=record.pk)


@login_required
def impor_kesalahan(request: HttpRequest, pk: int) -> HttpResponse:
    """Every error of an import as a spreadsheet, to fix the file row by row."""
    record = get_object_or_404(Impor.objects.visible_to(request.user), pk=pk)
    return table_xlsx(f"kesalahan-{Path(record.nama_berkas).stem}.xlsx", _("errors"),
                      [_("sheet"), _("row"), _("column"), _("value"), _("message")],
                      record.kesalahan)


@login_required
def impor_daftar(request: HttpRequest) -> HttpResponse:
    records = Impor.objects.visible_to(request.user).select_related("pengguna", "wilayah")
    page, _query = paged(request, records, 25)
    return render(request, "registry/impor_list.html", {"page": page})


@login_required
def templat(request: HttpRequest) -> HttpResponse:
    """The blank survey form with its dropdowns."""
    buffer = io.BytesIO()
    workbook.template_workbook(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="formulir-pendataan-wksbm.xlsx", content_type=XLSX
    )


@login_required
def ekspor(request: HttpRequest) -> HttpResponse:
    """An area's registry as a survey workbook (?wilayah=CODE; default: the user's area)."""
    kode = request.GET.get("wilayah") or (request.user.wilayah_id or "")
    try:
        kode = normalize_kode_wilayah(kode)
    except ValidationError:
        return render(request, "registry/ekspor.html", {
            "error": _("Choose an area: add ?wilayah=CODE, e.g. ?wilayah=32.77."),
        }, status=400)
    area = get_object_or_404(Wilayah.objects.visible_to(request.user), kode=kode)
    # Spooled: a small area stays in memory, a province's registry goes to a temporary file.
    output = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
    workbook.export_workbook(output, user=request.user, area=area)
    output.seek(0)
    name = f"wksbm-{area.kode}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(output, as_attachment=True, filename=name, content_type=XLSX)
