"""The survey-workbook import (registry.workbook.run) over its four sheets.

Every test builds a real .xlsx with openpyxl in tmp_path and runs the whole pipeline on it. A
file with any error must change nothing: `refused()` counts the rows of every table the import
writes before and after. Row numbers are the ones Excel shows (headers on row 1).

Messages are checked in English (translation.override("en")) where their wording matters, so that
these tests hold whatever the Indonesian catalogue says; one test checks that the default is
Indonesian.
"""

import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from members.models import Keanggotaan, Warga
from network.models import BentukHubungan, Hubungan, JenisMitra
from pmks.models import KasusPMKS, StatusKasus
from registry import workbook
from registry.models import Daftar, Perkumpulan, Pilihan
from tests.survey_files import (
    ASEP,
    BUDI,
    CIBEUREUM,
    GOOD_CASE,
    GOOD_GROUP,
    MELONG,
    MODELS,
    SITI,
    case,
    codes,
    counts,
    created,
    dump,
    good_sheets,
    group,
    imported,
    link,
    make_xlsx,
    member,
    message,
    refused,
    tally,
    unchanged,
    where,
)

pytestmark = pytest.mark.django_db


# A good file --------------------------------------------------------------------------------------
def test_good_file_creates_everything_reimport_is_unchanged_and_one_changed_cell_updates(
    tmp_path,
):
    path = make_xlsx(tmp_path, good_sheets())
    before = counts()

    imp = imported(path)

    assert imp.warnings == []
    assert tally(imp) == {
        "perkumpulan": created(2), "anggota": created(3), "pmks": created(2),
        "jaringan": created(2),
    }
    # What the caller keeps (a web import's result page, the queue's record) is the outcome,
    # not the file's rows: those are let go once written.
    assert (imp.parsed, imp.plans, imp._parts) == ({}, {}, {})
    assert {k: counts()[k] - before[k] for k in before} == {
        "Perkumpulan": 2, "Warga": 3, "Keanggotaan": 3, "KasusPMKS": 2, "Hubungan": 2,
        "Mitra": 1, "Pilihan": 0,
    }
    dw = Perkumpulan.objects.get(kode="CBR-DW-001")
    assert (dw.nama, dw.jenis.kode, dw.desa_id, dw.rw, dw.rt, dw.tahun_berdiri) == (
        "Dasa Wisma Melati", "DW", CIBEUREUM, 3, 2, 2001
    )
    assert (dw.tujuan.kode, dw.jumlah_anggota, dw.masa_kepengurusan) == ("IBU_ANAK", 12, 4)
    assert (dw.jaringan_kerja, dw.prakarsa, dw.aktif) == ("ORSOS", "MASYARAKAT", True)
    assert codes(dw.syarat_keanggotaan) == {"DOMISILI", "TANPA"}
    assert codes(dw.sumber_dana) == {"IURAN", "SUMBANGAN"}
    assert codes(dw.nilai_solidaritas) == {"GOTONG_ROYONG"}
    assert codes(dw.kegiatan) == {"ARISAN", "SIMPAN_PINJAM"}
    psy = Perkumpulan.objects.get(kode="CBR-PSY-001")
    assert (psy.rt, psy.jaringan_kerja, psy.prakarsa) == (None, "PEMERINTAH", "PEMERINTAH")
    assert codes(psy.nilai_solidaritas) == {"GOTONG_ROYONG", "MUSIBAH"}

    siti = Warga.objects.get(nik=SITI)
    assert (siti.nama, siti.jenis_kelamin, siti.tanggal_lahir, siti.pendidikan) == (
        "Siti Aminah", "P", datetime.date(1980, 1, 1), "SMA"
    )
    assert sorted(
        Keanggotaan.objects.values_list("perkumpulan__kode", "warga__nik", "peran", "mulai")
    ) == [
        ("CBR-DW-001", BUDI, "ANGGOTA", datetime.date(2020, 1, 1)),
        ("CBR-DW-001", SITI, "KETUA", datetime.date(2019, 1, 1)),
        ("CBR-PSY-001", SITI, "BENDAHARA", datetime.date(2018, 1, 1)),
    ]
    asep = KasusPMKS.objects.get(nama="Asep Saepudin")
    assert (asep.warga.nik, asep.kategori.kode, asep.status, asep.pendamping.kode) == (
        ASEP, "PD", StatusKasus.DITANGANI, "CBR-PSY-001"
    )
    assert (asep.rw, asep.rt, asep.tanggal_identifikasi, asep.catatan) == (
        3, 2, datetime.date(2024, 3, 1), "kursi roda"
    )
    icih = KasusPMKS.objects.get(nama="Mak Icih")
    assert (icih.warga, icih.kategori.kode, icih.status, icih.tanggal_identifikasi) == (
        None, "LUT", StatusKasus.TERIDENTIFIKASI, datetime.date(2024, 2, 15)
    )
    peer = Hubungan.objects.get(perkumpulan=dw)
    assert (peer.mitra_perkumpulan, peer.mitra_luar, peer.bentuk, peer.keterangan) == (
        psy, None, BentukHubungan.KOORDINASI, "rapat bulanan"
    )
    outside = Hubungan.objects.get(perkumpulan=psy)
    assert (outside.mitra_luar.nama, outside.mitra_luar.jenis, outside.mitra_luar.wilayah_id) == (
        "Puskesmas Cibeureum", JenisMitra.PEMERINTAH, CIBEUREUM
    )
    assert outside.bentuk == BentukHubungan.RUJUKAN

    # The same file again: nothing changes.
    first = dump()
    again = imported(path)
    assert tally(again) == {
        "perkumpulan": unchanged(2), "anggota": unchanged(3), "pmks": unchanged(2),
        "jaringan": unchanged(2),
    }
    assert dump() == first

    # One changed cell: one group updated, all else unchanged.
    sheets = good_sheets()
    sheets["perkumpulan"][0]["nama"] = "Dasa Wisma Melati II"
    changed = imported(make_xlsx(tmp_path, sheets, "changed.xlsx"))
    assert tally(changed) == {
        "perkumpulan": {"created": 0, "updated": 1, "unchanged": 1},
        "anggota": unchanged(3), "pmks": unchanged(2), "jaringan": unchanged(2),
    }
    assert Perkumpulan.objects.get(kode="CBR-DW-001").nama == "Dasa Wisma Melati II"
    assert counts() == {model.__name__: len(first[model.__name__]) for model in MODELS}


