"""Reading workbooks with calamine (registry.workbook.calamine_reader): an .xlsx's cells are read
by calamine only where it gives exactly the values openpyxl gives (else by openpyxl, as before),
and .xls and .ods files, made here by LibreOffice, import to the same records as the .xlsx."""

import datetime
import shutil
import subprocess
import threading
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import workbook
from registry.workbook import calamine_reader
from registry.workbook.cells import is_blank
from tests import survey_files as sf

pytestmark = pytest.mark.django_db


def calamine_reads(sheet) -> bool:
    """Whether the importer takes this sheet's cells from calamine: bounded, and its values
    as openpyxl gives them."""
    loading = calamine_reader.xlsx_start(sheet)
    if loading is None:
        return False
    with loading:
        return calamine_reader.xlsx_agrees(sheet)


def both_ways(path) -> dict:
    """{sheet: (whether calamine reads it, openpyxl's rows, calamine's rows)} of an .xlsx."""
    book = workbook.open_workbook(path)
    try:
        return {
            ws.title: (calamine_reads(ws), list(ws._openpyxl_rows()),
                       list(calamine_reader.xlsx_rows(ws)))
            for ws in book.worksheets
        }
    finally:
        book.close()


def typed(rows) -> list:
    """Rows with each value's type. Blank cells (None, only spaces) and the rows holding only
    those are left out: reading.read_rows skips them alike (openpyxl yields a formula without a
    cached value as None, calamine leaves it out)."""
    found = []
    for number, cells in rows:
        kept = [(c, type(v).__name__, v) for c, v in cells if not is_blank(v)]
        if kept:
            found.append((number, kept))
    return found


def sheet_of(tmp_path, rows: list[list], header: list | None = None):
    """A sheet "s" of these rows (under `header`), leaving out what openpyxl cannot write."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    if header:
        sheet.append(header)
    for r, row in enumerate(rows, start=sheet.max_row + 1 if header else 1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and (value.startswith("=") or any(
                    ord(ch) < 32 and ch not in "\t\n\r" for ch in value)):
                continue  # a formula, or a character openpyxl refuses to write
            sheet.cell(r, c, value)
    path = tmp_path / "s.xlsx"
    book.save(path)
    return path


def test_a_good_survey_is_read_by_calamine_as_openpyxl_reads_it(tmp_path):
    path = sf.make_xlsx(tmp_path, sf.good_sheets())
    for title, (plan, by_openpyxl, by_calamine) in both_ways(path).items():
        assert plan, title
        assert typed(by_calamine) == typed(by_openpyxl), title


def test_the_benchmark_form_of_a_survey_is_read_by_calamine(tmp_path):
    """Text in shared strings, NIKs as text with leading zeros, Excel dates, years, counts."""
    from bench import harness

    raw = sf.make_xlsx(tmp_path, {
        "anggota": [
            sf.member("CBR-DW-001", "0277014101800001", "Siti", tanggal_lahir=datetime.date(
                1980, 1, 1), mulai_tahun=2019, aktif=True),
            sf.member("CBR-DW-001", "3277011505750002", "  Budi  ", tanggal_lahir=None,
                      mulai_tahun="2020", catatan=False),
        ],
    }, name="raw.xlsx")
    path = tmp_path / "excel.xlsx"
    harness.save_as_excel_does(raw, path)
    plan, by_openpyxl, by_calamine = both_ways(path)["anggota"]
    assert plan
    assert typed(by_calamine) == typed(by_openpyxl)
    values = [v for _n, cells in by_calamine for _c, v in cells]
    assert "0277014101800001" in values and 2019 in values and True in values
    assert datetime.datetime(1980, 1, 1) in values


@pytest.mark.parametrize("fmt", sorted(calamine_reader.SAFE_FORMATS))
def test_calamine_and_openpyxl_agree_on_each_safe_format(tmp_path, fmt):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    for row, value in enumerate([0, 1, 30, 59, 60, 61, 45000, 999999, 12, 1], start=1):
        sheet.cell(row, 1, value).number_format = fmt
    sheet.cell(11, 1, True)
    sheet.cell(12, 1, "0012")
    sheet.cell(13, 1, "=1+2")
    path = tmp_path / "formats.xlsx"
    book.save(path)
    plan, by_openpyxl, by_calamine = both_ways(path)["s"]
    assert plan
    assert typed(by_calamine) == typed(by_openpyxl)


@pytest.mark.filterwarnings("ignore:Cell A2 is marked as a date")
@pytest.mark.parametrize("value, fmt", [
    (12.5, "General"),  # a decimal: openpyxl and calamine may differ in a float's last bits
    (-3, "dd-mm-yyyy"),  # a negative date: a datetime for openpyxl, a time for calamine
    (45000.25, "dd-mm-yyyy"),  # a time of day: rounded by each its own way
    (3277011505750002, "General"),  # 16 digits: past a float's exact integers
    ("#DIV/0!", "General"),  # an error: empty for calamine
    ("x_x000D_y", "General"),  # an escape calamine would unescape
    (45000, '"d"0'),  # a format not known to agree
    (9999999, "dd-mm-yyyy"),  # past 9999-12-31
])
def test_a_sheet_calamine_would_read_otherwise_is_read_by_openpyxl(tmp_path, value, fmt):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    sheet.cell(1, 1, "x")
    sheet.cell(2, 1, value).number_format = fmt
    path = tmp_path / "odd.xlsx"
    book.save(path)
    plan, _openpyxl, _calamine = both_ways(path)["s"]
    assert not plan


def rewritten(path, old: bytes, new: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> None:
    """The .xlsx at `path` with a sheet's XML changed, as another program may write it."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    assert old in parts[sheet]
    parts[sheet] = parts[sheet].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("old, new", [
    (b'<c r="A2" t="inlineStr">', b'<c t="inlineStr" r="A2">'),  # the reference not first
    (b'<c r="A2" t="inlineStr">', b'<c t="inlineStr">'),  # no reference: placed by counting
    (b'<row r="2">', b"<row>"),
    (b'<c r="A2" t="inlineStr">', b"<c r=\"A2\" t='inlineStr'>"),  # single quotes
    (b'<c r="A2" t="inlineStr">', b'<c r="A2" t ="inlineStr">'),
])
def test_cells_written_otherwise_are_read_by_openpyxl(tmp_path, old, new):
    """calamine reads a sheet only when each cell and row names its place first and each type
    is written t="…": else openpyxl reads it, and the cell keeps its value."""
    path = sheet_of(tmp_path, [["x"], ["y"]])
    rewritten(path, old, new)
    plan, by_openpyxl, _calamine = both_ways(path)["s"]
    assert not plan
    assert by_openpyxl == [(1, [(1, "x")]), (2, [(1, "y")])]


