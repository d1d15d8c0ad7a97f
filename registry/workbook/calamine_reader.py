"""Reading a survey workbook's cells with calamine (python-calamine, in Rust): several times faster
than openpyxl's parser, and it reads .ods too (used by xlsx_reader and reading.py).

An .xlsx still goes through every check of xlsx_reader first (the container, the parts, the
shared strings streamed, each sheet's XML scanned); calamine then reads a sheet's cells only when
it gives exactly the values openpyxl would, else the sheet is read by openpyxl as before: once the
cells it builds are known to be bounded (`xlsx_start`), calamine builds them in a thread (it lets
go of the interpreter) while the values are checked (`xlsx_agrees`).

calamine gives numbers as floats, dates without a time as dates, errors as empty text, unescapes
_xHHHH_ and builds the sheet as one dense block; so a sheet is read by openpyxl when:

- any value in its XML is not plain digits (a decimal, a negative, a time, a formula's text, an
  error), or has 16 digits or more (past a float's exact integers), or 7 or more when the
  workbook has date formats (past the last date openpyxl can make);
- it has a DTD, entities or CDATA ("<!": left to openpyxl and defusedxml, which refuse
  entities), error (t="e") or ISO date (t="d") cells, _xHHHH_ escapes, text of only spaces longer
  than MAX_CELL_CHARS, cells or rows not naming their reference first, rows out of order;
- its block of cells (last row × last column) is larger than MAX_DENSE_CELLS, or the text its
  shared-string cells may take exceeds MAX_DENSE_TEXT_BYTES;
- the workbook uses the 1904 date system, a number format not in SAFE_FORMATS (where both
  readers agree on what is a date), or shared strings cut (longer than MAX_CELL_CHARS) or with
  _x escapes.

With those, a whole number is an int, a date a datetime at midnight, a time and a duration as
openpyxl has them, an empty cell None: `convert`.

An .ods or an .xls has no other reader: calamine reads it after the file's size is checked, and
the cells calamine would build of it bounded: `ods_check` refuses an .ods whose repeated rows or
cells would make more cells than a survey holds; `xls_check` (xls_scan) an .xls whose sheets'
blocks of cells, from each first to each farthest cell, do.
"""

import contextlib
import ctypes
import datetime
import functools
import io
import queue
import re
import threading
import zipfile

from django.utils.translation import gettext as _

from registry.workbook import reading, xls_scan

# The most cells (last row × last column) calamine may build for one sheet: a district's survey
# sheet is 100,000 rows of 8 to 17 columns, and the largest sheet allowed (MAX_SHEET_ROWS) of 10.
MAX_DENSE_CELLS = 5_000_000
# The most text calamine may hold for a sheet's shared-string cells (each cell holds a copy).
MAX_DENSE_TEXT_BYTES = 200 * 1024 * 1024
# Number formats on which openpyxl and calamine agree whether a number is a date, a duration or
# a number (tests/registry/test_import_calamine.py checks each): the builtin ones, and those
# Excel, LibreOffice and openpyxl write for a survey's dates, numbers and text.
SAFE_FORMATS = frozenset({
    "General", "0", "0.00", "#,##0", "#,##0.00", "0%", "0.00%", "0.00E+00", "# ?/?", "# ??/??",
    "mm-dd-yy", "d-mmm-yy", "d-mmm", "mmm-yy", "h:mm AM/PM", "h:mm:ss AM/PM", "h:mm", "h:mm:ss",
    "m/d/yy h:mm", "#,##0_);(#,##0)", "#,##0_);[Red](#,##0)", "#,##0.00_);(#,##0.00)",
    "#,##0.00_);[Red](#,##0.00)", "mm:ss", "[h]:mm:ss", "##0.0E+0", "@",
    "dd-mm-yyyy", "dd/mm/yyyy", "yyyy-mm-dd", "DD-MM-YYYY", "DD/MM/YYYY", "YYYY-MM-DD",
    "d/m/yyyy", "dd/mm/yy", "DD/MM/YY", "yyyy-mm-dd h:mm:ss", "YYYY-MM-DD HH:MM:SS",
    "dd mmmm yyyy", "d mmmm yyyy", "0.0", "00", "#,##0.0",
})

