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
from django.utils import timezone, translation

from members.models import Keanggotaan, PeranAnggota, Warga
from network.models import BentukHubungan, Hubungan, JenisMitra, Mitra
from pmks.models import KasusPMKS, StatusKasus
from registry import workbook
from registry.models import Daftar, Perkumpulan, Pilihan

pytestmark = pytest.mark.django_db

CIBEUREUM = "32.77.01.1002"
MELONG = "32.77.01.1001"
SITI = "3277014101800001"  # a woman born 1 January 1980 (day 01 + 40)
BUDI = "3277011505750002"  # a man born 15 May 1975
ASEP = "3277013112990005"  # a man born 31 December 1999
MODELS = (Perkumpulan, Warga, Keanggotaan, KasusPMKS, Hubungan, Mitra, Pilihan)
MULTI = ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan")


# Building workbooks ------------------------------------------------------------------------------
def table(records: list) -> list:
    """Rows of a sheet from dicts: the headers are the union of their keys in order. A None
    record is a fully empty row; a list is taken as it is."""
    header = list(dict.fromkeys(k for r in records if isinstance(r, dict) for k in r))
    rows = [header]
    for record in records:
        if isinstance(record, dict):
            rows.append([record.get(k) for k in header])
        else:
            rows.append(record)
    return rows


