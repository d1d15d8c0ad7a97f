"""The survey workbook's households: the optional `keluarga` sheet, the optional `no_kk` column of
`anggota` (a row with a KK number and no NIK is a member household), errors located by sheet, row
and column with nothing written, the blank template and the export."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from members.models import AnggotaKeluarga, Keanggotaan, KeanggotaanKeluarga, Keluarga, Warga
from registry import workbook
from registry.models import Wilayah
from tests.survey_files import (
    BUDI,
    CIBEUREUM,
    GOOD_GROUP,
    MELONG,
    SITI,
    created,
    imported,
    make_xlsx,
    member,
    refused,
    tally,
    unchanged,
)

pytestmark = pytest.mark.django_db

KK_SITI = "3277011505150001"
KK_ENI = "3277010203160002"
ENI = "3277014506850003"  # a woman born 5 June 1985, head of the second household


def kk(no_kk, **fields) -> dict:
    return {"no_kk": no_kk, "desa": CIBEUREUM, **fields}


def households_file(tmp_path, keluarga=None, anggota=None):
    sheets = {
        "perkumpulan": [GOOD_GROUP],
        "keluarga": keluarga if keluarga is not None else [
            kk(KK_SITI, rw=3, rt=2, alamat="Jl. Mawar 5", nik_kepala=SITI),
            kk(KK_ENI, rw=3, rt=4, nik_kepala=ENI, nama_kepala="Eni Suryani"),
        ],
        "anggota": anggota if anggota is not None else [
            member("CBR-OK-001", SITI, "Siti", peran="Ketua", no_kk=KK_SITI),
            member("CBR-OK-001", BUDI, "Budi", no_kk=KK_SITI),
            member("CBR-OK-001", None, None, no_kk=KK_ENI, mulai_tahun=2010),
        ],
    }
    return make_xlsx(tmp_path, sheets)


def household_rows():
    return (Keluarga.objects.count(), AnggotaKeluarga.objects.count(),
            KeanggotaanKeluarga.objects.count())


def test_the_keluarga_sheet_and_the_no_kk_column_import(tmp_path):
    imp = imported(households_file(tmp_path))
    assert tally(imp) == {"perkumpulan": created(1), "keluarga": created(2),
                          "anggota": created(3)}
    siti = Keluarga.objects.get(no_kk=KK_SITI)
    assert (siti.wilayah_id, siti.rw, siti.rt, siti.alamat, siti.kepala.nik) == (
        CIBEUREUM, 3, 2, "Jl. Mawar 5", SITI)
    eni = Keluarga.objects.get(no_kk=KK_ENI)
    assert eni.kepala.nama == "Eni Suryani"  # registered from the keluarga sheet
    today = timezone.localdate()
    assert sorted(AnggotaKeluarga.objects.values_list(
        "keluarga__no_kk", "warga__nik", "hubungan", "mulai", "selesai")) == [
        (KK_ENI, ENI, "KEPALA", today, None),
        (KK_SITI, BUDI, "LAINNYA", today, None),
        (KK_SITI, SITI, "KEPALA", today, None),
    ]
    # Two people members, one member household (Eni's KK), which is no person member.
    assert Keanggotaan.objects.count() == 2
    assert list(KeanggotaanKeluarga.objects.values_list(
        "perkumpulan__kode", "keluarga__no_kk", "mulai", "selesai")) == [
        ("CBR-OK-001", KK_ENI, datetime.date(2010, 1, 1), None)]
    assert not Keanggotaan.objects.filter(warga__nik=ENI).exists()

    again = imported(households_file(tmp_path))
    assert tally(again) == {"perkumpulan": unchanged(1), "keluarga": unchanged(2),
                            "anggota": unchanged(3)}
    assert household_rows() == (2, 3, 1)


def test_a_person_moved_to_another_household_ends_the_old_membership_today(tmp_path):
    imported(households_file(tmp_path))
    moved = households_file(tmp_path, anggota=[
        member("CBR-OK-001", SITI, "Siti", peran="Ketua", no_kk=KK_SITI),
        member("CBR-OK-001", BUDI, "Budi", no_kk=KK_ENI),
    ])
    imported(moved)
    today = timezone.localdate()
    assert list(AnggotaKeluarga.objects.filter(warga__nik=BUDI).order_by("pk").values_list(
        "keluarga__no_kk", "selesai")) == [(KK_SITI, today), (KK_ENI, None)]


@pytest.mark.parametrize(("sheet", "bad"), [
    ("keluarga", "327701150515001"),  # 15 digits
    ("keluarga", "3277011513150001"),  # month 13
    ("anggota", "3277011505150000"),  # sequence 0000
])
def test_a_bad_kk_number_is_located_and_nothing_is_written(tmp_path, sheet, bad):
    if sheet == "keluarga":
        path = households_file(tmp_path, keluarga=[
            kk(KK_SITI, nik_kepala=SITI), kk(bad, nik_kepala=ENI, nama_kepala="Eni")],
            anggota=[member("CBR-OK-001", SITI, "Siti", no_kk=KK_SITI)])
        expected = [("keluarga", 3, "no_kk")]
    else:
        path = households_file(tmp_path, anggota=[
            member("CBR-OK-001", SITI, "Siti", no_kk=KK_SITI),
            member("CBR-OK-001", None, None, no_kk=bad),
        ])
        expected = [("anggota", 3, "no_kk")]
    imp = refused(path, expected)
    assert imp.errors[0].value == bad
    assert household_rows() == (0, 0, 0)


def test_a_household_neither_on_the_sheet_nor_registered_is_an_error(tmp_path):
    path = households_file(tmp_path, keluarga=[kk(KK_SITI, nik_kepala=SITI)], anggota=[
        member("CBR-OK-001", SITI, "Siti"),
        member("CBR-OK-001", BUDI, "Budi", no_kk=KK_ENI),
    ])
    refused(path, [("anggota", 3, "no_kk")])
    assert household_rows() == (0, 0, 0)


def test_a_household_cannot_hold_a_board_role(tmp_path):
    path = households_file(tmp_path, anggota=[
        member("CBR-OK-001", SITI, "Siti"),
        member("CBR-OK-001", None, None, peran="Ketua", no_kk=KK_ENI),
    ])
    refused(path, [("anggota", 3, "peran")])


def test_a_head_who_is_nowhere_is_an_error(tmp_path):
    path = households_file(tmp_path, keluarga=[kk(KK_ENI, nik_kepala=ENI)],
                           anggota=[member("CBR-OK-001", SITI, "Siti")])
    refused(path, [("keluarga", 2, "nik_kepala")])


def test_an_operator_imports_households_of_their_own_village_only(tmp_path, operator_lain):
    path = make_xlsx(tmp_path, {"keluarga": [kk(KK_SITI, desa=MELONG), kk(KK_ENI)]})
    refused(path, [("keluarga", 3, "desa")], user=operator_lain)
    imported(make_xlsx(tmp_path, {"keluarga": [kk(KK_SITI, desa=MELONG)]}), user=operator_lain)
    assert Keluarga.objects.get().wilayah_id == MELONG


def test_a_workbook_without_households_imports_as_before(tmp_path):
    imp = imported(make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP],
                                        "anggota": [member("CBR-OK-001", SITI, "Siti")]}))
    assert tally(imp)["anggota"] == created(1)
    assert household_rows() == (0, 0, 0)
    assert Warga.objects.count() == 1


def test_the_template_offers_the_sheet_and_the_column_and_the_export_writes_them(
        tmp_path, admin_user):
    buffer = io.BytesIO()
    workbook.template_workbook(buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert [c.value for c in book["keluarga"][1]] == [
        "no_kk", "desa", "rw", "rt", "alamat", "nik_kepala", "nama_kepala"]
    assert book["anggota"].cell(row=1, column=9).value == "no_kk"
    assert book.sheetnames.index("keluarga") < book.sheetnames.index("anggota")

    imported(households_file(tmp_path))
    buffer = io.BytesIO()
    workbook.export_workbook(buffer, user=admin_user, area=Wilayah.objects.get(pk="32.77"))
    exported = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    rows = {ws.title: list(ws.iter_rows(values_only=True)) for ws in exported.worksheets}
    assert rows["keluarga"][1:] == [
        (KK_ENI, CIBEUREUM, 3, 4, None, ENI, "Eni Suryani"),
        (KK_SITI, CIBEUREUM, 3, 2, "Jl. Mawar 5", SITI, "Siti"),
    ]
    assert [(r[0], r[1], r[8]) for r in rows["anggota"][1:]] == [
        ("CBR-OK-001", BUDI, KK_SITI),
        ("CBR-OK-001", SITI, KK_SITI),
        ("CBR-OK-001", None, KK_ENI),
    ]
    # The export imports again as it is: nothing changes.
    path = tmp_path / "export.xlsx"
    path.write_bytes(buffer.getvalue())
    again = imported(path)
    assert again.counts["keluarga"].as_dict() == unchanged(2)
    assert again.counts["anggota"].as_dict() == unchanged(3)


def test_a_household_without_a_head_reimports_unchanged_and_an_address_change_updates(tmp_path):
    first = make_xlsx(tmp_path, {"keluarga": [kk(KK_ENI, rw=3)]})
    assert tally(imported(first)) == {"keluarga": created(1)}
    assert tally(imported(first)) == {"keluarga": unchanged(1)}
    moved = make_xlsx(tmp_path, {"keluarga": [kk(KK_ENI, rw=4, alamat="Jl. Melati 2")]})
    assert tally(imported(moved))["keluarga"] == {"created": 0, "updated": 1, "unchanged": 0}
    household = Keluarga.objects.get()
    assert (household.rw, household.alamat, household.kepala) == (4, "Jl. Melati 2", None)
    assert household.history.count() == 2  # created, then changed
    # A head named later is a change too, and becomes the household's current head.
    headed = make_xlsx(tmp_path, {"keluarga": [
        kk(KK_ENI, nik_kepala=ENI, nama_kepala="Eni Suryani")]})
    assert tally(imported(headed))["keluarga"]["updated"] == 1
    assert Keluarga.objects.get().kepala.nik == ENI
    assert AnggotaKeluarga.objects.get().hubungan == "KEPALA"
