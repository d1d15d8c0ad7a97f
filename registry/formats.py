"""The admin's Import and Export formats (django-import-export): CSV and XLSX.

Export. The library's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, tablib's `escape`)
drops a leading "=" — changing the data — and lets "+", "-" and "@" through. These formats write
through registry.sheets instead: in XLSX every text is a text cell, exactly as stored; in CSV,
which has no cell types, text a spreadsheet would run as a formula gets a leading apostrophe
(`sheets.csv_text`), which the import removes again (`resources.unescape`). The setting no longer
matters for them.

Import. A hostile upload is refused before tablib reads it, with a message the admin shows on the
import form (`ShowsRefusals`):

- larger than `workbook.MAX_FILE_BYTES`;
- XLSX: not a zip holding a workbook, or a zip bomb (`workbook.check_container`); then, before
  openpyxl parses anything, every XML part is read in chunks (`scan_xml`): a run of more than
  MAX_CELL_CHARS × 8 bytes between two '<' (text never holds a raw '<'; 8 bytes covers UTF-8 and
  entities like &quot;) means a cell longer than any allowed — openpyxl would read a 100 MB shared
  string into memory whole —, and more markup than MAX_ROWS × MAX_COLUMNS cells could need
  means a sheet larger than the cap; parts in another encoding than UTF-8 are refused, as their
  text could hide '<' bytes;
- XLSX: then read by the survey workbook's reader (`workbook.open_workbook`, its xlsx_reader:
  shared strings streamed, each sheet's XML scanned before it is parsed, its claimed dimension
  ignored, XML in another encoding than UTF-8 refused). The byte scan above stays before it:
  that reader reads only the parts it needs, and names a long cell only once it reads its row;
- more than MAX_ROWS data rows, or CSV rows of more than MAX_COLUMNS fields (the XLSX reader reads
  the first MAX_COLUMNS columns only, whatever dimension the sheet claims);
- any cell longer than `workbook.MAX_CELL_CHARS`, named by its row (as a spreadsheet numbers it,
  the header being row 1) and column.

Larger files belong to the survey import (Impor), which streams a district's workbook.
"""

import csv
import io
import zipfile

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from registry import sheets, workbook
from registry.workbook import xlsx_reader

# The admin imports one table at a time, row by row through django-import-export (a few
# milliseconds a row, twice: the preview and the confirmation): 20,000 rows is already minutes.
MAX_ROWS = 20_000
# The widest admin table has about twenty columns.
MAX_COLUMNS = 100
# Bytes of text between two '<' in a workbook's XML: a cell of MAX_CELL_CHARS characters, at most
# 4 bytes each in UTF-8 or 6 as an entity (&quot;), with room to spare.
MAX_TEXT_RUN = workbook.MAX_CELL_CHARS * 8
# '<' in a workbook's XML parts: a full sheet of MAX_ROWS × MAX_COLUMNS inline-string cells takes
# 6 each (<c><is><t></t></is></c>), shared strings 4 each.
MAX_MARKUP = MAX_ROWS * MAX_COLUMNS * 8
CHUNK = 1 << 20

class RefusedFile(workbook.WorkbookError):
    """An upload refused before it is read; the message says why (and where)."""


def _too_large() -> RefusedFile:
    return RefusedFile(
        _("The file is too large for the admin's import: at most %(rows)d rows of at most "
          "%(columns)d columns at a time.") % {"rows": MAX_ROWS, "columns": MAX_COLUMNS}
    )


def _cell_too_long(row: int, column: str, length: int) -> RefusedFile:
    return RefusedFile(
        _("Row %(row)d, column %(column)s holds %(length)d characters; a cell may hold at most "
          "%(limit)d.")
        % {"row": row, "column": column, "length": length, "limit": workbook.MAX_CELL_CHARS}
    )


def _text_too_long() -> RefusedFile:
    return RefusedFile(
        _("The file holds a cell of more than %(limit)d characters; a cell may hold at most "
          "%(limit)d.") % {"limit": workbook.MAX_CELL_CHARS}
    )


def _check_size(size: int) -> None:
    if size > workbook.MAX_FILE_BYTES:
        raise RefusedFile(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": size // (1024 * 1024), "limit": workbook.MAX_FILE_BYTES // (1024 * 1024)}
        )