def make_xlsx(tmp_path, sheets: dict, name: str = "survey.xlsx"):
    """Write a real .xlsx: each sheet is a list of dicts (see `table`) or of raw rows whose first
    row holds the headers. None cells stay empty, so an all-None row is a fully empty row."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, records in sheets.items():
        rows = records if records and isinstance(records[0], list) else table(records)
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row or (), start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    path = tmp_path / name
    book.save(path)
    return path


def with_number_as(path, number: str, stored: str) -> None:
    """Rewrite a number cell's stored text in the sheets of a real .xlsx (as another spreadsheet
    program would have written it), keeping every other member as it is."""
    members = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    target = f"<v>{number}</v>".encode()
    found = [n for n, data in members.items() if n.startswith("xl/worksheets/") and target in data]
    assert found, "the number is not in any sheet"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name in found:
                data = data.replace(target, f"<v>{stored}</v>".encode())
            archive.writestr(name, data)


def group(kode: str = "CBR-DW-001", desa: str = CIBEUREUM, **fields) -> dict:
    record = {
        "kode_perkumpulan": kode,
        "kode_wilayah": desa,
        "nama": f"Kelompok {kode}",
        "jenis": "Dasa Wisma",
        "tahun_berdiri": 2001,
    }
    record.update(fields)
    return record


def member(kode: str, nik, nama: str, **fields) -> dict:
    return {"kode_perkumpulan": kode, "nik": nik, "nama": nama, **fields}


def case(nama: str, kategori: str = "Lanjut Usia Terlantar", desa=CIBEUREUM, **fields) -> dict:
    return {"nama": nama, "kode_wilayah": desa, "kategori": kategori, **fields}


def link(kode: str, mitra: str, **fields) -> dict:
    return {"kode_perkumpulan": kode, "mitra": mitra, **fields}


# A valid row on the pmks sheet: an error test that carries it shows nothing partial is written.
GOOD_CASE = case("Mak Icih", "Lanjut Usia Terlantar", rw=2)
GOOD_GROUP = group("CBR-OK-001", nama="Kelompok Yang Benar")


def good_sheets() -> dict:
    """Two groups, three memberships of two people, two PMKS cases, two links."""
    return {
        "perkumpulan": [
            group(
                "CBR-DW-001", nama="Dasa Wisma Melati", jenis="Dasa Wisma", rw=3, rt=2,
                tahun_berdiri=2001, tujuan="Kesejahteraan Ibu dan Anak", jumlah_anggota=12,
                syarat_keanggotaan="Domisili; Tanpa Syarat", masa_kepengurusan=4,
                sumber_dana="Iuran Anggota; Sumbangan Masyarakat",
                jaringan_kerja="Organisasi Sosial", nilai_solidaritas="Gotong Royong",
                kegiatan="Arisan; Simpan Pinjam", prakarsa="Masyarakat", aktif="Ya",
            ),
            group(
                "CBR-PSY-001", nama="Posyandu Mawar", jenis="Posyandu", rw=5, rt=None,
                tahun_berdiri=1995, tujuan="Pelayanan Kesehatan", jumlah_anggota=25,
                syarat_keanggotaan="Domisili", masa_kepengurusan=6,
                sumber_dana="Bantuan Pemerintah", jaringan_kerja="Pemerintah",
                nilai_solidaritas="Gotong Royong, Membantu Warga Terkena Musibah",
                kegiatan="Penimbangan Balita", prakarsa="Pemerintah", aktif="Ya",
            ),
        ],
        "anggota": [
            member("CBR-DW-001", SITI, "Siti Aminah", jenis_kelamin="P",
                   tanggal_lahir=datetime.date(1980, 1, 1), pendidikan="SMA", peran="Ketua",
                   mulai_tahun=2019),
            member("CBR-DW-001", BUDI, "Budi Santoso", jenis_kelamin="L", pendidikan="SD",
                   peran="Anggota", mulai_tahun=2020),
            member("CBR-PSY-001", SITI, "Siti Aminah", jenis_kelamin="P", pendidikan="SMA",
                   peran="Bendahara", mulai_tahun=2018),
        ],
        "pmks": [
            case("Asep Saepudin", "Penyandang Disabilitas", nik=ASEP, rw=3, rt=2,
                 tanggal_identifikasi=datetime.date(2024, 3, 1),
                 kode_perkumpulan_pendamping="CBR-PSY-001", status="Ditangani",
                 catatan="kursi roda"),
            case("Mak Icih", "Lanjut Usia Terlantar", tanggal_identifikasi="15-02-2024"),
        ],
        "jaringan": [
            link("CBR-DW-001", "CBR-PSY-001", bentuk_hubungan="Koordinasi",
                 keterangan="rapat bulanan"),
            link("CBR-PSY-001", "Puskesmas Cibeureum", jenis_mitra="Pemerintah",
                 bentuk_hubungan="Rujukan"),
        ],
    }


# Looking at the result ---------------------------------------------------------------------------
def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def dump() -> dict:
    """Everything the import writes, without the timestamps."""
    data = {
        model.__name__: [
            {k: v for k, v in row.items() if k not in ("dibuat", "diubah")}
            for row in model.objects.order_by("pk").values()
        ]
        for model in MODELS
    }
    for column in MULTI:
        through = getattr(Perkumpulan, column).through
        data[column] = sorted(through.objects.values_list("perkumpulan_id", "pilihan_id"))
    return data


def where(imp) -> list:
    return [(e.sheet, e.row, e.column) for e in imp.errors]


def tally(imp) -> dict:
    return {sheet: c.as_dict() for sheet, c in imp.counts.items()}


def created(n: int) -> dict:
    return {"created": n, "updated": 0, "unchanged": 0}


def unchanged(n: int) -> dict:
    return {"created": 0, "updated": 0, "unchanged": n}


def codes(manager) -> set:
    return set(manager.values_list("kode", flat=True))


def imported(path, **kwargs):
    """Run an import that must succeed."""
    imp = workbook.run(path, **kwargs)
    assert imp.errors == [], [str(e) for e in imp.errors]
    return imp


def refused(path, expected: list, **kwargs):
    """Run an import that must fail with exactly these (sheet, row, column) errors and write
    nothing at all."""
    before = counts()
    imp = workbook.run(path, **kwargs)
    assert where(imp) == expected, [str(e) for e in imp.errors]
    assert all(e.message for e in imp.errors)
    assert counts() == before
    return imp


def message(imp, index: int = 0) -> str:
    return imp.errors[index].message


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
    assert_not_a_workbook(path, "none of the sheets", "perkumpulan, anggota, pmks, jaringan")


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


def test_a_kecamatan_code_instead_of_a_desa_is_an_error(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [GOOD_GROUP, group("CBR-DW-002", desa="32.77.01")], "pmks": [GOOD_CASE],
    })
    imp = refused(path, [("perkumpulan", 3, "kode_wilayah")])
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


# The pmks sheet ----------------------------------------------------------------------------------
def test_a_pmks_case_without_nik_is_keyed_by_name_village_and_category(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [
        case("Mak Icih", "Lanjut Usia Terlantar", rw=2, rt=1),
        case("Mak Icih", "Fakir Miskin", rw=2, rt=1),
    ]})
    assert tally(imported(path)) == {"pmks": created(2)}
    assert set(KasusPMKS.objects.values_list("warga", "nama", "kategori__kode")) == {
        (None, "Mak Icih", "LUT"), (None, "Mak Icih", "FM"),
    }
    assert Warga.objects.count() == 0
    first = dump()
    assert tally(imported(path)) == {"pmks": unchanged(2)}
    assert dump() == first


def test_a_pmks_case_with_an_accompanying_group_of_the_same_file(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-PSY-001", jenis="Posyandu")],
        "pmks": [case("Asep", "Penyandang Disabilitas", nik=ASEP,
                      kode_perkumpulan_pendamping="CBR-PSY-001")],
    })
    imported(path)
    kasus = KasusPMKS.objects.get(nama="Asep")
    assert (kasus.pendamping.kode, kasus.warga.nik) == ("CBR-PSY-001", ASEP)
    assert tally(imported(path)) == {"perkumpulan": unchanged(1), "pmks": unchanged(1)}


# The jaringan sheet ------------------------------------------------------------------------------
def network_file(tmp_path, *links):
    return make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-PSY-001", jenis="Posyandu")],
        "jaringan": list(links),
    })


def test_a_link_between_two_groups(tmp_path):
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001", bentuk_hubungan="Rujukan")))
    only = Hubungan.objects.get()
    assert (only.perkumpulan.kode, only.mitra_perkumpulan.kode, only.mitra_luar) == (
        "CBR-DW-001", "CBR-PSY-001", None
    )
    assert only.bentuk == BentukHubungan.RUJUKAN
    assert Mitra.objects.count() == 0


def test_imported_links_update_the_stored_count_of_isolated_groups(tmp_path):
    from registry import rekap
    from registry.models import Wilayah

    city = Wilayah.objects.get(pk="32.77")
    imported(make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001"),
                                                  group("CBR-PSY-001", jenis="Posyandu")]}))
    rekap.refresh_stale(city)
    rows = rekap.RekapSel.objects.filter(wilayah=city)
    assert rekap.stored_total(rows, "terisolasi") == 2
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001")))
    rekap.refresh_stale(city)
    assert rekap.stored_total(rows, "terisolasi") == 0


def test_an_import_leaves_planner_statistics_on_sqlite(tmp_path):
    """Without them SQLite reads a large area's groups row by row (see bench/pages_bench.py)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001")))
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
    assert {"registry_perkumpulan", "network_hubungan"} <= analysed


