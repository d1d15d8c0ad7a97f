"""Reading an .xlsx without letting a hostile file exhaust the server (used by reading.py).

openpyxl's read-only mode keeps every shared string whole (one cell of 100 MB took a worker from
94 MB to 1.2 GB), builds each row of a sheet's XML whole before giving it (one row of millions of
cells, or one inline cell of 100 MB, is held at once), widens every row to the sheet's
<dimension> (which can claim 16,384 columns) and keeps per-row formatting of every row it reads.
Here, with openpyxl's own parsers for the rest:

- the shared strings are streamed (expat, text in pieces): of a string longer than MAX_CELL_CHARS
  only its start is kept, as a LongText that knows its length; the table's memory is limited;
- each sheet's XML is scanned as bytes before openpyxl parses any of it (`scan_sheet`): a cell
  whose text is too long or a row too large to hold is reported with its place instead of being
  parsed, a sheet over the row limit is refused, and the scan counts the rows holding values;
- rows come sparse, as the XML has them (`Sheet.cell_rows`): the <dimension> is ignored and a cell
  far to the right costs one cell, not a row that wide; nothing but the rows is kept;
- the parts openpyxl reads whole (content types, the workbook, its relationships, the styles)
  must be small, and the theme, the document properties, chart sheets, external links and the
  sheets' own relationships are not read at all.

This builds on openpyxl's reader classes (ExcelReader, ReadOnlyWorksheet, WorkSheetParser), so
openpyxl is pinned (pyproject.toml); tests/registry/test_import_limits.py covers each path.
"""

import html
import operator
import re
import sys
from dataclasses import dataclass, field
from itertools import repeat
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import ExcelReader, _find_workbook_part
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    CF_TAG,
    COL_TAG,
    CUSTOM_VIEWS_TAG,
    DATA_TAG,
    DIMENSION_TAG,
    EXT_TAG,
    FILTER_TAG,
    FORMAT_TAG,
    HEADER_TAG,
    HYPERLINK_TAG,
    LEGACY_TAG,
    MARGINS_TAG,
    MERGE_TAG,
    PAGE_TAG,
    PRINT_TAG,
    PROPERTIES_TAG,
    PROT_TAG,
    ROW_BREAK_TAG,
    ROW_TAG,
    SCENARIOS_TAG,
    TABLE_TAG,
    VALIDATION_TAG,
    VIEWS_TAG,
    WorkSheetParser,
)
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from registry.workbook import cells, reading
from registry.workbook.cells import SpreadsheetError

# Shared strings ---------------------------------------------------------------------------------
_PIECE = 64 * 1024


def read_shared_strings(source) -> list[str]:
    """The shared-string table of a workbook, streamed: each string whole up to MAX_CELL_CHARS,
    a longer one as a LongText (its start and its length). A table whose strings would take more
    than MAX_SHARED_STRINGS_BYTES of memory is refused."""
    limit = reading.MAX_CELL_CHARS
    namespace = SHEET_MAIN_NS + " "
    item, text, run = (namespace + name for name in ("si", "t", "r"))
    strings: list[str] = []
    parts: list[str] = []
    state = {"inside": False, "kept": 0, "length": 0, "memory": 0, "skip": False}
    # The element path inside the current <si>: text counts in si/t and si/r/t, not in rPh.
    path: list[str] = []

    def start(name, _attributes):
        state["skip"] = False  # a tag: the text before it ended
        if name == item:
            state["inside"], state["kept"], state["length"] = True, 0, 0
            parts.clear()
            path.clear()
        elif state["inside"]:
            path.append(name)

    def end(name):
        state["skip"] = False
        if name == item:
            state["inside"] = False
            strings.append(_finish(parts, state["length"], limit))
            state["memory"] += sys.getsizeof(strings[-1]) + 8
            if state["memory"] > reading.MAX_SHARED_STRINGS_BYTES:
                raise reading.WorkbookError(_too_much_text())
        elif state["inside"] and path:
            path.pop()

    def characters(data):
        if not state["inside"] or not path or path[-1] != text:
            return
        if len(path) != 1 and (len(path) != 2 or path[0] != run):
            return  # a phonetic reading (rPh) or anything else that is not the cell's text
        state["length"] += len(data)
        room = limit + 1 - state["kept"]
        if room > 0:
            parts.append(data[:room])
            state["kept"] += min(room, len(data))
        else:
            state["skip"] = True  # the rest of this text is only counted, up to its next tag

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = False  # text comes in pieces as it is read: never one 100 MB string
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    _forbid_entities(parser)
    tags = _TagGuard()
    try:
        while piece := source.read(_PIECE):
            tags.check(piece)
            if state["skip"]:
                # Inside a text already too long: its bytes up to the next tag are counted, not
                # parsed (text holds no "<"). A 100 MB cell costs its inflating, no more.
                following = piece.find(b"<")
                if following < 0:
                    state["length"] += len(piece)
                    continue
                state["length"] += following
                piece = piece[following:]
                state["skip"] = False
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise reading.WorkbookError(
            _("The workbook cannot be read: it is damaged or not an .xlsx file.")
        ) from exc
    return strings