def _column_name(header: list, index: int) -> str:
    """A column as the message names it: its header and its letter, e.g. "nama (B)"."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(index + 1)
    name = header[index] if index < len(header) else None
    if name is None or str(name).strip() == "":
        return letter
    return f"{str(name)[:50]} ({letter})"


# Reading a workbook's XML without parsing it ----------------------------------------------------
def scan_xml(stream, limit: int = MAX_TEXT_RUN) -> tuple[bool, int]:
    """Read an XML part in chunks: whether some run of bytes between two '<' is longer than
    `limit`, and how many '<' it holds. Memory: one chunk.

    Within a chunk the gaps are found without a Python step per '<': a gap longer than `limit`
    holds a whole block of limit // 2 bytes of the grid below, and only blocks without '<' are
    measured exactly."""
    block = max(1, limit // 2)
    run = 0  # bytes since the last '<', carried from chunk to chunk
    marks = 0
    while chunk := stream.read(CHUNK):
        marks += chunk.count(b"<")
        first = chunk.find(b"<")
        if first == -1:
            run += len(chunk)
            if run > limit:
                return True, marks
            continue
        if run + first > limit:
            return True, marks
        last = chunk.rfind(b"<")
        for start in range(first + 1, last, block):
            end = min(start + block, last)
            if chunk.find(b"<", start, end) == -1:
                before = chunk.rfind(b"<", 0, start)
                after = chunk.find(b"<", end)
                if after - before - 1 > limit:
                    return True, marks
        run = len(chunk) - last - 1
    return run > limit, marks


def _xml_start(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The first bytes of a part if it is XML, else None; not UTF-8: refused (the reader's rule)."""
    with archive.open(info) as part:
        return xlsx_reader.xml_start(part)


def check_xlsx_parts(data: bytes) -> None:
    """Every XML part of an xlsx: no text longer than a cell may hold, no more markup than the
    caps allow, UTF-8 only. Binary parts (images) are not read."""
    markup = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if _xml_start(archive, info) is None:
                    continue
                with archive.open(info) as part:
                    too_long, marks = scan_xml(part)
                if too_long:
                    raise _text_too_long()
                markup += marks
                if markup > MAX_MARKUP:
                    raise _too_large()
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        # A damaged member, an encrypted one, an unknown compression.
        raise RefusedFile(
            _("The workbook cannot be read: it is damaged or not an .xlsx file.")
        ) from exc


def check_csv(text: str) -> None:
    """Rows, widths and cell lengths of a CSV text, read once with the csv module (in C)."""
    _check_size(len(text))
    rows = csv.reader(io.StringIO(text))
    header: list = []
    number = 0
    try:
        for number, row in enumerate(rows, start=1):
            if number == 1:
                header = row
            if number > MAX_ROWS + 1 or len(row) > MAX_COLUMNS:
                raise _too_large()
            for index, value in enumerate(row):
                if len(value) > workbook.MAX_CELL_CHARS:
                    raise _cell_too_long(number, _column_name(header, index), len(value))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _text_too_long() from exc
        raise RefusedFile(
            _("Row %(row)d cannot be read as CSV.") % {"row": number + 1}
        ) from exc


def _values(cells: list[tuple[int, object]], width: int) -> list:
    """A row's values in its first `width` columns, from the reader's (column number, value)."""
    values = [None] * width
    for column, value in cells:
        if column <= width:
            values[column - 1] = value
    return values


# The formats -------------------------------------------------------------------------------------
BOM = "\ufeff"


