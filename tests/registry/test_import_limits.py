"""Uploads cannot exhaust the server (issue 16): what one workbook may cost is bounded.

A cell longer than MAX_CELL_CHARS is an error naming it and is never held whole (shared strings
are streamed, each sheet's XML is scanned before it is parsed); an import keeps the first
MAX_LISTED errors, each value and message short; a run of EMPTY_ROWS_STOP empty rows ends a
sheet; a sheet of more than MAX_SHEET_ROWS data rows is refused before any row is checked; the
parts openpyxl reads whole, one row of XML, a multi-valued cell and the file's text are limited.
Every workbook is a real .xlsx (tests/registry/hostile_workbooks.py writes its XML).
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from registry import workbook
from registry.models import Perkumpulan
from registry.workbook import reading, xlsx_reader
from tests.registry.hostile_workbooks import (
    CIBEUREUM,
    EMPTY_FORMULA,
    FORMATTED,
    HEADER,
    Big,
    empty_rows,
    group_row,
    many_rows,
    one_big_cell,
    write_xlsx,
)

LIMIT_SHOWN = "5,000"  # MAX_CELL_CHARS as the messages write it, in either language


def run(path, **kwargs):
    return workbook.run(path, dry_run=kwargs.pop("dry_run", True), **kwargs)


def places(imp) -> list[tuple]:
    return [(e.sheet, e.row, e.column) for e in imp.errors]


# One cell too long --------------------------------------------------------------------------------
@pytest.mark.parametrize("shared", [True, False], ids=["shared-string", "inline-string"])
@pytest.mark.parametrize("size", [6_000, 300_000], ids=["over-the-limit", "far-over"])
def test_a_cell_over_the_limit_is_an_error_naming_it(tmp_path, db, shared, size):
    """A name of 6,000 characters is parsed and refused by its length; one of 300,000 is found
    in the shared strings (kept: its first characters) or by the scan of the sheet's XML (not
    parsed at all). Either way the error names sheet, row and column, and shows a short start."""
    path = tmp_path / "besar.xlsx"
    one_big_cell(path, size, shared=shared)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 2, "nama")]
    error = imp.errors[0]
    assert LIMIT_SHOWN in error.message
    assert len(error.value) <= workbook.SHOWN_CHARS and error.value.endswith("…")
    assert not Perkumpulan.objects.exists()


def test_a_long_cell_in_an_ignored_column_is_refused_too(tmp_path, db):
    """Every cell of a sheet read is held to the limit, not only the columns imported."""
    path = tmp_path / "catatan.xlsx"
    write_xlsx(path, [[*HEADER, "keterangan"], [*group_row(1), Big(300_000)]], shared=True)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 2, "F")]
    assert [w.column for w in imp.warnings] == ["keterangan"]  # unknown column, ignored


def test_a_long_cell_among_good_ones_is_the_only_error_and_nothing_is_written(tmp_path, db):
    path = tmp_path / "campur.xlsx"
    rows = [HEADER, group_row(1), group_row(2, Big(70_000)), group_row(3),
            group_row(4, Big(80_000))]
    write_xlsx(path, rows, shared=False)
    imp = run(path, dry_run=False)
    assert places(imp) == [("perkumpulan", 3, "nama"), ("perkumpulan", 5, "nama")]
    assert all(LIMIT_SHOWN in e.message for e in imp.errors)
    assert not Perkumpulan.objects.exists()


def test_a_header_cell_too_long_is_named_by_its_letter(tmp_path, db):
    path = tmp_path / "kepala.xlsx"
    write_xlsx(path, [[*HEADER[:2], Big(300_000), *HEADER[3:]], group_row(1)], shared=False)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 1, "C")]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
@pytest.mark.parametrize("encode", [
    lambda xml: b"\xff\xfe" + xml.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode()
    .encode("utf-16-le"),
    lambda xml: xml.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16-be"),
], ids=["utf-16-le-with-bom", "utf-16-be"])
def test_xml_in_another_encoding_than_utf8_is_refused(tmp_path, db, part, encode):
    """The byte scans look for '<row' and '<si' in UTF-8: in UTF-16 a sheet would look empty to
    them while openpyxl read a cell of 200,000 characters whole. Such a file is refused."""
    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, [HEADER, group_row(1, Big(200_000))], shared=True)
    wide = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(wide, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, encode(data) if info.filename == part else data)
    with pytest.raises(workbook.WorkbookError, match="UTF-8"):
        run(wide)
    assert not Perkumpulan.objects.exists()


MEASURE = """
import json, os, sys
import django
django.setup()
import openpyxl  # noqa: F401  (imported before the baseline)
from registry import workbook
from registry.workbook import xlsx_reader  # noqa: F401