_CHUNK = 1024 * 1024
_NOT_DIGITS = re.compile(rb"<v>[^<]*[^0-9<]")
_MANY_DIGITS = re.compile(rb"<v>\d{16}")
_DATE_DIGITS = re.compile(rb"<v>\d{7}")
# Error and ISO date cells, and a type attribute written otherwise than t="…" (then unknown).
_ODD_TYPES = re.compile(rb"""t(?:="[ed]"|='|[ \t\n\r]=)""")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_SPACES = re.compile(rb"<t(?:\s[^>]*)?>[ \t\r\n]{%d}" % (reading.MAX_CELL_CHARS + 1))
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
# A cell or a row without its reference first (`<c>`, `<c s="1" r="A1">`): then not placed.
_UNPLACED = re.compile(rb'<(?:c|row)(?:>|\s(?!r="))')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d+"')


def _letters(column: bytes) -> int:
    number = 0
    for letter in column:
        number = number * 26 + letter - 64
    return number


class _Bounds:
    """What the cells calamine would build of a sheet take (read before it builds them): every
    row and cell placed by its reference, the rows in order, the last row, the widest column and
    the shared-string cells."""

    def __init__(self):
        self.placed = True
        self.rows: list[int] = []
        self.widest = 0
        self.string_cells = 0

    def read(self, data: bytes) -> None:
        # A DTD or entities (left to openpyxl and defusedxml), or a cell or row not placed.
        if b"<!" in data or _UNPLACED.search(data):
            self.placed = False
            return
        self.string_cells += data.count(b't="s"')
        self.rows.extend(map(int, _ROW_NUMBER.findall(data)))
        if _WIDE_CELL.search(data):
            self.widest = max(self.widest, *(_letters(c) for c in _WIDE_CELL.findall(data)))

    def bounded(self, strings: list[str]) -> bool:
        rows = self.rows
        if not self.placed or any(a >= b for a, b in zip(rows, rows[1:], strict=False)):
            return False
        last_row = rows[-1] if rows else 0
        if last_row > reading.MAX_ROWS or last_row * max(self.widest, 26) > MAX_DENSE_CELLS:
            return False
        longest = max((len(s.encode()) for s in strings), default=0)
        return self.string_cells * (longest + 24) <= MAX_DENSE_TEXT_BYTES


def _values_agree(data: bytes, dates: bool) -> bool:
    """Whether every value in this piece of a sheet's XML is one calamine gives as openpyxl
    does (see the module's docstring)."""
    return not (_NOT_DIGITS.search(data) or _MANY_DIGITS.search(data)
                or _ODD_TYPES.search(data) or _ESCAPE.search(data)
                or _SPACES.search(data) or (dates and _DATE_DIGITS.search(data)))


def _pieces(sheet):
    """The sheet's XML a megabyte at a time, each piece ending before a tag's "<"."""
    with sheet._get_source() as raw:
        carry = b""
        while True:
            chunk = raw.read(_CHUNK)
            data = carry + chunk
            if not chunk:
                yield data
                return
            cut = data.rfind(b"<")
            data, carry = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
            yield data


def workbook_plan(book, strings: list[str]) -> bool:
    """Whether calamine may read this workbook's sheets at all (see the module's docstring)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    from registry.workbook.cells import LongText

    if book.epoch != datetime.datetime(1899, 12, 30):
        return False
    if any(isinstance(s, LongText) or "_x" in s for s in strings):
        return False
    custom = list(getattr(book, "_number_formats", []))
    for style in getattr(book, "_cell_styles", []):
        number = style.numFmtId
        if number >= 164:
            index = number - 164
            fmt = custom[index] if index < len(custom) else None
        else:
            fmt = BUILTIN_FORMATS.get(number)
        if fmt not in SAFE_FORMATS:
            return False
    return True


def xlsx_start(sheet) -> "_Loading | None":
    """calamine reading this sheet (already scanned by xlsx_reader) in a thread, started once
    the cells it builds are known to be bounded (`_Bounds`); None when calamine may not read
    it. Whether calamine's values may be used is then `xlsx_agrees`, checked meanwhile."""
    if not _may_build(sheet):
        return None
    loading = _Loading(_source(sheet.parent))
    loading.add(sheet.title)
    loading.finish()
    return loading


