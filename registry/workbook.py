"""The survey workbook (Formulir Pendataan WKSBM): read → parse → plan → write → summary.

One pipeline serves the `import_survey` command, the web import and the admin. Each app brings the
handler of its own sheet (registered from its AppConfig.ready() with `register_sheet`); the
frame here reads the file once, gives every handler its rows, collects every error with its sheet,
row, column and value, and writes all sheets in one transaction — or nothing at all.

The contract is ../shared/docs/survey-workbook.md (copied into docs/survey-workbook.md).
"""

import datetime
import gc
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access, audit, sheets, validators
from registry.sheets import FORMULA_START

SHEET_ORDER = ["perkumpulan", "anggota", "pmks", "jaringan"]
# A district file of 100,000 rows is about 5 MB; anything far larger is not a survey.
MAX_FILE_BYTES = 50 * 1024 * 1024
# An xlsx is a zip: a small file can inflate to gigabytes (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Excel can show at most 1,048,576 rows; a sheet claiming more is not a survey.
MAX_ROWS = 1_048_576
# The longest legitimate cell is a name, an address or a note: a few thousand characters. A longer
# one is refused (naming the cell) before it is held in memory or stored.
MAX_CELL_CHARS = 5_000
# A sheet holds at most this many data rows: a district's survey is about 100,000 rows (the import
# benchmark), and a province is imported district by district. A sheet over it is refused before
# any of its rows is checked.
MAX_SHEET_ROWS = 500_000
# A run of this many empty rows ends a sheet: what lies below it is not read (with a warning).
EMPTY_ROWS_STOP = 1_000
# What the reader holds at once of a sheet's XML: one row (a survey row is a few kilobytes; Excel's
# 16,384 columns of short values fit), and the text of one cell as XML writes it (escapes such as
# &#128512; take up to 10 bytes a character).
MAX_ROW_BYTES = 2 * 1024 * 1024
MAX_RUN_BYTES = 10 * MAX_CELL_CHARS + 100
# Every other part openpyxl parses whole (styles, the list of sheets, relationships…) and the part
# of a sheet outside its rows: a survey's are a few kilobytes.
MAX_PART_BYTES = 10 * 1024 * 1024
# The memory the file's text may take: the shared-string table, and every text cell read (a cell
# counts each time it is used; text outside ASCII counts four bytes a character). A district's
# survey of 100,000 rows holds about 7 MB of text.
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
MAX_TEXT_BYTES = 100 * 1024 * 1024
# A multi-valued cell holds at most this many values (the longest fixed list has 15).
MAX_MULTI_VALUES = 50
# An import keeps the first MAX_LISTED errors and warnings (and counts the rest); an error row shows
# at most SHOWN_CHARS of a value and MAX_MESSAGE_CHARS of a message.
MAX_LISTED = 1_000
SHOWN_CHARS = 200
MAX_MESSAGE_CHARS = 1_000
BATCH = 2000


class WorkbookError(Exception):
    """The file cannot be read as a survey workbook at all (not an xlsx, too big, no sheet)."""


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row}:{self.column}: {self.message}"


@dataclass
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class Row:
    """One data row: its number as Excel shows it and its raw values by column name."""

    sheet: str
    number: int
    values: dict[str, Any]


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
            item.value = _shorten(item.value, SHOWN_CHARS)
            item.message = _shorten(item.message, MAX_MESSAGE_CHARS)
            super().append(item)

    def extend(self, items: Iterable[CellError]) -> None:
        for item in items:
            self.append(item)

    @property
    def unlisted(self) -> int:
        return self.total - len(self)