# Files that are not a survey workbook ------------------------------------------------------------
def assert_not_a_workbook(path, *words: str):
    before = counts()
    with translation.override("en"), pytest.raises(workbook.WorkbookError) as raised:
        workbook.run(path)
    text = str(raised.value)
    for word in words:
        assert word in text, text
    assert counts() == before


def test_a_text_file_renamed_xlsx_is_not_a_workbook(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_text("kode_perkumpulan;nama\nCBR-DW-001;Dasa Wisma Melati\n", encoding="utf-8")
    assert_not_a_workbook(path, "not an Excel workbook (.xlsx)")


def test_a_truncated_xlsx_is_refused(tmp_path):
    whole = make_xlsx(tmp_path, good_sheets()).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    assert_not_a_workbook(path, "damaged or incomplete")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "not a workbook")
        archive.writestr("data/perkumpulan.csv", "kode_perkumpulan\nCBR-DW-001\n")
    assert_not_a_workbook(path, "not an Excel workbook (.xlsx)")


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """A real xlsx with a 600 MB member of zeros (under 3 MB packed), streamed into the zip."""
    good = make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP]}, "good.xlsx")
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED, compresslevel=1
    ) as bomb:
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        with bomb.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(600):
                member.write(chunk)
    assert path.stat().st_size < 5 * 1024 * 1024
    assert_not_a_workbook(path, "600 MB", "refused")


def test_a_workbook_with_none_of_the_four_sheets_is_refused(tmp_path):
    path = make_xlsx(tmp_path, {"Sheet1": [GOOD_GROUP], "data": [GOOD_CASE]})
    assert_not_a_workbook(path, "none of the sheets",
                          "perkumpulan, profil_desa, keluarga, anggota, pmks, jaringan")