def test_a_cell_far_to_the_right_is_read_by_openpyxl(tmp_path):
    """calamine builds a sheet as one block of cells: rows × columns must stay small."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    sheet.cell(1, 1, "x")
    sheet.cell(1000, 16384, "far")
    path = tmp_path / "wide.xlsx"
    book.save(path)
    plan, by_openpyxl, _calamine = both_ways(path)["s"]
    assert not plan
    assert by_openpyxl[-1] == (1000, [(16384, "far")])
    # Not even started: the block is refused before calamine's thread would build it.
    book = workbook.open_workbook(path)
    try:
        assert calamine_reader.xlsx_start(book["s"]) is None
    finally:
        book.close()


def test_calamine_reads_in_its_thread_while_the_values_are_checked(tmp_path):
    """A decimal: calamine starts building the sheet (its size is bounded), the values check
    then refuses its values, and the rows come from openpyxl all the same."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    sheet.append(["x", "y"])
    sheet.append(["a", 1.5])
    path = tmp_path / "decimal.xlsx"
    book.save(path)
    opened = workbook.open_workbook(path)
    try:
        ws = opened["s"]
        loading = calamine_reader.xlsx_start(ws)
        assert loading is not None
        with loading:
            assert not calamine_reader.xlsx_agrees(ws)
            assert loading.result("s") is not None  # built all the same, and let go of below
        assert not loading.thread.is_alive()
        assert list(ws.cell_rows()) == [(1, [(1, "x"), (2, "y")]), (2, [(1, "a"), (2, 1.5)])]
    finally:
        opened.close()


def test_an_open_file_imports_as_its_path_does(tmp_path):
    """An upload is an open file: calamine's thread reads its own copy, not the file the
    checks are reading at the same time."""
    path = sf.make_xlsx(tmp_path, sf.good_sheets())
    by_path = sf.tally(sf.imported(path, dry_run=True))
    with open(path, "rb") as handle:
        assert sf.tally(sf.imported(handle, dry_run=True)) == by_path


