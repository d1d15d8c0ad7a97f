"""Web imports one at a time, in the order they came, and uploads that do not stay for ever.

An import's check (a dry run) and its save each take a core and up to a few hundred megabytes
for as long as the file needs; two at once on the 2-core server made another user's list page
take a minute. So each runs inside a *slot*: an exclusive, non-blocking lock (flock) on a file
under WKSBM_UPLOAD_DIR, which every gunicorn worker process on the machine shares. There are
WKSBM_IMPORT_SLOTS of them (default 1: one import at a time on the machine, the other workers
free for the pages; per area would still let ten districts importing at once take every
worker). An upload or a confirmation that finds every slot taken waits: its record is MENUNGGU,
and the next request that finds a slot free — the waiting page refreshes itself every few
seconds, and every upload and confirmation tries — runs the first waiting import in the order
they came, whoever's it is. No daemon is needed.

While a step runs, its upload file is locked too: a second slot never takes the same import, and
the clean-up never removes a file in use. A step whose worker died (a timeout, the machine
restarted) left its import waiting: it is tried once more, then refused with a message.

Unconfirmed uploads are removed WKSBM_UPLOAD_KEEP_HOURS after they were checked (or began to
wait), their imports marked KEDALUWARSA ("upload it again"); so are files no import refers to
and django-import-export's stored uploads between its two steps (IMPORT_EXPORT_TMP_STORAGE_CLASS
= MediaStorage, under MEDIA_ROOT/django-import-export/). `clean_up()` runs on every upload and
from `manage.py clean_uploads` (cron).
"""

import datetime
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import workbook
from registry.models import Impor, StatusImpor

# A step that began this many times and never ended is not begun again.
MAX_ATTEMPTS = 2
# django-import-export's folder in its MediaStorage.
IMPORT_EXPORT_FOLDER = "django-import-export"


