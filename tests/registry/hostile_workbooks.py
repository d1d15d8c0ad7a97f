"""Workbooks made to cost a server (tests/registry/test_import_limits.py, bench/hostile_bench.py).

Each is a real .xlsx whose XML is written here, streamed into the zip: openpyxl cannot write a
cell over Excel's 32,767 characters, writes text inline only, and takes minutes for a million
rows. The files open in openpyxl (and Excel) as any other.
"""

import os
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

HEADER = ["kode_perkumpulan", "kode_wilayah", "nama", "jenis", "tahun_berdiri"]
CIBEUREUM = "32.77.01.1002"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Text that deflates about 4:1, as prose does: a 100 MB cell fits in the 50 MB file limit and
# under the zip-bomb ratio.
_LETTERS = bytes((b"e" * 192 + b"abcdfghijklmnopr" * 4)[i] for i in range(256))


class Big:
    """A text cell of `size` characters, written a megabyte at a time."""

    def __init__(self, size: int):
        self.size = size

    def pieces(self):
        left = self.size
        while left:
            part = min(left, 1 << 20)
            yield os.urandom(part).translate(_LETTERS)
            left -= part


# A cell with a format and no value, as Excel writes the formatted cells of the blank form.
FORMATTED = object()
# A formula whose result is empty text, as Excel writes one filled down a column.
EMPTY_FORMULA = object()


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_xlsx(target, rows: Iterable, *, sheet: str = "perkumpulan", shared: bool = False,
               dimension: str | None = None) -> None:
    """Write a one-sheet workbook to `target` (a path or a binary file). `rows`: lists of values
    (str, int, Big, FORMATTED, EMPTY_FORMULA, or None for no cell) from row 1; [] is an empty
    row element, None a row left out of the XML. `shared`: text in a shared-string table, as
    Excel saves it."""
    strings: list = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(shared))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            + (f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared else "") + "</Relationships>"))
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'.encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            buffer = []
            for number, row in enumerate(rows, start=1):
                if row is None:
                    continue
                buffer.append(_row(number, row, shared, strings, out, buffer))
                if len(buffer) >= 1000:
                    out.write("".join(buffer).encode())
                    buffer.clear()
            out.write("".join(buffer).encode())
            out.write(b"</sheetData></worksheet>")
        if shared:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" '
                          f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
                for text in strings:
                    out.write(b"<si><t>")
                    _write_text(out, text)
                    out.write(b"</t></si>")
                out.write(b"</sst>")


def _row(number: int, row: list, shared: bool, strings: list, out, buffer: list) -> str:
    if not row:
        return f'<row r="{number}"/>'
    cells, opened = [], False
    for index, value in enumerate(row, start=1):
        ref = f"{column_letter(index)}{number}"
        if value is None:
            continue
        if value is FORMATTED:
            cells.append(f'<c r="{ref}" s="0"/>')
        elif value is EMPTY_FORMULA:
            cells.append(f'<c r="{ref}" t="str"><f>IF(A{number}="","",A{number})</f><v></v></c>')
        elif isinstance(value, int):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif shared:
            strings.append(value)
            cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        elif isinstance(value, Big):
            # Streamed: what is buffered goes first, then the cell piece by piece.
            start = "" if opened else f'<row r="{number}">'
            out.write(("".join(buffer) + start + "".join(cells)).encode())
            buffer.clear()
            out.write(f'<c r="{ref}" t="inlineStr"><is><t>'.encode())
            _write_text(out, value)
            out.write(b"</t></is></c>")
            cells, opened = [], True
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    return ("" if opened else f'<row r="{number}">') + "".join(cells) + "</row>"


def _write_text(out, text) -> None:
    if isinstance(text, Big):
        for piece in text.pieces():
            out.write(piece)
    else:
        out.write(escape(text).encode())


def _content_types(shared: bool) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
           if shared else "") + "</Types>"
    )


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def group_row(number: int, nama="Dasa Wisma Uji") -> list:
    return [f"H-{number}", CIBEUREUM, nama, "Dasa Wisma", 2001]


def one_big_cell(target, size: int, *, shared: bool, column: str = "nama") -> None:
    """A small workbook whose first group has `size` characters in `column`."""
    big = group_row(1)
    big[HEADER.index(column)] = Big(size)
    write_xlsx(target, [HEADER, big, group_row(2)], shared=shared)


def empty_rows(target, count: int, then: list | None = None) -> None:
    """One group, then `count` empty row elements (and a row after them, when given)."""
    rows = [HEADER, group_row(1)]
    write_xlsx(target, [*rows, *([] for _ in range(count)), *([then] if then else [])],
               shared=True)


def many_rows(target, count: int) -> None:
    """`count` groups, each a row of the sheet."""
    write_xlsx(target, [HEADER, *(group_row(n) for n in range(1, count + 1))], shared=False)
