"""django-import-export of households in the admin (members.resources.KeluargaResource): each
cell read as the keluarga sheet reads it, rows kept within the user's area, the whole file
refused for one bad row; exports masked for those who may not see personal data."""

import pytest

from tests.admin_import import (  # noqa: F401 (fixtures)
    assert_read_as_the_sheet_reads,
    check_export_imports_again_unchanged,
    confirm,
    csv_file,
    english,
    upload,
    validation_messages,
    xlsx_file,
)
from tests.conftest import CIBEUREUM, MELONG

pytestmark = pytest.mark.django_db
HOUSEHOLDS = "/admin/members/keluarga/"
KK = "3277011505150001"
HEAD = "3277010203750002"
HEADER = ["no_kk", "wilayah", "rw", "rt", "alamat", "kepala"]


@pytest.fixture
def head(make_perkumpulan, make_warga):
    from members.models import Keanggotaan

    person = make_warga(HEAD, nama="Budi Santoso", wilayah_id=CIBEUREUM)
    Keanggotaan.objects.create(warga=person, perkumpulan=make_perkumpulan("CBR-DW-001"))
    return person


def test_an_operator_imports_the_households_of_their_village(client, operator, head,
                                                             tmp_path):
    from members.models import Keluarga

    path = xlsx_file(tmp_path, HEADER, [
        [KK, "3277011002", 3, "2", "Jl. Mawar 5", HEAD],
        ["3277011505150002", CIBEUREUM, None, None, None, None],
    ])
    client.force_login(operator)
    preview = upload(client, HOUSEHOLDS, path)
    assert not validation_messages(preview)
    assert preview.context["result"].totals["new"] == 2
    confirm(client, HOUSEHOLDS, preview)
    assert list(Keluarga.objects.order_by("no_kk").values_list(
        "no_kk", "wilayah", "rw", "rt", "alamat", "kepala__nama")) == [
        (KK, CIBEUREUM, 3, 2, "Jl. Mawar 5", "Budi Santoso"),
        ("3277011505150002", CIBEUREUM, None, None, "", None),
    ]
    assert Keluarga.history.count() == 2

    again = upload(client, HOUSEHOLDS, path)  # the same file again: nothing to change
    assert again.context["result"].totals["skip"] == 2


def test_a_household_outside_the_users_area_refuses_the_whole_file(client, operator, head,
                                                                   tmp_path):
    from members.models import Keluarga

    path = csv_file(tmp_path, HEADER, [
        [KK, CIBEUREUM, "3", "2", "", HEAD],
        ["3277011505150002", MELONG, "1", "1", "", ""],
    ])
    client.force_login(operator)
    preview = upload(client, HOUSEHOLDS, path)
    assert "confirm_form" not in preview.context
    invalid = preview.context["result"].invalid_rows
    assert [(row.number, list(row.error_dict)) for row in invalid] == [(2, ["wilayah"])]
    assert "outside your area" in invalid[0].error_dict["wilayah"][0]
    assert not Keluarga.objects.exists()


def test_a_household_of_another_village_cannot_be_changed_by_its_number(
        client, operator, tmp_path):
    from members.models import Keluarga

    Keluarga.objects.create(no_kk=KK, wilayah_id=MELONG, alamat="Melong")
    path = csv_file(tmp_path, HEADER, [[KK, CIBEUREUM, "", "", "Cibeureum", ""]])
    client.force_login(operator)
    preview = upload(client, HOUSEHOLDS, path)
    assert any("household outside your area" in m for m in validation_messages(preview))
    assert Keluarga.objects.get().alamat == "Melong"


def test_a_bad_kk_number_is_refused_with_its_row(client, staf, tmp_path):
    from members.models import Keluarga

    path = xlsx_file(tmp_path, HEADER, [
        [KK, CIBEUREUM, 1, 1, "", None],
        ["3277013215150002", CIBEUREUM, 1, 1, "", None],  # no 32nd day
        [3277011505150010, CIBEUREUM, 1, 1, "", None],  # typed as a number
    ])
    client.force_login(staf)
    preview = upload(client, HOUSEHOLDS, path)
    invalid = preview.context["result"].invalid_rows
    assert [(row.number, list(row.error_dict)) for row in invalid] == [
        (2, ["no_kk"]), (3, ["no_kk"])]
    assert "are not a valid date of issue" in invalid[0].error_dict["no_kk"][0]
    assert "typed as a number" in invalid[1].error_dict["no_kk"][0]
    assert not Keluarga.objects.exists()


@pytest.mark.parametrize("column, cells", [
    ("no_kk", [KK, "3277013215150002", "32770115051500", 3277011505150010, " 3277011505150001 "]),
    ("rw", ["3", "-1", 0, "RW 04"]),
    ("rt", ["12", "1000"]),
])
def test_household_columns_are_read_as_the_keluarga_sheet_reads_them(column, cells):
    from members import workbook as sheet
    from members.resources import KeluargaResource
    from registry import workbook

    convert = {"no_kk": sheet.to_no_kk, "rw": workbook.to_rw_rt, "rt": workbook.to_rw_rt}
    assert_read_as_the_sheet_reads(KeluargaResource, column, convert[column], cells)


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_an_export_imports_again_unchanged(client, staf, head, fmt, tmp_path):
    from members.models import Keluarga

    Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, rw=3, rt=2, alamat="=Jl. Mawar",
                            kepala=head)
    client.force_login(staf)
    check_export_imports_again_unchanged(client, HOUSEHOLDS, fmt, tmp_path)


def test_observers_open_no_household_export(client, pengamat):
    client.force_login(pengamat)
    assert client.get(f"{HOUSEHOLDS}export/").status_code == 403
    assert client.get(f"{HOUSEHOLDS}import/").status_code == 403
