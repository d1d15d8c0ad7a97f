"""The workbook's `bantuan` sheet: recipients and their distributions from a real .xlsx, all or
nothing, every error located, double aid refused inside the file and against the registry."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bantuan import workbook as bantuan_workbook
from bantuan.models import (
    BentukBantuan,
    Penerima,
    Penyaluran,
    Program,
    Sasaran,
    StatusPenerima,
)
from members.models import Keluarga, Warga
from pmks.models import LogAkses, Tindakan
from registry import workbook
from tests.survey_files import CIBEUREUM, MELONG, make_xlsx, tally, where

NIK_A = "3277014101800001"
NIK_B = "3277011505750002"
NIK_C = "3277013112990005"
NIK_MELONG = "3277014101800009"
KK = "3277010101200001"


def counts() -> dict:
    return {"penerima": Penerima.objects.count(), "penyaluran": Penyaluran.objects.count()}


def program(kode: str, bentuk=BentukBantuan.UANG, sasaran=Sasaran.WARGA, wilayah="32.77",
            mulai=datetime.date(2026, 1, 1), selesai=datetime.date(2026, 12, 31), **fields):
    return Program.objects.create(kode=kode, nama=f"Program {kode}", sumber="APBN",
                                  bentuk=bentuk, sasaran=sasaran, wilayah_id=wilayah,
                                  mulai=mulai, selesai=selesai, **fields)


@pytest.fixture
def world(db, make_warga):
    people = {nik: make_warga(nik, wilayah_id=CIBEUREUM) for nik in (NIK_A, NIK_B, NIK_C)}
    people[NIK_MELONG] = make_warga(NIK_MELONG, wilayah_id=MELONG)
    return {
        "pkh": program("PKH-2026"),
        "blt": program("BLT-2026"),  # cash too: same form as PKH
        "sembako": program("SEMBAKO-2026", bentuk=BentukBantuan.BARANG),
        "kk": program("RTLH-2026", bentuk=BentukBantuan.BARANG, sasaran=Sasaran.KELUARGA),
        "people": people,
    }


def row(kode="PKH-2026", nik=NIK_A, **fields) -> dict:
    return {"kode_program": kode, "nik": nik, **fields}


def run(tmp_path, rows, user=None, name="bantuan.xlsx"):
    return workbook.run(make_xlsx(tmp_path, {"bantuan": rows}, name), user=user)


def refused(tmp_path, rows, expected, user=None):
    before = counts()
    imp = run(tmp_path, rows, user=user)
    assert where(imp) == expected, [str(e) for e in imp.errors]
    assert all(e.message for e in imp.errors)
    assert counts() == before
    return imp


GOOD = [
    row(status="Disetujui", tanggal_salur="15-03-2026", nilai=600000, nomor_bukti="TRF-001",
        penyalur="Bank Himbara"),
    row(tanggal_salur="15-06-2026", nilai=600000, nomor_bukti="TRF-002"),
    row(nik=NIK_B, status="Usulan"),
    row(kode="SEMBAKO-2026", nik=NIK_A, tanggal_salur="2026-04-01", jumlah=10, satuan="kg"),
    {"kode_program": "RTLH-2026", "no_kk": KK, "mulai": "01-02-2026"},
]


def test_good_file_imports_recipients_and_distributions(tmp_path, world, operator):
    Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM)
    imp = run(tmp_path, GOOD, user=operator)
    assert imp.errors == [], [str(e) for e in imp.errors]
    assert tally(imp) == {"bantuan": {"created": 7, "updated": 0, "unchanged": 0}}
    siti = Penerima.objects.get(program__kode="PKH-2026", warga__nik=NIK_A)
    # Whoever receives has received; the period is the programme's.
    assert siti.status == StatusPenerima.DITERIMA
    assert (siti.mulai, siti.selesai) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert siti.desa_id == CIBEUREUM and siti.diputuskan_oleh == operator
    assert list(siti.penyaluran.values_list("nomor_bukti", "nilai")) == [
        ("TRF-001", 600000), ("TRF-002", 600000)]
    assert Penerima.objects.get(warga__nik=NIK_B).status == StatusPenerima.USULAN
    assert Penyaluran.objects.get(penerima__program__kode="SEMBAKO-2026").jumlah == 10
    household = Penerima.objects.get(program__kode="RTLH-2026")
    assert household.keluarga.no_kk == KK and household.mulai == datetime.date(2026, 2, 1)
    assert siti.history.count() == 1  # history by the importing user


def test_reimport_changes_nothing(tmp_path, world, operator):
    Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM)
    assert run(tmp_path, GOOD, user=operator).errors == []
    before = list(Penerima.objects.order_by("pk").values())
    again = run(tmp_path, GOOD, user=operator, name="again.xlsx")
    assert again.errors == []
    assert tally(again) == {"bantuan": {"created": 0, "updated": 0, "unchanged": 7}}
    assert list(Penerima.objects.order_by("pk").values()) == before
    assert Penyaluran.objects.count() == 3


def test_exported_sheet_reimports_unchanged(tmp_path, world, operator, pengamat):
    Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM)
    assert run(tmp_path, GOOD, user=operator).errors == []
    handler = workbook.SHEETS["bantuan"]
    from registry.models import Wilayah
    area = Wilayah.objects.get(pk=CIBEUREUM)
    assert handler.export_rows(pengamat, area) is None  # observers never see recipients
    stream = io.BytesIO()
    workbook.export_workbook(stream, user=operator, area=area)
    stream.seek(0)
    sheet = openpyxl.load_workbook(stream)["bantuan"]
    assert sheet.max_row == 1 + 5  # one row per distribution, one for a recipient without
    assert LogAkses.objects.filter(pengguna=operator, tindakan=Tindakan.EKSPOR).exists()
    path = tmp_path / "export.xlsx"
    path.write_bytes(stream.getvalue())
    again = workbook.run(path, user=operator)
    assert again.errors == [], [str(e) for e in again.errors]
    assert tally(again)["bantuan"]["created"] == 0 and tally(again)["bantuan"]["updated"] == 0


def test_the_template_carries_the_sheet_with_its_status_list(db):
    blank = io.BytesIO()
    workbook.template_workbook(blank)
    sheet = openpyxl.load_workbook(io.BytesIO(blank.getvalue()))["bantuan"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["kode_program", "nik", "no_kk", "kode_perkumpulan"]
    assert "tanggal_salur" in header and "alasan_ganda" in header
    status = openpyxl.utils.get_column_letter(header.index("status") + 1)
    assert any(status + "2" in str(v.sqref) for v in sheet.data_validations.dataValidation)


def test_double_aid_inside_the_file_refused_both_rows_located(tmp_path, world, operator):
    rows = [row(), row(nik=NIK_B), row(kode="BLT-2026")]
    imp = refused(tmp_path, rows, [("bantuan", 2, "alasan_ganda"), ("bantuan", 4, "alasan_ganda")],
                  user=operator)
    assert "BLT-2026" in imp.errors[0].message and "PKH-2026" in imp.errors[1].message


def test_double_aid_inside_the_file_accepted_with_reason(tmp_path, world, operator):
    rows = [row(alasan_ganda="Lansia tunggal, disetujui musdes"),
            row(kode="BLT-2026", alasan_ganda="Lansia tunggal, disetujui musdes"),
            row(kode="SEMBAKO-2026")]  # another form is no double aid
    imp = run(tmp_path, rows, user=operator)
    assert imp.errors == [], [str(e) for e in imp.errors]
    assert set(Penerima.objects.filter(warga__nik=NIK_A).values_list("alasan_ganda", flat=True)) \
        == {"Lansia tunggal, disetujui musdes", ""}


def test_periods_apart_are_no_double_aid(tmp_path, world, operator):
    rows = [row(selesai="30-06-2026"), row(kode="BLT-2026", mulai="01-07-2026")]
    assert run(tmp_path, rows, user=operator).errors == []


def test_double_aid_against_the_registry_refused(tmp_path, world, operator):
    Penerima.objects.create(program=world["blt"], warga=world["people"][NIK_A],
                            desa_id=CIBEUREUM, mulai=datetime.date(2026, 3, 1))
    imp = refused(tmp_path, [row(), row(nik=NIK_B)], [("bantuan", 2, "alasan_ganda")],
                  user=operator)
    assert "BLT-2026" in imp.errors[0].message
    assert run(tmp_path, [row(alasan_ganda="Keputusan kepala desa")], user=operator).errors == []


def test_double_aid_of_a_household_sharing_a_member(tmp_path, world, operator):
    from members.models import AnggotaKeluarga
    old = Keluarga.objects.create(no_kk="3277010101200009", wilayah_id=CIBEUREUM)
    new = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM)
    person = world["people"][NIK_A]
    AnggotaKeluarga.objects.create(keluarga=old, warga=person, mulai=datetime.date(2020, 1, 1),
                                   selesai=datetime.date(2025, 12, 31))
    AnggotaKeluarga.objects.create(keluarga=new, warga=person, mulai=datetime.date(2026, 1, 1))
    other = program("BEDAH-2026", bentuk=BentukBantuan.BARANG, sasaran=Sasaran.KELUARGA)
    Penerima.objects.create(program=other, keluarga=old, desa_id=CIBEUREUM,
                            mulai=datetime.date(2026, 1, 1))
    refused(tmp_path, [{"kode_program": "RTLH-2026", "no_kk": KK}],
            [("bantuan", 2, "alasan_ganda")], user=operator)


def test_quota_per_village_counts_registry_and_file(tmp_path, world, operator):
    quota = program("KUOTA-2026", bentuk=BentukBantuan.JASA, kuota_per_desa=2)
    Penerima.objects.create(program=quota, warga=world["people"][NIK_C], desa_id=CIBEUREUM,
                            mulai=datetime.date(2026, 1, 1))
    rows = [row(kode="KUOTA-2026"), row(kode="KUOTA-2026", nik=NIK_B)]
    imp = refused(tmp_path, rows, [("bantuan", 3, "nik")], user=operator)
    assert "2" in imp.errors[0].message
    # A recipient stopped by the same file frees its place.
    rows.append(row(kode="KUOTA-2026", nik=NIK_C, status="Dihentikan",
                    alasan_berhenti="Pindah domisili"))
    assert run(tmp_path, rows, user=operator).errors == []


def test_stopping_needs_a_reason_and_a_stopped_recipient_receives_nothing(tmp_path, world,
                                                                          operator):
    refused(tmp_path, [row(status="Dihentikan")], [("bantuan", 2, "alasan_berhenti")],
            user=operator)
    Penerima.objects.create(program=world["pkh"], warga=world["people"][NIK_A],
                            desa_id=CIBEUREUM, mulai=datetime.date(2026, 1, 1),
                            selesai=datetime.date(2026, 3, 1), status=StatusPenerima.DIHENTIKAN,
                            alasan_berhenti="Meninggal dunia")
    imp = refused(tmp_path, [row(tanggal_salur="01-04-2026", nilai=300000)],
                  [("bantuan", 2, "tanggal_salur")], user=operator)
    assert "Meninggal dunia" in imp.errors[0].message


def test_dates_outside_the_programme(tmp_path, world, operator):
    rows = [row(mulai="01-12-2025"), row(nik=NIK_B, selesai="01-01-2027"),
            row(nik=NIK_C, tanggal_salur="31-12-2025", nilai=1000)]
    refused(tmp_path, rows, [("bantuan", 2, "mulai"), ("bantuan", 3, "selesai"),
                             ("bantuan", 4, "tanggal_salur")], user=operator)


def test_absurd_values(tmp_path, world, operator):
    rows = [row(tanggal_salur="01-02-2026", nilai=-5),
            row(nik=NIK_B, tanggal_salur="01-02-2026", nilai=5_000_000_000),
            row(nik=NIK_C, tanggal_salur="01-02-2026", jumlah=1_000_000),
            row(kode="SEMBAKO-2026", tanggal_salur="01-02-2026", nilai="banyak")]
    refused(tmp_path, rows, [("bantuan", 2, "nilai"), ("bantuan", 3, "nilai"),
                             ("bantuan", 4, "jumlah"), ("bantuan", 5, "nilai")], user=operator)


def test_unknown_programme_household_person_and_wrong_target(tmp_path, world, operator):
    rows = [row(kode="TIDAK-ADA"),
            {"kode_program": "RTLH-2026", "no_kk": KK},
            row(nik="3277010101010001"),
            row(kode="RTLH-2026"),  # a household programme named by NIK
            {"kode_program": "PKH-2026", "nik": NIK_A, "no_kk": KK}]
    # A row's own cells are told first (row 6), then what the registry says.
    refused(tmp_path, rows, [("bantuan", 6, "no_kk"), ("bantuan", 2, "kode_program"),
                             ("bantuan", 3, "no_kk"), ("bantuan", 4, "nik"),
                             ("bantuan", 5, "nik")], user=operator)


def test_recipient_outside_the_users_and_the_programmes_area(tmp_path, world, operator, staf):
    # Melong is not the Cibeureum operator's village: its person is not even visible.
    refused(tmp_path, [row(nik=NIK_MELONG)], [("bantuan", 2, "nik")], user=operator)
    program("CBR-ONLY", wilayah=CIBEUREUM)
    imp = refused(tmp_path, [row(kode="CBR-ONLY", nik=NIK_MELONG)], [("bantuan", 2, "nik")],
                  user=staf)
    assert imp.errors[0].value == NIK_MELONG


def test_a_person_seen_through_a_group_but_living_elsewhere(tmp_path, world, operator,
                                                          make_perkumpulan):
    from members.models import Keanggotaan
    # The Cibeureum operator sees Melong's person through a Cibeureum group, but may not write
    # Melong's data: refused on the NIK.
    Keanggotaan.objects.create(warga=world["people"][NIK_MELONG],
                               perkumpulan=make_perkumpulan("CBR-DW-001"))
    imp = refused(tmp_path, [row(nik=NIK_MELONG)], [("bantuan", 2, "nik")], user=operator)
    assert imp.errors[0].value == NIK_MELONG


def test_another_areas_staff_does_not_see_the_programme(tmp_path, world, staf_lain):
    refused(tmp_path, [row()], [("bantuan", 2, "kode_program")], user=staf_lain)


def test_groups_of_the_file_and_registered(tmp_path, world, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    program("STIM-2026", bentuk=BentukBantuan.STIMULAN, sasaran=Sasaran.PERKUMPULAN)
    rows = [{"kode_program": "STIM-2026", "kode_perkumpulan": "CBR-DW-001",
             "tanggal_salur": "01-05-2026", "nilai": 5_000_000, "nomor_bukti": "KW-9"}]
    imp = run(tmp_path, rows, user=operator)
    assert imp.errors == [], [str(e) for e in imp.errors]
    assert Penerima.objects.get(perkumpulan__kode="CBR-DW-001").status == StatusPenerima.DITERIMA


def test_a_group_of_the_files_perkumpulan_sheet(tmp_path, world, operator):
    from registry.models import Perkumpulan
    from tests.survey_files import group
    program("STIM-2026", bentuk=BentukBantuan.STIMULAN, sasaran=Sasaran.PERKUMPULAN)
    sheets = {"perkumpulan": [group("CBR-KT-077")],
              "bantuan": [{"kode_program": "STIM-2026", "kode_perkumpulan": "CBR-KT-077",
                           "tanggal_salur": "01-05-2026", "nilai": 2_500_000}]}
    first = workbook.run(make_xlsx(tmp_path, sheets), user=operator)
    assert first.errors == [], [str(e) for e in first.errors]
    recipient = Penerima.objects.get(program__kode="STIM-2026")
    assert recipient.perkumpulan == Perkumpulan.objects.get(kode="CBR-KT-077")
    again = workbook.run(make_xlsx(tmp_path, sheets, "again.xlsx"), user=operator)
    assert again.errors == [], [str(e) for e in again.errors]
    assert tally(again)["bantuan"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert Penyaluran.objects.get().nilai == 2_500_000


def test_nothing_written_when_one_row_is_wrong(tmp_path, world, operator):
    rows = [*GOOD[:4], row(nik=NIK_C, tanggal_salur="01-01-2030", nilai=1)]
    before = counts()
    imp = run(tmp_path, rows, user=operator)
    assert where(imp) == [("bantuan", 6, "tanggal_salur")]
    assert counts() == before


def test_observer_may_not_import(tmp_path, world, pengamat):
    from registry.workbook import WorkbookError
    with pytest.raises(WorkbookError):
        run(tmp_path, [row()], user=pengamat)


def _import_queries(tmp_path, n: int, user, check: bool) -> int:
    people = [f"327701200100{i + 1:04d}" for i in range(n)]
    Warga.objects.bulk_create([Warga(nik=nik, nama=f"Warga {i}", wilayah_id=CIBEUREUM)
                               for i, nik in enumerate(people)])
    rows = [row(kode="PKH-2026", nik=nik, tanggal_salur="01-02-2026", nilai=100000)
            for nik in people]
    path = make_xlsx(tmp_path, {"bantuan": rows}, f"n{n}.xlsx")
    bantuan_workbook.CHECK_DOUBLE_AID = check
    try:
        with CaptureQueriesContext(connection) as queries:
            imp = workbook.run(path, user=user)
    finally:
        bantuan_workbook.CHECK_DOUBLE_AID = True
    assert imp.errors == [], [str(e) for e in imp.errors]
    assert Penerima.objects.filter(warga__nik__in=people).count() == n
    Penyaluran.objects.all().delete()
    Penerima.objects.all().delete()
    Warga.objects.filter(nik__in=people).delete()
    return len(queries)


def test_query_count_fixed_whatever_the_number_of_rows(tmp_path, world, operator):
    small = _import_queries(tmp_path, 10, operator, check=True)
    large = _import_queries(tmp_path, 200, operator, check=True)
    assert small == large
    # The double-aid check costs a fixed number of queries (for person programmes: one).
    assert small - _import_queries(tmp_path, 10, operator, check=False) <= 2


def test_the_recap_counts_what_the_import_gave(tmp_path, world, operator):
    """The sheet's raw writes mark their areas, and the villages of the cases of the people
    given something (NIK_A has a case in Melong): the recap reads them at once, none waiting."""
    from pmks.models import KasusPMKS, KategoriPMKS
    from registry import rekap
    from registry.models import RekapBasi, Wilayah

    kategori = KategoriPMKS.objects.order_by("urutan", "nama").first()
    KasusPMKS.objects.create(nama="Siti", desa_id=MELONG, kategori=kategori,
                             warga=world["people"][NIK_A])
    rekap.refresh_stale(Wilayah.objects.get(pk="32.77"))
    Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM)
    assert run(tmp_path, GOOD, user=operator).errors == []
    assert not RekapBasi.objects.exists()
    found = {t.nomor: t for t in rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2026).tabel}
    assert [(r.kode, r.nilai, r.jumlah) for r in found[14].baris] == [
        ("PKH-2026", [2, 2, 1_200_000], 1), ("RTLH-2026", [1, 0, 0], 1),
        ("SEMBAKO-2026", [1, 1, 0], 1)]
    melong = {t.nomor: t for t in rekap.build(Wilayah.objects.get(pk=MELONG), 2026).tabel}
    assert [(r.kode, r.nilai) for r in melong[15].baris] == [(kategori.kode, [1])]