def _finish(parts: list[str], length: int, limit: int) -> str:
    text = "".join(parts)  # its _xHHHH_ escapes are read with the cell (`unescape`)
    if length > limit + 1 or len(text) > limit:
        return cells.LongText(text[: cells.SHOWN_CHARS], length)
    return text


class _Forbidden(ValueError):
    pass


def _forbid_entities(parser) -> None:
    """As defusedxml does for openpyxl's own parsing: no entity declarations (a "billion laughs"),
    no external entities."""

    def refuse(*_args):
        raise reading.WorkbookError(
            _("The workbook cannot be read: it is damaged or not an .xlsx file.")
        ) from _Forbidden("XML entities are not allowed")

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


class _TagGuard:
    """expat holds a whole tag (its name and attributes) before it reports it: refuse one longer
    than MAX_RUN_BYTES, across the pieces it arrives in."""

    def __init__(self):
        self.open = -1  # bytes of the tag still open at the end of the last piece, or -1
        self.long_tag = re.compile(rb"<[^>]{%d}" % reading.MAX_RUN_BYTES)

    def check(self, piece: bytes) -> None:
        if self.open >= 0:
            close = piece.find(b">")
            if (close if close >= 0 else len(piece)) + self.open > reading.MAX_RUN_BYTES:
                raise reading.WorkbookError(_too_much_text())
        if self.long_tag.search(piece):
            raise reading.WorkbookError(_too_much_text())
        opened, closed = piece.rfind(b"<"), piece.rfind(b">")
        if opened > closed:
            self.open = len(piece) - opened
        elif closed < 0 and opened < 0 and self.open >= 0:
            self.open += len(piece)
        else:
            self.open = -1