class CSV(base_formats.CSV):
    """UTF-8 said as such: the download names its charset and starts with a byte-order mark,
    without which Excel on a village PC reads "••••0250" as "â€¢â€¢â€¢â€¢0250"; the mark is
    dropped again on import."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        if isinstance(in_stream, str):
            in_stream = in_stream.removeprefix(BOM)
        text = in_stream if isinstance(in_stream, str) else bytes(in_stream).decode(
            "utf-8", "replace")
        check_csv(text)
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        escaped = tablib.Dataset(headers=[sheets.csv_text(h) for h in dataset.headers or []]
                                 or None)
        for row in dataset:
            escaped.append([sheets.csv_text(value) for value in row])
        return BOM + escaped.export(self.get_title(), **kwargs)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The active sheet's first MAX_COLUMNS columns, as the library reads it (values only,
        a formula by its cached value), after the checks above; read by the survey workbook's
        reader (`workbook.open_workbook`: shared strings streamed, each sheet's XML scanned
        before it is parsed, its claimed dimension ignored)."""
        data = bytes(in_stream)
        _check_size(len(data))
        source = io.BytesIO(data)
        workbook.check_container(source)
        check_xlsx_parts(data)
        book = workbook.open_workbook(source)
        try:
            return self._read(book.active)
        finally:
            book.close()

    def _read(self, sheet) -> tablib.Dataset:
        """The rows of `sheet` as openpyxl numbers them: a row missing from the file, or one
        without values, is an empty row of the dataset (left out when the settings ignore blank
        lines), and only the header's columns are kept."""
        dataset = tablib.Dataset()
        ignore_blanks = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
        try:
            scan = sheet.scan()
            if scan.oversized or scan.value_rows > MAX_ROWS + 1:
                raise _too_large()  # a row larger than any table's, or too many rows: unparsed
            rows = sheet.cell_rows()
            first = next(rows, None)
            if first is None or first[0] != 1:
                return dataset  # no header in the first row
            header = _values(first[1], MAX_COLUMNS)
            while header and header[-1] is None:
                header.pop()
            if not header:
                return dataset
            self._check_lengths(1, header, header)
            dataset.headers = header
            following = 2  # the number of the next row
            for number, cells in rows:
                if number < following:
                    continue  # a row out of order, as openpyxl skips it
                if number > MAX_ROWS + 1:
                    raise _too_large()
                if not ignore_blanks:
                    for _missing in range(following, number):
                        dataset.append([None] * len(header))
                values = _values(cells, len(header))
                self._check_lengths(number, values, header)
                following = number + 1
                if ignore_blanks and all(value is None for value in values):
                    continue
                dataset.append(values)
        except workbook.WorkbookError:
            raise
        except Exception as exc:  # a damaged or hostile sheet, met while reading it
            raise RefusedFile(
                _("The workbook cannot be read: it is damaged or not an .xlsx file.")
            ) from exc
        return dataset

    @staticmethod
    def _check_lengths(number: int, values: list, header: list) -> None:
        for index, value in enumerate(values):
            # A text longer than a cell may hold comes from the reader as its start (LongText).
            length = getattr(value, "length", None) or (len(value) if isinstance(value, str)
                                                        else 0)
            if length > workbook.MAX_CELL_CHARS:
                raise _cell_too_long(number, _column_name(header, index), length)

    def export_data(self, dataset, **kwargs):
        """One sheet as tablib wrote it (bold header, frozen below it, columns as wide as their
        longest value), every text a text cell."""
        from tablib.formats._xlsx import safe_xlsx_sheet_title

        header = list(dataset.headers or [])
        widths = [min(len(str(h)), 255) for h in header]
        for row in dataset:
            for index, value in enumerate(row):
                length = 0 if value is None else min(len(str(value)), 255)  # Excel's widest
                if index >= len(widths):
                    widths.append(length)
                elif length > widths[index]:
                    widths[index] = length
        title = safe_xlsx_sheet_title(dataset.title) if dataset.title else "Tablib Dataset"
        buffer = io.BytesIO()
        sheets.table(buffer, title, header, dataset, bold_header=True,
                     freeze_header=bool(header), widths=widths)
        return buffer.getvalue()


def _not_too_large(upload) -> None:
    if upload.size > workbook.MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": upload.size // (1024 * 1024),
               "limit": workbook.MAX_FILE_BYTES // (1024 * 1024)})


class ShowsRefusals:
    """For the admin's import (registry.admin.ScopedImportExport): a file a format refuses shows
    why on the import form; the library would name only the exception's class."""

    def create_import_form(self, request):
        """An upload over the size limit is refused by the form, before the library reads the
        whole file into memory."""
        form = super().create_import_form(request)
        if "import_file" in form.fields:
            form.fields["import_file"].validators.append(_not_too_large)
        return form

    def add_data_read_fail_error_to_form(self, form, e):
        """Why, in the site's words: the library names the Python exception
        ('UnicodeDecodeError' encountered…)."""
        if isinstance(e, workbook.WorkbookError):
            message = str(e)
        elif isinstance(e, UnicodeDecodeError):
            message = _("The file is not text in UTF-8: save it again as “CSV UTF-8 (comma "
                        "delimited)” and upload it.")
        else:
            message = _("The file could not be read in the format chosen: check that the "
                        "format matches the file.")
        form.add_error("import_file", message)
