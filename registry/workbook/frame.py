"""The frame of the survey workbook (Formulir Pendataan WKSBM): read → parse → check → plan →
write → summary.

One pipeline serves the `import_survey` command, the web import and the admin. Each app brings the
handler of its own sheet (registered from its AppConfig.ready() with `register_sheet`, naming the
sheets it comes after); the frame reads the file once, gives every handler its rows, collects
every error with its sheet, row, column and value, and writes all sheets in one transaction — or
nothing at all. What sheets share is a typed attribute of the Import (`groups`) or a part of it
(`Import.part`: one instance of a class per import, e.g. the people of the file).

The contract is ../shared/docs/survey-workbook.md (copied into docs/survey-workbook.md).
"""

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry import access, audit, rekap, validators
from registry.workbook.cells import SHOWN_CHARS, Chosen, shorten, shown, to_text
from registry.workbook.reading import (
    CellError,
    Row,
    WorkbookError,
    check_survey_file,
    open_workbook,
    read_rows,
    reading_ahead,
)
from registry.workbook.writer import update_statistics

# An import keeps the first MAX_LISTED errors and warnings (and counts the rest); an error row shows
# at most SHOWN_CHARS of a value and MAX_MESSAGE_CHARS of a message.
MAX_LISTED = 1_000
MAX_MESSAGE_CHARS = 1_000
PREVIEW_ROWS = 5  # the rows of each sheet a check keeps to show (Import.preview)

T = TypeVar("T")


@dataclass
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


class Findings(list):
    """The first MAX_LISTED errors (or warnings) of an import; `total` counts them all. A hostile
    file can make millions: only the first ones are kept, each value and message shortened."""

    def __init__(self, limit: int = MAX_LISTED):
        super().__init__()
        self.limit = limit
        self.total = 0

    def append(self, item: CellError) -> None:
        self.total += 1
        if len(self) < self.limit:
            item.value = shorten(item.value, SHOWN_CHARS)
            item.message = shorten(item.message, MAX_MESSAGE_CHARS)
            super().append(item)

    def extend(self, items: Iterable[CellError]) -> None:
        for item in items:
            self.append(item)

    @property
    def unlisted(self) -> int:
        return self.total - len(self)


@dataclass
class FileGroups:
    """The groups of one import: those the perkumpulan sheet defines (its checked rows by code),
    and the ids of registered groups looked up so far by code, with the codes found unknown
    (registry.workbook.perkumpulan.known_groups)."""

    defined: dict[str, dict] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)


class Stage:
    """What several sheets of one import share and what is planned and written once, before the
    first sheet that names it in `SheetHandler.stages` plans or writes (e.g. the people of the
    file: members.workbook.People). One instance per import: `Import.part(kind)`."""

    def plan(self, imp: "Import") -> None:
        """Work out what is created and updated, after every sheet is checked."""

    def write(self, imp: "Import") -> None:
        """Write it, in the import's transaction."""


