"""The anggota sheet of the survey workbook (members.workbook) and the people of a file: NIKs,
names across sheets, roles and their history, dates."""

import datetime

import pytest
from django.utils import timezone, translation

from members.models import Keanggotaan, PeranAnggota, Warga
from pmks.models import KasusPMKS
from registry import workbook
from tests.survey_files import (
    BUDI,
    GOOD_CASE,
    GOOD_GROUP,
    SITI,
    case,
    created,
    group,
    imported,
    make_xlsx,
    member,
    message,
    refused,
    tally,
    unchanged,
    with_number_as,
)

pytestmark = pytest.mark.django_db


# The anggota sheet -------------------------------------------------------------------------------
def members_file(tmp_path, *rows, extra=None):
    sheets = {"perkumpulan": [GOOD_GROUP], "anggota": [member("CBR-OK-001", SITI, "Siti"), *rows]}
    sheets.update(extra or {})
    return make_xlsx(tmp_path, sheets)


@pytest.mark.parametrize(
    "nik",
    ["327701410180001", "32770141018A0001", "3277014113800001"],
    ids=["15-digits", "letters", "month-13"],
)
def test_a_bad_nik_is_an_error(tmp_path, nik):
    path = members_file(tmp_path, member("CBR-OK-001", nik, "Budi"), extra={"pmks": [GOOD_CASE]})
    imp = refused(path, [("anggota", 3, "nik")])
    assert imp.errors[0].value == nik


def test_a_nik_given_as_a_float_cell_is_refused(tmp_path):
    # openpyxl writes a whole float as "3277011505750002", read back as an int: store the cell
    # the way a spreadsheet writes a number in scientific notation, which reads as a float.
    path = members_file(tmp_path, member("CBR-OK-001", int(BUDI), "Budi"))
    with_number_as(path, BUDI, "3.277011505750002E+15")
    imp = refused(path, [("anggota", 3, "nik")])
    with translation.override("en"):
        imp = workbook.run(path)
    assert "text" in message(imp)


def test_a_nik_given_as_an_int_cell_is_accepted(tmp_path):
    imported(members_file(tmp_path, member("CBR-OK-001", int(BUDI), "Budi")))
    assert Warga.objects.get(nik=BUDI).nama == "Budi"


def test_the_same_nik_with_two_names_in_one_sheet_is_an_error(tmp_path):
    path = members_file(
        tmp_path, member("CBR-DW-002", SITI, "Siti Rahayu"),
        extra={"perkumpulan": [GOOD_GROUP, group("CBR-DW-002")]},
    )
    imp = refused(path, [("anggota", 3, "nama")])
    assert imp.errors[0].value == "Siti Rahayu"


def test_the_same_nik_with_two_names_across_the_anggota_and_pmks_sheets_is_an_error(tmp_path):
    path = members_file(tmp_path, extra={
        "pmks": [GOOD_CASE, case("Siti Rahayu", "Fakir Miskin", nik=SITI)],
    })
    imp = refused(path, [("pmks", 3, "nama")])
    assert imp.errors[0].value == "Siti Rahayu"


def test_a_name_differing_only_in_case_and_spaces_is_the_same_person(tmp_path):
    path = members_file(tmp_path, member("CBR-DW-002", SITI, "  SITI "),
                        extra={"perkumpulan": [GOOD_GROUP, group("CBR-DW-002")]})
    imported(path)
    assert Warga.objects.filter(nik=SITI).count() == 1


def test_an_anggota_row_of_an_unknown_group_is_an_error(tmp_path):
    path = members_file(tmp_path, member("CBR-XX-999", BUDI, "Budi"), extra={"pmks": [GOOD_CASE]})
    imp = refused(path, [("anggota", 3, "kode_perkumpulan")])
    assert imp.errors[0].value == "CBR-XX-999"


