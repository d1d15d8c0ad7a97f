"""The aid recap tables (14–17) on a small planted registry of Kota Cimahi: exact numbers, the
area's limits, observers without the PMKS tables, the charts on the page, the xlsx and text
outputs, and a fixed number of queries."""

import datetime
import io
import os

import openpyxl
import pytest

from bantuan import rekap as aid_rekap
from bantuan.models import (
    LaporanStimulan,
    Penerima,
    Penyaluran,
    Program,
    RekapBantuan,
    StatusPenerima,
)
from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry import rekap
from registry.models import RekapBasi, Wilayah
from registry.views.rekap import chart
from tests.conftest import CIBEUREUM, MELONG, SUKARASA, today

YEAR = today().year - 1  # the reference year: wholly past, so every date below is too


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
    give(on_stim["C"], today(), 1_000_000)  # today: its report is due
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
    rekap_now = rekap.Rekap(Wilayah(kode=CIBEUREUM), today().year)
    start, end = aid_rekap.window_of(rekap_now)
    assert end == today() and (end - start).days in (364, 365)
    assert aid_rekap.window_of(rekap.Rekap(Wilayah(kode=CIBEUREUM), 2020)) == (
        day(1, 1, 2020), day(12, 31, 2020))


def test_table_17_stimulus_report_status(planted):
    t = tables(build())[17]
    assert t.kolom == ["Sudah melapor", "Belum jatuh tempo", "Terlambat", "Belum disalurkan"]
    assert rows(t) == [("Stimulan Kelompok", [1, 1, 1, 1], 4)]
    assert rows(tables(build(MELONG))[17]) == [("Stimulan Kelompok", [0, 0, 0, 1], 1)]
    # A report arrives: B is no longer overdue.
    LaporanStimulan.objects.create(penerima=Penerima.objects.get(perkumpulan__kode="STIM-B"),
                                   tanggal=today(), kegiatan="Kerja bakti", terpakai=1_000_000)
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


def test_the_aid_tables_read_stored_counts_in_nine_queries_whatever_the_size(
        planted, make_warga, django_assert_max_num_queries):
    area = Wilayah.objects.get(pk="32.77")
    recap = rekap.Rekap(area, YEAR)
    builders = [rekap.TABLES[n] for n in (14, 15, 16, 17)]
    rekap.own_writes_counted()  # (as the recap does first: the planted writes' villages)
    with django_assert_max_num_queries(9):
        for table in builders:
            table(recap)
    bpnt = planted["bpnt"]
    for i in range(20):
        person = make_warga(f"32770141019{i + 1:05d}", wilayah_id=CIBEUREUM)
        penerima = Penerima.objects.create(program=bpnt, warga=person, desa_id=CIBEUREUM,
                                           mulai=day(1))
        Penyaluran.objects.create(penerima=penerima, tanggal=day(9), nilai=10_000)
    rekap.own_writes_counted()
    with django_assert_max_num_queries(9):
        found = {n: table(recap) for n, table in zip((14, 15, 16, 17), builders, strict=True)}
    assert found[14].baris[0].nilai == [24, 25, 1_200_000]


def test_the_2006_recap_has_no_aid_tables(planted):
    assert not set(tables(build(CIBEUREUM, 2006))) & {14, 15, 16, 17}


# The stored counts (bantuan.rekap.count_aid, the store "bantuan") --------------------------------
def stored_rows() -> set[tuple]:
    return set(RekapBantuan.objects.values_list("wilayah", "ukuran", "kunci", "dari", "sampai",
                                                "hari", "jumlah"))


def test_the_counts_kept_by_each_write_are_those_computed_afresh(planted):
    build()  # (the planted writes' villages computed)
    kept = stored_rows()
    assert kept and not RekapBasi.objects.exists()
    rekap.refresh_all()
    assert stored_rows() == kept