def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


before = peak()
imp = workbook.Import()
book = workbook.open_workbook(sys.argv[1])
for sheet in book.worksheets:
    for _row in workbook.read_rows(sheet, workbook.SHEETS[sheet.title], imp):
        pass
book.close()
print(json.dumps({"grew_mb": peak() - before, "errors": [str(e) for e in imp.errors]}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("shared", [True, False], ids=["shared-string", "inline-string"])
def test_a_30_mb_cell_is_never_held_in_memory(tmp_path, shared):
    """Read in a fresh process (django set up, openpyxl imported): the peak resident memory
    grows by far less than the cell. openpyxl alone held it whole, and more than once."""
    path = tmp_path / "tiga-puluh.xlsx"
    one_big_cell(path, 30_000_000, shared=shared)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], cwd=settings.BASE_DIR, capture_output=True,
        text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wksbm_site.settings"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["errors"] and result["errors"][0].startswith("perkumpulan:2:nama: ")
    assert result["grew_mb"] < 20, result


# What an import keeps of its errors --------------------------------------------------------------
def test_an_import_keeps_the_first_errors_and_counts_the_rest(tmp_path, db):
    path = tmp_path / "salah.xlsx"
    bad = [group_row(n, nama="x" * 300) for n in range(1, 1_501)]  # 300 > the 200 of a name
    write_xlsx(path, [HEADER, *bad], shared=True)
    imp = run(path)
    assert imp.errors.total == 1_500
    assert len(imp.errors) == workbook.MAX_LISTED == 1_000
    assert imp.errors.unlisted == 500
    assert imp.errors[0].row == 2 and imp.errors[-1].row == 1_001
    assert all(len(e.value) <= workbook.SHOWN_CHARS for e in imp.errors)


def test_an_error_message_quoting_a_long_value_is_kept_short(tmp_path, db):
    path = tmp_path / "tanggal.xlsx"
    write_xlsx(path, [HEADER, [*group_row(1)[:4], "9" * 4_999]], shared=True)
    imp = run(path)
    (error,) = imp.errors
    assert error.column == "tahun_berdiri"
    assert len(error.value) <= workbook.SHOWN_CHARS
    assert len(error.message) <= workbook.MAX_MESSAGE_CHARS


def test_the_command_prints_the_first_errors_and_the_number_of_the_rest(tmp_path, db, capsys):
    path = tmp_path / "salah.xlsx"
    write_xlsx(path, [HEADER, *(group_row(n, nama="x" * 300) for n in range(1, 1_101))],
               shared=True)
    with translation.override("en"), pytest.raises(CommandError) as failed:
        call_command("import_survey", str(path), "--dry-run")
    assert "1100 error(s)" in str(failed.value)
    lines = capsys.readouterr().err.splitlines()
    assert len([line for line in lines if line.startswith("perkumpulan:")]) == 1_000
    assert "… and 100 more error(s), not listed." in lines


# Rows ---------------------------------------------------------------------------------------------
def test_reading_stops_after_a_run_of_empty_rows_with_a_warning(tmp_path, db):
    """A group, 1,000 empty rows, a group: the second is not read, and the warning says where
    reading stopped."""
    path = tmp_path / "kosong.xlsx"
    empty_rows(path, workbook.EMPTY_ROWS_STOP, then=group_row(9))
    imp = run(path)
    assert imp.ok
    assert imp.counts["perkumpulan"].created == 1
    (warning,) = imp.warnings
    assert (warning.sheet, warning.row) == ("perkumpulan", 2 + workbook.EMPTY_ROWS_STOP)
    assert "1,002" in warning.message and "1,000" in warning.message


def test_rows_below_fewer_empty_rows_are_read(tmp_path, db):
    path = tmp_path / "kosong.xlsx"
    empty_rows(path, workbook.EMPTY_ROWS_STOP - 1, then=group_row(9))
    imp = run(path)
    assert imp.ok and imp.counts["perkumpulan"].created == 2 and not imp.warnings


def test_rows_left_out_of_the_xml_count_as_empty(tmp_path, db):
    """Row numbers jump from 2 to 1,500: 1,497 rows that are not in the XML are empty rows."""
    path = tmp_path / "lompat.xlsx"
    write_xlsx(path, [HEADER, group_row(1), *([None] * 1_497), group_row(9)], shared=True)
    imp = run(path)
    assert imp.counts["perkumpulan"].created == 1
    assert [w.row for w in imp.warnings] == [2 + workbook.EMPTY_ROWS_STOP]


def test_groups_far_apart_are_all_read_with_their_row_numbers(tmp_path, db):
    """Groups each followed by 999 empty rows (empty row elements, rows of formatted empty
    cells, rows missing): never 1,000 empty rows in a row, so all are read. The empty rows are
    left out before openpyxl parses them (a million took it 10 s)."""
    path = tmp_path / "jarang.xlsx"
    gaps = [[], [None, FORMATTED, FORMATTED], None]
    rows = [HEADER]
    for n in range(1, 4):
        rows += [group_row(n), *(gaps[n - 1] for _ in range(999))]
    rows.append(["H-4", CIBEUREUM, "", "Dasa Wisma", 2001])  # nama missing: an error
    write_xlsx(path, rows, shared=True)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 3002, "nama")]  # named by its row in Excel
    write_xlsx(path, rows[:-1], shared=True)
    assert run(path).counts["perkumpulan"].created == 3
    write_xlsx(path, rows, shared=True)
    book = workbook.open_workbook(path)
    numbers = [n for n, _cells in book.worksheets[0].cell_rows()]
    book.close()
    assert numbers == [1, 2, 1002, 2002, 3002]