class Import:
    """The state of one import: who imports, the errors and warnings so far, the lookups loaded
    once per file, the groups and people the file itself defines, and the counts per sheet."""

    def __init__(self, user=None):
        self.user = user
        self.errors = Findings()
        self.warnings = Findings()
        self.text_bytes = 0  # the text of the cells read so far (MAX_TEXT_BYTES)
        self.counts: dict[str, Counts] = {}
        self.sheets_found: list[str] = []
        self.parsed: dict[str, list] = {}
        self.plans: dict[str, Any] = {}
        self.cache: dict[str, Any] = {}

    # Errors -----------------------------------------------------------------------------------
    def error(self, row: Row, column: str, message: str, value: Any = None) -> None:
        if value is None:
            value = row.values.get(column)
        self.errors.append(CellError(row.sheet, row.number, column, _text(value), str(message)))

    def warn(self, row: Row, column: str, message: str) -> None:
        value = _text(row.values.get(column))
        self.warnings.append(CellError(row.sheet, row.number, column, value, str(message)))

    def cell(self, row: Row, column: str, convert: Callable[[Any], Any], required=False):
        """Convert one cell; on failure record the error and return None."""
        value = row.values.get(column)
        if _blank(value):
            if required:
                self.error(row, column, _("A value is required."), "")
            return None
        try:
            return convert(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.error(row, column, message)
            return None

    # Lookups ----------------------------------------------------------------------------------
    def cached(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]

    def desa(self, row: Row, column: str, required: bool = True):
        """A desa/kelurahan code that exists and that the importing user may write to."""
        from registry.models import Tingkat, Wilayah

        kode = self.cell(
            row, column, lambda v: validators.normalize_kode_wilayah(to_text(v)), required=required
        )
        if kode is None:
            return None
        areas = self.cached("desa", dict)
        if kode not in areas:
            areas[kode] = Wilayah.objects.filter(kode=kode, tingkat=Tingkat.DESA).first()
        area = areas[kode]
        if area is None:
            self.error(
                row, column, _("Area %(kode)s is not a known desa/kelurahan.") % {"kode": kode}
            )
            return None
        if self.user is not None and not self.may_write_area(area):
            self.error(row, column, _("You may not import data of %(area)s.") % {"area": area})
            return None
        return area

    def may_write_area(self, area) -> bool:
        allowed = self.cached("allowed_areas", dict)
        if area.kode not in allowed:
            allowed[area.kode] = access.may_write_area(self.user, area)
        return allowed[area.kode]

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

    def parse(self, row: Row, imp: Import) -> Any:
        """Turn a row into typed values (recording errors on `imp`); None to drop the row."""
        raise NotImplementedError

    def check(self, parsed: list, imp: Import) -> None:
        """Checks across rows and against the database, after every sheet is parsed."""

    def plan(self, parsed: list, imp: Import) -> Any:
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
    """Called from an app's AppConfig.ready(): the frame handles the sheets in SHEET_ORDER."""
    SHEETS[handler.name] = handler


def handlers() -> list[SheetHandler]:
    return [SHEETS[name] for name in SHEET_ORDER if name in SHEETS]


# Reading ----------------------------------------------------------------------------------------
# What a file may cost is bounded before openpyxl parses it: the file's size and the zip's
# (check_container), the shared strings and each sheet's XML (registry/xlsx_reader.py), the rows
# of a sheet, the length of each cell and the text of the whole file (read_rows). The limits are
# documented in docs/survey-workbook.md ("Limits").
class LongText(str):
    """The start of a cell's text that is longer than MAX_CELL_CHARS; `length` is its length."""

    length: int

    def __new__(cls, start: str, length: int):
        text = super().__new__(cls, start)
        text.length = length
        return text


def check_container(path_or_file) -> None:
    """Refuse what is not an xlsx, and zip bombs, before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(path_or_file) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise WorkbookError(
            _("The file is not an Excel workbook (.xlsx), or it is damaged or incomplete.")
        ) from exc
    finally:
        if hasattr(path_or_file, "seek"):
            path_or_file.seek(0)
    if "xl/workbook.xml" not in names:
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))
    # A zip's sizes are checked as it inflates (zipfile stops at the stated size), so they hold.
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise WorkbookError(
            _("The workbook unpacks to %(size)d MB, more than a survey can hold; refused.")
            % {"size": total // (1024 * 1024)}
        )


def open_workbook(path_or_file):
    """Open an xlsx read-only, values only (a formula counts by its cached value), reading no
    more of it than the limits allow (registry.xlsx_reader)."""
    size = _size(path_or_file)
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    check_container(path_or_file)
    from registry import xlsx_reader

    try:
        return xlsx_reader.load(path_or_file)
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise WorkbookError(
            _("The workbook cannot be read: it is damaged or not an .xlsx file.")
        ) from exc


def read_rows(worksheet, handler: SheetHandler, imp: Import) -> Iterator[Row]:
    """Yield the data rows of a sheet keyed by column name; record header errors.

    The sheet's XML is scanned first: a sheet of more than MAX_SHEET_ROWS data rows is refused
    whole, and a cell too long to parse is an error naming it (the sheet is then not read). A row
    with a cell longer than MAX_CELL_CHARS is reported for that cell and not checked further.
    Reading stops after EMPTY_ROWS_STOP empty rows in a row, with a warning when rows holding
    values lie below."""
    from registry import xlsx_reader

    sheet = handler.name
    scan = worksheet.scan()
    rows = _safe_rows(worksheet)
    if scan.oversized and scan.oversized[0].index == 1:
        # The first row cannot be read either: the columns are named by their letters.
        for place in scan.oversized:
            imp.errors.append(_unread(sheet, place, place.column))
        return
    first = next(rows, None)
    header = dict(first[1]) if first and first[0] == 1 else {}
    pending = [first] if first and first[0] != 1 else []
    names = _header(sheet, handler, header, imp)
    if scan.oversized:
        for place in scan.oversized:
            column = names.get(_column_number(place.column), place.column)
            imp.errors.append(_unread(sheet, place, column))
        return
    if any(_too_long(v) for v in header.values()):
        return
    missing = [c.name for c in handler.columns if c.required and c.name not in names.values()]
    for name in missing:
        imp.errors.append(CellError(sheet, 1, name, "", _("Required column is missing.")))
    if missing:
        return
    last_filled = 1  # the header
    data_rows = 0
    for number, cells in itertools.chain(pending, rows):
        if number <= last_filled or number > MAX_ROWS:
            continue  # a row out of order, as openpyxl skips it
        if number - last_filled > EMPTY_ROWS_STOP:
            _stopped(imp, sheet, last_filled + EMPTY_ROWS_STOP, scan)
            return
        long = [(c, v) for c, v in cells if _too_long(v)]
        for column, value in long:
            imp.errors.append(_oversized(sheet, number, names.get(column, _letter(column)), value))
        if long:
            last_filled = number
            continue
        if all(_blank(v) for _c, v in cells):
            if number - last_filled >= EMPTY_ROWS_STOP:
                _stopped(imp, sheet, number, scan)
                return
            continue
        last_filled = number
        record = {names[c]: v for c, v in cells if c in names and not _blank(v)}
        if not record:
            continue
        data_rows += 1
        if data_rows > MAX_SHEET_ROWS:
            raise WorkbookError(xlsx_reader.too_many_rows(worksheet.title))
        imp.text_bytes += sum(_text_bytes(v) for v in record.values())
        if imp.text_bytes > MAX_TEXT_BYTES:
            raise WorkbookError(
                _("The workbook holds more text than a survey can (over %(limit)d MB); refused.")
                % {"limit": MAX_TEXT_BYTES // (1024 * 1024)}
            )
        yield Row(sheet, number, {k: _clean(v) for k, v in record.items()})


def _header(sheet: str, handler: SheetHandler, header: dict[int, Any], imp: Import
            ) -> dict[int, str]:
    """Column numbers of the header's known columns; warnings for the unknown ones, an error for
    a header cell too long to be a column's name."""
    spellings = {}
    for column in handler.columns:
        for spelling in (column.name, *column.aliases):
            spellings[validators.normalize_label(spelling).replace(" ", "_")] = column.name
    names: dict[int, str] = {}
    for index, cell in sorted(header.items()):
        if _too_long(cell):
            imp.errors.append(_oversized(sheet, 1, _letter(index), cell))
            continue
        if _blank(cell):
            continue
        key = validators.normalize_label(str(cell)).replace(" ", "_")
        if key in spellings:
            names[index] = spellings[key]
        else:
            shown = _shorten(str(cell).strip(), SHOWN_CHARS)
            imp.warnings.append(CellError(sheet, 1, shown, shown, _("Unknown column, ignored.")))
    return names


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and (isinstance(value, LongText) or len(value) > MAX_CELL_CHARS)


def _oversized(sheet: str, row: int, column: str, value: Any) -> CellError:
    shown = "" if value is None else _shorten(str(value), SHOWN_CHARS, always=True)
    return CellError(
        sheet, row, column, shown,
        _("The cell is longer than %(limit)s characters; shorten it (a survey cell holds a name, "
          "an address or a note).") % {"limit": f"{MAX_CELL_CHARS:,}"},
    )


def _unread(sheet: str, place, column: str) -> CellError:
    """The error for a cell (or a row) that the scan of the sheet's XML found too large."""
    if place.shown is not None:
        return _oversized(sheet, place.row, column, place.shown)
    return CellError(
        sheet, place.row, "", "",
        _("The row is larger than %(limit)d MB in the file, more than any survey row; it was "
          "not read.") % {"limit": MAX_ROW_BYTES // (1024 * 1024)},
    )


def _stopped(imp: Import, sheet: str, row: int, scan) -> None:
    """Reading stopped after a run of empty rows: say so if values lie below."""
    if scan.last_value_row > row:
        imp.warnings.append(CellError(
            sheet, row, "", "",
            _("Reading stopped at row %(row)s after %(count)s empty rows: the rows below it were "
              "not read. Delete the empty rows if your data continue below.")
            % {"row": f"{row:,}", "count": f"{EMPTY_ROWS_STOP:,}"},
        ))


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    try:
        return get_column_letter(column)
    except ValueError:
        return str(column)


def _column_number(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    try:
        return column_index_from_string(letter)
    except ValueError:
        return 0


def _text_bytes(value: Any) -> int:
    """The memory a text takes, about: a byte a character in ASCII, else up to four."""
    if not isinstance(value, str):
        return 0
    return len(value) if value.isascii() else 4 * len(value)


def _safe_rows(worksheet) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """The rows of a sheet as its XML has them — (row number, [(column number, value), …]), empty
    cells left out — read lazily: a damaged or hostile sheet (an XML entity bomb, refused by
    defusedxml) fails here, as a clear WorkbookError instead of a traceback."""
    return worksheet.cell_rows()


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
    try:
        return _run(source, user=user, dry_run=dry_run, progress=progress, name=name)
    finally:
        if collecting:
            gc.enable()


def _file_name(source) -> str:
    return Path(str(getattr(source, "name", source))).name


def _run(source, *, user, dry_run, progress, name):
    imp = Import(user)
    if user is not None and not access.can_edit(user):
        raise WorkbookError(_("Your role may not import data."))
    book = open_workbook(source)
    try:
        by_name = {validators.normalize_label(ws.title): ws for ws in book.worksheets}
        found = [h for h in handlers() if h.name in by_name]
        if not found:
            raise WorkbookError(
                _("The workbook has none of the sheets %(sheets)s.")
                % {"sheets": ", ".join(SHEET_ORDER)}
            )
        for handler in found:
            imp.sheets_found.append(handler.name)
            parsed = []
            for row in read_rows(by_name[handler.name], handler, imp):
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
    for handler in found:
        handler.check(imp.parsed[handler.name], imp)
    if not imp.ok:
        return imp
    for handler in found:
        imp.plans[handler.name] = handler.plan(imp.parsed[handler.name], imp)
    if not imp.ok or dry_run:
        return imp
    with transaction.atomic(), audit.changes(user, f"Impor: {name or _file_name(source)}"):
        for handler in found:
            handler.write(imp.plans[handler.name], imp)
    update_statistics()
    return imp


def update_statistics() -> None:
    """After a bulk write, tell SQLite's query planner the tables' new sizes: without statistics
    it walks a large area's groups row by row where reading an index in order is many times
    faster. (0.4 s for a city of 100,000 groups; PostgreSQL's autovacuum does this itself.)"""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# Cell conversions: each raises ValidationError with a message that says what would be right. ---
_INT_TEXT = re.compile(r"^-?\d+(\.0+)?$")
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


# The largest whole number a cell may hold: what an integer column stores on every database.
INT_MAX = 2_147_483_647


def _too_large(shown: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is too large a number.") % {"value": shown}, code="too_large"
    )


def _short_int(number: int) -> str:
    """An integer too long for Python to write out (over 4,300 digits), as its magnitude."""
    digits = int(abs(number).bit_length() * math.log10(2)) + 1
    return f"{'-' if number < 0 else ''}10^{digits - 1}"


def to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # Python will not write out more than 4,300 digits
            raise _too_large(_short_int(value)) from None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def to_int(value: Any, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number (an int, a float like 12.0, or text like "12" or "12.0") between
    `minimum` and `maximum`, and never beyond INT_MAX either way."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        digits = value.strip().split(".")[0]
        if len(digits.lstrip("-")) > len(str(INT_MAX)):
            raise _too_large(_text(value))
        number = int(digits)
    else:
        number = None
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a whole number.") % {"value": _text(value)}, code="not_int"
        )
    if abs(number) > INT_MAX:
        raise _too_large(_text(value))
    if minimum is not None and number < minimum:
        raise ValidationError(
            _("%(value)s is below %(min)d.") % {"value": number, "min": minimum}, code="too_low"
        )
    if maximum is not None and number > maximum:
        raise ValidationError(
            _("%(value)s is above %(max)d.") % {"value": number, "max": maximum}, code="too_high"
        )
    return number


def to_year(value: Any) -> int:
    year = to_int(value, minimum=None)
    validators.validate_tahun(year)
    return year


def to_rw_rt(value: Any) -> int:
    number = to_int(value, minimum=None)
    validators.validate_rw_rt(number)
    return number


def to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = to_text(value)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date; write dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd.")
        % {"value": _text(text)},
        code="not_date",
    )


def to_past_date(value: Any) -> datetime.date:
    """A date something happened on (today at the latest)."""
    day = to_date(value)
    validators.validate_not_future(day)
    return day


def to_nik(value: Any) -> str:
    """A NIK must arrive as text: Excel keeps only 15 significant digits of a number."""
    # Excel keeps 15 significant digits: a 16-digit NIK typed as a number ends in 0 whatever was
    # typed. A number with another last digit was written by a program, and is taken.
    if isinstance(value, float) or (isinstance(value, int) and value % 10 == 0):
        raise ValidationError(
            _(
                "NIK “%(value)s” was typed as a number and Excel may have changed its last digit: "
                "format the column as text and type it again."
            )
            % {"value": _text(value)},
            code="nik_number",
        )
    text = to_text(value)
    validators.validate_nik(text)
    return text


def to_bool(value: Any) -> bool:
    text = validators.normalize_label(to_text(value))
    if text in ("ya", "y", "yes", "true", "1", "aktif"):
        return True
    if text in ("tidak", "t", "no", "false", "0", "tidak aktif"):
        return False
    raise ValidationError(
        _("“%(value)s” must be Ya or Tidak.") % {"value": _text(value)}, code="bool"
    )


def choice_label(choices, value: str) -> str:
    """The Indonesian name of a TextChoices value, as the workbook writes it ('' for none)."""
    if not value:
        return ""
    with translation.override("id"):
        return str(choices(value).label)


def choice_labels(choices) -> list[str]:
    with translation.override("id"):
        return [str(label) for label in choices.labels]


def choice_lookup(choices, aliases: dict[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Every spelling of a TextChoices: its code, its Indonesian and English labels, aliases."""
    aliases = aliases or {}
    entries = []
    for value, label in choices.choices:
        with translation.override("id"):
            label_id = str(label)
        with translation.override("en"):
            label_en = str(label)
        entries.append((value, [value, label_id, label_en, *aliases.get(value, ())]))
    return validators.build_lookup(entries)


def matcher(lookup: dict[str, Any], list_name, names: Iterable[str]) -> Callable[[Any], Any]:
    """A converter matching a value of a fixed list (code, name, alias; any case)."""
    examples = list(dict.fromkeys(names))

    def convert(value):
        text = to_text(value)
        found = lookup.get(validators.normalize_label(text))
        if found is not None:
            return found
        return validators.match_value(text, lookup, str(list_name), examples)

    return convert


def multi(convert: Callable[[Any], Any]) -> Callable[[Any], list]:
    """A converter for a multi-valued cell (values separated by ';' or ',')."""

    def convert_all(value):
        found, errors = [], []
        parts = validators.split_multi(to_text(value))
        if len(parts) > MAX_MULTI_VALUES:
            raise ValidationError(
                _("The cell holds %(count)s values; at most %(limit)s are allowed.")
                % {"count": len(parts), "limit": MAX_MULTI_VALUES},
                code="too_many_values",
            )
        for part in parts:
            try:
                item = convert(part)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if item not in found:
                found.append(item)
        if errors:
            raise ValidationError(errors)
        return found

    return convert_all


# Helpers -----------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    # Our exports put an apostrophe before text that a spreadsheet would run as a formula.
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _text(value: Any) -> str:
    """A cell's value as an error row shows it: its first SHOWN_CHARS characters."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _shorten(value.strip(), SHOWN_CHARS, always=isinstance(value, LongText))
    try:
        return _shorten(to_text(value), SHOWN_CHARS)
    except ValidationError:
        return _short_int(value)


def _shorten(text: str, most: int, always: bool = False) -> str:
    """`text` in at most `most` characters: cut, and ending in "…", when longer (or when
    `always`: a text already cut)."""
    if len(text) > most or (always and not text.endswith("…")):
        return text[: most - 1] + "…"
    return text


def _size(path_or_file) -> int:
    if hasattr(path_or_file, "size") and path_or_file.size is not None:
        return path_or_file.size
    if hasattr(path_or_file, "seek"):
        position = path_or_file.tell()
        path_or_file.seek(0, 2)
        size = path_or_file.tell()
        path_or_file.seek(position)
        return size
    import os

    return os.path.getsize(path_or_file)


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    """Split long IN (...) lists: SQLite refuses more than 32,766 variables in one query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model, rows: list[tuple], fields: Iterable[str] | None = None) -> None:
    """Insert rows — COPY on PostgreSQL, executemany elsewhere — each a tuple in the order of
    `fields`, by default the model's `bulk_columns` (every column without a database default);
    auto_now timestamps are filled in here.

    For the importer's 100,000-row files bulk_create spends ~5× longer preparing model objects
    than the database spends writing them; no signals are sent either way."""
    from django.db import connection

    opts = model._meta
    stamps = [
        f for f in opts.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    fields = list(model.bulk_columns if fields is None else fields)
    columns = [opts.get_field(name) for name in fields] + stamps
    adapt = []
    for field in columns[: len(fields)]:
        kind = field.get_internal_type()
        adapt.append(
            connection.ops.adapt_datetimefield_value if kind == "DateTimeField"
            else connection.ops.adapt_datefield_value if kind == "DateField"
            else None
        )
    now = (connection.ops.adapt_datetimefield_value(timezone.now()),) * len(stamps)

    def prepare(row: tuple) -> tuple:
        return tuple(v if a is None or v is None else a(v) for a, v in zip(adapt, row, strict=True))

    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    before = model.objects.aggregate(last=Max("pk"))["last"] or 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command: ~5× faster than executemany there.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row) + now)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            for part in chunks(rows, BATCH):
                cursor.executemany(sql, [prepare(row) + now for row in part])
    if stamps:
        audit.record_inserted(model, before, now[0])


def same(instance, values: dict[str, Any]) -> bool:
    """Whether a model instance already holds these field values."""
    return all(getattr(instance, name) == value for name, value in values.items())


# Writing ---------------------------------------------------------------------------------------
# Every cell goes through registry.sheets: text is written as text, never as a formula.
def export_workbook(stream, *, user, area) -> dict[str, int]:
    """Write the registry within `area`, as `user` may see it, in the survey workbook's format.

    Written in openpyxl's write-only mode, so a province's registry streams to the file."""
    book = sheets.Book(streaming=True)
    counts = {}
    for handler in handlers():
        rows = handler.export_rows(user, area)
        if rows is None:
            continue
        sheet = book.sheet(handler.name)
        sheet.append([c.name for c in handler.columns])
        formats = ["@" if c.name in handler.text_columns else None for c in handler.columns]
        counts[handler.name] = 0
        for values in rows:
            sheet.append(values, number_formats=formats)
            counts[handler.name] += 1
    book.save(stream)
    return counts


def template_workbook(stream) -> None:
    """The blank survey workbook: instructions, the four sheets with their headers, dropdowns for
    every fixed list (read from a hidden sheet, as inline lists over 255 characters break in
    Excel) and NIK columns formatted as text."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = sheets.Book()
    guide = book.sheet("petunjuk")
    for line in TEMPLATE_GUIDE:
        guide.append([line])
    guide.worksheet.column_dimensions["A"].width = 110
    guide.worksheet["A1"].font = Font(bold=True, size=14)
    lists = book.sheet("daftar")
    list_column = 0
    for handler in handlers():
        sheet = book.sheet(handler.name)
        header = sheet.append([c.name for c in handler.columns])
        sheet.worksheet.freeze_panes = "A2"
        for index, (column, cell) in enumerate(zip(handler.columns, header, strict=True),
                                               start=1):
            cell.font = Font(bold=column.required)
            sheet.worksheet.column_dimensions[get_column_letter(index)].width = max(
                14, len(column.name) + 4)
            if column.name in handler.text_columns:
                sheet.number_format(index, range(2, TEMPLATE_ROWS + 2), "@")
        for column_name, (values, single) in handler.dropdowns().items():
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.write(1, list_column, f"{handler.name}.{column_name}")
            for row, value in enumerate(values, start=2):
                lists.write(row, list_column, value)
            index = [c.name for c in handler.columns].index(column_name) + 1
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1=f"daftar!${list_letter}$2:${list_letter}${len(values) + 1}",
                allow_blank=True,
                # Multi-valued and open lists accept more than one value or a new one.
                errorStyle="stop" if single else "information",
                showErrorMessage=True,
                error=str(_("Choose a value from the list.")),
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.worksheet.add_data_validation(validation)
    lists.worksheet.sheet_state = "hidden"
    book.save(stream)


TEMPLATE_ROWS = 2000
TEMPLATE_GUIDE = [
    gettext_lazy("WKSBM survey form (Formulir Pendataan WKSBM)"),
    "",
    gettext_lazy(
        "Fill one row per group on sheet perkumpulan, one row per membership on sheet "
        "anggota, one row per person with a social-welfare problem on sheet pmks and "
        "one row per working link on sheet jaringan. Any sheet may be left empty."
    ),
    gettext_lazy("Row 1 holds the column names: do not change them. Bold columns are required."),
    gettext_lazy(
        "kode_perkumpulan is the group's own stable code (e.g. CBR-DW-001); the other "
        "sheets refer to groups by it."
    ),
    gettext_lazy("kode_wilayah is the desa/kelurahan code, e.g. 32.77.01.1002 or 3277011002."),
    gettext_lazy(
        "NIK is 16 digits typed as text (the NIK columns are already formatted as text: "
        "Excel drops the 16th digit of a number)."
    ),
    gettext_lazy(
        "Columns with a list: choose from the dropdown. Where several values are "
        "allowed (requirements, funds, values, activities), separate them with “;”."
    ),
    gettext_lazy("Dates as dd-mm-yyyy; years as four digits."),
    gettext_lazy(
        "Importing is all or nothing: if any row has an error, nothing is saved and "
        "every error is listed with its sheet, row and column. Importing the same file "
        "again changes nothing."
    ),
]