def xlsx_read_ahead(sheets) -> "_Loading | None":
    """calamine reading, one after the other in one thread, those of these sheets (of one
    workbook, in the order they are read) that it may read (`xlsx_start`), each from the moment
    it is known to be bounded (the next ones are looked at meanwhile); each sheet takes its
    cells up (`Sheet.cell_rows`) while the next ones are built. None when it may read none."""
    loading = None
    try:
        for sheet in sheets:
            if _may_build(sheet):
                loading = loading or _Loading(_source(sheet.parent))
                loading.add(sheet.title)
                sheet._ahead = loading
    except BaseException:
        if loading is not None:
            loading.__exit__()
        raise
    if loading is not None:
        loading.finish()
    return loading


def _may_build(sheet) -> bool:
    """Whether calamine may build this sheet: the workbook and the sheet's scan allow it and
    the cells it would build are bounded (`_Bounds`, a pass over the sheet's XML)."""
    book = sheet.parent
    scan = sheet.scan()
    if (not getattr(book, "_calamine_ok", False) or scan.oversized or not scan.plain
            or _source(book) is None):
        return False
    bounds = _Bounds()
    for data in _pieces(sheet):
        bounds.read(data)
        if not bounds.placed:
            return False
    return bounds.bounded(book._calamine_strings)


def xlsx_agrees(sheet) -> bool:
    """Whether calamine gives every value of this sheet as openpyxl does (after xlsx_start)."""
    book = sheet.parent
    dates = bool(book._date_formats or book._timedelta_formats)
    return all(_values_agree(data, dates) for data in _pieces(sheet))


class _Loading:
    """calamine building sheets' cells in a thread, one after the other: it lets go of the
    interpreter meanwhile (the 100,000-row benchmark sheet: 0.33 s), so the values are checked
    (`xlsx_agrees`) and the sheets before are read as it builds. A sheet read lets go of its
    cells (`part`); when the last has, or on leaving the `with` block, the thread is joined and
    the workbook closed. The thread allocates in the main malloc arena (`_one_arena`)."""

    def __init__(self, source):
        if hasattr(source, "read"):
            # One file, two readers: the thread gets its own copy (the file is small: limited).
            source.seek(0)
            copy = io.BytesIO(source.read())
            source.seek(0)
            source = copy
        self.waiting: set[str] = set()
        self.book = None
        self.sheets: dict[str, object] = {}
        self.errors: dict[str, BaseException] = {}
        self.built: dict[str, threading.Event] = {}
        self.asked: queue.SimpleQueue = queue.SimpleQueue()  # the titles to build, then None
        _one_arena()
        self.thread = threading.Thread(target=self._load, args=(source,), daemon=True,
                                       name="calamine")
        self.thread.start()

    def add(self, title: str) -> None:
        """Build this sheet next (after those added before)."""
        self.waiting.add(title)
        self.built[title] = threading.Event()
        self.asked.put(title)

    def finish(self) -> None:
        """No more sheets: the thread ends once it has built those added."""
        self.asked.put(None)

    def _load(self, source) -> None:
        # What fails is raised in the reading thread by `result`: a sheet's own failure for
        # that sheet only, the workbook's for every sheet.
        failed = None
        try:
            self.book = open_calamine(source)
        except BaseException as exc:
            failed = exc
        while (title := self.asked.get()) is not None:
            if failed is not None:
                self.errors[title] = failed
            elif title in self.waiting:  # not let go of already
                try:
                    self.sheets[title] = self.book.get_sheet_by_name(title)
                except BaseException as exc:
                    self.errors[title] = exc
            self.built[title].set()

    def result(self, title: str):
        """The calamine sheet of `title`, once built."""
        self.built[title].wait()
        if title in self.errors:
            raise self.errors[title]
        return self.sheets[title]

    @contextlib.contextmanager
    def part(self, title: str):
        """The block reading one sheet's cells: on leaving it the cells are let go of."""
        try:
            yield self
        finally:
            self.waiting.discard(title)
            self.sheets.pop(title, None)
            if not self.waiting:
                self.__exit__()

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.waiting.clear()
        self.finish()
        self.thread.join()
        self.sheets.clear()
        if self.book is not None:
            self.book.close()
            self.book = None
            _give_back_memory()


_M_ARENA_MAX = -8  # glibc's mallopt parameter