# Sheets, headers, empty rows ---------------------------------------------------------------------
def test_sheet_and_header_names_match_whatever_their_case_and_surrounding_spaces(tmp_path):
    path = make_xlsx(tmp_path, {
        "  Perkumpulan ": [[" KODE_PERKUMPULAN", "Kode_Wilayah  ", "NAMA", " Jenis ",
                            "TAHUN_BERDIRI"],
                           ["CBR-DW-001", CIBEUREUM, "Dasa Wisma Melati", "Dasa Wisma", 2001]],
        "ANGGOTA ": [["Kode_Perkumpulan", "NIK", " Nama "],
                     ["CBR-DW-001", SITI, "Siti Aminah"]],
    })
    imp = imported(path)
    assert tally(imp) == {"perkumpulan": created(1), "anggota": created(1)}
    assert Keanggotaan.objects.get(warga__nik=SITI).perkumpulan.nama == "Dasa Wisma Melati"


def test_an_unknown_column_is_a_warning_not_an_error(tmp_path):
    path = make_xlsx(tmp_path, {"perkumpulan": [group(nomor_urut=1, **{"Catatan Surveyor": "x"})]})
    imp = imported(path)
    assert [(w.sheet, w.row, w.column) for w in imp.warnings] == [
        ("perkumpulan", 1, "nomor_urut"), ("perkumpulan", 1, "Catatan Surveyor"),
    ]
    assert tally(imp) == {"perkumpulan": created(1)}


def test_fully_empty_rows_are_skipped_and_later_rows_keep_their_excel_numbers(tmp_path):
    blank = {"kode_perkumpulan": "  ", "nama": " ", "jenis": ""}
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, None, None, blank, group("CBR-XX-001", jenis="Klub Motor")],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 6, "jenis")])
    assert imp.errors[0].value == "Klub Motor"
    # Without the bad row, the empty ones are simply skipped.
    path = make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP, None, blank, group("CBR-DW-002")]},
                     "fixed.xlsx")
    assert tally(imported(path)) == {"perkumpulan": created(2)}


def test_every_error_of_the_file_is_reported_not_only_the_first(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", jenis="Klub Motor", rw=0)],
        "anggota": [member("CBR-OK-001", "123", "Siti")],
        "pmks": [GOOD_CASE, case("Mang Udin", "Bukan Kategori")],
    })
    refused(path, [
        ("perkumpulan", 3, "jenis"), ("perkumpulan", 3, "rw"), ("anggota", 2, "nik"),
        ("pmks", 3, "kategori"),
    ])


# The perkumpulan sheet ----------------------------------------------------------------------------
def test_a_missing_required_column_is_an_error_on_row_1(tmp_path):
    record = {k: v for k, v in GOOD_GROUP.items() if k != "tahun_berdiri"}
    path = make_xlsx(tmp_path, {"perkumpulan": [record], "pmks": [GOOD_CASE]})
    imp = refused(path, [("perkumpulan", 1, "tahun_berdiri")])
    assert imp.errors[0].value == ""


def test_a_missing_required_value_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", nama=None)], "pmks": [GOOD_CASE],
    })
    refused(path, [("perkumpulan", 3, "nama")])


def test_an_unknown_kode_wilayah_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", desa="32.77.01.1999")],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "kode_wilayah")])
    assert imp.errors[0].value == "32.77.01.1999"
    with translation.override("en"):
        imp = workbook.run(path)
    assert "32.77.01.1999" in message(imp) and "desa/kelurahan" in message(imp)


def test_a_kecamatan_code_makes_a_group_above_the_village_and_a_case_needs_a_desa(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", desa="32.77.01")], "pmks": [GOOD_CASE],
    })
    imported(path)
    assert Perkumpulan.objects.get(kode="CBR-DW-002").desa_id == "32.77.01"
    path = make_xlsx(tmp_path, {"pmks": [case("Mak Onah", desa="32.77.01")]}, name="b.xlsx")
    imp = refused(path, [("pmks", 2, "kode_wilayah")])
    assert imp.errors[0].value == "32.77.01"


@pytest.mark.parametrize("kode", ["3277011002", 3277011002], ids=["text", "number"])
def test_a_plain_area_code_is_accepted(tmp_path, kode):
    path = make_xlsx(tmp_path, {"perkumpulan": [group(desa=kode)], "pmks": [case("X", desa=kode)]})
    imported(path)
    assert Perkumpulan.objects.get(kode="CBR-DW-001").desa_id == CIBEUREUM
    assert KasusPMKS.objects.get(nama="X").desa_id == CIBEUREUM


