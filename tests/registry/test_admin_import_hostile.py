"""The admin's import (registry/formats.py) refuses hostile uploads before tablib and the workbook
reader read them, and says why on the import form: too large a file, not a workbook, a text
longer than any cell may hold (a 100 MB shared string would be read into memory whole), more
rows or columns than the caps, a sheet claiming a giant dimension, XML in UTF-16. Real files,
made by openpyxl (and then altered the way a hostile one would be)."""

import csv
import io
import random
import re
import zipfile

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from registry import formats, workbook
from registry.models import Perkumpulan
from registry.workbook import xlsx_reader
from tests.conftest import CIBEUREUM

pytestmark = pytest.mark.django_db

GROUPS = "/admin/registry/perkumpulan/"
HEADER = ["kode", "nama", "jenis", "desa", "tahun_berdiri"]


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def row(number: int, nama: str = "Dasa Wisma") -> list:
    return [f"CBR-DW-{number:03d}", nama, "DW", CIBEUREUM, 2000]


def xlsx_bytes(rows: list[list], header: list = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], header: list = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def altered(content: bytes, member: str, change, **changes) -> bytes:
    """The xlsx with a part rewritten by `change` (bytes → bytes), and more in `changes`
    (a part's name with "/" as "__": a function, or bytes for a new part)."""
    changes = {name.replace("__", "/"): how for name, how in changes.items()}
    changes[member] = change
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            how = changes.pop(info.filename, None)
            target.writestr(info.filename, how(data) if how else data)
        for name, data in changes.items():
            target.writestr(name, data)
    return buffer.getvalue()


def with_shared_string(text: str) -> bytes:
    """A workbook whose row 2 takes its name from a shared strings table, as Excel writes it
    (openpyxl itself writes text inline)."""
    table = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
             b'org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
             + text.encode() + b"</t></si></sst>")
    kind = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    return altered(
        xlsx_bytes([row(1, "PLACEHOLDER")]), "xl/worksheets/sheet1.xml",
        lambda data: re.sub(rb't="inlineStr"><is><t>PLACEHOLDER</t></is>', b't="s"><v>0</v>',
                            data),
        **{"[Content_Types].xml": lambda data: data.replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
           "xl__sharedStrings.xml": table,
           "xl___rels__workbook.xml.rels": lambda data: data.replace(
               b"</Relationships>", b'<Relationship Id="rIdSS" Type="' + kind
               + b'" Target="sharedStrings.xml"/></Relationships>')})


def format_index(name: str) -> str:
    model_admin = next(a for m, a in admin.site._registry.items() if m is Perkumpulan)
    return str([f.__name__ for f in model_admin.get_import_formats()].index(name))


def upload(client, content: bytes, fmt: str):
    name = "kelompok.xlsx" if fmt == "XLSX" else "kelompok.csv"
    return client.post(f"{GROUPS}import/", {
        "format": format_index(fmt), "resource": "0",
        "import_file": SimpleUploadedFile(name, content)})


def refusal(response) -> str:
    """The import page again, with the file's error on the form (never a 500)."""
    assert response.status_code in (200, 400), response.status_code
    errors = response.context["form"].errors
    assert "import_file" in errors, errors
    return " ".join(errors["import_file"])