def _too_much_text() -> str:
    return _(
        "The workbook holds more text than a survey can (over %(limit)d MB); refused."
    ) % {"limit": reading.MAX_SHARED_STRINGS_BYTES // (1024 * 1024)}


# The scan of a sheet's XML ---------------------------------------------------------------------
_CHUNK = 1024 * 1024
# Bytes kept between pieces while looking for the first row (a tag cut in two).
_TAIL = 256
_MAIN_NS = SHEET_MAIN_NS.encode()
_NAME = rb"[A-Za-z_][\w.-]*"
_DECLARATION = re.compile(rb"xmlns(?::(" + _NAME + rb"))?\s*=\s*[\"']([^\"']*)[\"']")
# How an element without content ends in a sheet as programs write it (<c r="B2" s="1"/>,
# <row r="3" spans="1:5"></row>): where neither occurs, every row holds something (or is
# written oddly, and counts as holding a value).
_EMPTY_ELEMENT = (b"/>", b'"></', b"<v></v>")
_R_ATTRIBUTE = re.compile(rb"\sr\s*=\s*[\"']\s*([^\"'<>]*?)\s*[\"']")
_CELL_COLUMN = re.compile(rb"([A-Za-z]{1,3})\d+")


class _Tags:
    """Finding the tags the scan needs in bytes. A sheet as Excel, LibreOffice and openpyxl write
    it has the spreadsheet namespace as its default one: its tags are plain (<row>), found by
    byte search. Where a prefix is declared for it, or any namespace among the rows, the tags
    are found with regular expressions that accept any prefix — slower, and counting anything
    that might be a row."""

    def __init__(self, plain: bool):
        self.plain = plain
        prefix = b"" if plain else rb"(?:" + _NAME + rb":)?"
        self.row = re.compile(rb"<" + prefix + rb"row[\s/>]")
        # A value, not an empty one (<v></v>: a formula's empty text, down a formatted form).
        self.value = re.compile(rb"<" + prefix + rb"(?:v(?!\s*/>|>\s*</)|is)[\s/>]")
        self.cell = re.compile(rb"<" + prefix + rb"c[\s/>]")
        self.end_of_rows = re.compile(rb"</" + prefix + rb"sheetData\s*>")

    def has_value(self, data: bytes, begin: int, stop: int) -> bool:
        """Whether data[begin:stop] (one row) holds a value tag."""
        if not self.plain:
            return self.value.search(data, begin, stop) is not None
        for literal in (b"<v", b"<is"):
            at = data.find(literal, begin, stop)
            while at >= 0:
                if self.value.match(data, at):
                    return True
                at = data.find(literal, at + 2, stop)
        return False

    def find_end_of_rows(self, data: bytes):
        if not self.plain:
            return self.end_of_rows.search(data)
        at = data.find(b"</sheetData")
        while at >= 0:
            found = self.end_of_rows.match(data, at)
            if found:
                return found
            at = data.find(b"</sheetData", at + 1)
        return None

    def last_row_start(self, data: bytes, begin: int, stop: int) -> int:
        """Where the last row tag starting in data[begin:stop] starts (begin if none)."""
        at = stop + 1
        while True:
            at = data.rfind(b"row", begin, at + 2)
            if at <= begin:
                return begin
            opening = data.rfind(b"<", begin, at)
            if 0 <= opening < stop and self.row.match(data, opening, at + 4):
                return opening
            at -= 1


@dataclass
class Oversized:
    """A row of the sheet's XML that is not parsed: a cell's text is too long (`column`, the
    letter when known, and `shown`, the start of the text), or the row itself is too large."""

    row: int
    index: int  # the row element's place in the sheet: 1 for the first
    column: str = ""
    shown: str | None = None


@dataclass
class SheetScan:
    rows: int = 0  # row elements
    value_rows: int = 0  # of which holding at least one value
    last_value_row: int = 0  # the number of the last of those
    oversized: list[Oversized] = field(default_factory=list)
    plain: bool = False  # tags without a prefix (see _Tags)


def scan_sheet(source, title: str) -> SheetScan:
    """Read a sheet's XML as bytes, a megabyte at a time, holding at most one row: count its rows
    and those holding a value, and find the cells and rows too large to parse. Refuses (a
    WorkbookError) a sheet of more rows than Excel allows, of more than MAX_SHEET_ROWS data rows,
    or of more than MAX_PART_BYTES outside its rows. A row too large ends the scan."""
    return _Scanner(title).run(source)


class _Scanner:
    def __init__(self, title: str):
        self.title = title
        self.scan = SheetScan()
        self.number = 0  # the last row's number, counted as openpyxl counts it
        self.outside = 0  # bytes before the first row and after the last
        self.tags = _Tags(plain=False)
        self.prefixed = False  # a prefix declared for the spreadsheet namespace

    def run(self, source) -> SheetScan:
        carry = b""
        in_rows = ended = False
        while True:
            chunk = source.read(_CHUNK)
            final = not chunk
            if ended:
                self._outside(len(chunk))
                if final:
                    return self.scan
                continue
            data = carry + chunk
            carry = b""
            if not in_rows:
                first = self.tags.row.search(data)
                self.prefixed |= _prefixes_main(data[: first.start() if first else len(data)])
                if first is None:
                    keep = 0 if final else min(len(data), _TAIL)
                    self._outside(len(data) - keep)
                    if final:
                        return self.scan
                    carry = data[len(data) - keep:]
                    continue
                self._outside(first.start())
                self.tags = _Tags(plain=not self.prefixed)
                self.scan.plain = self.tags.plain
                data = data[first.start():]
                in_rows = True
            elif self.tags.plain and b"xmlns" in data:
                self.tags = _Tags(plain=False)  # a namespace declared among the rows
                self.scan.plain = False
            end = self.tags.find_end_of_rows(data)
            limit = end.start() if end else len(data) if final else None
            complete = limit if limit is not None else self.tags.last_row_start(data, 0, len(data))
            self._rows(data, complete)
            if limit is None:
                carry = data[complete:]
                if len(carry) > reading.MAX_ROW_BYTES:
                    # One row larger than any survey's: reported, and the sheet is not read on.
                    self._row(carry, 0, len(carry))
                    return self.scan
                continue
            self._outside(len(data) - limit)
            if final:
                return self.scan
            ended = True

    def _rows(self, data: bytes, limit: int) -> None:
        """The complete rows of data[:limit] (data starts with a row). A sheet as programs write
        it (plain tags, rows numbered) is searched a megabyte at a time, in C: where no element
        is empty every row counts as holding a value; else the rows are split at their tags and
        each searched for a value tag. Any other sheet goes row by row."""
        if limit <= 0:
            return
        last = self.tags.last_row_start(data, 0, limit) if self.tags.plain else 0
        tag_end = data.find(b">", last, limit)
        numbered = _R_ATTRIBUTE.search(data, last, tag_end if tag_end >= 0 else limit)
        if not (self.tags.plain and numbered):
            self._each(data, 0, limit)
            return
        scan = self.scan
        if (
            limit <= reading.MAX_ROW_BYTES  # so no row in it is too large
            and not any(data.find(mark, 0, limit) >= 0 for mark in _EMPTY_ELEMENT)
            and _long_run(data, 0, limit) is None
        ):
            # Every row holds a cell with content, and counts as holding a value (a formula
            # without its result, or a cell of blanks, counts one row too many: a sheet may be
            # refused a little early, never read past the limit).
            count = data.count(b"<row", 0, limit)
            scan.rows += count
            scan.value_rows += count
            self._check_rows()
            if scan.value_rows > reading.MAX_SHEET_ROWS + 1:  # the header and the data rows
                raise reading.WorkbookError(too_many_rows(self.title))
            self.number = _row_number(numbered.group(1), self.title)
            scan.last_value_row = max(scan.last_value_row, self.number)
            return
        if data.count(b"<row", 0, limit) != data.count(b'<row r="', 0, limit):
            self._each(data, 0, limit)  # rows numbered by counting: one by one
            return
        rows = data[:limit].split(b"<row")[1:]
        if max(map(len, rows)) + 4 > reading.MAX_RUN_BYTES:
            self._each(data, 0, limit)  # a long row: found and told row by row
            return
        filled = [False] * len(rows)
        for tag in (b"<v", b"<is"):  # C loops: a million rows in a tenth of a second
            if data.find(tag, 0, limit) >= 0:
                filled = list(map(operator.or_, filled, map(operator.contains, rows, repeat(tag))))
        if any(data.find(tag, 0, limit) >= 0 for tag in (b"<v></v>", b"<v/>")):
            # Rows whose values may all be empty ones: looked at one by one.
            for index, row in enumerate(rows):
                if filled[index] and (b"<v></v>" in row or b"<v/>" in row):
                    filled[index] = self.tags.has_value(row, 0, len(row))
        scan.rows += len(rows)
        self._check_rows()
        if True in filled:
            last = len(filled) - 1 - filled[::-1].index(True)
            scan.last_value_row = max(scan.last_value_row, self._number(rows[last]))
            scan.value_rows += sum(filled)
            if scan.value_rows > reading.MAX_SHEET_ROWS + 1:  # the header and the data rows
                raise reading.WorkbookError(too_many_rows(self.title))
        self.number = self._number(rows[-1])

    def _number(self, row: bytes) -> int:
        """The number of a row split off at "<row" (whose tag says r="…")."""
        found = _R_ATTRIBUTE.search(row, 0, max(row.find(b">"), 0) or len(row))
        return _row_number(found.group(1), self.title)

    def _each(self, data: bytes, begin: int, stop: int) -> None:
        bounds = [m.start() for m in self.tags.row.finditer(data, begin, stop)] + [stop]
        for first, after in zip(bounds, bounds[1:], strict=False):
            self._row(data, first, after)

    def _row(self, data: bytes, begin: int, stop: int) -> bool:
        """The row element data[begin:stop]: whether it holds a value."""
        scan = self.scan
        tag_end = data.find(b">", begin, stop)
        if tag_end < 0:
            tag_end = stop
        found = _R_ATTRIBUTE.search(data, begin, tag_end)
        number = self.number = (
            _row_number(found.group(1), self.title) if found else self.number + 1
        )
        scan.rows += 1
        self._check_rows()
        if stop - begin > reading.MAX_RUN_BYTES:
            at = _long_run(data, begin, stop)
            if at is not None:
                column = _column_before(self.tags, data, begin, at)
                scan.oversized.append(Oversized(number, scan.rows, column, _shown(data, at)))
                return True
            if stop - begin > reading.MAX_ROW_BYTES:
                scan.oversized.append(Oversized(number, scan.rows))
                return True
        if not self.tags.has_value(data, tag_end, stop):
            return False
        scan.value_rows += 1
        if number > scan.last_value_row:
            scan.last_value_row = number
        if scan.value_rows > reading.MAX_SHEET_ROWS + 1:  # the header and the data rows
            raise reading.WorkbookError(too_many_rows(self.title))
        return True

    def _check_rows(self) -> None:
        if self.scan.rows > reading.MAX_ROWS:
            raise reading.WorkbookError(
                _("Sheet %(sheet)s has more rows than Excel allows (%(limit)s); refused.")
                % {"sheet": _title(self.title), "limit": f"{reading.MAX_ROWS:,}"}
            )

    def _outside(self, size: int) -> None:
        self.outside += size
        if self.outside > reading.MAX_PART_BYTES:
            raise reading.WorkbookError(
                _("Sheet %(sheet)s holds %(size)d MB besides its rows, more than any survey; "
                  "refused.") % {"sheet": _title(self.title), "size": self.outside // 2**20}
            )


def _prefixes_main(head: bytes) -> bool:
    """Whether these bytes declare a prefix for the spreadsheet namespace (then a row may be
    <x:row>). A default namespace changed elsewhere only makes plain <row> tags count that
    openpyxl would not read: more rows counted, never fewer."""
    return any(prefix and uri == _MAIN_NS for prefix, uri in _DECLARATION.findall(head))


def too_many_rows(title: str) -> str:
    return _(
        "Sheet %(sheet)s has more than %(limit)s data rows, the most one sheet may hold; "
        "split the file."
    ) % {"sheet": _title(title), "limit": f"{reading.MAX_SHEET_ROWS:,}"}


def _row_number(text: bytes, title: str) -> int:
    """A row's r attribute, read as openpyxl reads it."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = 0.5
    if not number.is_integer():
        raise reading.WorkbookError(
            _("Sheet %(sheet)s cannot be read: the file is damaged or not a plain workbook.")
            % {"sheet": _title(title)}
        )
    return int(number)


def _long_run(data: bytes, begin: int, stop: int) -> int | None:
    """Where a run of more than MAX_RUN_BYTES bytes without '<' starts in data[begin:stop], or
    None. Looks around one point every half run, so a long row costs a few searches."""
    most = reading.MAX_RUN_BYTES
    step = most // 2
    point = begin
    while point < stop:
        left = data.rfind(b"<", begin, point + 1)
        right = data.find(b"<", point + 1, stop)
        right = stop if right < 0 else right
        if right - left - 1 > most:
            return left + 1
        point = max(right, point + step)
    return None


def _column_before(tags: _Tags, data: bytes, begin: int, at: int) -> str:
    """The column letter of the cell open at `at` (the last cell tag before it), or ''."""
    last = None
    for last in tags.cell.finditer(data, begin, min(at + 4, len(data))):  # noqa: B007 (the last)
        pass
    if last is None:
        return ""
    found = _R_ATTRIBUTE.search(data[last.start(): last.start() + 200])
    column = _CELL_COLUMN.fullmatch(found.group(1)) if found else None
    return column.group(1).decode("ascii").upper() if column else ""


def _shown(data: bytes, at: int) -> str:
    """The start of the text of a long run, as an error row shows it."""
    raw = data[at: at + 4 * cells.SHOWN_CHARS + 200]
    close = raw.find(b">")
    if 0 <= close < 200:
        raw = raw[close + 1:]
    text = html.unescape(raw.decode("utf-8", errors="ignore"))
    return text[: cells.SHOWN_CHARS]


# How an .xlsx writes a character XML cannot hold in a text (a carriage return, a control
# character) and an underscore before such a text: _x000D_, _x005F_ (Excel, ECMA-376 22.9.2.19).
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escaped(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # no half characters


def unescape(text: str) -> str:
    """A cell's text as Excel, LibreOffice and calamine read it: "_x000D_" a carriage return,
    "_x005F_x000D_" the seven characters "_x000D_". openpyxl leaves the escapes as they are, so
    an address written with a line break in Excel came in with "_x000D_" in it, and a control
    character written as "_x000B_" passed the check that refuses it in .xls and .ods."""
    return _ESCAPED.sub(_escaped, text) if "_x" in text else text


def _title(title: str) -> str:
    return cells.shorten(str(title), 100)


# The encoding ----------------------------------------------------------------------------------
# XML in UTF-16 or UTF-32, with or without a byte order mark: the byte scans of a sheet and of the
# shared strings look for '<row', '<si' and '<' in UTF-8, and its text may hold '<' bytes.
_WIDE_XML = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<")
_UTF8 = {b"utf8", b"ascii", b"usascii"}
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def not_utf8() -> "reading.WorkbookError":
    return reading.WorkbookError(
        _("The workbook is not stored in UTF-8; open it in Excel or LibreOffice and save it "
          "again.")
    )


def xml_start(part) -> bytes | None:
    """The first bytes of an open part if it is XML (what openpyxl could parse), else None (an
    image, printer settings); XML in another encoding than UTF-8 is refused."""
    head = part.read(512)
    if head.startswith(_WIDE_XML):
        raise not_utf8()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        return None
    declared = _ENCODING.match(head)
    if declared and declared.group(1).lower().replace(b"-", b"") not in _UTF8:
        raise not_utf8()
    return head


# The workbook ----------------------------------------------------------------------------------
class SurveyReader(ExcelReader):
    """openpyxl's reader, read-only and values only, reading no more than a survey needs."""

    def __init__(self, source):
        super().__init__(source, read_only=True, data_only=True, keep_links=False)

    def read(self):
        self._small(ARC_CONTENT_TYPES)
        self.read_manifest()
        self.read_strings()
        part = _find_workbook_part(self.package).PartName[1:]
        self._small(part)
        self._small(get_rels_path(part))
        self.read_workbook()
        self._small(ARC_STYLE)
        apply_stylesheet(self.archive, self.wb)  # the date formats
        self.read_worksheets()
        self.parser.assign_names()

    def _small(self, name: str) -> None:
        """A part openpyxl parses whole: small, and in UTF-8."""
        try:
            size = self.archive.getinfo(name).file_size
        except KeyError:
            return
        if size > reading.MAX_PART_BYTES:
            raise reading.WorkbookError(
                _("The workbook's part %(part)s unpacks to %(size)d MB, more than any survey's; "
                  "refused.") % {"part": name[:100], "size": size // (1024 * 1024)}
            )
        self._utf8(name)

    def _utf8(self, name: str) -> None:
        with self.archive.open(name) as part:
            xml_start(part)

    def read_strings(self):
        found = self.package.find(SHARED_STRINGS)
        if found is not None:
            self._utf8(found.PartName[1:])
            with self.archive.open(found.PartName[1:]) as source:
                self.shared_strings = read_shared_strings(source)

    def read_worksheets(self):
        """The workbook's sheets; a sheet it lists whose part is missing makes the file damaged
        (openpyxl skips it: its rows would be left out of the import without a word)."""
        for sheet, rel in self.parser.find_sheets():
            if "chartsheet" in rel.Type:
                continue
            if rel.target not in self.valid_files:
                raise reading.WorkbookError(
                    _("The workbook is damaged: its sheet %(sheet)s has no content (the part "
                      "%(part)s is missing). Save it again from the spreadsheet program.")
                    % {"sheet": _title(sheet.name), "part": rel.target[:100]})
            self._utf8(rel.target)
            worksheet = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class Sheet(ReadOnlyWorksheet):
    """A sheet whose XML is scanned before it is parsed, read row by row as the XML has them."""

    _scan: SheetScan | None = None
    _ahead = None  # calamine reading this sheet already (calamine_reader.xlsx_read_ahead)

    def _get_size(self):
        """The <dimension> is not read: it can claim a million rows or 16,384 columns."""

    def scan(self) -> SheetScan:
        if self._scan is None:
            with self._get_source() as source:
                self._scan = scan_sheet(source, self.title)
        return self._scan

    def cell_rows(self):
        """(row number, [(column number, value), …]) for each row element holding cells, in the
        order of the file; a damaged sheet raises WorkbookError."""
        from registry.workbook import calamine_reader

        loading, self._ahead = self._ahead or calamine_reader.xlsx_start(self), None
        if loading is not None:
            with loading.part(self.title):
                if calamine_reader.xlsx_agrees(self):
                    yield from calamine_reader.xlsx_rows(self, loading)
                    return
        yield from self._openpyxl_rows()

    def _openpyxl_rows(self):
        book = self.parent
        scan = self.scan()
        with self._get_source() as raw:
            # Many empty rows (the cost of a few searches to the scan) are left out unparsed.
            many = scan.rows - scan.value_rows > reading.EMPTY_ROWS_STOP
            source = _WithoutEmpty(raw, scan.plain) if many else raw
            parser = _RowParser(
                source, self._shared_strings, data_only=True, epoch=book.epoch,
                date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
            )
            rows = parser.parse()
            while True:
                try:
                    number, cells = next(rows)
                except StopIteration:
                    return
                except reading.WorkbookError:
                    raise
                except Exception as exc:  # any failure inside openpyxl's parser
                    raise reading.WorkbookError(
                        _("Sheet %(sheet)s cannot be read: the file is damaged or not a plain "
                          "workbook.") % {"sheet": _title(self.title)}
                    ) from exc
                yield number, [(cell["column"], _value(cell)) for cell in cells]


def _value(cell: dict):
    """A cell's value from openpyxl's parser: an error cell as such, a text unescaped."""
    value = cell["value"]
    if cell["data_type"] == "e":
        return SpreadsheetError(value)
    return unescape(value) if value.__class__ is str else value


class _WithoutEmpty:
    """A sheet's XML without its empty numbered cells and rows (<c r="B7" s="1"/>, <row r="7"
    …></row>). openpyxl's parser (defusedxml's, in Python) takes about 6 µs an element: a million
    empty rows, or rows of formatted empty cells, cost seconds to step over, while what they leave
    out is empty all the same (a row missing is an empty row; rows and cells without their number
    stay, as openpyxl numbers them by counting)."""

    def __init__(self, source, plain: bool):
        self.source = source
        self.cells, self.rows = _EMPTY_CELL if plain else _EMPTY_CELL_ANY, (
            _EMPTY_ROW if plain else _EMPTY_ROW_ANY)
        self.carry = b""
        self.ready = memoryview(b"")
        self.ended = False

    def read(self, size: int = -1) -> bytes:
        while not self.ready and not self.ended:
            chunk = self.source.read(_CHUNK)
            data = self.carry + chunk
            self.carry = b""
            if chunk:
                # A tag cut in two waits for the next chunk (the scan found none longer than
                # MAX_RUN_BYTES).
                opening = data.rfind(b"<")
                if opening >= 0 and data.find(b">", opening) < 0:
                    data, self.carry = data[:opening], data[opening:]
            else:
                self.ended = True
            self.ready = memoryview(self.rows.sub(b"", self.cells.sub(b"", data)))
        size = len(self.ready) if size is None or size < 0 else size
        piece, self.ready = self.ready[:size], self.ready[size:]
        return bytes(piece)


_ANY = rb"(?:[A-Za-z_][\w.-]*:)?"
_EMPTY_CELL = re.compile(rb'<c r="[A-Za-z]+\d+"[^<>]*(?:/>|></c>)')
_EMPTY_ROW = re.compile(rb'<row r="\d+"[^<>]*(?:/>|></row>)')
_EMPTY_CELL_ANY = re.compile(
    rb"<" + _ANY + rb'c\s+r="[A-Za-z]+\d+"[^<>]*(?:/>|>\s*</' + _ANY + rb"c\s*>)")
_EMPTY_ROW_ANY = re.compile(
    rb"<" + _ANY + rb'row\s+r="\d+"[^<>]*(?:/>|>\s*</' + _ANY + rb"row\s*>)")


# Elements around the rows that openpyxl's parser would turn into objects: here only dropped.
_AROUND_ROWS = {
    COL_TAG, PROT_TAG, EXT_TAG, CF_TAG, LEGACY_TAG, ROW_BREAK_TAG, CUSTOM_VIEWS_TAG, PRINT_TAG,
    MARGINS_TAG, PAGE_TAG, HEADER_TAG, FILTER_TAG, VALIDATION_TAG, PROPERTIES_TAG, VIEWS_TAG,
    FORMAT_TAG, SCENARIOS_TAG, TABLE_TAG, HYPERLINK_TAG, MERGE_TAG, DIMENSION_TAG,
    f"{{{SHEET_MAIN_NS}}}colBreaks", f"{{{SHEET_MAIN_NS}}}cols",
}


class _RowParser(WorkSheetParser):
    """openpyxl's sheet parser giving the rows only: no formatting, sizes or merged cells kept
    (it keeps the formatting of every row it reads)."""

    def parse(self):
        for _event, element in iterparse(self.source):
            tag = element.tag
            if tag == ROW_TAG:
                yield self.parse_row(element)
                element.clear()
            elif tag in _AROUND_ROWS or tag == DATA_TAG:
                element.clear()

    def parse_row(self, row):
        number = row.get("r")
        if number is None:
            self.row_counter += 1
        else:
            try:
                self.row_counter = int(number)
            except ValueError:
                value = float(number)
                if not value.is_integer():
                    raise ValueError(f"{number} is not a valid row number") from None
                self.row_counter = int(value)
        self.col_counter = 0
        return self.row_counter, [self.parse_cell(cell) for cell in row]


def load(source):
    """The workbook, read by SurveyReader; its sheets' cells are read by calamine where it gives
    the values openpyxl would (calamine_reader.xlsx_start, xlsx_agrees)."""
    from registry.workbook import calamine_reader

    reader = SurveyReader(source)
    reader.read()
    book = reader.wb
    book._calamine_source = source
    book._calamine_strings = reader.shared_strings
    book._calamine_ok = calamine_reader.workbook_plan(book, reader.shared_strings)
    return book