def test_an_unknown_jenis_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", jenis="Klub Motor")],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "jenis")])
    assert imp.errors[0].value == "Klub Motor"
    assert "Dasa Wisma" in message(imp) and "Posyandu" in message(imp)


@pytest.mark.parametrize(
    ("jenis", "kode"), [("Karang Taruna", "KT"), ("PBHI", "PHBI"), ("lkmd", "LPM")]
)
def test_jenis_by_alias_in_any_case(tmp_path, jenis, kode):
    imported(make_xlsx(tmp_path, {"perkumpulan": [group(jenis=jenis)]}))
    assert Perkumpulan.objects.get(kode="CBR-DW-001").jenis.kode == kode


def test_a_year_in_the_future_is_an_error(tmp_path):
    next_year = timezone.localdate().year + 1
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", tahun_berdiri=next_year)],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "tahun_berdiri")])
    assert imp.errors[0].value == str(next_year)


@pytest.mark.parametrize("tahun", ["1999.0", " 1999 ", 1999, 1999.0],
                         ids=["text-1999.0", "text-spaces", "excel-int", "excel-float"])
def test_a_year_as_text_or_as_an_excel_number(tmp_path, tahun):
    imported(make_xlsx(tmp_path, {"perkumpulan": [group(tahun_berdiri=tahun)]}))
    assert Perkumpulan.objects.get(kode="CBR-DW-001").tahun_berdiri == 1999


def test_a_negative_jumlah_anggota_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", jumlah_anggota=-3)], "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "jumlah_anggota")])
    assert imp.errors[0].value == "-3"


def test_rw_0_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", rw=0, rt=1)], "pmks": [GOOD_CASE],
    })
    refused(path, [("perkumpulan", 3, "rw")])


def test_duplicate_kode_perkumpulan_rows_that_disagree_are_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-001", nama="Melati"),
                        group("CBR-DW-001", nama="Mawar")],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 4, "kode_perkumpulan")])
    with translation.override("en"):
        imp = workbook.run(path)
    assert "row 3" in message(imp)


def test_identical_duplicate_kode_perkumpulan_rows_are_one_group(tmp_path):
    twice = group("CBR-DW-001", nama="Melati", syarat_keanggotaan="Domisili", kegiatan="Arisan")
    imp = imported(make_xlsx(tmp_path, {"perkumpulan": [twice, dict(twice)]}))
    assert tally(imp) == {"perkumpulan": created(1)}
    assert Perkumpulan.objects.filter(kode="CBR-DW-001").count() == 1


# Multi-valued cells and lists --------------------------------------------------------------------
def test_multi_valued_cells_split_on_semicolons_and_commas(tmp_path):
    path = make_xlsx(tmp_path, {"perkumpulan": [group(
        syarat_keanggotaan="Domisili; Keturunan",
        sumber_dana="Iuran Anggota, Bantuan Pemerintah",
        nilai_solidaritas="gotong royong ;  LAINNYA",
        kegiatan="Arisan,Pengajian; Senam Lansia",
    )]})
    imported(path)
    dw = Perkumpulan.objects.get(kode="CBR-DW-001")
    assert codes(dw.syarat_keanggotaan) == {"DOMISILI", "KETURUNAN"}
    assert codes(dw.sumber_dana) == {"IURAN", "PEMERINTAH"}
    assert codes(dw.nilai_solidaritas) == {"GOTONG_ROYONG", "LAINNYA"}
    assert codes(dw.kegiatan) == {"ARISAN", "PENGAJIAN", "SENAM_LANSIA"}


def test_an_unknown_syarat_value_is_an_error_listing_the_allowed_values(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP,
                        group("CBR-DW-002", syarat_keanggotaan="Domisili; Kaya Raya")],
        "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "syarat_keanggotaan")])
    assert imp.errors[0].value == "Domisili; Kaya Raya"
    assert "Kaya Raya" in message(imp)
    assert "Domisili; Keterampilan; Pendidikan; Keturunan; Tanpa Syarat" in message(imp)