@pytest.mark.parametrize("first", [None, "x"])
def test_cells_keep_their_places_when_row_1_or_column_a_is_empty(tmp_path, first):
    """python-calamine gives the rows from row 1 but each row from the first used column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "s"
    if first:
        sheet.cell(1, 1, first)
    sheet.cell(3, 2, False)
    sheet.cell(4, 3, "y")
    path = tmp_path / "places.xlsx"
    book.save(path)
    plan, by_openpyxl, by_calamine = both_ways(path)["s"]
    assert plan
    assert by_calamine[-2:] == [(3, [(2, False)]), (4, [(3, "y")])]
    assert typed(by_calamine) == typed(by_openpyxl)


def calamine_threads() -> list:
    return [t for t in threading.enumerate() if t.name == "calamine" and t.is_alive()]


def test_the_sheets_are_built_ahead_by_one_thread_that_ends_with_the_import(
        tmp_path, monkeypatch):
    """calamine builds every sheet of the file in one thread, started before the first sheet
    is read, and the thread is over when the import is, even when a sheet is never read."""
    opened = []
    open_calamine = calamine_reader.open_calamine
    monkeypatch.setattr(calamine_reader, "open_calamine",
                        lambda source: opened.append(source) or open_calamine(source))
    path = sf.make_xlsx(tmp_path, sf.good_sheets())
    assert sf.tally(sf.imported(path, dry_run=True))["jaringan"] == sf.created(2)
    assert len(opened) == 1  # four sheets, one workbook built once
    assert calamine_threads() == []

    sheets = sf.good_sheets()
    for row in sheets["anggota"]:
        del row["nik"]  # a required column missing: the sheet's rows are never read
    imp = workbook.run(sf.make_xlsx(tmp_path, sheets, "no-nik.xlsx"), dry_run=True)
    assert sf.where(imp) == [("anggota", 1, "nik")]
    assert calamine_threads() == []

    # The second sheet refused by its scan while the first one is being built.
    path = sf.make_xlsx(tmp_path, sf.good_sheets(), "damaged.xlsx")
    rewritten(path, b'<row r="4">', b'<row r="4.5">', "xl/worksheets/sheet2.xml")
    with pytest.raises(workbook.WorkbookError, match="Lembar anggota tidak dapat dibaca"):
        workbook.run(path, dry_run=True)
    assert calamine_threads() == []


def test_an_xlsx_imports_the_same_by_either_reader(tmp_path, monkeypatch):
    path = sf.make_xlsx(tmp_path, sf.good_sheets())
    first = sf.tally(sf.imported(path, dry_run=True))
    monkeypatch.setattr(calamine_reader, "xlsx_start", lambda sheet: None)
    assert sf.tally(sf.imported(path, dry_run=True)) == first


# .ods and .xls ----------------------------------------------------------------------------------
def converted(tmp_path, path, suffix: str):
    """`path` saved by LibreOffice as .ods or .xls."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y "
                    "libreoffice-calc-nogui")
    out = tmp_path / suffix
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         suffix, "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    made = out / f"{path.stem}.{suffix}"
    assert made.exists()
    return made


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_an_ods_or_xls_imports_to_the_same_records_as_the_xlsx(tmp_path, suffix):
    xlsx = sf.make_xlsx(tmp_path, sf.good_sheets())
    other = converted(tmp_path, xlsx, suffix)
    imp = sf.imported(xlsx)
    expected = sf.dump()
    assert sf.tally(imp)["perkumpulan"] == sf.created(2)
    again = sf.imported(other)
    assert all(c["created"] == 0 and c["updated"] == 0 for c in sf.tally(again).values())
    assert sf.dump() == expected


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_errors_in_an_ods_or_xls_are_placed_by_sheet_row_and_column(tmp_path, suffix):
    sheets = sf.good_sheets()
    sheets["anggota"][1]["nik"] = "12345"
    sheets["perkumpulan"][1]["tahun_berdiri"] = "dulu"
    xlsx = sf.make_xlsx(tmp_path, sheets)
    other = converted(tmp_path, xlsx, suffix)
    expected = sf.where(workbook.run(xlsx))
    assert ("anggota", 3, "nik") in expected and ("perkumpulan", 3, "tahun_berdiri") in expected
    sf.refused(other, expected)


def test_the_command_imports_an_ods(tmp_path):
    from django.core.management import call_command

    other = converted(tmp_path, sf.make_xlsx(tmp_path, sf.good_sheets()), "ods")
    call_command("import_survey", str(other))
    assert sf.codes(sf.Perkumpulan.objects) == {"CBR-DW-001", "CBR-PSY-001"}


def test_an_ods_repeating_a_filled_row_a_million_times_is_refused(tmp_path):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="anggota">'
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    with pytest.raises(workbook.WorkbookError):
        workbook.run(path)


def test_the_command_imports_an_xls(tmp_path):
    from django.core.management import call_command

    other = converted(tmp_path, sf.make_xlsx(tmp_path, sf.good_sheets()), "xls")
    call_command("import_survey", str(other))
    assert sf.codes(sf.Perkumpulan.objects) == {"CBR-DW-001", "CBR-PSY-001"}