class Import:
    """The state of one import: who imports, the errors and warnings so far, the lookups loaded
    once per file, the groups the file defines (`groups`), what sheets keep for the whole file
    (`part`: e.g. the people of the file) and the counts per sheet."""

    def __init__(self, user=None):
        self.user = user
        self.errors = Findings()
        self.warnings = Findings()
        self.text_bytes = 0  # the text of the cells read so far (MAX_TEXT_BYTES)
        self.counts: dict[str, Counts] = {}
        self.sheets_found: list[str] = []
        self.parsed: dict[str, list] = {}
        # The first PREVIEW_ROWS rows read of each sheet, as read: what a check shows it will
        # write (the web import's preview).
        self.preview: dict[str, list[Row]] = {}
        self.plans: dict[str, Any] = {}
        self.groups = FileGroups()
        # Lookups loaded once per file: desa/kelurahan by code, and whether the user may write it.
        self.areas: dict[str, Any] = {}
        # Names an error in the terms of the file's own layout (Layout.convert), if not a workbook.
        self.locate: Callable[[CellError], None] | None = None
        self.writable: dict[str, bool] = {}
        self._parts: dict[type, Any] = {}

    # Errors -----------------------------------------------------------------------------------
    def error(self, row: Row, column: str, message: str, value: Any = None) -> None:
        if value is None:
            value = row.values.get(column)
        self.errors.append(CellError(row.sheet, row.number, column, shown(value), str(message)))

    def warn(self, row: Row, column: str, message: str) -> None:
        value = shown(row.values.get(column))
        self.warnings.append(CellError(row.sheet, row.number, column, value, str(message)))

    def cell(self, row: Row, column: str, convert: Callable[[Any], Any], required=False):
        """Convert one cell; on failure record the error and return None."""
        value = row.values.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):  # is_blank, inlined
            if required:
                self.error(row, column, _("A value is required."), "")
            return None
        try:
            converted = convert(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.error(row, column, message)
            return None
        if row.parsed is not None:  # a preview row: its cells as they will be written
            choices = getattr(convert, "choices", None)
            row.parsed[column] = converted if choices is None else Chosen(converted, choices)
        return converted

    def part(self, kind: type[T]) -> T:
        """The one `kind` of this import (made on first use): what a sheet keeps for the whole
        file, or a Stage several sheets share."""
        found = self._parts.get(kind)
        if found is None:
            found = self._parts[kind] = kind()
        return found

    def release(self) -> None:
        """Let go of the file's rows, plans and parts once written (or refused): the caller
        keeps the Import for its errors, warnings and counts, not the file's rows."""
        self.parsed, self.plans, self._parts = {}, {}, {}

    # Lookups ----------------------------------------------------------------------------------
    def desa(self, row: Row, column: str, required: bool = True, any_level: bool = False):
        """A desa/kelurahan code that exists and that the importing user may write to; with
        `any_level`, the code of a kecamatan, kabupaten/kota or province too (a group organised
        above the village)."""
        from registry.models import Tingkat, Wilayah

        kode = self.cell(
            row, column, lambda v: validators.normalize_kode_wilayah(to_text(v)), required=required
        )
        if kode is None:
            return None
        if kode not in self.areas:
            self.areas[kode] = Wilayah.objects.filter(kode=kode).first()
        area = self.areas[kode]
        if area is None or (area.tingkat != Tingkat.DESA and not any_level):
            self.error(
                row, column, _("Area %(kode)s is not a known desa/kelurahan.") % {"kode": kode}
            )
            return None
        if self.user is not None and not self.may_write_area(area):
            self.error(row, column, _("You may not import data of %(area)s.") % {"area": area})
            return None
        return area

    def may_write_area(self, area) -> bool:
        if area.kode not in self.writable:
            self.writable[area.kode] = access.may_write_area(self.user, area)
        return self.writable[area.kode]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [
            _("%(sheet)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {"sheet": name, **counts.as_dict()}
            for name, counts in self.counts.items()
        ]
        return "; ".join(parts) or _("No data rows.")


class SheetHandler:
    """How one sheet is parsed, planned and written. Subclassed by each app for its sheet."""

    name: str = ""
    columns: list[Column] = []
    verbose_name = ""
    # The sheets this one comes after (it uses what they define), and the stages it needs.
    after: tuple[str, ...] = ()
    stages: tuple[type[Stage], ...] = ()

    def parse(self, row: Row, imp: Import) -> Any:
        """Turn a row into typed values (recording errors on `imp`); None to drop the row."""
        raise NotImplementedError

    def check(self, parsed: list, imp: Import) -> Any:
        """Checks across rows and against the database, after every sheet is parsed; returns
        what `plan` works from (by default the parsed rows)."""
        return parsed

    def plan(self, checked: Any, imp: Import) -> Any:
        """Work out what is created, updated and unchanged; set imp.counts[self.name]."""
        raise NotImplementedError

    def write(self, plan: Any, imp: Import) -> None:
        raise NotImplementedError

    # Export and template -------------------------------------------------------------------
    def export_rows(self, user, area) -> Iterable[list]:
        """The rows of the registry within `area` that `user` may see, in column order."""
        raise NotImplementedError

    def dropdowns(self) -> dict[str, tuple[list[str], bool]]:
        """Per column: the allowed values and whether the cell may hold only one of them."""
        return {}

    text_columns: tuple[str, ...] = ()


SHEETS: dict[str, SheetHandler] = {}


def register_sheet(handler: SheetHandler) -> None:
    """Called from an app's AppConfig.ready(); the frame orders the sheets (`handlers()`)."""
    SHEETS[handler.name] = handler


def handlers() -> list[SheetHandler]:
    """The registered sheets, each after the sheets it names in `after`; of the sheets free to
    come next, the one registered first (INSTALLED_APPS order)."""
    ordered: list[SheetHandler] = []
    placed: set[str] = set()
    waiting = list(SHEETS.values())
    while waiting:
        ready = [h for h in waiting if all(n in placed or n not in SHEETS for n in h.after)]
        if not ready:
            raise ImproperlyConfigured(
                "Sheets depend on each other in a circle: " + ", ".join(h.name for h in waiting)
            )
        ordered.append(ready[0])
        placed.add(ready[0].name)
        waiting.remove(ready[0])
    return ordered


class Layout:
    """Another layout of the survey's data (e.g. the odk app: a KoboToolbox or ODK export of the
    survey's XLSForm), registered from an AppConfig.ready() with `register_layout`. Its data go
    through the same pipeline: `prepare` turns a file that is not a workbook (CSV) into one,
    `convert` turns an opened workbook of its layout into the survey's sheets."""

    def prepare(self, source):
        """A workbook (a path or a file) made from `source`, or None when it is not this
        layout's; may raise WorkbookError."""
        return None

    def convert(self, book):
        """A book of the survey's sheets (`worksheets`, `close()`, and `locate(error)` naming an
        error in the source's terms) made from `book`, or None when it is not this layout's."""
        return None


LAYOUTS: list[Layout] = []


def register_layout(layout: Layout) -> None:
    LAYOUTS.append(layout)


def check_file(path) -> None:
    """What the import accepts, told before anything is kept (WorkbookError): a file a
    registered layout reads (a form export's CSV or .zip: its `prepare`), else a workbook
    (`check_survey_file`)."""
    for layout in LAYOUTS:
        if layout.prepare(path) is not None:
            return
    check_survey_file(path)


# The sheets our own workbooks add beside the data (registry.workbook.export): a guide, lists.
GUIDE_SHEETS = {"petunjuk", "daftar"}


def sheet_names() -> list[str]:
    """The names of the registered sheets, in the order the frame handles them."""
    return [h.name for h in handlers()]


def run(source, *, user=None, dry_run=False, progress: Callable[[str, int], None] | None = None,
        name: str = ""):
    """Import a survey workbook: returns the Import with its errors, warnings and counts.

    Nothing is written when there is any error or when `dry_run` is set. `progress` is called
    with (sheet name, rows read so far) every few thousand rows. Every record written gets a
    history row by `user`, its reason the file's `name` (default: the source's file name).
    """
    # An import holds hundreds of thousands of small objects at once; the collector would walk
    # them again and again (13% of a 100,000-row import) to find no garbage.
    collecting = gc.isenabled()
    gc.disable()
    imp = Import(user)
    try:
        return _run(imp, source, dry_run=dry_run, progress=progress, name=name)
    finally:
        if imp.locate is not None:
            for finding in (*imp.errors, *imp.warnings):
                imp.locate(finding)
        imp.release()
        if collecting:
            gc.enable()


def _file_name(source) -> str:
    return Path(str(getattr(source, "name", source))).name


def _run(imp: Import, source, *, dry_run, progress, name):
    user = imp.user
    if user is not None and not access.can_edit(user):
        raise WorkbookError(_("Your role may not import data."))
    for layout in LAYOUTS:
        prepared = layout.prepare(source)
        if prepared is not None:
            name = name or _file_name(source)
            source = prepared
            break
    book = open_workbook(source)
    for layout in LAYOUTS:
        converted = layout.convert(book)
        if converted is not None:
            book.close()
            book, imp.locate = converted, converted.locate
            break
    try:
        by_name = {validators.normalize_label(ws.title): ws for ws in book.worksheets}
        found = [h for h in handlers() if h.name in by_name]
        if not found:
            raise WorkbookError(
                _("The workbook has none of the sheets %(sheets)s.")
                % {"sheets": ", ".join(sheet_names())}
            )
        # A sheet of another name is not read: said, so that a sheet misnamed ("anggota2")
        # is not left out without a word. The export's guide and lists are not data.
        for title, sheet in by_name.items():
            if title not in sheet_names() and title not in GUIDE_SHEETS:
                imp.warnings.append(CellError(
                    shorten(sheet.title, SHOWN_CHARS), 1, "", "",
                    _("Not a sheet of the survey (%(sheets)s): not read.")
                    % {"sheets": ", ".join(sheet_names())}))
        with reading_ahead(by_name[h.name] for h in found):
            for handler in found:
                imp.sheets_found.append(handler.name)
                parsed = []
                preview = imp.preview[handler.name] = []
                for row in read_rows(by_name[handler.name], handler, imp):
                    if len(preview) < PREVIEW_ROWS:
                        row.parsed = {}
                        preview.append(row)
                    item = handler.parse(row, imp)
                    if item is not None:
                        parsed.append(item)
                    if progress and row.number % 1000 == 0:
                        progress(handler.name, row.number - 1)
                imp.parsed[handler.name] = parsed
                if progress:
                    progress(handler.name, len(parsed))
    finally:
        book.close()
    checked = {h.name: h.check(imp.parsed[h.name], imp) for h in found}
    if not imp.ok:
        return imp
    planned: set[type[Stage]] = set()
    for handler in found:
        _stages(handler, imp, planned, "plan")
        imp.plans[handler.name] = handler.plan(checked[handler.name], imp)
    if not imp.ok or dry_run:
        return imp
    written: set[type[Stage]] = set()
    # The recap counts of the villages it changed are computed again once, at its end.
    with (transaction.atomic(), audit.changes(user, f"Impor: {name or _file_name(source)}"),
          rekap.deferred()):
        for handler in found:
            _stages(handler, imp, written, "write")
            handler.write(imp.plans[handler.name], imp)
    update_statistics()
    return imp


def _stages(handler: SheetHandler, imp: Import, done: set[type[Stage]], step: str) -> None:
    """Run `step` ("plan" or "write") of the stages `handler` needs that no sheet before it
    needed."""
    for kind in handler.stages:
        if kind not in done:
            done.add(kind)
            getattr(imp.part(kind), step)(imp)
