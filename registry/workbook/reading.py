"""Reading a survey workbook: what a file may cost is bounded before openpyxl parses it — the
file's size and the zip's (check_container), the shared strings and each sheet's XML
(xlsx_reader), the rows of a sheet, the length of each cell and the text of the whole file
(read_rows). The limits are documented in docs/survey-workbook.md ("Limits")."""

import contextlib
import itertools
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from registry import validators
from registry.sheets import FORMULA_START
from registry.validators import INVISIBLE, strip_text
from registry.workbook.cells import SHOWN_CHARS, LongText, SpreadsheetError, is_blank, shorten

if TYPE_CHECKING:
    from registry.workbook.frame import Import, SheetHandler

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
# Cell texts up to this long are held once however often the file repeats them (_clean).
SHARED_CHARS = 64
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


@dataclass(slots=True)
class Row:
    """One data row: its number as Excel shows it and its raw values by column name; for a row
    the check shows (frame.PREVIEW_ROWS), `parsed` gets each cell as its sheet converted it."""

    sheet: str
    number: int
    values: dict[str, Any]
    parsed: dict[str, Any] | None = None


def check_container(path_or_file) -> None:
    """Refuse what is not an xlsx, and zip bombs, before openpyxl inflates anything."""
    names = check_zip_sizes(path_or_file)
    if "xl/workbook.xml" not in names:
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))