def test_a_new_kegiatan_value_is_accepted_and_added_to_the_list(tmp_path):
    path = make_xlsx(tmp_path, {"perkumpulan": [group(kegiatan="Arisan; Bank Sampah")]})
    imported(path)
    added = Pilihan.objects.get(daftar=Daftar.KEGIATAN, nama="Bank Sampah")
    dw = Perkumpulan.objects.get(kode="CBR-DW-001")
    assert set(dw.kegiatan.all()) == {Pilihan.objects.get(kode="ARISAN", daftar="kegiatan"), added}
    # The second time the value is on the list: nothing new, nothing changed.
    listed = Pilihan.objects.count()
    assert tally(imported(path)) == {"perkumpulan": unchanged(1)}
    assert Pilihan.objects.count() == listed



# Who may import what -----------------------------------------------------------------------------
def test_an_operator_may_not_import_rows_of_another_village(tmp_path, operator):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("MLG-DW-001", desa=MELONG)],
        "pmks": [GOOD_CASE, case("Mang Ujang", desa=MELONG)],
    })
    imp = refused(path, [("perkumpulan", 3, "kode_wilayah"), ("pmks", 3, "kode_wilayah")],
                  user=operator)
    assert [e.value for e in imp.errors] == [MELONG, MELONG]


def test_an_operator_may_not_take_over_a_code_registered_in_another_village(
    tmp_path, operator, make_perkumpulan
):
    make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong")
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("MLG-DW-001", nama="Diambil Alih")],
        "pmks": [GOOD_CASE],
    })
    refused(path, [("perkumpulan", 3, "kode_perkumpulan")], user=operator)
    taken = Perkumpulan.objects.get(kode="MLG-DW-001")
    assert (taken.desa_id, taken.nama) == (MELONG, "Dasa Wisma Melong")


def test_an_observer_may_not_import_at_all(tmp_path, pengamat):
    path = make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP]})
    before = counts()
    with pytest.raises(workbook.WorkbookError):
        workbook.run(path, user=pengamat)
    assert counts() == before


def test_staff_of_the_kabupaten_may_import_both_villages(tmp_path, staf):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("MLG-DW-001", desa=MELONG)],
        "pmks": [GOOD_CASE, case("Mang Ujang", desa=MELONG)],
    })
    imp = imported(path, user=staf)
    assert tally(imp) == {"perkumpulan": created(2), "pmks": created(2)}
    assert set(Perkumpulan.objects.values_list("desa_id", flat=True)) == {CIBEUREUM, MELONG}


# Language ----------------------------------------------------------------------------------------
def test_messages_are_in_indonesian_by_default(tmp_path):
    translation.deactivate()  # the default language, whatever an earlier test activated
    path = make_xlsx(tmp_path, {"perkumpulan": [group(desa="32.77.01.1999")]})
    imp = workbook.run(path)
    assert where(imp) == [("perkumpulan", 2, "kode_wilayah")]
    text = message(imp)
    assert re.search(r"\b(bukan|tidak)\b", text, re.IGNORECASE), text
    assert "is not" not in text, text
    junk = io.BytesIO(b"bukan sebuah workbook")
    with pytest.raises(workbook.WorkbookError) as raised:
        workbook.run(junk)
    assert re.search(r"\b(bukan|tidak)\b", str(raised.value), re.IGNORECASE), str(raised.value)


# Sheet order -------------------------------------------------------------------------------------
def test_sheets_come_in_the_order_of_their_dependencies_then_of_registration(monkeypatch):
    from registry.workbook import frame

    assert workbook.sheet_names() == [
        "perkumpulan", "profil_desa", "keluarga", "anggota", "pmks", "jaringan", "dana", "psks",
        "lks", "pelatihan", "bantuan"]

    class Sheet(workbook.SheetHandler):
        def __init__(self, name, after=()):
            self.name, self.after = name, after

    monkeypatch.setattr(frame, "SHEETS", {})
    for sheet in (Sheet("b", after=("a",)), Sheet("c"), Sheet("a", after=("x",))):
        workbook.register_sheet(sheet)
    assert workbook.sheet_names() == ["c", "a", "b"]  # "x" is not registered: no wait for it
    workbook.register_sheet(Sheet("x", after=("b",)))
    with pytest.raises(ImproperlyConfigured):
        workbook.sheet_names()


