"""Survey workbooks for the import tests: rows of each sheet, a real .xlsx built with openpyxl,
and ways of looking at what an import did (tests/registry, tests/members, tests/pmks and
tests/network use them).

A file with any error must change nothing: `refused()` counts the rows of every table the import
writes before and after. Row numbers are the ones Excel shows (headers on row 1).
"""

import datetime
import zipfile

import openpyxl

from members.models import Keanggotaan, Warga
from network.models import Hubungan, Mitra
from pmks.models import KasusPMKS
from registry import workbook
from registry.models import Perkumpulan, Pilihan

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
