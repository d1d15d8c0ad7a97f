"""Survey workbook pages: upload and check, confirm, the list of imports, template and export."""

import datetime
import io
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry import access, import_queue, replicas, validators, workbook
from registry.forms import UploadForm
from registry.models import Impor, StatusImpor, Wilayah
from registry.pages import XLSX, paged, posted, require_editing_role, table_xlsx
from registry.validators import normalize_kode_wilayah

# How often the page of an import waiting its turn asks again (a meta refresh: the site's
# Content-Security-Policy runs no inline script).
REFRESH_SECONDS = 5


def _waits(save: bool) -> str:
    if save:
        return _("Another import is running: your file waits its turn to be saved. Its page "
                 "refreshes itself and shows the result when it is done.")
    return _("Another import is running: your file waits its turn to be checked. Its page "
             "refreshes itself and shows the result when it is done.")


def _tell(request: HttpRequest, step: import_queue.Step) -> None:
    """What the uploader is told of a step run in their own request: the save's outcome (a
    check's is on its page)."""
    record = step.record
    if record.pengguna_id != request.user.pk or not step.save:
        return
    if record.status == StatusImpor.DIIMPOR:
        messages.success(request, _("Imported: %(summary)s.") % {"summary": step.summary})
    else:  # the check had passed
        messages.error(request, _("The registry changed since the check: nothing was imported."))