def test_a_name_of_zero_width_spaces_is_empty_and_one_around_a_name_is_dropped(tmp_path):
    """A name pasted with zero-width spaces only shows as nothing: the required name is told
    missing, as a name of spaces is (the web form says the same); around a name they go."""
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-002", nama="\u200b\u200b\ufeff")]})
    refused(path, [("perkumpulan", 2, "nama")])
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-002", nama="\u200bMawar \u2060")]},
                     "fixed.xlsx")
    imported(path)
    assert Perkumpulan.objects.get(kode="CBR-DW-002").nama == "Mawar"


def test_a_text_longer_than_its_record_holds_is_told_at_its_cell_not_cut(tmp_path):
    """A person's or case's name over 150 characters, a partner's over 200, a link's note over
    300: each told at its cell (the database would refuse them, or SQLite keep them too long),
    nothing written, nothing cut."""
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP],
        "anggota": [member("CBR-OK-001", SITI, "N" * 151)],
        "pmks": [case("P" * 151)],
        "jaringan": [link("CBR-OK-001", "M" * 201, jenis_mitra="LSM"),
                     link("CBR-OK-001", "Puskesmas", jenis_mitra="Pemerintah",
                          keterangan="K" * 301)],
    })
    with translation.override("en"):
        imp = refused(path, [("anggota", 2, "nama"), ("pmks", 2, "nama"),
                             ("jaringan", 2, "mitra"), ("jaringan", 3, "keterangan")])
    assert message(imp, 0) == "The name is longer than 150 characters."
    # At the limit, each is kept whole.
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP],
        "anggota": [member("CBR-OK-001", SITI, "N" * 150)],
        "jaringan": [link("CBR-OK-001", "Puskesmas", jenis_mitra="Pemerintah",
                          keterangan="K" * 300)],
    }, "fixed.xlsx")
    imported(path)
    assert Warga.objects.get(nik=SITI).nama == "N" * 150
    assert Hubungan.objects.get().keterangan == "K" * 300


def test_a_cell_holding_a_spreadsheet_error_is_told_not_taken_for_text(tmp_path):
    """#N/A, #VALUE! or #NAME? (a formula that failed, stored as an error cell) in a name or a
    partner is told at its cell, with its code: it had become a group called "#N/A"."""
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP],
        "anggota": [member("CBR-OK-001", SITI, "Siti")],
        "jaringan": [link("CBR-OK-001", "Puskesmas", jenis_mitra="Pemerintah")],
    })
    book = openpyxl.load_workbook(path)
    for sheet, cell, code in (("perkumpulan", "C2", "#N/A"), ("anggota", "C2", "#VALUE!"),
                              ("jaringan", "B2", "#NAME?")):
        book[sheet][cell] = code  # openpyxl writes an error code as an error cell (t="e")
        assert book[sheet][cell].data_type == "e"
    book.save(path)
    with translation.override("en"):
        imp = refused(path, [("perkumpulan", 2, "nama"), ("anggota", 2, "nama"),
                             ("jaringan", 2, "mitra")])
    assert [e.value for e in imp.errors] == ["#N/A", "#VALUE!", "#NAME?"]
    assert message(imp).startswith("The cell holds the spreadsheet's error #N/A")


@pytest.mark.parametrize("second", ["Nama ", "NAMA"])
def test_a_column_given_twice_is_an_error_not_the_last_one_silently(tmp_path, second):
    """Two header cells naming one column (the same name, or two of its spellings): the file is
    refused at the header, saying which two; it had taken the later column's values."""
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-002", nama="Mawar")]})
    book = openpyxl.load_workbook(path)
    sheet = book["perkumpulan"]
    column = sheet.max_column + 1
    sheet.cell(1, column, second)
    sheet.cell(2, column, "NAMA KEDUA")
    book.save(path)
    with translation.override("en"):
        imp = refused(path, [("perkumpulan", 1, "nama")])
    assert message(imp) == ("Column nama is given twice (columns C and "
                            f"{openpyxl.utils.get_column_letter(column)}): keep one.")


