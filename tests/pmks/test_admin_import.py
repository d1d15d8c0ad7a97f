"""django-import-export in the admin, PMKS cases (pmks.resources): none for observers, and what
staff export they can import again."""

import pytest

from tests.admin_import import (  # noqa: F401 (fixtures)
    PMKS,
    assert_read_as_the_sheet_reads,
    check_export_imports_again_unchanged,
    english,
    one_of_everything,
)

pytestmark = pytest.mark.django_db


def test_observer_may_not_export_pmks(client, pengamat, staf):
    client.force_login(pengamat)
    assert client.get(f"{PMKS}export/").status_code == 403
    assert client.get(f"{PMKS}import/").status_code == 403
    client.force_login(staf)
    assert client.get(f"{PMKS}export/").status_code == 200


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
@pytest.mark.usefixtures("one_of_everything")
def test_an_export_imports_again_unchanged(client, staf, fmt, tmp_path):
    client.force_login(staf)
    check_export_imports_again_unchanged(client, PMKS, fmt, tmp_path)


@pytest.mark.parametrize("column, cells", [
    ("nama", ["  Penerima   Bantuan ", "x" * 201]),
    ("rw", ["3", "-1"]),
    ("tanggal_identifikasi", ["06-05-2024", "31-12-2999", "kemarin"]),
    ("status", ["Selesai Ditangani", "menolak", "DITANGANI", "hilang"]),
])
def test_case_columns_are_read_as_the_pmks_sheet_reads_them(column, cells):
    from pmks import workbook as sheet
    from pmks.resources import KasusPMKSResource
    from registry import workbook

    convert = {"nama": workbook.to_name, "rw": workbook.to_rw_rt,
               "tanggal_identifikasi": workbook.to_past_date, "status": sheet.STATUS}[column]
    assert_read_as_the_sheet_reads(KasusPMKSResource, column, convert, cells)