@functools.cache
def _one_arena() -> None:
    """Have glibc's malloc keep one arena for all threads (set once per process, before
    calamine's first thread allocates). In an arena of its own, what calamine's thread had
    built while the sheets before were read came back to the system only in part once freed
    (malloc_trim handed back 13 of 31 MB; +18 MB at the import benchmark's peak); from the
    main arena it all does. The web's workers run one thread each: nothing else changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):  # not glibc
        return
    mallopt(_M_ARENA_MAX, 1)


def _give_back_memory() -> None:
    """Hand the memory calamine freed back to the system. It built the sheet in its thread, so
    in glibc's arena for that thread, which the import's own thread does not reuse: kept, it
    added ~25 MB to the import's peak (321 against 298 MB)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc: nothing to hand back this way
        return
    trim(0)


def _source(book):
    return getattr(book, "_calamine_source", None)


def open_calamine(source):
    """A CalamineWorkbook of a path or an open file (read from its start)."""
    from python_calamine import CalamineWorkbook

    if hasattr(source, "read"):
        source.seek(0)
        try:
            return CalamineWorkbook.from_filelike(source)
        finally:
            source.seek(0)
    # By its content, not its name (an upload is stored under a name of our own).
    with open(source, "rb") as handle:
        return CalamineWorkbook.from_filelike(handle)


def convert(value):
    """A calamine value as openpyxl gives the same cell (see the module's docstring)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, str):
        return value if value else None
    if type(value) is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def cell_rows(sheet):
    """(row number, [(column number, value), …]) of a calamine sheet, empty cells left out.

    python-calamine's iter_rows gives the rows from the sheet's first (row 1), each row from the
    first used column (`start`); a row of another length, or fewer rows than the sheet has, is
    not what this reads, and the sheet is refused rather than read at the wrong places."""
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return
    offsets = {end[1] + 1: 0, sheet.width: start[1]}
    count = 0
    for index, values in enumerate(sheet.iter_rows()):
        count += 1
        left = offsets.get(len(values))
        if left is None:
            raise reading.WorkbookError(_unplaced(sheet.name))
        # convert() inlined for text, most of a survey's cells.
        cells = [
            (column, value if value.__class__ is str else convert(value))
            for column, value in enumerate(values, start=left + 1)
            if value != ""
        ]
        if cells:
            yield index + 1, cells
    if count != end[0] + 1:
        raise reading.WorkbookError(_unplaced(sheet.name))


def _unplaced(title: str) -> str:
    return _("Sheet %(sheet)s cannot be read: the file is damaged or not a plain workbook.") % {
        "sheet": title[:100]}


def xlsx_rows(sheet, loading: "_Loading | None" = None):
    """The rows of an openpyxl Sheet read by calamine (by `loading`, or read now)."""
    from python_calamine import CalamineError

    try:
        if loading is not None:
            yield from cell_rows(loading.result(sheet.title))
            return
        with open_calamine(_source(sheet.parent)) as book:
            yield from cell_rows(book.get_sheet_by_name(sheet.title))
    except CalamineError as exc:
        raise reading.WorkbookError(
            _("Sheet %(sheet)s cannot be read: the file is damaged or not a plain workbook.")
            % {"sheet": sheet.title[:100]}
        ) from exc


# .ods and .xls -----------------------------------------------------------------------------------
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_REPEATED = re.compile(rb'table:number-(rows|columns)-repeated="(\d+)"')


def kind(source) -> str:
    """'xlsx', 'ods', 'xls' by the file's content, or '' when none."""
    head = _head(source, 8)
    if head == xls_scan.OLE_MAGIC:
        return "xls"
    if not head.startswith(b"PK"):
        return ""
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and "content.xml" in names:
                with archive.open("mimetype") as part:
                    if part.read(100).strip() == ODS_MIMETYPE:
                        return "ods"
    except (zipfile.BadZipFile, EOFError, OSError):
        return ""
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return ""


def _head(source, size: int) -> bytes:
    if hasattr(source, "read"):
        source.seek(0)
        head = source.read(size)
        source.seek(0)
        return head
    with open(source, "rb") as handle:
        return handle.read(size)


def ods_check(source) -> None:
    """Refuse an .ods whose content would make more cells than a survey holds: calamine builds
    every sheet when it opens the file, and repeats a row or a cell as often as the file says."""
    with zipfile.ZipFile(source) as archive, archive.open("content.xml") as content:
        carry = b""
        while True:
            chunk = content.read(_CHUNK)
            data = carry + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            data, carry = data[:cut], data[cut:]
            for _kind, count in _REPEATED.findall(data):
                if int(count) > reading.MAX_ROWS:
                    raise reading.WorkbookError(_too_many_cells())
            _check_repeats(data)
            if not chunk:
                break
    if hasattr(source, "seek"):
        source.seek(0)