def upload_dir() -> Path:
    folder = Path(settings.WKSBM_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Locks ------------------------------------------------------------------------------------------
def _lock(path, create: bool = False) -> int | None:
    """An exclusive flock on `path`, without waiting: its descriptor, or None when another
    process (or another descriptor of this one) holds it, or the file is gone."""
    try:
        handle = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle


def _unlock(handle: int) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    os.close(handle)


@contextmanager
def slot() -> Iterator[bool]:
    """Hold one of the machine's WKSBM_IMPORT_SLOTS import slots: yields True, or False at once
    when every slot is taken."""
    folder = upload_dir()
    for index in range(settings.WKSBM_IMPORT_SLOTS):
        handle = _lock(folder / f".slot-{index}.lock", create=True)
        if handle is not None:
            try:
                yield True
            finally:
                _unlock(handle)
            return
    yield False


def in_use(record: Impor) -> bool:
    """Whether a step of this import runs right now (its file is locked)."""
    if not record.berkas:
        return False
    handle = _lock(record.berkas)
    if handle is None:
        return Path(record.berkas).is_file()
    _unlock(handle)
    return False


# The queue --------------------------------------------------------------------------------------
def waiting():
    return Impor.objects.filter(status=StatusImpor.MENUNGGU).order_by("menunggu_sejak", "pk")


def ahead(record: Impor) -> int:
    """How many waiting imports come before this one."""
    return waiting().filter(
        Q(menunggu_sejak__lt=record.menunggu_sejak)
        | Q(menunggu_sejak=record.menunggu_sejak, pk__lt=record.pk)
    ).count()


def enqueue(record: Impor, *, save: bool) -> None:
    """Put an import in the queue: its check (`save` False) or its save."""
    record.status = StatusImpor.MENUNGGU
    record.simpan = save
    record.menunggu_sejak = timezone.now()
    record.percobaan = 0


@dataclass
class Step:
    """A step run by `work`: the import as it now stands, whether the step was its save, the
    message of a file that could not be read at all (WorkbookError) if so, and the summary of
    what the import changes."""

    record: Impor
    save: bool
    refused: str | None = None
    summary: str = ""


def work() -> Step | None:
    """Run the first waiting import's next step if a slot is free; None when no slot is free or
    nothing waits."""
    with slot() as held:
        if not held:
            return None
        for record in waiting()[:50]:
            if not (record.berkas and Path(record.berkas).is_file()):
                _expire(record)  # its file is gone (removed by hand, or the clean-up raced)
                continue
            handle = _lock(record.berkas)
            if handle is None:
                continue  # another slot runs it
            try:
                record.refresh_from_db()
                if record.status != StatusImpor.MENUNGGU:
                    continue
                return _run(record)
            finally:
                _unlock(handle)
    return None


def _run(record: Impor) -> Step:
    save = record.simpan
    record.percobaan += 1
    record.save(update_fields=["percobaan"])
    if record.percobaan > MAX_ATTEMPTS:
        return _refuse(record, save, _(
            "The import was interrupted twice before it ended: the file is too large for the "
            "web. Import it with the command line (manage.py import_survey) or split it."
        ))
    try:
        result = workbook.run(
            record.berkas, user=record.pengguna, dry_run=not record.simpan,
            name=record.nama_berkas, progress=Progress(record),
        )
    except workbook.WorkbookError as exc:
        return _refuse(record, save, str(exc))
    record.jumlah = {s: c.as_dict() for s, c in result.counts.items()}
    _keep_findings(record, result)
    # What a passed check will write, shown until the save; a save keeps none of it.
    record.pratinjau = preview(result) if result.ok and not record.simpan else []
    record.baris_dibaca, record.lembar_dibaca = 0, ""
    record.menunggu_sejak = None
    if record.simpan:
        record.status = StatusImpor.DIIMPOR if result.ok else StatusImpor.GAGAL
        if result.ok:
            record.diimpor = timezone.now()
        _forget_file(record)
    else:
        record.status = StatusImpor.DIPERIKSA if result.ok else StatusImpor.GAGAL
        record.diperiksa = timezone.now()
        if not result.ok:
            _forget_file(record)
    record.simpan = False
    record.save()
    return Step(record, save, summary=result.summary() if result.ok else "")


class Progress:
    """The running step's progress on its record: the rows read so far (all sheets) and the
    sheet being read, written at most once every INTERVAL seconds. The reading runs before the
    import's transaction opens, so the waiting page of another request sees each update."""

    INTERVAL = 1.0

    def __init__(self, record: Impor):
        self.record = record
        self.done: dict[str, int] = {}  # rows read of each sheet
        self.told = 0.0

    def __call__(self, sheet: str, rows: int) -> None:
        self.done[sheet] = rows
        now = time.monotonic()
        if now - self.told < self.INTERVAL:
            return
        self.told = now
        Impor.objects.filter(pk=self.record.pk).update(
            baris_dibaca=sum(self.done.values()), lembar_dibaca=sheet[:40])


def preview(result: workbook.Import) -> list[dict]:
    """The first rows read of each sheet, in the workbook's order of sheets, as its page shows
    them: the columns any of them fills, in the sheet's order, and each row's number and values
    (cut short), as they will be written. A date is kept as the sheet read it (ISO; its column
    in `tanggal`), a value of a fixed list as its code (its list's dotted name in `pilihan`), for
    the page to show in the reader's language: a date cell, or text such as 05/08/1980, is shown
    as the date it will be written, 5 Agu 1980; "Pria" as Laki-laki; "y" as Ya (kept as true or
    false). A value matched to a reference list (a group type, a PMKS category, a group's
    activities) is shown by the name it is registered as."""
    shown = []
    for handler in workbook.handlers():
        rows = result.preview.get(handler.name)
        if not rows:
            continue
        filled = {name for row in rows for name in row.values}
        columns = [c.name for c in handler.columns if c.name in filled]
        parsed = [(c, v) for row in rows for c, v in (row.parsed or {}).items() if c in filled]
        dates = {c for c, v in parsed if isinstance(v, datetime.date)}
        lists = {c: workbook.choice_list_name(v.choices) for c, v in parsed
                 if isinstance(v, workbook.Chosen)}
        shown.append({"lembar": handler.name, "kolom": columns,
                      "tanggal": [c for c in columns if c in dates], "pilihan": lists, "baris": [
            [row.number, *(_shown(row, c) for c in columns)] for row in rows]})
    return shown


def _shown(row, column: str) -> str | bool:
    value = (row.parsed or {}).get(column)
    if isinstance(value, bool):
        return value  # Ya or Tidak, in the reader's language
    if isinstance(value, datetime.date):
        return (value.date() if isinstance(value, datetime.datetime) else value).isoformat()
    if isinstance(value, workbook.Chosen):
        return str.__str__(value)
    if isinstance(value, models.Model):
        return workbook.shown(str(value))
    if isinstance(value, list) and value and all(
            isinstance(item, models.Model) or type(item) is str for item in value):
        # A cell of several values of a reference list (a new activity by its own name), as
        # the export writes them.
        return workbook.shown("; ".join(map(str, value)))
    return workbook.shown(row.values.get(column))


def _refuse(record: Impor, save: bool, message: str) -> Step:
    record.kesalahan = [["", 0, "", "", message]]
    record.jumlah_kesalahan = 1
    record.status = StatusImpor.GAGAL
    record.menunggu_sejak = None
    record.simpan = False
    record.pratinjau, record.baris_dibaca, record.lembar_dibaca = [], 0, ""
    _forget_file(record)
    record.save()
    return Step(record, save, refused=message)


def _keep_findings(record: Impor, result) -> None:
    """The first errors and warnings (already cut short by the import) and their numbers."""
    record.kesalahan = [[e.sheet, e.row, e.column, e.value, e.message] for e in result.errors]
    record.peringatan = [[w.sheet, w.row, w.column, w.value, w.message] for w in result.warnings]
    record.jumlah_kesalahan = result.errors.total
    record.jumlah_peringatan = result.warnings.total


def _forget_file(record: Impor) -> None:
    if record.berkas:
        Path(record.berkas).unlink(missing_ok=True)
        record.berkas = ""


# Clean-up -------------------------------------------------------------------------------------
@dataclass
class Cleaned:
    expired: int = 0  # imports marked KEDALUWARSA
    files: int = 0  # upload files removed that no import referred to
    import_export: int = 0  # django-import-export's stored uploads removed


def clean_up(now: datetime.datetime | None = None) -> Cleaned:
    """Remove what waited longer than WKSBM_UPLOAD_KEEP_HOURS: checked imports never confirmed
    and imports waiting that long (marked KEDALUWARSA, their files removed), upload files no
    live import refers to, django-import-export's uploads never confirmed. Cheap: a query and a
    listing of two folders."""
    now = now or timezone.now()
    before = now - datetime.timedelta(hours=settings.WKSBM_UPLOAD_KEEP_HOURS)
    cleaned = Cleaned()
    old = Impor.objects.filter(
        Q(status=StatusImpor.DIPERIKSA, diperiksa__lt=before)
        | Q(status=StatusImpor.DIPERIKSA, diperiksa__isnull=True, dibuat__lt=before)
        | Q(status=StatusImpor.MENUNGGU, menunggu_sejak__lt=before)
    )
    for record in old:
        if not in_use(record) and _expire(record):
            cleaned.expired += 1
    live = set(Impor.objects.filter(
        status__in=[StatusImpor.MENUNGGU, StatusImpor.DIPERIKSA]
    ).values_list("berkas", flat=True))
    cutoff = before.timestamp()
    for path in upload_dir().iterdir():
        if path.name.startswith(".") or str(path) in live or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff and _remove_unused(path):
            cleaned.files += 1
    cleaned.import_export = _clean_import_export(before)
    return cleaned


def _expire(record: Impor, status: str = StatusImpor.KEDALUWARSA) -> bool:
    """Mark an import expired (or cancelled) and remove its file, unless its status changed
    meanwhile (a confirmation in another request)."""
    changed = Impor.objects.filter(pk=record.pk, status=record.status).update(
        status=status, berkas="", menunggu_sejak=None, simpan=False, pratinjau=[],
    )
    if changed:
        _forget_file(record)
        record.status = status
    return bool(changed)


def cancel(record: Impor) -> bool:
    """The uploader's "Cancel" of a checked import not confirmed: nothing is written, its file
    is removed now rather than after WKSBM_UPLOAD_KEEP_HOURS. False when it is no longer
    waiting for confirmation (confirmed meanwhile, or a step of it running)."""
    return (record.status == StatusImpor.DIPERIKSA and not in_use(record)
            and _expire(record, StatusImpor.DIBATALKAN))


def _remove_unused(path: Path) -> bool:
    handle = _lock(path)
    if handle is None:
        return False  # in use
    try:
        path.unlink(missing_ok=True)
    finally:
        _unlock(handle)
    return True


def _clean_import_export(before: datetime.datetime) -> int:
    """django-import-export's uploads kept between its preview and its confirmation: removed
    when it confirms, left for ever when the user never does."""
    from django.core.files.storage import storages

    if not str(getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", "")).endswith("MediaStorage"):
        return 0
    storage = storages["import_export" if "import_export" in settings.STORAGES else "default"]
    try:
        _folders, names = storage.listdir(IMPORT_EXPORT_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    for name in names:
        path = f"{IMPORT_EXPORT_FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) < before:
                storage.delete(path)
                removed += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return removed
