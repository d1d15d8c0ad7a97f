"""The recap tables: seed 004's published Cibeureum 2006 counts, exact bracket edges, any level."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from members.models import Keanggotaan
from registry import rekap
from registry.models import Perkumpulan, Wilayah

CIBEUREUM = "32.77.01.1002"
# Seed 004, per type: Table 1 (< 10 years, >= 10), Table 3 (<= 10, 11-20, > 20 members),
# Table 5 (social organisations, government). Printed slips aside, these are the survey's counts.
SEED_004 = {
    "DW": ((16, 88), (15, 78, 11), (89, 15)),
    "POSYANDU": ((3, 17), (0, 4, 16), (0, 20)),
    "BKB": ((0, 4), (0, 1, 3), (0, 4)),
    "KUBE": ((0, 1), (1, 0, 0), (0, 1)),
    "KT": ((10, 8), (0, 5, 13), (0, 18)),
    "KWT": ((2, 0), (1, 1, 0), (0, 2)),
    "PHBI": ((1, 0), (0, 0, 1), (1, 0)),
    "PENGAJIAN": ((3, 15), (0, 1, 17), (18, 0)),
    "KPW": ((6, 70), (0, 4, 72), (76, 0)),
    "BKL": ((0, 3), (0, 1, 2), (0, 3)),
    "BKR": ((0, 3), (0, 0, 3), (0, 3)),
    "LPM": ((0, 1), (1, 0, 0), (0, 1)),
    "PETA": ((2, 9), (0, 3, 8), (0, 11)),
    "R1KS": ((0, 18), (0, 0, 18), (0, 18)),
    "R1SUB": ((0, 18), (0, 0, 18), (0, 18)),
    "UP2KS": ((0, 3), (0, 0, 3), (0, 3)),
    "UP2K": ((0, 6), (0, 0, 6), (0, 6)),
}


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def cibeureum_2006() -> dict:
    return rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2006).as_dict()


def table(data: dict, nomor: int) -> dict:
    return next(t for t in data["tabel"] if t["nomor"] == nomor)


def test_tables_1_3_5_give_seed_004_per_type(demo):
    data = cibeureum_2006()
    assert data["jumlah_perkumpulan"] == 307
    for nomor, index in ((1, 0), (3, 1), (5, 2)):
        rows = {r["kode"]: tuple(r["nilai"]) for r in table(data, nomor)["baris"]}
        assert rows == {kode: counts[index] for kode, counts in SEED_004.items()}, nomor
    t1 = table(data, 1)
    assert t1["kolom"] == ["< 10 tahun", "≥ 10 tahun"]
    dasa_wisma = t1["baris"][0]
    assert (dasa_wisma["label"], dasa_wisma["jumlah"], dasa_wisma["persen"]) == (
        "Dasa Wisma", 104, [15.38, 84.62]
    )
    # Computed from the counts, not copied: the seed prints 14,47 / 85,53 here.
    assert t1["total"] == {"nilai": [43, 264], "jumlah": 307, "persen": [14.01, 85.99]}
    # Seed 004 prints 17 in this column's total; its rows add up to 18.
    assert table(data, 3)["total"]["nilai"] == [18, 98, 191]
    assert table(data, 5)["total"] == {"nilai": [184, 123], "jumlah": 307,
                                       "persen": [59.93, 40.07]}


def test_tables_2_and_4_give_seed_004(demo):
    data = cibeureum_2006()
    purposes = {r["label"]: (r["jumlah"], r["persen"][0]) for r in table(data, 2)["baris"]}
    assert purposes == {
        "Kesejahteraan Anak": (26, 8.47),
        "Kesejahteraan Ibu dan Anak": (41, 13.36),
        "Kesejahteraan Lanjut Usia": (3, 0.98),
        "Peningkatan Penghasilan": (87, 28.34),
        "Integrasi Masyarakat/Kerukunan Warga": (91, 29.64),
        "Bantuan Sosial": (10, 3.26),
        "Pengajian": (18, 5.86),
        "Meningkatkan Iman dan Taqwa": (18, 5.86),
        "Meningkatkan Keterampilan": (11, 3.58),
        "Pelayanan Kesehatan": (2, 0.65),
    }
    education = {r["kode"]: (r["jumlah"], r["persen"][0]) for r in table(data, 4)["baris"]}
    assert education == {
        "TS": (4, 1.30), "SD": (33, 10.75), "SMP": (92, 29.97), "SMA": (166, 54.07),
        "PT": (12, 3.91),
    }
    assert table(data, 4)["kolom"] == ["jumlah"]
    assert table(data, 4)["total"]["jumlah"] == 307
    terms = {r["label"]: r["jumlah"] for r in table(data, 6)["baris"]}
    assert terms == {"≤ 5 tahun": 268, "6–10 tahun": 24, "> 10 tahun": 15}
    requirements = {r["label"]: r["jumlah"] for r in table(data, 7)["baris"]}
    assert requirements == {"Domisili": 272, "Keterampilan": 13, "Pendidikan": 15,
                            "Keturunan": 17}
    values = {r["label"]: (r["jumlah"], r["persen"][0]) for r in table(data, 8)["baris"]}
    assert values == {"Gotong Royong": (292, 95.11), "Membantu Warga Terkena Musibah": (260, 84.69)}


def test_every_level_above_the_village_gives_the_same_tables(demo):
    # Seed 004 surveyed the village alone: the demo's BKB of the kecamatan (demo/atas.py, a
    # group above the village, tests/registry/test_groups_above_village.py) is left out here.
    Perkumpulan.objects.exclude(desa__tingkat="desa").delete()
    village = cibeureum_2006()
    for kode in ("32.77.01", "32.77", "32"):
        above = rekap.build(Wilayah.objects.get(pk=kode), 2006).as_dict()
        assert above["tabel"] == village["tabel"], kode
        assert above["wilayah"]["kode"] == kode
    melong = rekap.build(Wilayah.objects.get(pk="32.77.01.1001"), 2006).as_dict()
    assert melong["jumlah_perkumpulan"] == 0 and melong["tabel"][0]["baris"] == []


def test_bracket_edges_are_exact(make_perkumpulan, make_warga):
    for kode, year, members in [
        ("A-10", 1996, 10), ("A-09", 1997, 11), ("A-11", 1995, 20), ("A-21", 1990, 21),
    ]:
        make_perkumpulan(kode, tahun_berdiri=year, jumlah_anggota=members)
    # No declared number: the registered current members count (12, and one who left).
    undeclared = make_perkumpulan("A-REG", tahun_berdiri=2000)
    for i in range(13):
        person = make_warga(f"3277010101{80 + i}{i + 1:04d}")
        Keanggotaan.objects.create(warga=person, perkumpulan=undeclared)
    Keanggotaan.objects.filter(perkumpulan=undeclared).first().delete()
    make_perkumpulan("A-OFF", tahun_berdiri=2000, jumlah_anggota=5, aktif=False)
    data = rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2006).as_dict()
    assert data["jumlah_perkumpulan"] == 5  # the inactive group is left out
    # Founded 1996, exactly 10 years before 2006: ≥ 10; 1997 and 2000: < 10.
    assert table(data, 1)["total"]["nilai"] == [2, 3]
    assert table(data, 3)["total"]["nilai"] == [1, 3, 1]  # 10 | 11, 20, 12 registered | 21


def test_the_command_writes_json_text_and_xlsx(demo, tmp_path, capsys):
    call_command("rekap", wilayah="3277011002", tahun_acuan=2006)
    data = json.loads(capsys.readouterr().out)
    assert data["wilayah"] == {"kode": CIBEUREUM, "nama": "Cibeureum", "tingkat": "kelurahan"}
    assert data["tahun_acuan"] == 2006 and [t["nomor"] for t in data["tabel"]] == list(
        range(1, 12)
    )
    call_command("rekap", wilayah=CIBEUREUM, tahun_acuan=2006, format="text")
    text = capsys.readouterr().out
    assert "Dasa Wisma" in text and "15,38" in text and "14,01" in text
    path = tmp_path / "rekap.xlsx"
    call_command("rekap", wilayah=CIBEUREUM, tahun_acuan=2006, format="xlsx", output=str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["Tabel 1", "Tabel 2", "Tabel 3"]
    rows = list(book["Tabel 1"].iter_rows(values_only=True))
    assert rows[3] == ("Dasa Wisma", 16, 15.38, 88, 84.62, 104, 100.0)


@pytest.mark.parametrize("kode", ["99.99", "abc"])
def test_the_command_refuses_unknown_areas(db, kode):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rekap", wilayah=kode)


def test_the_recap_costs_the_same_queries_whatever_the_size(
    make_perkumpulan, django_assert_max_num_queries
):
    area = Wilayah.objects.get(pk="32.77")
    for i in range(3):
        make_perkumpulan(f"Q-{i}", jumlah_anggota=i)
    rekap.build(area, 2006)  # computes the counts of the village that changed
    # 13 for Tables 1–11 and the profile (Tables 1, 3 and 5 read their types' names in their own
    # query), 2 for the funds (Table 12), 1 for trained leaders (13), 4 for aid (Tables 14–17 read
    # the store: bantuan.rekap; up to 9 once aid is given)
    with django_assert_max_num_queries(21) as small:
        rekap.build(area, 2006)
    villages = ["32.77.01.1001", "32.77.01.1002", "32.77.02.1001", "32.77.03.1001"]
    for i in range(3, 40):
        make_perkumpulan(f"Q-{i}", jenis=["DW", "KT", "POSYANDU"][i % 3], desa=villages[i % 4])
    # Four stale villages, refreshed together: their group counts, the PMKS store's and the aid
    # store's (its count: five queries more than the PMKS store's, bantuan.rekap.count_aid).
    with django_assert_max_num_queries(len(small.captured_queries) + 29):
        first = rekap.build(area, 2006)
    with django_assert_max_num_queries(len(small.captured_queries)):
        again = rekap.build(area, 2006)
    assert first.jumlah_perkumpulan == again.jumlah_perkumpulan == 40


def test_the_titles_are_the_contracts_indonesian_titles(demo):
    titles = {t["nomor"]: t["judul"] for t in cibeureum_2006()["tabel"]}
    assert titles == {
        1: "Kelompok/Perkumpulan Sosial menurut Tahun Berdiri",
        2: "Tujuan Didirikannya Perkumpulan Sosial",
        3: "Jumlah Anggota Kelompok Sosial",
        4: "Jenjang Pendidikan Pengurus",
        5: "Jaringan Kerja Kelompok Sosial",
        6: "Masa Kepengurusan",
        7: "Syarat Keanggotaan",
        8: "Nilai Solidaritas",
        9: "Sumber Dana",
        10: "PMKS menurut Kategori dan Status",
        11: "Cakupan Pendampingan PMKS",
    }


def test_a_table_short_of_the_groups_or_over_them_says_why(demo, make_perkumpulan):
    """Table 2's total falls short of the groups when a group has no purpose recorded, and a
    table of several answers a group (Tables 7–9) may add up past them: each says which, in
    the user's language (on the page, in the text and the xlsx: its `catatan`)."""
    make_perkumpulan("CBR-DW-999", tahun_berdiri=2000)  # no purpose, board term, values
    with translation.override("en"):
        data = cibeureum_2006()
    assert data["jumlah_perkumpulan"] == 308 and table(data, 2)["total"]["jumlah"] == 307
    assert table(data, 2)["catatan"] == ("1 groups have no answer recorded and are left out of "
                                         "this table.")
    assert table(data, 8)["total"]["jumlah"] == 552
    assert table(data, 8)["catatan"].startswith("A group may give several answers")
    assert "catatan" not in table(data, 1)