def test_the_current_year_reads_each_open_cases_latest_aid(planted):
    """Up to today, the twelve months are read from the day of each case's latest aid: a case
    helped 13 months ago and again a month ago counts, one helped 13 months ago alone not."""
    cases, first = planted["cases"], KategoriPMKS.objects.order_by("urutan", "nama")[0]
    long_ago, lately = today() - datetime.timedelta(days=400), today() - datetime.timedelta(days=30)
    for case, dates in ((cases["fajar"], (long_ago, lately)), (cases["ikin"], (long_ago,))):
        for tanggal in dates:
            Penyaluran.bantu_kasus(case, tanggal=tanggal, sumber="JIMPITAN", bentuk="UANG",
                                   nilai=10_000)
    now = tables(build(tahun=today().year))[16]
    # first: Fajar (a month ago) and Icih (her BPNT, dated in the last twelve months when the
    # reference year began less than a year ago: not, for a date in January YEAR) …
    reached = {r.kode: r.nilai for r in now.baris}
    icih_in_window = day(4) > today() - datetime.timedelta(days=365)
    ujang_in_window = day(7) > today() - datetime.timedelta(days=365)
    assert reached[first.kode] == [1 + icih_in_window + ujang_in_window,
                                   3 - icih_in_window - ujang_in_window]
    # The year of the long-ago help: Fajar's and Ikin's cases reached in it, beside Icih and
    # Ujang (in YEAR) or Icih alone (the year before: her December help).
    past = {r.kode: r.nilai for r in tables(build(tahun=long_ago.year))[16].baris}
    assert past[first.kode] == ([4, 0] if long_ago.year == YEAR else [3, 1])


def test_a_reports_deadline_moves_with_the_programme_and_is_read_on_the_day(planted):
    """The stored deadline (first distribution + the programme's days) is compared with the
    day the table is read: no count waits for a new day."""
    stimulan = planted["stimulan"]
    stimulan.batas_laporan_hari = 30_000  # B's report, overdue, is now due long after today
    stimulan.save()
    assert rows(tables(build())[17]) == [("Stimulan Kelompok", [1, 2, 0, 1], 4)]
    deadline = aid_rekap.day(today() + datetime.timedelta(days=30_000))  # C's, given today
    assert RekapBantuan.objects.filter(wilayah=CIBEUREUM, ukuran=aid_rekap.DUE,
                                       hari=deadline).exists()


def test_a_programme_shortened_leaves_the_years_after_it(planted):
    assert "BPNT Cimahi" in [r.label for r in tables(build(tahun=today().year))[14].baris]
    bpnt = planted["bpnt"]
    bpnt.selesai = day(12, 31)
    bpnt.save()
    after = tables(build(tahun=today().year)).get(14)
    assert after is None or "BPNT Cimahi" not in [r.label for r in after.baris]
    assert rows(tables(build())[14])[0] == ("BPNT Cimahi", [4, 5, 1_000_000], 2)


def test_a_province_programmes_change_is_left_to_the_cron(planted, monkeypatch):
    """A programme of many villages changed: they wait for `rekap --segarkan-basi`, and the
    recap says so, rather than being computed before the request answers."""
    from django.core.management import call_command

    monkeypatch.setattr(aid_rekap, "MANY_PLACES", 1)
    build()
    bpnt = planted["bpnt"]
    bpnt.mulai = day(6)  # the recipients' first months no longer count: nothing else changes
    with rekap.deferred():
        bpnt.save()
    city = Wilayah.objects.get(pk="32.77")
    assert rekap.waiting(city) == 2  # Cibeureum and Melong
    call_command("rekap", wilayah="32.77", segarkan_basi=True, output=os.devnull)
    assert rekap.waiting(city) == 0
    assert rows(tables(build())[14])[0] == ("BPNT Cimahi", [4, 5, 1_000_000], 2)


def test_a_recipient_moved_leaves_its_old_villages_counts(planted):
    dodi = Penerima.objects.get(program=planted["bpnt"], warga__nama="Dodi")
    assert rows(tables(build(MELONG))[14])[0] == ("BPNT Cimahi", [1, 1, 200_000], 1)
    dodi = Penerima.objects.get(pk=dodi.pk)  # (loaded: it remembers its village)
    dodi.desa_id = CIBEUREUM
    dodi.save()
    assert "BPNT Cimahi" not in [r.label for r in tables(build(MELONG))[14].baris]
    assert rows(tables(build(CIBEUREUM))[14])[0] == ("BPNT Cimahi", [4, 5, 1_000_000], 1)


def test_aid_to_a_person_counts_in_the_village_of_their_case(planted):
    """Dodi lives and receives in Melong; a case of his registered in Cibeureum later counts
    what he received, and a distribution to him marks Cibeureum's counts."""
    first = KategoriPMKS.objects.order_by("urutan", "nama")[0]
    dodi = Penerima.objects.get(program=planted["bpnt"], warga__nama="Dodi")
    before = {r.kode: r.nilai for r in tables(build(CIBEUREUM))[15].baris}[first.kode]
    KasusPMKS.objects.create(nama="Dodi", desa_id=CIBEUREUM, kategori=first,
                             warga=dodi.warga)
    assert {r.kode: r.nilai for r in tables(build(CIBEUREUM))[15].baris}[first.kode] == [
        before[0] + 1]
    Penyaluran.objects.filter(penerima=dodi).delete()
    assert {r.kode: r.nilai for r in tables(build(CIBEUREUM))[15].baris}[first.kode] == before


