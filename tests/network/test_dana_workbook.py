"""The dana sheet of the survey workbook (network.workbook.DanaSheet): a group's own funds per
period, keyed by (group, fund, period end); bad rows told by sheet, row and column, and then
nothing written; the export and the blank template carry the sheet."""

import datetime
import io

import openpyxl
import pytest

from network.models import DanaPerkumpulan
from registry import workbook
from registry.models import Perkumpulan, Wilayah
from tests.survey_files import (
    counts,
    created,
    group,
    imported,
    make_xlsx,
    message,
    refused,
    tally,
    unchanged,
)

pytestmark = pytest.mark.django_db
COLUMNS = ["kode_perkumpulan", "jenis_dana", "tanggal", "terkumpul", "dipakai", "keterangan"]


def fund(kode="CBR-DW-001", jenis="Arisan", tanggal="31-12-2025", **fields) -> dict:
    return {"kode_perkumpulan": kode, "jenis_dana": jenis, "tanggal": tanggal, **fields}


def funds_file(tmp_path, *rows, name="survey.xlsx"):
    return make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-PSY-001", jenis="Posyandu")],
        "dana": list(rows),
    }, name=name)


def entries() -> list[tuple]:
    return list(DanaPerkumpulan.objects.order_by("perkumpulan__kode", "jenis", "tanggal")
                .values_list("perkumpulan__kode", "jenis", "tanggal", "terkumpul", "dipakai",
                             "keterangan"))


def test_a_good_file_records_each_groups_funds(tmp_path, operator):
    imp = imported(funds_file(
        tmp_path,
        fund(jenis="Arisan", terkumpul=1_200_000, dipakai=1_200_000),
        fund(jenis="simpan pinjam", terkumpul="850000", dipakai=300_000, keterangan="Pinjaman"),
        fund(jenis="IURAN", tanggal=datetime.datetime(2025, 6, 30), terkumpul=240_000),
        fund("CBR-PSY-001", jenis="Jimpitan Beras", tanggal="2025-12-31", terkumpul=90_000,
             dipakai=100_000),
    ), user=operator)
    assert tally(imp)["dana"] == created(4)
    assert entries() == [
        ("CBR-DW-001", "ARISAN", datetime.date(2025, 12, 31), 1_200_000, 1_200_000, ""),
        ("CBR-DW-001", "IURAN", datetime.date(2025, 6, 30), 240_000, 0, ""),
        ("CBR-DW-001", "SIMPAN_PINJAM", datetime.date(2025, 12, 31), 850_000, 300_000,
         "Pinjaman"),
        ("CBR-PSY-001", "JIMPITAN", datetime.date(2025, 12, 31), 90_000, 100_000, ""),
    ]
    # The balance is collected less spent; every entry has its "created" history.
    assert [e.saldo for e in DanaPerkumpulan.objects.order_by("terkumpul")] == [
        -10_000, 240_000, 550_000, 0]
    assert DanaPerkumpulan.history.filter(history_type="+").count() == 4


def test_a_reimport_updates_amounts_and_leaves_the_rest(tmp_path, operator):
    imported(funds_file(tmp_path, fund(terkumpul=100_000), fund(jenis="Iuran", terkumpul=5_000)),
             user=operator)
    imp = imported(funds_file(tmp_path, fund(terkumpul=150_000, dipakai=20_000),
                              fund(jenis="Iuran", terkumpul=5_000), name="again.xlsx"),
                   user=operator)
    assert tally(imp)["dana"] == {"created": 0, "updated": 1, "unchanged": 1}
    arisan = DanaPerkumpulan.objects.get(jenis="ARISAN")
    assert (arisan.terkumpul, arisan.dipakai, arisan.saldo) == (150_000, 20_000, 130_000)
    assert arisan.history.count() == 2


def test_bad_rows_are_located_and_nothing_is_written(tmp_path, operator, make_perkumpulan):
    make_perkumpulan("MLG-DW-001", desa="32.77.01.1001")  # Melong: not the operator's village
    before = (counts(), DanaPerkumpulan.objects.count())
    imp = refused(funds_file(
        tmp_path,
        fund(),                                              # row 2: good
        fund(jenis="Tabungan emas"),                         # row 3: no such fund
        fund(tanggal="31-12-2999"),                          # row 4: in the future
        fund(terkumpul=-5),                                  # row 5: below zero
        fund("MLG-DW-001"),                                  # row 6: another village's group
        fund(dipakai="banyak"),                              # row 7: not a number
        fund(),                                              # row 8: row 2 again
        fund(tanggal=None),                                  # row 9: no date
    ), [("dana", 3, "jenis_dana"), ("dana", 4, "tanggal"), ("dana", 5, "terkumpul"),
        ("dana", 7, "dipakai"), ("dana", 9, "tanggal"), ("dana", 6, "kode_perkumpulan"),
        ("dana", 8, "tanggal")], user=operator)
    assert "Simpan-pinjam" in message(imp, 0)  # the accepted values are listed
    assert "2" in message(imp, 6)
    assert (counts(), DanaPerkumpulan.objects.count()) == before
    assert not Perkumpulan.objects.filter(kode="CBR-DW-001").exists()


def test_a_workbook_without_the_sheet_imports_as_before(tmp_path, operator):
    imp = imported(make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001")]}), user=operator)
    assert "dana" not in imp.counts and DanaPerkumpulan.objects.count() == 0


def test_export_and_template_carry_the_sheet(tmp_path, operator, staf):
    imported(funds_file(tmp_path, fund(terkumpul=100_000, dipakai=40_000, keterangan="Arisan RT"),
                        fund("CBR-PSY-001", jenis="Dana Kematian", terkumpul=75_000)),
             user=operator)
    buffer = io.BytesIO()
    assert workbook.export_workbook(buffer, user=staf,
                                    area=Wilayah.objects.get(pk="32.77"))["dana"] == 2
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames.index("dana") > book.sheetnames.index("perkumpulan")
    rows = list(book["dana"].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [r[0] for r in rows[1:]] == ["CBR-DW-001", "CBR-PSY-001"]
    assert list(rows[1][3:]) == [100_000, 40_000, "Arisan RT"]
    before = entries()
    buffer.seek(0)
    assert tally(imported(buffer, user=staf))["dana"] == unchanged(2)
    assert entries() == before

    blank = io.BytesIO()
    workbook.template_workbook(blank)
    template = openpyxl.load_workbook(io.BytesIO(blank.getvalue()))
    assert [c.value for c in template["dana"][1]] == COLUMNS