@login_required
def impor_new(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: it is checked in full and nothing is written until the user confirms.
    The check runs at once when no other import runs, else the file waits its turn
    (registry.import_queue)."""
    require_editing_role(request)
    form = UploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        import_queue.clean_up()
        upload = form.cleaned_data["berkas"]
        suffix = Path(upload.name).suffix.lower()
        path = import_queue.upload_dir() / f"{uuid.uuid4().hex}{suffix}"
        try:
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        except OSError:
            # A full disk: no half file is left (the site's error page tells the user).
            path.unlink(missing_ok=True)
            raise
        try:
            workbook.check_file(path)  # not a workbook at all: told at once, nothing kept
        except workbook.WorkbookError as exc:
            path.unlink(missing_ok=True)
            form.add_error("berkas", str(exc))
        else:
            record = Impor(
                pengguna=request.user, wilayah=request.user.wilayah,
                nama_berkas=Path(upload.name).name[:255], berkas=str(path),
            )
            import_queue.enqueue(record, save=False)
            record.save()
            step = import_queue.work()
            ours = step is not None and step.record.pk == record.pk
            if ours and step.refused:
                # A file that cannot be read at all is told on the form, as it always was.
                record.delete()
                form.add_error("berkas", step.refused)
            else:
                if not ours:
                    messages.info(request, _waits(save=False))
                return redirect("registry:impor_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/impor_form.html", {"form": form}, status=status)


# The preview's columns that hold personal data: a NIK or a family card number is masked, the
# others left out, for a role that may not see personal data (registry.access).
NUMBER_COLUMNS = ("nik", "nik_kepala", "nik_peserta", "no_kk")
PERSONAL_COLUMNS = ("alamat", "tanggal_lahir")
PMKS_SHEETS = ("pmks",)


def shown_preview(record: Impor, user) -> list[dict]:
    """The first rows of each sheet a passed check will write, as `user` may see them: full for
    a role that sees personal data; else NIK and KK masked, addresses and birth dates left out;
    the PMKS sheet only for a role that sees PMKS."""
    personal, pmks = access.can_see_personal_data(user), access.can_see_pmks(user)
    sheets = []
    for table in record.pratinjau:
        name = table["lembar"]
        if name in PMKS_SHEETS and not pmks:
            continue
        columns = list(table["kolom"])
        keep = [i for i, c in enumerate(columns) if personal or c not in PERSONAL_COLUMNS]
        masked = {i for i, c in enumerate(columns) if not personal and c in NUMBER_COLUMNS}
        dates = {i for i, c in enumerate(columns) if c in table.get("tanggal", ())}
        lists = {i: workbook.CHOICE_LISTS.get(table.get("pilihan", {}).get(c))
                 for i, c in enumerate(columns)}
        rows = [[row[0], *(validators.mask_nik(row[i + 1]) if i in masked
                           else _date(row[i + 1]) if i in dates
                           else _label(lists[i], row[i + 1]) for i in keep)]
                for row in table["baris"]]
        counts = record.jumlah.get(name, {})
        sheets.append({"name": name, "columns": [columns[i] for i in keep], "rows": rows,
                       "total": sum(counts.values())})
    return sheets


def _label(choices, code: str | bool) -> str:
    """A previewed value of a fixed list (its code) by its label, and a yes or no, in the
    reader's language."""
    if isinstance(code, bool):
        return _("Yes") if code else _("No")
    if choices is None:
        return code
    try:
        return str(choices(code).label)
    except ValueError:  # a code the list no longer has
        return code


def _date(iso: str) -> str:
    """A previewed date (ISO) as the registry's pages show dates, in the reader's language."""
    return formats.date_format(datetime.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso \
        else ""


def progress(record: Impor) -> dict:
    """The running step's progress: the rows read so far and, for a save, out of how many (its
    check counted them)."""
    total = sum(sum(c.values()) for c in record.jumlah.values()) if record.simpan else 0
    return {"rows": record.baris_dibaca, "sheet": record.lembar_dibaca,
            "total": max(total, record.baris_dibaca) if total else 0}


@login_required
def impor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An import: its errors, or what it will change (or changed). While it waits its turn the
    page refreshes itself, and each time runs the first waiting import if no other runs."""
    record = get_object_or_404(Impor.objects.visible_to(request.user), pk=pk)
    if record.status == StatusImpor.MENUNGGU:
        step = import_queue.work()
        if step is not None and step.record.pk == record.pk:
            _tell(request, step)
        record.refresh_from_db()
    waiting = record.status == StatusImpor.MENUNGGU
    again = record.status in (StatusImpor.GAGAL, StatusImpor.KEDALUWARSA,
                              StatusImpor.DIBATALKAN) and access.can_edit(
        request.user)
    return render(request, "registry/impor_detail.html", {
        "record": record,
        "preview": shown_preview(record, request.user)
        if record.status == StatusImpor.DIPERIKSA else [],
        "progress": progress(record) if waiting else None,
        "upload_form": UploadForm() if again else None,
        "sheets": [(name, record.jumlah[name]) for name in workbook.sheet_names()
                   if name in record.jumlah],
        "errors": record.kesalahan,
        "more_errors": max(0, record.semua_kesalahan - len(record.kesalahan)),
        "more_warnings": max(0, record.semua_peringatan - len(record.peringatan)),
        "can_confirm": record.status == StatusImpor.DIPERIKSA and record.pengguna == request.user,
        "waiting": waiting,
        "ahead": import_queue.ahead(record) if waiting else 0,
        "running": waiting and import_queue.in_use(record),
        "refresh_seconds": REFRESH_SECONDS,
        "keep_hours": settings.WKSBM_UPLOAD_KEEP_HOURS,
    })


@login_required
@require_POST
def impor_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the checked workbook: all or nothing, checked again against today's registry. The
    save runs at once when no other import runs, else it waits its turn."""
    record = get_object_or_404(
        Impor.objects.visible_to(request.user).filter(pengguna=request.user), pk=pk
    )
    if record.status == StatusImpor.MENUNGGU and record.simpan:
        return redirect("registry:impor_detail", pk=record.pk)  # confirmed already: it waits
    # An empty name is the current folder, which exists: only a stored file will do.
    queued = (
        record.status == StatusImpor.DIPERIKSA
        and record.berkas and Path(record.berkas).is_file()
        and Impor.objects.filter(pk=record.pk, status=StatusImpor.DIPERIKSA).update(
            status=StatusImpor.MENUNGGU, simpan=True, menunggu_sejak=timezone.now(),
            percobaan=0,
        )
    )
    if not queued:
        messages.error(request, _("This import cannot be confirmed any more; upload it again."))
        return redirect("registry:impor_detail", pk=record.pk)
    step = import_queue.work()
    if step is not None and step.record.pk == record.pk:
        _tell(request, step)
    else:
        messages.info(request, _waits(save=True))
    return redirect("registry:impor_detail", pk=record.pk)


@login_required
@require_POST
def impor_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader cancels a checked import: nothing is written, its file is removed."""
    record = get_object_or_404(
        Impor.objects.visible_to(request.user).filter(pengguna=request.user), pk=pk
    )
    if import_queue.cancel(record):
        messages.success(request, _("Import cancelled: nothing was written, and the uploaded "
                                    "file has been removed."))
        return redirect("registry:impor_new")
    messages.error(request, _("This import cannot be cancelled any more."))
    return redirect("registry:impor_detail", pk=record.pk)


@login_required
def impor_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The errors of an import as a spreadsheet, to fix the file row by row (the first
    MAX_LISTED of them, and a last row saying how many more there were)."""
    record = get_object_or_404(Impor.objects.visible_to(request.user), pk=pk)
    rows = list(record.kesalahan)
    more = record.semua_kesalahan - len(rows)
    if more > 0:
        rows.append(["", "", "", "", _("… and %(count)s more errors, not kept.") % {
            "count": f"{more:,}"}])
    return table_xlsx(f"kesalahan-{Path(record.nama_berkas).stem}.xlsx", _("errors"),
                      [_("sheet"), _("row"), _("column"), _("value"), _("message")], rows)


@login_required
def impor_list(request: HttpRequest) -> HttpResponse:
    # The stored errors are left out: the list shows none of them.
    records = (Impor.objects.visible_to(request.user).select_related("pengguna", "wilayah")
               .defer("kesalahan", "peringatan", "pratinjau"))
    page, _query = paged(request, records, 25)
    return render(request, "registry/impor_list.html", {"page": page})


@login_required
def workbook_template(request: HttpRequest) -> HttpResponse:
    """The blank survey form with its dropdowns."""
    buffer = io.BytesIO()
    workbook.template_workbook(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="formulir-pendataan-wksbm.xlsx", content_type=XLSX
    )


@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    """Before the survey workbook is downloaded (the menu's Export): which area (the user's, or a
    part of it), what the file holds for this role — full NIKs and PMKS cases by name, or, for
    an observer, neither — and that the download is recorded. The file itself is
    `workbook_export` (scripts call it directly)."""
    from registry.filters import area_label, has_sub_areas, sub_areas

    areas = ([(a.kode, area_label(a)) for a in sub_areas(request)]
             if has_sub_areas(request.user) else [])
    return render(request, "registry/ekspor_tanya.html", {
        "area": request.user.wilayah, "areas": areas,
        "personal": access.can_see_personal_data(request.user),
        "pmks": access.can_see_pmks(request.user),
    })


@login_required
@replicas.heavy
def workbook_export(request: HttpRequest) -> HttpResponse:
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
