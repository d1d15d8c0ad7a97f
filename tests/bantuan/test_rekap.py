"""The aid recap tables (14–17) on a small planted registry of Kota Cimahi: exact numbers, the
area's limits, observers without the PMKS tables, the charts on the page, the xlsx and text
outputs, and a fixed number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from bantuan import rekap as aid_rekap
from bantuan.models import LaporanStimulan, Penerima, Penyaluran, Program, StatusPenerima
from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry import rekap
from registry.models import Wilayah
from registry.views.rekap import chart
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

TODAY = timezone.localdate()
YEAR = TODAY.year - 1  # the reference year: wholly past, so every date below is too


def day(month: int, d: int = 1, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, d)


@pytest.fixture
def planted(make_warga, make_perkumpulan):
    first, second = KategoriPMKS.objects.order_by("urutan", "nama")[:2]
    people = {name: make_warga(f"32770141018000{i:02d}", nama=name,
                               wilayah_id=MELONG if name == "Dodi" else CIBEUREUM)
              for i, name in enumerate(["Icih", "Budi", "Citra", "Dodi", "Fajar", "Gita",
                                        "Hana"], start=1)}

    def case(nama, desa, kategori, status=StatusKasus.TERIDENTIFIKASI, warga=None):
        return KasusPMKS.objects.create(nama=nama, desa_id=desa, kategori=kategori,
                                        status=status, warga=warga)

    cases = {
        "icih": case("Icih", CIBEUREUM, first, warga=people["Icih"]),
        "icih_lama": case("Icih", CIBEUREUM, second, StatusKasus.SELESAI, people["Icih"]),
        "entis": case("Abah Entis", CIBEUREUM, second),
        "ujang": case("Ujang", MELONG, first),
        "ikin": case("Abah Ikin", MELONG, first),
        "fajar": case("Fajar", CIBEUREUM, first, warga=people["Fajar"]),
        "gita": case("Gita", CIBEUREUM, second, warga=people["Gita"]),
        "budi": case("Budi", CIBEUREUM, second, warga=people["Budi"]),
        "bandung": case("Asep", SUKARASA, first),
    }
    bpnt = Program.objects.create(kode="BPNT-3277", nama="BPNT Cimahi", sumber="PEMERINTAH",
                                  bentuk="BARANG", sasaran="WARGA", wilayah_id="32.77",
                                  mulai=day(1))
    on_bpnt = {name: Penerima.objects.create(
        program=bpnt, warga=people[name], desa=people[name].wilayah, mulai=day(1),
        status=StatusPenerima.DISETUJUI) for name in ("Icih", "Budi", "Citra", "Dodi", "Hana")}

    def give(penerima, tanggal, nilai, **fields):
        return Penyaluran.objects.create(penerima=penerima, tanggal=tanggal, nilai=nilai,
                                         **fields)

    give(on_bpnt["Icih"], day(3), 200_000)
    give(on_bpnt["Icih"], day(4), 200_000)
    give(on_bpnt["Icih"], day(12, 1, YEAR - 1), 999_000)  # another year
    give(on_bpnt["Dodi"], day(3), 200_000)
    give(on_bpnt["Citra"], day(2), 200_000)
    on_bpnt["Citra"].hentikan("Pindah ke luar kota", tanggal=day(2, 15))
    # Handed to Hana for Gita's case (a distribution naming a case).
    give(on_bpnt["Hana"], day(8), 200_000, kasus=cases["gita"])
    # Help given in PMKS cases (ad-hoc programmes of two villages), and outside the area.
    Penyaluran.bantu_kasus(cases["entis"], tanggal=day(5), sumber="JIMPITAN", bentuk="BARANG",
                           nilai=50_000)
    Penyaluran.bantu_kasus(cases["ujang"], tanggal=day(7), sumber="JIMPITAN", bentuk="BARANG",
                           nilai=75_000)
    Penyaluran.bantu_kasus(cases["bandung"], tanggal=day(7), sumber="JIMPITAN",
                           bentuk="BARANG", nilai=1_000_000)

    stimulan = Program.objects.create(
        kode="STIM-327701", nama="Stimulan Kelompok", sumber="DANA_DESA", bentuk="STIMULAN",
        sasaran="PERKUMPULAN", wilayah_id="32.77.01", mulai=day(1), batas_laporan_hari=30)
    groups = {name: make_perkumpulan(f"STIM-{name}", desa=MELONG if name == "D" else CIBEUREUM)
              for name in "ABCDE"}
    on_stim = {name: Penerima.objects.create(
        program=stimulan, perkumpulan=group, desa_id=group.desa_id, mulai=day(1),
        status=StatusPenerima.DISETUJUI) for name, group in groups.items()}
    give(on_stim["A"], day(6), 1_000_000)  # reported
    LaporanStimulan.objects.create(penerima=on_stim["A"], tanggal=day(7), kegiatan="Posyandu",
                                   terpakai=800_000, sisa=200_000)
    give(on_stim["B"], day(6), 1_000_000)  # no report, 30 days long past: overdue
    give(on_stim["C"], TODAY, 1_000_000)  # today: its report is due
    # D: nothing handed out yet; E: stopped before anything was.
    on_stim["E"].hentikan("Kelompok bubar", tanggal=day(3))
    return {"cases": cases, "bpnt": bpnt, "stimulan": stimulan}


def build(kode="32.77", tahun=YEAR, sensitive=True):
    return rekap.build(Wilayah.objects.get(pk=kode), tahun, sensitive=sensitive)


def tables(data) -> dict[int, rekap.Tabel]:
    return {t.nomor: t for t in data.tabel}


def rows(table) -> list[tuple]:
    return [(r.label, r.nilai, r.jumlah) for r in table.baris]


def test_table_14_aid_by_programme(planted):
    t = tables(build())[14]
    assert t.kolom == ["Penerima", "Penyaluran", "Nilai (Rp)"]
    assert rows(t) == [
        # Icih, Budi, Dodi, Hana (Citra stopped); 5 handed out in the year; 2 villages.
        ("BPNT Cimahi", [4, 5, 1_000_000], 2),
        # A, B, C, D (E stopped); C's distribution falls in this year, not the reference year.
        ("Stimulan Kelompok", [4, 2, 2_000_000], 2),
        # The two villages' ad-hoc programmes in one row; Bandung's help is outside the area.
        (aid_rekap.AD_HOC_ROW, [2, 2, 125_000], 2),
    ]
    assert (t.total.nilai, t.total.jumlah) == ([10, 9, 3_125_000], 2)
    assert [r.kode for r in t.baris] == ["BPNT-3277", "STIM-327701", ""]


def test_table_14_of_a_village_and_of_another_year(planted):
    t = tables(build(MELONG))[14]
    assert rows(t) == [("BPNT Cimahi", [1, 1, 200_000], 1),
                       ("Stimulan Kelompok", [1, 0, 0], 1),
                       (aid_rekap.AD_HOC_ROW, [1, 1, 75_000], 1)]
    # The year before no programme ran (Icih's help dated then is not a programme's year).
    assert 14 not in tables(build(tahun=YEAR - 1))


def test_table_15_recipients_by_pmks_category(planted):
    t = tables(build())[15]
    first, second = KategoriPMKS.objects.order_by("urutan", "nama")[:2]
    # first: Icih (BPNT), Ujang (ad hoc); second: Icih's closed case, Entis (ad hoc), Gita (a
    # distribution naming her case). Budi is a recipient but received nothing; Fajar nothing.
    assert [(r.kode, r.nilai, r.persen) for r in t.baris] == [
        (first.kode, [2], [40.0]), (second.kode, [3], [60.0])]
    assert t.total.nilai == [5]


def test_table_16_open_cases_reached_in_twelve_months(planted):
    t = tables(build())[16]
    first, second = KategoriPMKS.objects.order_by("urutan", "nama")[:2]
    assert t.kolom == ["Menerima bantuan", "Belum menerima"]
    # first: Icih, Ujang reached; Ikin, Fajar not. second: Entis, Gita reached; Budi not
    # (Icih's closed case is not open).
    assert [(r.kode, r.nilai, r.persen) for r in t.baris] == [
        (first.kode, [2, 2], [50.0, 50.0]), (second.kode, [2, 1], [66.67, 33.33])]
    assert (t.total.nilai, t.total.persen) == ([4, 3], [57.14, 42.86])
    # Nothing given in the twelve months up to the end of an earlier year but Icih's: her open
    # case alone is reached.
    earlier = tables(build(tahun=YEAR - 1))[16]
    assert [(r.kode, r.nilai) for r in earlier.baris] == [(first.kode, [1, 3]),
                                                          (second.kode, [0, 3])]


def test_table_16_window_ends_today_in_the_current_year():
    rekap_now = rekap.Rekap(Wilayah(kode=CIBEUREUM), TODAY.year)
    start, end = aid_rekap.window_of(rekap_now)
    assert end == TODAY and (end - start).days in (364, 365)
    assert aid_rekap.window_of(rekap.Rekap(Wilayah(kode=CIBEUREUM), 2020)) == (
        day(1, 1, 2020), day(12, 31, 2020))


def test_table_17_stimulus_report_status(planted):
    t = tables(build())[17]
    assert t.kolom == ["Sudah melapor", "Belum jatuh tempo", "Terlambat", "Belum disalurkan"]
    assert rows(t) == [("Stimulan Kelompok", [1, 1, 1, 1], 4)]
    assert rows(tables(build(MELONG))[17]) == [("Stimulan Kelompok", [0, 0, 0, 1], 1)]
    # A report arrives: B is no longer overdue.
    LaporanStimulan.objects.create(penerima=Penerima.objects.get(perkumpulan__kode="STIM-B"),
                                   tanggal=TODAY, kegiatan="Kerja bakti", terpakai=1_000_000)
    assert rows(tables(build())[17]) == [("Stimulan Kelompok", [2, 1, 0, 1], 4)]


def test_observers_get_the_totals_only(planted, pengamat, staf, client):
    assert {14, 15, 16, 17} <= set(tables(build()))
    assert set(tables(build(sensitive=False))) & {14, 15, 16, 17} == {14, 17}
    client.force_login(pengamat)
    response = client.get("/rekap/", {"wilayah": "32.77", "tahun": YEAR})
    assert response.status_code == 200
    shown = {item["tabel"].nomor for item in response.context["tables"]}
    assert {14, 17} <= shown and not shown & {15, 16}
    html = response.content.decode()
    assert 'id="tabel-14"' in html and 'id="tabel-15"' not in html
    assert "Abah Entis" not in html and "Icih" not in html


def test_the_page_charts_values_and_shares(planted, staf, client):
    client.force_login(staf)
    response = client.get("/rekap/", {"wilayah": "32.77", "tahun": YEAR})
    charts = {item["tabel"].nomor: chart(item["tabel"]) for item in response.context["tables"]}
    # Table 14: the value handed out, the largest the full bar.
    assert [(b.value, b.width) for b in charts[14].bars] == [
        (1_000_000, 130.0), (2_000_000, 260.0), (125_000, 16.2)]
    assert charts[14].subject == "Nilai (Rp)"
    # Table 16: the share reached, on a scale of 100.
    assert [(b.value, b.width) for b in charts[16].bars] == [("50,00 %", 130.0),
                                                            ("66,67 %", 173.3)]
    html = response.content.decode()
    assert 'id="tabel-16"' in html and "66,67 %" in html and "Desa/Kelurahan" in html


def test_xlsx_and_text_carry_the_aid_tables(planted):
    data = build()
    text = rekap.as_text(data)
    assert "Tabel 14." in text and "Desa/Kelurahan" in text and "3125000" in text
    assert "Tabel 17." in text
    stream = io.BytesIO()
    rekap.as_xlsx(data, stream)
    stream.seek(0)
    book = openpyxl.load_workbook(stream)
    sheet = book["Tabel 14"]
    assert [c.value for c in sheet[3]] == [None, "Penerima", "Penyaluran", "Nilai (Rp)",
                                           "Desa/Kelurahan"]
    assert [c.value for c in sheet[4]] == ["BPNT Cimahi", 4, 5, 1_000_000, 2]
    assert [c.value for c in book["Tabel 16"][5]][:5] == [
        KategoriPMKS.objects.order_by("urutan", "nama")[1].nama, 2, 66.67, 1, 33.33]
    assert data.as_dict()["tabel"][-4]["kolom_jumlah"] == "Desa/Kelurahan"


def test_the_aid_tables_cost_eight_queries_whatever_the_size(
        planted, make_warga, django_assert_max_num_queries):
    area = Wilayah.objects.get(pk="32.77")
    recap = rekap.Rekap(area, YEAR)
    builders = [rekap.TABLES[n] for n in (14, 15, 16, 17)]
    with django_assert_max_num_queries(8):
        for table in builders:
            table(recap)
    bpnt = planted["bpnt"]
    for i in range(20):
        person = make_warga(f"32770141019{i + 1:05d}", wilayah_id=CIBEUREUM)
        penerima = Penerima.objects.create(program=bpnt, warga=person, desa_id=CIBEUREUM,
                                           mulai=day(1))
        Penyaluran.objects.create(penerima=penerima, tanggal=day(9), nilai=10_000)
    with django_assert_max_num_queries(8):
        found = {n: table(recap) for n, table in zip((14, 15, 16, 17), builders, strict=True)}
    assert found[14].baris[0].nilai == [24, 25, 1_200_000]


def test_the_2006_recap_has_no_aid_tables(planted):
    assert not set(tables(build(CIBEUREUM, 2006))) & {14, 15, 16, 17}