# A repeated element that holds a value: its repeats are real cells.
_REPEATED_VALUE = re.compile(
    rb'<table:table-cell[^>]*table:number-columns-repeated="(\d+)"[^>]*office:value-type'
    rb'|<table:table-cell[^>]*office:value-type[^>]*table:number-columns-repeated="(\d+)"')
_REPEATED_ROW = re.compile(rb'<table:table-row[^>]*table:number-rows-repeated="(\d+)"[^>]*>')


def _check_repeats(data: bytes) -> None:
    for found in _REPEATED_VALUE.finditer(data):
        if int(found.group(1) or found.group(2)) > 1_000:
            raise reading.WorkbookError(_too_many_cells())
    for found in _REPEATED_ROW.finditer(data):
        if int(found.group(1)) > reading.EMPTY_ROWS_STOP:
            end = data.find(b"</table:table-row>", found.end())
            if end < 0 or b"office:value-type" in data[found.end():end]:
                raise reading.WorkbookError(_too_many_cells())


def xls_check(source) -> None:
    """Refuse an .xls of which calamine would build more cells than a survey holds (xls_scan)."""
    if hasattr(source, "read"):
        source.seek(0)
        data = source.read(reading.MAX_FILE_BYTES + 1)
        source.seek(0)
    else:
        with open(source, "rb") as handle:
            data = handle.read(reading.MAX_FILE_BYTES + 1)
    xls_scan.check(data, MAX_DENSE_CELLS)


def _calamine_failed(exc: BaseException) -> bool:
    """A CalamineError, or a panic of its Rust code (pyo3's PanicException, a BaseException)."""
    from python_calamine import CalamineError

    return isinstance(exc, CalamineError) or type(exc).__name__ == "PanicException"


def _too_many_cells() -> str:
    return _("The workbook repeats rows or cells far more often than a survey can hold; refused.")


class CalamineSheet:
    """A sheet of an .ods or an .xls, with what reading.read_rows needs of a sheet: its title, a
    scan (rows holding values) and its rows."""

    def __init__(self, book: "CalamineBook", title: str):
        self.parent = book
        self.title = title
        self._rows: list | None = None
        self._scan = None

    def _read(self) -> list:
        if self._rows is None:
            try:
                sheet = self.parent.calamine.get_sheet_by_name(self.title)
                if sheet.height * max(sheet.width, 1) > MAX_DENSE_CELLS:
                    raise reading.WorkbookError(_too_many_cells())
                self._rows = list(cell_rows(sheet))
            except BaseException as exc:
                if not _calamine_failed(exc):
                    raise
                raise reading.WorkbookError(
                    _("Sheet %(sheet)s cannot be read: the file is damaged or not a plain "
                      "workbook.") % {"sheet": self.title[:100]}
                ) from exc
        return self._rows

    def scan(self):
        from registry.workbook import xlsx_reader

        if self._scan is None:
            rows = self._read()
            scan = xlsx_reader.SheetScan(rows=len(rows), value_rows=len(rows), plain=True)
            scan.last_value_row = rows[-1][0] if rows else 0
            if scan.value_rows > reading.MAX_SHEET_ROWS + 1:
                raise reading.WorkbookError(xlsx_reader.too_many_rows(self.title))
            self._scan = scan
        return self._scan

    def cell_rows(self):
        self.scan()
        yield from self._read()


class CalamineBook:
    """An .ods or an .xls read by calamine, shaped as the openpyxl workbook reading.py reads."""

    def __init__(self, source):
        self.calamine = open_calamine(source)
        self.worksheets = [
            CalamineSheet(self, meta.name) for meta in self.calamine.sheets_metadata
            if str(meta.typ).endswith("WorkSheet")
        ]

    @property
    def active(self):
        return self.worksheets[0] if self.worksheets else None

    def __getitem__(self, name: str):
        for sheet in self.worksheets:
            if sheet.title == name:
                return sheet
        raise KeyError(name)

    def close(self) -> None:
        self.calamine.close()


def load_other(source, kind_: str) -> CalamineBook:
    """An .ods or an .xls, its size already checked."""
    if kind_ == "ods":
        reading.check_zip_sizes(source)
        ods_check(source)
    else:
        xls_check(source)
    try:
        return CalamineBook(source)
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise xls_scan.damaged() from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)