@pytest.fixture
def never_parsed(monkeypatch):
    """Neither the workbook reader (workbook.xlsx_reader, on openpyxl's parsers) nor openpyxl's
    own may be asked to read the file."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl read a file that should have been refused before")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(xlsx_reader, "load", refuse)


# Files that are fine -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["XLSX", "CSV"])
def test_a_plain_file_is_previewed(client, staf, fmt):
    client.force_login(staf)
    make = xlsx_bytes if fmt == "XLSX" else csv_bytes
    response = upload(client, make([row(1), row(2, "+62 Paguyuban")]), fmt)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["result"].totals["new"] == 2


def test_a_cell_of_the_longest_allowed_length_is_read(client, staf):
    client.force_login(staf)
    response = upload(client, xlsx_bytes([row(1, "é" * workbook.MAX_CELL_CHARS)]), "XLSX")
    assert not response.context["form"].errors
    # The model's own limit (200 characters for a name) still applies, as a row error.
    assert response.context["result"].has_validation_errors()


# Size and container ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["XLSX", "CSV"])
def test_a_file_over_the_size_limit_is_refused(client, staf, monkeypatch, fmt, never_parsed):
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1024)
    client.force_login(staf)
    make = xlsx_bytes if fmt == "XLSX" else csv_bytes
    message = refusal(upload(client, make([row(n) for n in range(1, 200)]), fmt))
    assert "the limit is 0 MB" in message


def test_a_text_file_named_xlsx_is_refused(client, staf, never_parsed):
    client.force_login(staf)
    message = refusal(upload(client, b"kode,nama\nA,B\n", "XLSX"))
    assert "not an Excel workbook" in message


def test_a_zip_bomb_is_refused(client, staf, never_parsed):
    client.force_login(staf)
    bomb = altered(xlsx_bytes([row(1)]), "xl/worksheets/sheet1.xml",
                   lambda data: data + b" " * (workbook.MAX_UNCOMPRESSED_BYTES // 100))
    message = refusal(upload(client, bomb, "XLSX"))
    assert "unpacks to" in message


# Long text ---------------------------------------------------------------------------------------
def test_a_cell_longer_than_allowed_is_named_by_row_and_column(client, staf):
    client.force_login(staf)
    long = "x" * (workbook.MAX_CELL_CHARS + 1)
    message = refusal(upload(client, xlsx_bytes([row(1), row(2, long)]), "XLSX"))
    assert message == (f"Row 3, column nama (B) holds {workbook.MAX_CELL_CHARS + 1} characters; "
                       f"a cell may hold at most {workbook.MAX_CELL_CHARS}.")


def test_a_shared_string_is_read(client, staf):
    """The workbook the next test makes, with a short text: openpyxl reads it."""
    client.force_login(staf)
    response = upload(client, with_shared_string("Dasa Wisma Mawar"), "XLSX")
    assert not response.context["form"].errors
    assert response.context["result"].totals["new"] == 1
    [preview] = response.context["result"].valid_rows()
    assert "Dasa Wisma Mawar" in str(preview.diff)


def test_a_huge_shared_string_is_refused_before_openpyxl_reads_it(client, staf, never_parsed):
    """Excel keeps text in xl/sharedStrings.xml; openpyxl reads the whole table into memory."""
    client.force_login(staf)
    content = with_shared_string("y" * (formats.MAX_TEXT_RUN + 1))
    message = refusal(upload(client, content, "XLSX"))
    assert message == (f"The file holds a cell of more than {workbook.MAX_CELL_CHARS} "
                       f"characters; a cell may hold at most {workbook.MAX_CELL_CHARS}.")


def test_a_huge_inline_string_is_refused_before_openpyxl_reads_it(client, staf, never_parsed):
    client.force_login(staf)
    huge = b"y" * (formats.MAX_TEXT_RUN + 1)
    content = altered(xlsx_bytes([row(1, "PLACEHOLDER")]), "xl/worksheets/sheet1.xml",
                      lambda data: data.replace(b"PLACEHOLDER", huge))
    assert "more than" in refusal(upload(client, content, "XLSX"))


def test_a_long_text_in_any_xml_part_is_refused(client, staf, never_parsed):
    """Whatever a part is called: openpyxl finds the shared strings by content type."""
    client.force_login(staf)
    content = altered(xlsx_bytes([row(1)]), "docProps/core.xml",
                      lambda data: data.replace(b"</cp:coreProperties>",
                                                b"<dc:subject>" + b"z" * 50_000
                                                + b"</dc:subject></cp:coreProperties>"))
    assert "more than" in refusal(upload(client, content, "XLSX"))


def test_xml_in_utf16_is_refused(client, staf, never_parsed):
    """In UTF-16 a text's bytes may hold '<': the scan could not measure it."""
    client.force_login(staf)
    content = altered(xlsx_bytes([row(1)]), "xl/worksheets/sheet1.xml",
                      lambda data: b"\xff\xfe" + data.decode().replace(
                          'encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le"))
    assert "UTF-8" in refusal(upload(client, content, "XLSX"))


@pytest.mark.parametrize("length", [workbook.MAX_CELL_CHARS + 1, 200_000])
def test_a_csv_cell_longer_than_allowed_is_refused(client, staf, length):
    client.force_login(staf)
    message = refusal(upload(client, csv_bytes([row(1), row(2, "x" * length)]), "CSV"))
    if length < 131_072:  # the csv module's own limit: longer fields are not read at all
        assert message.startswith(f"Row 3, column nama (B) holds {length} characters")
    else:
        assert f"more than {workbook.MAX_CELL_CHARS} characters" in message


# Rows and columns -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["XLSX", "CSV"])
def test_more_rows_than_the_cap_are_refused(client, staf, monkeypatch, fmt):
    monkeypatch.setattr(formats, "MAX_ROWS", 5)
    client.force_login(staf)
    make = xlsx_bytes if fmt == "XLSX" else csv_bytes
    message = refusal(upload(client, make([row(n) for n in range(1, 7)]), fmt))
    assert "at most 5 rows" in message


def test_the_row_cap_allows_as_many_rows(client, staf, monkeypatch):
    monkeypatch.setattr(formats, "MAX_ROWS", 5)
    client.force_login(staf)
    response = upload(client, xlsx_bytes([row(n) for n in range(1, 6)]), "XLSX")
    assert not response.context["form"].errors
    assert response.context["result"].totals["new"] == 5


def test_more_rows_than_the_cap_are_refused_before_any_row_is_parsed(client, staf, monkeypatch):
    """The reader's scan of the sheet's XML counts the rows holding values first."""
    monkeypatch.setattr(formats, "MAX_ROWS", 5)

    def refuse(*args, **kwargs):
        raise AssertionError("a row was parsed")

    monkeypatch.setattr(xlsx_reader._RowParser, "parse", refuse)
    client.force_login(staf)
    message = refusal(upload(client, xlsx_bytes([row(n) for n in range(1, 8)]), "XLSX"))
    assert "at most 5 rows" in message


def test_rows_keep_their_spreadsheet_numbers_across_a_gap(client, staf):
    """A row missing from the file (never typed in) is an empty row, as openpyxl gives it: the
    rows after it keep the numbers the spreadsheet shows."""
    client.force_login(staf)
    content = altered(xlsx_bytes([row(1), row(2, "x" * (workbook.MAX_CELL_CHARS + 1))]),
                      "xl/worksheets/sheet1.xml",
                      lambda data: re.sub(rb'r="([A-Z]*)3"', rb'r="\g<1>7"', data))
    message = refusal(upload(client, content, "XLSX"))
    assert message.startswith("Row 7, column nama (B) holds")


def test_a_far_away_row_is_refused_without_reading_the_gap(client, staf):
    """openpyxl yields an empty row for every missing row number: a row numbered 1,048,576 is
    a million rows."""
    client.force_login(staf)
    content = altered(xlsx_bytes([row(1)]), "xl/worksheets/sheet1.xml",
                      lambda data: re.sub(rb'r="([A-Z]*)2"', rb'r="\g<1>1048576"', data))
    assert "rows" in refusal(upload(client, content, "XLSX"))


def test_a_sheet_claiming_a_giant_dimension_is_read_as_what_it_holds(client, staf):
    """A1:XFD1048576 would pad every row to 16,384 cells, and add a million empty rows."""
    client.force_login(staf)
    content = altered(xlsx_bytes([row(1), row(2)]), "xl/worksheets/sheet1.xml",
                      lambda data: re.sub(rb'<dimension ref="[^"]*"\s*/>',
                                          b'<dimension ref="A1:XFD1048576"/>', data))
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    response = upload(client, content, "XLSX")
    assert not response.context["form"].errors
    assert response.context["result"].totals["new"] == 2


def test_a_csv_wider_than_the_cap_is_refused(client, staf):
    client.force_login(staf)
    wide = HEADER + [f"x{n}" for n in range(formats.MAX_COLUMNS)]
    assert "columns" in refusal(upload(client, csv_bytes([row(1)], header=wide), "CSV"))


def test_a_refused_file_writes_nothing(client, staf):
    client.force_login(staf)
    long = "x" * (workbook.MAX_CELL_CHARS + 1)
    refusal(upload(client, xlsx_bytes([row(1), row(2, long)]), "XLSX"))
    assert not Perkumpulan.objects.exists()


# The scan itself ---------------------------------------------------------------------------------
def longest_run(data: bytes) -> int:
    return max(len(part) for part in data.split(b"<"))


@pytest.mark.parametrize("seed", range(40))
def test_the_scan_finds_every_run_over_the_limit_across_chunks(monkeypatch, seed):
    """Against the plain answer, with chunks small enough for runs to cross them."""
    rng = random.Random(seed)
    monkeypatch.setattr(formats, "CHUNK", rng.choice([1, 3, 7, 64, 1000]))
    limit = rng.choice([1, 2, 5, 17, 100])
    pieces = [b"x" * rng.choice([0, 1, limit - 1, limit, limit + 1, rng.randrange(3 * limit + 1)])
              for _ in range(rng.randrange(1, 30))]
    data = b"<".join(pieces)
    too_long, marks = formats.scan_xml(io.BytesIO(data), limit)
    assert too_long == (longest_run(data) > limit)
    if not too_long:
        assert marks == data.count(b"<")


def test_the_scan_reads_a_real_workbook_as_fine():
    content = xlsx_bytes([row(n, "Dasa Wisma " * 400) for n in range(1, 50)])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            with archive.open(name) as part:
                assert formats.scan_xml(part) == (False, archive.read(name).count(b"<"))
    formats.check_xlsx_parts(content)


def test_a_file_over_the_size_limit_is_not_read_into_memory(client, staf, monkeypatch):
    """The form refuses it by its size, before the library copies the upload into memory."""
    from django.core.files.base import File

    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1024)
    read = []
    chunks = File.chunks
    monkeypatch.setattr(File, "chunks", lambda self, *a, **k: read.append(self) or chunks(
        self, *a, **k))
    client.force_login(staf)
    message = refusal(upload(client, csv_bytes([row(n) for n in range(1, 200)]), "CSV"))
    assert "the limit is 0 MB" in message
    assert read == []