def test_a_new_outside_partner_is_created_with_its_jenis_mitra(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "PT Sumber Rejeki", jenis_mitra="CSR"))
    imp = imported(path)
    assert tally(imp)["jaringan"] == created(1)
    partner = Mitra.objects.get()
    assert (partner.nama, partner.jenis, partner.wilayah_id) == (
        "PT Sumber Rejeki", JenisMitra.DUNIA_USAHA, CIBEUREUM
    )
    assert Hubungan.objects.get().mitra_luar == partner


def test_an_unknown_outside_partner_without_jenis_mitra_is_an_error(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001"),
                        link("CBR-DW-001", "Yayasan Entah"))
    imp = refused(path, [("jaringan", 3, "jenis_mitra")])
    with translation.override("en"):
        imp = workbook.run(path)
    assert "Yayasan Entah" in message(imp)


def test_a_link_of_a_group_to_itself_is_an_error(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001"),
                        link("CBR-PSY-001", "CBR-PSY-001"))
    refused(path, [("jaringan", 3, "mitra")])


@pytest.mark.parametrize(
    "nama", ["Dinas Sosial Kota Cimahi", "DINAS SOSIAL  kota cimahi"], ids=["same", "other-case"]
)
def test_a_partner_recorded_at_the_kabupaten_is_reused(tmp_path, nama):
    dinas = Mitra.objects.create(
        nama="Dinas Sosial Kota Cimahi", jenis=JenisMitra.PEMERINTAH, wilayah_id="32.77"
    )
    path = network_file(tmp_path, link("CBR-DW-001", nama,
                                       bentuk_hubungan="Berjenjang (vertikal)"))
    imported(path)
    assert list(Mitra.objects.all()) == [dinas]
    assert Hubungan.objects.get().mitra_luar == dinas
    assert tally(imported(path))["jaringan"] == unchanged(1)


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