def test_a_file_that_is_no_workbook_is_refused(tmp_path):
    path = tmp_path / "notes.xls"
    path.write_bytes(b"just some text, not a workbook")
    with pytest.raises(workbook.WorkbookError):
        workbook.run(path)


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_the_web_import_takes_an_ods_or_xls(client, operator, tmp_path, suffix):
    import io

    from django.urls import reverse

    from members.models import Keanggotaan
    from registry.models import Impor
    from tests.registry.test_import_web import CIBEUREUM, workbook_bytes

    xlsx = tmp_path / "survei.xlsx"
    xlsx.write_bytes(workbook_bytes(
        [("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Dasa Wisma", 2001)],
        [("W-DW-1", "3277014101800001", "Siti Aminah", "Ketua")],
    ).getvalue())
    upload = io.BytesIO(converted(tmp_path, xlsx, suffix).read_bytes())
    upload.name = f"survei.{suffix}"
    client.force_login(operator)
    response = client.post(reverse("registry:impor_new"), {"berkas": upload})
    assert response.status_code == 302
    record = Impor.objects.get()
    assert record.status == "DIPERIKSA", record.jumlah
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "DIIMPOR"
    assert Keanggotaan.objects.get().warga.nik == "3277014101800001"


@pytest.mark.parametrize("name", ["rusak.ods", "rusak.xls"])
def test_the_web_import_refuses_a_damaged_ods_or_xls(client, operator, name):
    import io

    from django.urls import reverse

    from registry.models import Impor

    client.force_login(operator)
    bad = io.BytesIO(b"PK\x03\x04 not really a zip" if name.endswith("ods") else b"junk")
    bad.name = name
    response = client.post(reverse("registry:impor_new"), {"berkas": bad})
    assert response.status_code == 400
    assert Impor.objects.count() == 0


_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**17), 10**17),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=30), st.from_regex(r"0\d{15}", fullmatch=True),
    st.dates(datetime.date(1900, 3, 1), datetime.date(9999, 12, 31)),
    st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(9999, 12, 31)),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, max_size=6), min_size=1, max_size=8))
def test_whenever_calamine_reads_a_sheet_it_reads_what_openpyxl_reads(tmp_path, rows):
    plan, by_openpyxl, by_calamine = both_ways(sheet_of(tmp_path, rows))["s"]
    if plan:
        assert typed(by_calamine) == typed(by_openpyxl)


class _Columns(workbook.SheetHandler):
    name = "s"
    columns = [workbook.Column(name) for name in "abcdef"]


class _ByOpenpyxl:
    """A sheet read by openpyxl only (as when calamine may not read it)."""

    def __init__(self, sheet):
        self.sheet, self.title = sheet, sheet.title

    def scan(self):
        return self.sheet.scan()

    def cell_rows(self):
        return self.sheet._openpyxl_rows()


def records(sheet) -> tuple[list, list]:
    imp = workbook.Import()
    rows = [(row.number, sorted((k, type(v).__name__, v) for k, v in row.values.items()))
            for row in workbook.read_rows(sheet, _Columns(), imp)]
    return rows, [str(e) for e in imp.errors]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, max_size=6), min_size=1, max_size=8))
def test_the_rows_of_a_sheet_calamine_reads_are_those_openpyxl_reads(tmp_path, rows):
    """Whichever reader reads a sheet, reading.read_rows makes the same records of it and
    finds the same errors."""
    opened = workbook.open_workbook(sheet_of(tmp_path, rows, header=list("abcdef")))
    try:
        ws = opened["s"]
        if calamine_reads(ws):
            assert records(ws) == records(_ByOpenpyxl(ws))
    finally:
        opened.close()


def test_a_control_character_in_an_xls_is_an_error_of_its_cell(tmp_path):
    """An .xls (unlike an .xlsx or .ods, which are XML) can hold a vertical tab in a text: the
    cell is refused with its place, not saved. The file is LibreOffice's, one byte changed: the
    space in the group's name stored as 0x0B."""
    sheets = sf.good_sheets()
    sheets["perkumpulan"][0]["nama"] = "Dasa Wismakendali"
    path = converted(tmp_path, sf.make_xlsx(tmp_path, sheets), "xls")
    data = path.read_bytes()
    assert data.count(b"Dasa Wismakendali") == 1
    path.write_bytes(data.replace(b"Dasa Wismakendali", b"Dasa\x0bWismakendali"))
    imp = workbook.run(path, dry_run=True)
    assert [(e.sheet, e.row, e.column) for e in imp.errors] == [("perkumpulan", 2, "nama")]
    assert "karakter kendali (U+000B)" in imp.errors[0].message