def test_a_workbook_listing_a_sheet_whose_part_is_missing_is_refused(tmp_path):
    """A damaged file whose anggota sheet points to a part that is not in it: refused, naming
    the sheet; it had imported the other sheets and left the members out without a word."""
    path = make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP],
                                "anggota": [member("CBR-OK-001", SITI, "Siti")]})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet2.xml", b"worksheets/sheet9.xml")
            target.writestr(item, data)
    before = counts()
    with translation.override("en"), pytest.raises(workbook.WorkbookError) as refusal:
        workbook.run(damaged)
    assert "its sheet anggota has no content" in str(refusal.value)
    assert counts() == before


def test_escaped_characters_are_read_as_excel_writes_them(tmp_path):
    """An .xlsx writes a carriage return as _x000D_ and a control character as _x000B_: the
    address keeps its line break (not the letters "_x000D_"), a vertical tab is refused as in
    .xls and .ods, and "_x005F_x000D_" is the literal text."""
    path = make_xlsx(tmp_path, {"perkumpulan": [
        group("CBR-DW-002", nama="Mawar PLACEHOLDER1"),
        group("CBR-DW-003", nama="Melati PLACEHOLDER2"),
    ]})
    escaped = tmp_path / "escaped.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(escaped, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename).replace(b"PLACEHOLDER1", b"RW_x000D_3")
            target.writestr(item, data.replace(b"PLACEHOLDER2", b"A_x005F_x000D_B"))
    imported(escaped)
    assert Perkumpulan.objects.get(kode="CBR-DW-002").nama == "Mawar RW 3"  # a name's spaces
    assert Perkumpulan.objects.get(kode="CBR-DW-003").nama == "Melati A_x000D_B"
    bad = tmp_path / "control.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename).replace(b"PLACEHOLDER1", b"RW_x000B_3")
            target.writestr(item, data.replace(b"PLACEHOLDER2", b"B"))
    imp = refused(bad, [("perkumpulan", 2, "nama")])
    assert "U+000B" in message(imp)


def test_a_sheet_of_another_name_is_said_not_read(tmp_path):
    """A members' sheet misnamed "anggota2" is not read: a warning names it (its rows had been
    left out without a word); the export's guide sheet is not warned of."""
    path = make_xlsx(tmp_path, {"perkumpulan": [GOOD_GROUP],
                                "anggota2": [member("CBR-OK-001", SITI, "Siti")],
                                "petunjuk": [{"isi": "Petunjuk pengisian"}]})
    with translation.override("en"):
        imp = imported(path)
    assert [(w.sheet, w.row) for w in imp.warnings] == [("anggota2", 1)]
    assert imp.warnings[0].message.startswith("Not a sheet of the survey (perkumpulan, ")


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (MS-CFB, version 3) holding `streams`, each padded to 4,096 bytes so that
    none lies in the mini stream: how Excel wraps an .xlsx saved with a password."""
    import struct

    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat, sectors, entries = [0xFFFFFFFD, end], [], []
    for number, (name, data) in enumerate(streams.items(), start=1):
        data = data.ljust(4096, b"\0")
        first = 2 + len(sectors)
        count = len(data) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        sectors += [data[i * 512:(i + 1) * 512] for i in range(count)]
        right = number + 1 if number < len(streams) else free
        entries.append((name, 2, free, right, free, first, len(data)))
    entries.insert(0, ("Root Entry", 5, free, free, 1, end, 0))

    def entry(name, kind, left, right, child, start, size):
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", left, right, child) + bytes(36)
                + struct.pack("<III", start, size, 0))

    directory = b"".join(entry(*e) for e in entries).ljust(512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, end, 0, end) + struct.pack("<I", 0)
              + struct.pack("<I", 0) + struct.pack("<108I", *[free] * 108))
    table = struct.pack(f"<{128}I", *(fat + [free] * (128 - len(fat))))
    return header + table + directory + b"".join(sectors)


def test_a_workbook_saved_with_a_password_is_told_so(tmp_path):
    """An .xlsx saved with a password (Excel wraps it, encrypted, in a compound file): the
    officer is told to remove the password, not that the file is damaged."""
    path = tmp_path / "sandi.xlsx"
    path.write_bytes(_compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                                     "EncryptedPackage": b"\x10\x00" + bytes(100)}))
    with translation.override("en"), pytest.raises(workbook.WorkbookError) as refusal:
        workbook.run(path)
    assert "protected with a password" in str(refusal.value)