def test_a_formula_of_empty_text_filled_down_is_an_empty_row(tmp_path, db, monkeypatch):
    """A form whose column F holds =IF(A2="","",A2) down 3,000 rows: the rows hold no value, so
    the sheet is not over a row limit of 100, and reading stops quietly after 1,000 of them."""
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 100)
    path = tmp_path / "rumus.xlsx"
    rows = [[*HEADER, "rumus"], *([*group_row(n), EMPTY_FORMULA] for n in range(1, 4)),
            *([None] * 5 + [EMPTY_FORMULA] for _ in range(3_000))]
    write_xlsx(path, rows, shared=True)
    imp = run(path)
    assert imp.ok and imp.counts["perkumpulan"].created == 3
    assert [w.column for w in imp.warnings] == ["rumus"]  # unknown column; no "stopped at"


def test_trailing_empty_rows_stop_reading_without_a_warning(tmp_path, db):
    """The blank form has 2,000 formatted rows: a file filled from it stops quietly."""
    path = tmp_path / "templat.xlsx"
    empty_rows(path, 5_000)
    imp = run(path)
    assert imp.ok and imp.counts["perkumpulan"].created == 1 and not imp.warnings


def test_a_sheet_over_the_row_limit_is_refused_before_any_row_is_checked(tmp_path, db,
                                                                       monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 50)
    path = tmp_path / "banyak.xlsx"
    many_rows(path, 51)
    checked = []
    monkeypatch.setattr(workbook.SHEETS["perkumpulan"], "parse",
                        lambda row, imp: checked.append(row))
    with pytest.raises(workbook.WorkbookError) as refused:
        run(path)
    assert "perkumpulan" in str(refused.value) and "50" in str(refused.value)
    assert checked == []
    assert not Perkumpulan.objects.exists()