def test_a_group_above_the_village_counts_at_its_kecamatan_and_up(planted, make_perkumpulan):
    group = make_perkumpulan("CS-BKB-001", desa="32.77.01", jenis="BKB")
    on_it = Penerima.objects.create(program=planted["stimulan"], perkumpulan=group,
                                    desa_id="32.77.01", mulai=day(1))
    assert rows(tables(build("32.77.01"))[17]) == [("Stimulan Kelompok", [1, 1, 1, 2], 5)]
    assert rows(tables(build())[17]) == [("Stimulan Kelompok", [1, 1, 1, 2], 5)]
    assert rows(tables(build(CIBEUREUM))[17]) == [("Stimulan Kelompok", [1, 1, 1, 0], 3)]
    on_it.delete()
    assert rows(tables(build())[17]) == [("Stimulan Kelompok", [1, 1, 1, 1], 4)]
    assert not RekapBantuan.objects.filter(wilayah="32.77.01", ukuran__startswith="@")


def test_the_upgrade_marks_every_place_with_aid_as_waiting(planted):
    """bantuan 0005: an upgraded registry's areas with recipients, and villages with cases,
    wait for the cron (the recap says so) until their aid counts are computed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("bantuan.migrations.0005_rekap_bantuan")
    build()
    RekapBantuan.objects.all().delete()
    migration.mark_places_with_aid(apps, None)
    assert set(RekapBasi.objects.values_list("desa", flat=True)) == {CIBEUREUM, MELONG, SUKARASA}
    assert rekap.refresh_stale(Wilayah.objects.get(pk="32")) == 3
    assert rows(tables(build())[14])[0] == ("BPNT Cimahi", [4, 5, 1_000_000], 2)


def test_a_villages_own_programme_is_listed_there_and_summed_above(planted):
    """Cibeureum's own programme is a row of its own in the village's Table 14; in the city's,
    the villages' own programmes make one row (a province has thousands)."""
    budi = Penerima.objects.get(program=planted["bpnt"], warga__nama="Budi")
    own = Program.objects.create(kode="PKM-CBR", nama="Padat Karya Cibeureum",
                                 sumber="DANA_DESA", bentuk="UANG", sasaran="WARGA",
                                 wilayah_id=CIBEUREUM, mulai=day(1))
    mine = Penerima.objects.create(program=own, warga=budi.warga, desa_id=CIBEUREUM,
                                   mulai=day(2))
    Penyaluran.objects.create(penerima=mine, tanggal=day(3), nilai=300_000)
    village = rows(tables(build(CIBEUREUM))[14])
    assert ("Padat Karya Cibeureum", [1, 1, 300_000], 1) in village
    assert aid_rekap.VILLAGE_ROW not in [label for label, _v, _j in village]
    city = rows(tables(build())[14])
    assert (aid_rekap.VILLAGE_ROW, [1, 1, 300_000], 1) in city
    assert "Padat Karya Cibeureum" not in [label for label, _v, _j in city]
    assert tables(build())[14].total.nilai == [11, 10, 3_425_000]


def test_a_villages_own_stimulus_is_listed_there_and_summed_above(planted, make_perkumpulan):
    own = Program.objects.create(kode="STIM-CBR", nama="Stimulan Desa Cibeureum",
                                 sumber="DANA_DESA", bentuk="STIMULAN", sasaran="PERKUMPULAN",
                                 wilayah_id=CIBEUREUM, mulai=day(1), selesai=day(12, 31))
    group = make_perkumpulan("STIM-F", desa=CIBEUREUM)
    on_it = Penerima.objects.create(program=own, perkumpulan=group, desa_id=CIBEUREUM,
                                    mulai=day(1))
    Penyaluran.objects.create(penerima=on_it, tanggal=day(3), nilai=500_000)  # long overdue
    assert rows(tables(build(CIBEUREUM))[17]) == [
        ("Stimulan Desa Cibeureum", [0, 0, 1, 0], 1), ("Stimulan Kelompok", [1, 1, 1, 0], 3)]
    assert rows(tables(build())[17]) == [
        ("Stimulan Kelompok", [1, 1, 1, 1], 4), (aid_rekap.VILLAGE_ROW, [0, 0, 1, 0], 1)]
    # The year after it ended, it is no longer in the table.
    later = tables(build(CIBEUREUM, tahun=today().year))[17]
    assert "Stimulan Desa Cibeureum" not in [r.label for r in later.baris]
