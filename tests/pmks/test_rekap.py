"""Tables 10 and 11 of the recap: PMKS cases by category and status, and open cases with and
without an accompanying group — counted by hand on a few cases; left out for observers."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from registry import rekap
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG

S = StatusKasus


@pytest.fixture
def cases(make_perkumpulan):
    dw = make_perkumpulan("CBR-DW-001")
    first, second = KategoriPMKS.objects.order_by("urutan", "nama")[:2]
    rows = [
        # category, status, accompanied, village
        (first, S.TERIDENTIFIKASI, True, CIBEUREUM),
        (first, S.TERIDENTIFIKASI, False, CIBEUREUM),
        (first, S.DITANGANI, True, CIBEUREUM),
        (first, S.SELESAI, True, CIBEUREUM),  # closed: not in Table 11
        (second, S.MENOLAK, False, CIBEUREUM),  # refused: not in Table 11
        (second, S.DIRUJUK, False, CIBEUREUM),
        (second, S.DITANGANI, False, MELONG),  # another village of the city
    ]
    for i, (kategori, status, accompanied, desa) in enumerate(rows):
        KasusPMKS.objects.create(nama=f"Warga {i}", desa_id=desa, kategori=kategori, status=status,
                                 pendamping=dw if accompanied else None)
    return first, second


def tables(area: str, sensitive=True) -> dict:
    data = rekap.build(Wilayah.objects.get(pk=area), 2026, sensitive=sensitive).as_dict()
    return {t["nomor"]: t for t in data["tabel"]}


def test_table_10_counts_cases_by_category_and_status(cases):
    first, second = cases
    table = tables(CIBEUREUM)[10]
    assert table["judul"] == "PMKS menurut Kategori dan Status"
    assert table["kolom"] == ["Teridentifikasi", "Ditangani", "Dirujuk", "Selesai",
                              "Menolak Bantuan"]
    assert [(r["kode"], r["nilai"], r["jumlah"]) for r in table["baris"]] == [
        (first.kode, [2, 1, 0, 1, 0], 4),
        (second.kode, [0, 0, 1, 0, 1], 2),
    ]
    assert table["baris"][0]["persen"] == [50.0, 25.0, 0.0, 25.0, 0.0]
    assert table["total"]["nilai"] == [2, 1, 1, 1, 1] and table["total"]["jumlah"] == 6
    city = tables("32.77")[10]
    assert city["total"]["nilai"] == [2, 2, 1, 1, 1]  # Melong's case too


def test_table_11_counts_open_cases_with_and_without_a_group(cases):
    table = tables(CIBEUREUM)[11]
    assert table["judul"] == "Cakupan Pendampingan PMKS"
    assert [(r["label"], r["nilai"], r["persen"]) for r in table["baris"]] == [
        ("Didampingi perkumpulan", [2], [50.0]),
        ("Belum didampingi", [2], [50.0]),
    ]
    assert table["total"]["jumlah"] == 4
    city = tables("32.77")[11]
    assert [r["nilai"] for r in city["baris"]] == [[2], [3]]


def test_the_command_gives_all_eleven_tables(cases, capsys):
    call_command("rekap", wilayah=CIBEUREUM, tahun_acuan=2026)
    data = json.loads(capsys.readouterr().out)
    assert [t["nomor"] for t in data["tabel"]] == list(range(1, 12))


def test_observers_get_the_recap_without_the_pmks_tables(client, staf, pengamat, cases):
    client.force_login(staf)
    response = client.get("/rekap/", {"wilayah": CIBEUREUM, "tahun": 2026})
    assert [t["tabel"].nomor for t in response.context["tables"]][-2:] == [10, 11]
    assert "Cakupan Pendampingan PMKS" in response.content.decode()
    client.force_login(pengamat)
    response = client.get("/rekap/", {"wilayah": CIBEUREUM, "tahun": 2026})
    assert response.status_code == 200
    assert {t["tabel"].nomor for t in response.context["tables"]} & {10, 11} == set()
    html = response.content.decode()
    note = html[html.index('<p class="observer-note"'):]
    note = note[:note.index("</p>")]
    assert "PMKS" in note  # the observer is told cases are hidden; no table shows any
    assert "PMKS" not in html.replace(note, "")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(
        "/rekap/xlsx/", {"wilayah": CIBEUREUM, "tahun": 2026}).streaming_content)))
    assert "Tabel 10" not in book.sheetnames and "Tabel 9" in book.sheetnames


def counts(area: str) -> tuple[list, list]:
    """Table 10's totals per status, and Table 11's accompanied and unaccompanied open cases."""
    found = tables(area)
    coverage = {r["kode"]: r["nilai"][0] for r in found[11]["baris"]}
    return found[10]["total"]["nilai"], [coverage.get("DIDAMPINGI", 0), coverage.get("BELUM", 0)]


def test_the_stored_counts_follow_each_write_that_changes_them(cases, tmp_path):
    """Tables 10 and 11 read stored counts: each write below changes them at once, and they
    equal a count from scratch."""
    from registry.models import Perkumpulan
    from tests.survey_files import case, imported, make_xlsx

    first, _second = cases
    assert counts(CIBEUREUM) == ([2, 1, 1, 1, 1], [2, 2])
    # Warga 1 (unaccompanied) is now handled.
    moving = KasusPMKS.objects.get(nama="Warga 1")
    moving.ubah_status(S.DITANGANI)
    assert counts(CIBEUREUM) == ([1, 2, 1, 1, 1], [2, 2])
    # ...and recorded in Melong: it leaves Cibeureum's counts for Melong's; the city's stay.
    moving.desa_id = MELONG
    moving.save()
    assert counts(CIBEUREUM) == ([1, 1, 1, 1, 1], [2, 1])
    assert counts(MELONG) == ([0, 2, 0, 0, 0], [0, 2])
    assert counts("32.77") == ([1, 3, 1, 1, 1], [2, 3])
    # A case struck off (Warga 5, referred, unaccompanied).
    KasusPMKS.objects.get(nama="Warga 5").delete()
    assert counts(CIBEUREUM) == ([1, 1, 0, 1, 1], [2, 0])
    # A case imported, accompanied by Mawar.
    imported(make_xlsx(tmp_path, {"pmks": [case("Mak Icih", first.nama,
                                                kode_perkumpulan_pendamping="CBR-DW-001")]}))
    assert counts(CIBEUREUM) == ([2, 1, 0, 1, 1], [3, 0])
    # Mawar accompanies a case of Melong too.
    mawar = Perkumpulan.objects.get(kode="CBR-DW-001")
    KasusPMKS.objects.create(nama="Warga 7", desa_id=MELONG, kategori=first,
                             status=S.DITANGANI, pendamping=mawar)
    assert counts(MELONG) == ([0, 3, 0, 0, 0], [1, 2])
    # The accompanying group deleted: its open cases, in both villages, are accompanied no more.
    mawar.delete()
    assert counts(CIBEUREUM) == ([2, 1, 0, 1, 1], [0, 3])
    assert counts(MELONG) == ([0, 3, 0, 0, 0], [0, 3])
    shown = counts("32.77")
    rekap.refresh_all()
    assert counts("32.77") == shown == ([2, 4, 0, 1, 1], [0, 6])


def test_the_dashboard_counts_the_open_cases_of_the_users_area(cases, client, operator, staf,
                                                               pengamat):
    """From the stored counts: Cibeureum's operator sees its 4 open cases, the city's staff 5;
    a case closed counts at once; observers get no such card."""
    def card(user):
        client.force_login(user)
        cards = client.get("/").context["cards"]
        return next((n for label, n, _url in cards if label == "kasus PMKS terbuka"), None)

    assert (card(operator), card(staf), card(pengamat)) == (4, 5, None)
    KasusPMKS.objects.get(nama="Warga 5").ubah_status(S.SELESAI)
    assert (card(operator), card(staf)) == (3, 4)


def test_a_case_the_import_moves_leaves_its_old_villages_counts(db, tmp_path):
    from tests.survey_files import ASEP, case, imported, make_xlsx

    imported(make_xlsx(tmp_path, {"pmks": [case("Asep", nik=ASEP)]}))
    assert counts(CIBEUREUM) == ([1, 0, 0, 0, 0], [0, 1])
    imported(make_xlsx(tmp_path, {"pmks": [case("Asep", nik=ASEP, desa=MELONG)]},
                       name="pindah.xlsx"))
    assert KasusPMKS.objects.get().desa_id == MELONG
    assert counts(CIBEUREUM) == ([0, 0, 0, 0, 0], [0, 0])
    assert counts(MELONG) == ([1, 0, 0, 0, 0], [0, 1])