def test_a_sheet_at_the_row_limit_is_read(tmp_path, db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 50)
    path = tmp_path / "pas.xlsx"
    many_rows(path, 50)
    assert run(path).counts["perkumpulan"].created == 50


def test_the_row_limit_holds_for_prefixed_xml_too(tmp_path, db, monkeypatch):
    """A sheet whose tags carry a prefix (<x:row>) is scanned the slow way, rows all counted."""
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 5)
    plain = tmp_path / "biasa.xlsx"
    many_rows(plain, 6)
    path = tmp_path / "awalan.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace('<worksheet xmlns="', '<x:worksheet xmlns:x="')
                for tag in ("worksheet", "sheetData", "row", "c", "is", "t"):
                    text = text.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}>",
                                                                          f"</x:{tag}>")
                data = text.encode()
            target.writestr(item, data)
    book = openpyxl.load_workbook(path, read_only=True)  # openpyxl reads it as any other
    assert len(list(book.worksheets[0].values)) == 7
    book.close()
    with pytest.raises(workbook.WorkbookError) as refused:
        run(path)
    assert "perkumpulan" in str(refused.value)


def test_a_dimension_claiming_the_whole_sheet_is_ignored(tmp_path, db):
    """openpyxl widened every row to the <dimension> (here 16,384 columns) and filled every row
    up to it; the rows are now read as the XML has them."""
    path = tmp_path / "dimensi.xlsx"
    write_xlsx(path, [HEADER, group_row(1)], shared=True, dimension="A1:XFD1048576")
    book = workbook.open_workbook(path)
    rows = list(book.worksheets[0].cell_rows())
    book.close()
    assert [(number, len(cells)) for number, cells in rows] == [(1, 5), (2, 5)]
    assert run(path).counts["perkumpulan"].created == 1


def test_a_row_too_large_to_hold_is_an_error_naming_it(tmp_path, db, monkeypatch):
    """Many short cells in one row: no cell is too long, the row is."""
    monkeypatch.setattr(reading, "MAX_ROW_BYTES", 200_000)
    path = tmp_path / "lebar.xlsx"
    write_xlsx(path, [HEADER, group_row(1), [*group_row(2), *(["x"] * 20_000)]], shared=False)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 3, "")]
    assert "MB" in imp.errors[0].message


def test_more_row_elements_than_excel_allows_are_refused(tmp_path, db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3_000)
    path = tmp_path / "excel.xlsx"
    empty_rows(path, 3_000)
    with pytest.raises(workbook.WorkbookError) as refused:
        run(path)
    assert "3,000" in str(refused.value)


# Other limits -----------------------------------------------------------------------------------
def test_a_multi_valued_cell_holds_at_most_50_values(tmp_path, db):
    path = tmp_path / "kegiatan.xlsx"
    many = "; ".join(f"Kegiatan {n}" for n in range(51))
    write_xlsx(path, [[*HEADER, "kegiatan"], [*group_row(1), "Arisan; Senam"],
                      [*group_row(2), many]], shared=True)
    imp = run(path)
    assert places(imp) == [("perkumpulan", 3, "kegiatan")]
    assert "51" in imp.errors[0].message and "50" in imp.errors[0].message


def test_the_text_of_a_file_is_limited(tmp_path, db, monkeypatch):
    """300 names of 4,000 characters: 1.2 million characters read, over a limit of one."""
    monkeypatch.setattr(reading, "MAX_TEXT_BYTES", 1_000_000)
    path = tmp_path / "teks.xlsx"
    write_xlsx(path, [HEADER, *(group_row(n, nama="n" * 4_000) for n in range(300))],
               shared=True)
    with pytest.raises(workbook.WorkbookError) as refused:
        run(path)
    assert "MB" in str(refused.value)


