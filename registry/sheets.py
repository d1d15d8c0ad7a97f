"""Every spreadsheet the registry writes is written here, cell by cell: text stays text.

A name typed by one village's officer, or a list value one district's staff added
(`=HYPERLINK(…)`, `+1+1`, `-2+3`, `@SUM(A1)`), ends up in workbooks that every district
downloads. openpyxl stores a str that starts with "=" as a formula (and "#N/A" as an error), so a
workbook written with plain `cell.value = text` runs it when it is opened. `put` is the one place a
value reaches a cell: every str becomes a text cell, unchanged — reading the workbook back, or
importing it again, gives exactly the text that was written. Text that starts with a character a
spreadsheet takes for the start of a formula is also quote-prefixed, so that Excel keeps it as
text even when someone edits the cell.

CSV has no types: `csv_text` puts an apostrophe before such text (OWASP's advice for CSV
injection), which the importers remove again (`workbook.reading._clean`, `resources.unescape`).

`Book` and `Sheet` wrap openpyxl's two modes: streaming (write-only: an area's export and the
long tables, which a province's data must not hold in memory) and normal (the blank template and
the recap, whose cells are formatted after they are written). `table` writes a one-sheet table.
Nothing else in the apps creates an openpyxl workbook (tests/registry/test_workbooks_text_only.py
checks the source).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.functional import Promise

from registry.validators import CONTROL_CHARACTERS

# The control characters no xlsx may hold (openpyxl's ILLEGAL_CHARACTERS_RE, without importing
# openpyxl for every page): those no text of the registry holds either.
ILLEGAL_CHARACTERS_RE = CONTROL_CHARACTERS
# What a spreadsheet reads as the start of a formula (OWASP: = + - @ tab carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def put(cell, value: Any):
    """Give `cell` its value; a str (or a lazy translation) always as a text cell, never a
    formula or an error value. A control character no xlsx may hold (a vertical tab pasted into
    a name) is written as "\ufffd" rather than failing the whole download. Returns the cell."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def csv_text(value: Any) -> Any:
    """A CSV field: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class Sheet:
    """One worksheet of a Book: rows appended in order (`append`), or, in normal mode, single
    cells (`write`); `worksheet` is openpyxl's, for widths, panes, validations and fonts."""

    def __init__(self, worksheet, streaming: bool):
        self.worksheet = worksheet
        self.streaming = streaming
        self.rows = 0  # the last row written

    def append(self, values: Iterable, *, number_formats: Sequence[str | None] | None = None,
               font=None) -> list:
        """Write the next row. `number_formats`: one per value (None: the default); `font`: for
        every cell of the row. Returns the row's cells (normal mode: to format them further)."""
        values = list(values)
        if number_formats is None:
            number_formats = [None] * len(values)
        self.rows += 1
        if self.streaming:
            from openpyxl.cell import WriteOnlyCell

            cells = []
            for value, number_format in zip(values, number_formats, strict=True):
                if number_format is None and font is None and not isinstance(value, str | Promise):
                    # A number, a date, nothing: openpyxl binds it as `put` would, without a
                    # cell of its own.
                    cells.append(value)
                    continue
                cell = put(WriteOnlyCell(self.worksheet), value)
                if number_format:
                    cell.number_format = number_format
                if font is not None:
                    cell.font = font
                cells.append(cell)
            self.worksheet.append(cells)
            return cells
        cells = []
        for column, (value, number_format) in enumerate(
                zip(values, number_formats, strict=True), start=1):
            cell = self.write(self.rows, column, value)
            if number_format:
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            cells.append(cell)
        return cells

    def write(self, row: int, column: int, value: Any):
        """Normal mode: the cell at (row, column), 1-based, gets `value`. Returns the cell."""
        if self.streaming:
            raise TypeError("A streaming sheet is written row by row (append).")
        self.rows = max(self.rows, row)
        return put(self.worksheet.cell(row=row, column=column), value)

    def number_format(self, column: int, rows: range, number_format: str) -> None:
        """Normal mode: format the cells of `column` in `rows` without giving them a value (the
        template's empty NIK cells are text)."""
        if self.streaming:
            raise TypeError("A streaming sheet is formatted as its rows are appended.")
        for row in rows:
            self.worksheet.cell(row=row, column=column).number_format = number_format


class Book:
    """A workbook. `streaming=True`: openpyxl's write-only mode, rows go to a temporary file as
    they are appended and cells cannot be changed afterwards."""

    def __init__(self, *, streaming: bool = False):
        import openpyxl

        self.streaming = streaming
        self.workbook = openpyxl.Workbook(write_only=streaming)
        if not streaming:
            self.workbook.remove(self.workbook.active)

    def sheet(self, title: str) -> Sheet:
        return Sheet(self.workbook.create_sheet(title), self.streaming)

    def save(self, stream) -> None:
        """Write the workbook to a path or a binary file."""
        self.workbook.save(stream)

    # A streaming book left unsaved (its rows failed, or the file it was made of was refused)
    # would keep each sheet's temporary file on disk until the process ends: `with Book(...)`
    # removes them when the block raises.
    def __enter__(self) -> "Book":
        return self

    def __exit__(self, kind, _value, _traceback) -> None:
        if kind is not None:
            self.discard()

    def discard(self) -> None:
        """Close an unsaved streaming book's sheets and remove their temporary files."""
        for worksheet in self.workbook.worksheets if self.streaming else ():
            writer = worksheet._writer
            if writer is None or worksheet.closed:
                continue
            if worksheet._rows is not None:
                worksheet._rows.close()
            writer.close()
            writer.cleanup()


def table(stream, title: str, header: Sequence, rows: Iterable[Sequence], *,
          bold_header: bool = False, freeze_header: bool = False,
          widths: Sequence[float] | None = None) -> int:
    """A one-sheet workbook of a header and rows, streamed as the rows come; returns the number
    of rows written (the header not counted)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with Book(streaming=True) as book:
        sheet = book.sheet(title)
        # A streaming sheet takes its panes and widths before its first row.
        if freeze_header:
            sheet.worksheet.freeze_panes = "A2"
        for index, width in enumerate(widths or (), start=1):
            sheet.worksheet.column_dimensions[get_column_letter(index)].width = width
        if header:
            sheet.append(header, font=Font(bold=True) if bold_header else None)
        count = 0
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(stream)
    return count