def test_an_anggota_row_of_a_registered_group_works_without_a_perkumpulan_sheet(
    tmp_path, make_perkumpulan
):
    dw = make_perkumpulan("CBR-DW-001")
    path = make_xlsx(tmp_path, {"anggota": [member("CBR-DW-001", SITI, "Siti", peran="Ketua")]})
    imp = imported(path)
    assert tally(imp) == {"anggota": created(1)}
    membership = Keanggotaan.objects.get(perkumpulan=dw)
    assert (membership.warga.nik, membership.peran) == (SITI, PeranAnggota.KETUA)


def test_two_ketua_for_one_group_is_an_error(tmp_path):
    path = members_file(
        tmp_path, member("CBR-DW-002", SITI, "Siti", peran="Ketua"),
        member("CBR-DW-002", BUDI, "Budi", peran="ketua"),
        extra={"perkumpulan": [GOOD_GROUP, group("CBR-DW-002")], "pmks": [GOOD_CASE]},
    )
    refused(path, [("anggota", 4, "peran")])


def test_a_role_change_on_reimport_ends_the_old_membership_and_starts_a_new_one(tmp_path):
    this_year = timezone.localdate().year
    first = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001")],
        "anggota": [member("CBR-DW-001", SITI, "Siti", peran="Ketua", mulai_tahun=2019),
                    member("CBR-DW-001", BUDI, "Budi", peran="Anggota", mulai_tahun=2019)],
    }, "first.xlsx")
    imported(first)
    swapped = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001")],
        "anggota": [member("CBR-DW-001", SITI, "Siti", peran="Anggota", mulai_tahun=this_year),
                    member("CBR-DW-001", BUDI, "Budi", peran="Ketua", mulai_tahun=this_year)],
    }, "swapped.xlsx")

    imp = imported(swapped)

    assert tally(imp)["anggota"] == {"created": 0, "updated": 2, "unchanged": 0}
    today = timezone.localdate()
    history = sorted(Keanggotaan.objects.values_list("warga__nik", "peran", "mulai", "selesai"),
                     key=lambda m: (m[0], m[3] is None))
    assert history == [
        (BUDI, "ANGGOTA", datetime.date(2019, 1, 1), today),
        (BUDI, "KETUA", datetime.date(this_year, 1, 1), None),
        (SITI, "KETUA", datetime.date(2019, 1, 1), today),
        (SITI, "ANGGOTA", datetime.date(this_year, 1, 1), None),
    ]
    # The same file again: the history stays as it is.
    assert tally(imported(swapped))["anggota"] == unchanged(2)
    assert Keanggotaan.objects.count() == 4


@pytest.mark.parametrize(
    "tanggal",
    [datetime.date(1975, 5, 15), "15-05-1975", "15/05/1975", "1975-05-15"],
    ids=["excel-date", "dd-mm-yyyy", "dd/mm/yyyy", "yyyy-mm-dd"],
)
def test_dates_as_excel_dates_or_text(tmp_path, tanggal):
    path = members_file(
        tmp_path, member("CBR-OK-001", BUDI, "Budi", tanggal_lahir=tanggal),
        extra={"pmks": [case("Mak Icih", tanggal_identifikasi=tanggal)]},
    )
    imp = imported(path)
    assert imp.warnings == []  # and it agrees with the NIK
    assert Warga.objects.get(nik=BUDI).tanggal_lahir == datetime.date(1975, 5, 15)
    assert KasusPMKS.objects.get(nama="Mak Icih").tanggal_identifikasi == datetime.date(
        1975, 5, 15
    )


def test_a_bad_date_is_an_error(tmp_path):
    path = members_file(
        tmp_path, member("CBR-OK-001", BUDI, "Budi", tanggal_lahir="30/02/1975"),
        extra={"pmks": [GOOD_CASE]},
    )
    imp = refused(path, [("anggota", 3, "tanggal_lahir")])
    assert imp.errors[0].value == "30/02/1975"
