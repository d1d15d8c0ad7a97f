""".xls files built byte by byte (an OLE2 compound file holding BIFF8 records, as Excel writes
them): calamine reads a plain one, and one whose cells calamine would build into gigabytes, or
whose structure would trip it, is refused before calamine opens it (registry.workbook.xls_scan).
The .xls files LibreOffice writes are imported in test_import_calamine.py."""

import io
import struct

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry import workbook
from registry.models import Impor, Perkumpulan
from registry.workbook import calamine_reader, xls_scan

pytestmark = pytest.mark.django_db

END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def bof(sheet: bool) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010 if sheet else 0x0005,
                                      0x0DBB, 0x07CC, 0, 6))


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


def workbook_stream(sheets: dict[str, list[bytes]], position_shift: int = 0) -> bytes:
    """A BIFF8 workbook stream: the globals (BOF, a BoundSheet per sheet, EOF), then each sheet's
    substream (BOF, its records, EOF)."""
    eof = record(0x000A, b"")

    def boundsheet(position: int, name: str) -> bytes:
        return record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(name), 0)
                      + name.encode("latin-1"))

    globals_size = len(bof(False)) + sum(len(boundsheet(0, n)) for n in sheets) + len(eof)
    bodies = [bof(True) + b"".join(records) + eof for records in sheets.values()]
    positions, at = [], globals_size
    for body in bodies:
        positions.append(at + position_shift)
        at += len(body)
    return (bof(False) + b"".join(boundsheet(p, n) for p, n in zip(positions, sheets, strict=True))
            + eof + b"".join(bodies))


def compound_file(stream: bytes, loop: bool = False) -> bytes:
    """A version 3 compound file (512-byte sectors) holding `stream` as "Workbook": sector 0 the
    FAT, sector 1 the directory, then the stream (padded past the 4,096-byte mini-stream cutoff).
    `loop`: the stream's last sector points back to its first."""
    stream = stream + b"\0" * (-len(stream) % 512)
    size = max(len(stream), 4096)
    stream = stream.ljust(size, b"\0")
    sectors = size // 512
    assert sectors + 2 <= 128
    fat = [FAT_SECTOR, END] + [3 + i for i in range(sectors - 1)] + [2 if loop else END]
    fat += [FREE] * (128 - len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIIII", xls_scan.OLE_MAGIC, b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0, 0)
    header += struct.pack("<I", FREE) * 108

    def entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", FREE, FREE, child) + b"\0" * 36
                + struct.pack("<IQ", start, length))

    directory = (entry("Root Entry", 5, 1, END, 0) + entry("Workbook", 2, FREE, 2, size)
                 + entry("", 0, FREE, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + directory + stream


def xls(tmp_path, sheets, name="survei.xls", **options) -> str:
    loop = options.pop("loop", False)
    path = tmp_path / name
    path.write_bytes(compound_file(workbook_stream(sheets, **options), loop=loop))
    return str(path)


def test_a_plain_xls_built_here_is_read_by_calamine(tmp_path):
    """The builder above makes what calamine reads: the checks below refuse these files for
    what they hold, not for being unreadable."""
    path = xls(tmp_path, {"anggota": [dimensions(0, 3, 0, 2), number(0, 0, 7), number(2, 1, 42)]})
    book = calamine_reader.load_other(path, "xls")
    try:
        assert [s.title for s in book.worksheets] == ["anggota"]
        assert list(book["anggota"].cell_rows()) == [(1, [(1, 7)]), (3, [(2, 42)])]
    finally:
        book.close()


def test_sheets_whose_cells_lie_far_apart_are_refused_before_calamine_builds_them(tmp_path):
    """Five sheets, each a cell at A1 and one at Excel's last row and a far column: calamine
    would build 5 × 65,536 × 4,096 cells (tens of gigabytes)."""
    sheets = {f"s{i}": [number(0, 0, 1), number(65535, 4095, 2)] for i in range(5)}
    with pytest.raises(workbook.WorkbookError, match="baris dan kolom"):
        workbook.run(xls(tmp_path, sheets))


def test_sheets_within_the_limit_alone_but_not_together_are_refused(tmp_path):
    """calamine builds every sheet when it opens the file: the blocks count together."""
    block = [number(0, 0, 1), number(19_999, 99, 2)]  # 2,000,000 cells a sheet
    assert xls_scan.check(compound_file(workbook_stream({"a": block, "b": block})), 5_000_000) \
        is None
    with pytest.raises(workbook.WorkbookError, match="baris dan kolom"):
        workbook.run(xls(tmp_path, {"a": block, "b": block, "c": block}))


def test_a_sheet_claiming_four_billion_rows_is_refused(tmp_path):
    """calamine reserves the block a DIMENSIONS record claims: 2³² rows would abort the process."""
    path = xls(tmp_path, {"anggota": [dimensions(0, 0xFFFFFFFF, 0, 200), number(0, 0, 1)]})
    with pytest.raises(workbook.WorkbookError, match="baris dan kolom"):
        workbook.run(path)


@pytest.mark.parametrize("options", [{"position_shift": 10_000}, {"loop": True}])
def test_a_damaged_container_or_stream_is_refused(tmp_path, options):
    """A sheet placed past the stream's end (calamine would panic), a chain of sectors that loops
    back on itself."""
    path = xls(tmp_path, {"anggota": [number(0, 0, 1)]}, **options)
    with pytest.raises(workbook.WorkbookError, match="rusak"):
        workbook.run(path)


def test_a_record_cut_short_is_refused(tmp_path):
    cut = record(0x0203, struct.pack("<HH", 0, 0)[:3])  # a NUMBER of 3 bytes
    with pytest.raises(workbook.WorkbookError, match="rusak"):
        workbook.run(xls(tmp_path, {"anggota": [cut]}))


def test_the_command_refuses_a_far_spread_xls_with_nothing_written(tmp_path):
    path = xls(tmp_path, {f"s{i}": [number(0, 0, 1), number(65535, 4095, 2)] for i in range(5)})
    with pytest.raises(CommandError, match="baris dan kolom"):
        call_command("import_survey", path)
    assert not Perkumpulan.objects.exists()


def test_the_web_import_refuses_a_far_spread_xls_at_once(client, operator, tmp_path):
    path = xls(tmp_path, {f"s{i}": [number(0, 0, 1), number(65535, 4095, 2)] for i in range(5)})
    with open(path, "rb") as handle:
        upload = io.BytesIO(handle.read())
    upload.name = "survei.xls"
    client.force_login(operator)
    response = client.post(reverse("registry:impor_new"), {"berkas": upload})
    assert response.status_code == 400
    assert "baris dan kolom" in response.content.decode()
    assert Impor.objects.count() == 0