def check_zip_sizes(path_or_file) -> set[str]:
    """The names in a zip (an .xlsx, an .ods); refuses what is not a zip, and zip bombs."""
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
    # A zip's sizes are checked as it inflates (zipfile stops at the stated size), so they hold.
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise WorkbookError(
            _("The workbook unpacks to %(size)d MB, more than a survey can hold; refused.")
            % {"size": total // (1024 * 1024)}
        )
    return names


def check_survey_file(path_or_file) -> None:
    """What the survey import accepts: an .xlsx (check_container), an .ods or an .xls (what
    calamine would build of it bounded: xls_scan)."""
    from registry.workbook import calamine_reader

    kind = calamine_reader.kind(path_or_file)
    if kind == "xls":
        calamine_reader.xls_check(path_or_file)
    elif kind == "ods":
        check_zip_sizes(path_or_file)
    else:
        check_container(path_or_file)


def open_workbook(path_or_file):
    """Open an xlsx read-only, values only (a formula counts by its cached value), reading no
    more of it than the limits allow (xlsx_reader; its cells are read by calamine where it gives
    the same values, calamine_reader); an .ods or an .xls is read by calamine."""
    size = _size(path_or_file)
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    from registry.workbook import calamine_reader, xlsx_reader

    kind = calamine_reader.kind(path_or_file)
    if kind in ("ods", "xls"):
        return calamine_reader.load_other(path_or_file, kind)
    check_container(path_or_file)
    try:
        book = xlsx_reader.load(path_or_file)
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise WorkbookError(
            _("The workbook cannot be read: it is damaged or not an .xlsx file.")
        ) from exc
    return book


@contextlib.contextmanager
def reading_ahead(worksheets):
    """Within the block, the sheets of an .xlsx that calamine may read are being built, one
    after the other in one thread started now (calamine_reader.xlsx_read_ahead): a sheet's
    cells are built while the sheets before it are read and checked. Leaving the block lets go
    of what was not read."""
    from registry.workbook import calamine_reader, xlsx_reader

    sheets = [sheet for sheet in worksheets if isinstance(sheet, xlsx_reader.Sheet)]
    loading = calamine_reader.xlsx_read_ahead(sheets) if sheets else None
    with loading or contextlib.nullcontext():
        yield


def read_rows(worksheet, handler: "SheetHandler", imp: "Import") -> Iterator[Row]:
    """Yield the data rows of a sheet keyed by column name; record header errors.

    The sheet's XML is scanned first: a sheet of more than MAX_SHEET_ROWS data rows is refused
    whole, and a cell too long to parse is an error naming it (the sheet is then not read). A row
    with a cell longer than MAX_CELL_CHARS is reported for that cell and not checked further.
    Reading stops after EMPTY_ROWS_STOP empty rows in a row, with a warning when rows holding
    values lie below."""
    from registry.workbook import xlsx_reader

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
        # One pass over the row's cells: the cells too long to read, whether any cell holds a
        # value, and the values of the known columns (cleaned) with the memory their text takes.
        record: dict[str, Any] = {}
        long = []
        filled = False
        text = 0
        for column, value in cells:
            if value is None:
                continue
            if value.__class__ is str:
                # Most cells: _too_long, is_blank, _text_bytes and _clean inlined (a district
                # file has ~800,000 cells), and nothing more for a column no one reads.
                if len(value) > MAX_CELL_CHARS:
                    long.append((column, value))
                    continue
                stripped = value.strip()
                if not stripped:
                    continue
                filled = True
                name = names.get(column)
                if name is not None:
                    if value.isascii():
                        text += len(value)
                    else:
                        text += 4 * len(value)
                        if stripped[0] in INVISIBLE or stripped[-1] in INVISIBLE:
                            stripped = strip_text(stripped)
                            if not stripped:  # a cell of zero-width spaces: as good as empty
                                continue
                    if stripped[0] == "'" and len(stripped) > 1 and stripped[1] in FORMULA_START:
                        stripped = stripped[1:]
                    record[name] = intern(stripped) if len(stripped) <= SHARED_CHARS else stripped
                continue
            if isinstance(value, str):
                if _too_long(value):
                    long.append((column, value))
                    continue
                if is_blank(value):
                    continue
                size = _text_bytes(value)
                value = _clean(value)
            elif value.__class__ is SpreadsheetError:
                if column in names:  # a column no one reads may hold what it likes
                    long.append((column, value))
                continue
            else:
                size = 0
            filled = True
            name = names.get(column)
            if name is not None:
                record[name] = value
                text += size
        for column, value in long:
            imp.errors.append(
                _spreadsheet_error(sheet, number, names[column], value)
                if value.__class__ is SpreadsheetError
                else _oversized(sheet, number, names.get(column, _letter(column)), value))
        if long:
            last_filled = number
            continue
        if not filled:
            if number - last_filled >= EMPTY_ROWS_STOP:
                _stopped(imp, sheet, number, scan)
                return
            continue
        last_filled = number
        if not record:
            continue
        data_rows += 1
        if data_rows > MAX_SHEET_ROWS:
            raise WorkbookError(xlsx_reader.too_many_rows(worksheet.title))
        imp.text_bytes += text
        if imp.text_bytes > MAX_TEXT_BYTES:
            raise WorkbookError(
                _("The workbook holds more text than a survey can (over %(limit)d MB); refused.")
                % {"limit": MAX_TEXT_BYTES // (1024 * 1024)}
            )
        yield Row(sheet, number, record)


def _header(sheet: str, handler: "SheetHandler", header: dict[int, Any], imp: "Import"
            ) -> dict[int, str]:
    """Column numbers of the header's known columns; warnings for the unknown ones, an error for
    a header cell too long to be a column's name, and for a column given twice (under one name
    or two of its spellings: which one holds the values?)."""
    spellings = {}
    for column in handler.columns:
        for spelling in (column.name, *column.aliases):
            spellings[validators.normalize_label(spelling).replace(" ", "_")] = column.name
    names: dict[int, str] = {}
    for index, cell in sorted(header.items()):
        if _too_long(cell):
            imp.errors.append(_oversized(sheet, 1, _letter(index), cell))
            continue
        if is_blank(cell):
            continue
        key = validators.normalize_label(str(cell)).replace(" ", "_")
        if key in spellings:
            name = spellings[key]
            first = next((i for i, known in names.items() if known == name), None)
            if first is None:
                names[index] = name
                continue
            imp.errors.append(CellError(
                sheet, 1, name, shorten(str(cell).strip(), SHOWN_CHARS),
                _("Column %(name)s is given twice (columns %(first)s and %(second)s): keep one.")
                % {"name": name, "first": _letter(first), "second": _letter(index)}))
        else:
            shown = shorten(str(cell).strip(), SHOWN_CHARS)
            imp.warnings.append(CellError(sheet, 1, shown, shown, _("Unknown column, ignored.")))
    return names


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and (isinstance(value, LongText) or len(value) > MAX_CELL_CHARS)


def _oversized(sheet: str, row: int, column: str, value: Any) -> CellError:
    shown = "" if value is None else shorten(str(value), SHOWN_CHARS, always=True)
    return CellError(
        sheet, row, column, shown,
        _("The cell is longer than %(limit)s characters; shorten it (a survey cell holds a name, "
          "an address or a note).") % {"limit": f"{MAX_CELL_CHARS:,}"},
    )


def _spreadsheet_error(sheet: str, row: int, column: str, value: SpreadsheetError) -> CellError:
    return CellError(
        sheet, row, column, value.code,
        _("The cell holds the spreadsheet's error %(code)s, not a value: type the value in (or "
          "leave the cell empty).") % {"code": value.code})


def _unread(sheet: str, place, column: str) -> CellError:
    """The error for a cell (or a row) that the scan of the sheet's XML found too large."""
    if place.shown is not None:
        return _oversized(sheet, place.row, column, place.shown)
    return CellError(
        sheet, place.row, "", "",
        _("The row is larger than %(limit)d MB in the file, more than any survey row; it was "
          "not read.") % {"limit": MAX_ROW_BYTES // (1024 * 1024)},
    )


def _stopped(imp: "Import", sheet: str, row: int, scan) -> None:
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


def _clean(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = strip_text(value)
    # Our exports put an apostrophe before text that a spreadsheet would run as a formula.
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        value = value[1:]
    # A file repeats its short values (a group's code on each member's row, roles, sexes, schooling,
    # a person in several groups): one copy each, not one a cell.
    return sys.intern(value) if len(value) <= SHARED_CHARS else value



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