def test_the_shared_string_table_is_limited(tmp_path, db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS_BYTES", 100_000)
    path = tmp_path / "tabel.xlsx"
    write_xlsx(path, [HEADER, *(group_row(n, nama=f"Kelompok {n:05d}") for n in range(2_000))],
               shared=True)
    with pytest.raises(workbook.WorkbookError):
        run(path)


def test_a_part_read_whole_is_limited(tmp_path, db, monkeypatch):
    """The styles are parsed whole by openpyxl: a file with huge ones is refused unread."""
    plain = tmp_path / "biasa.xlsx"
    write_xlsx(plain, [HEADER, group_row(1)], shared=True)
    path = tmp_path / "gaya.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = data.replace(b"</styleSheet>", b" " * 100_000 + b"</styleSheet>")
            target.writestr(item, data)
    monkeypatch.setattr(reading, "MAX_PART_BYTES", 50_000)
    with pytest.raises(workbook.WorkbookError) as refused:
        run(path)
    assert "xl/styles.xml" in str(refused.value)


def test_entities_in_the_shared_strings_are_refused(tmp_path, db):
    path = tmp_path / "bom.xlsx"
    write_xlsx(path, [HEADER, group_row(1)], shared=True)
    bomb = tmp_path / "bom2.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                head, body = data.decode().split("?>", 1)
                data = (head + '?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                        + body.replace("Dasa Wisma Uji", "&b;")).encode()
            target.writestr(item, data)
    with pytest.raises(workbook.WorkbookError) as refused:
        run(bomb)
    assert "rusak" in str(refused.value)  # "damaged", in the default Indonesian


def test_shared_strings_read_as_openpyxl_reads_them():
    """Rich text runs joined, phonetic readings left out, as openpyxl does; the _xHHHH_ escapes
    are kept here and read with each cell (xlsx_reader.unescape), "_x005F_x000D_" as the seven
    characters "_x000D_"."""
    xml = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main"><si><t>plain</t></si><si><r><rPr><b/></rPr><t>rich </t></r><r><t>text</t></r>'
        '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t/></si><si><t>a_x005F_x000D_b</t>'
        '</si><si><t xml:space="preserve"> spaced </t></si></sst>'
    )
    strings = xlsx_reader.read_shared_strings(io.BytesIO(xml.encode()))
    assert strings == ["plain", "rich text", "", "a_x005F_x000D_b", " spaced "]
    assert [xlsx_reader.unescape(s) for s in strings][3] == "a_x000D_b"
    from openpyxl.reader.strings import read_string_table

    assert [s.replace("x005F_", "") for s in strings] == read_string_table(
        io.BytesIO(xml.encode()))


@pytest.mark.parametrize("size", [6_000, 200_000])
def test_strings_after_a_long_one_are_read_whole(size):
    """The rest of a text too long is skipped unparsed up to its end, wherever the pieces the
    table is read in (64 KB) happen to end: the strings after it come out whole. The long text
    (which expat gives in parts: at an entity, at a line's end) is slid across the end of the
    first piece, 200 bytes at a time."""
    head = '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/' \
        '2006/main">' + f"<si><t>{'p' * 4_000}</t></si>" * 14
    for slide in range(0, 8_000, 200):
        xml = (
            f"{head}<si><t>{'q' * slide}</t></si><si><t>{'a' * size}&amp;\na</t></si>"
            f"<si><t>{'n' * 4_000}</t></si><si><r><t>{'c' * 6_000}</t></r><r><t>tail</t></r>"
            "</si><si><t>last</t></si></sst>"
        )
        strings = xlsx_reader.read_shared_strings(io.BytesIO(xml.encode()))[15:]
        assert strings[1] == "n" * 4_000 and strings[3] == "last", slide
        assert isinstance(strings[0], workbook.LongText) and strings[0].length >= size
        assert isinstance(strings[2], workbook.LongText)


def test_the_command_refuses_a_hostile_file_with_a_message_not_a_traceback(tmp_path, db):
    path = tmp_path / "besar.xlsx"
    one_big_cell(path, 300_000, shared=True)
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as failed:
        call_command("import_survey", str(path), stderr=err)
    assert "1 error(s)" in str(failed.value)
    (line,) = err.getvalue().splitlines()
    assert line.startswith("perkumpulan:2:nama: ") and LIMIT_SHOWN in line and len(line) < 300
