"""Recap Table 12: the groups' own funds by kind for an area and a reference year — collected,
spent, balance and the number of groups that ran each fund — in the recap's JSON, text, xlsx and
page; seed 004's tables stay as they were."""

import datetime
import io

import openpyxl
import pytest

from network.models import DanaPerkumpulan
from registry import rekap
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

END_2025 = datetime.date(2025, 12, 31)


@pytest.fixture
def funds(make_perkumpulan):
    """Cibeureum: a Dasa Wisma with an arisan (twice in 2025) and dues, a Karang Taruna with an
    arisan that spent more than it collected; Melong: a Dasa Wisma's arisan. Left out: a 2024
    entry, an inactive group's, a Bandung group's."""
    dw = make_perkumpulan("CBR-DW-001")
    kt = make_perkumpulan("CBR-KT-001", jenis="KT")
    mlg = make_perkumpulan("MLG-DW-001", desa=MELONG)
    gone = make_perkumpulan("CBR-DW-099", aktif=False)
    bdg = make_perkumpulan("BDG-DW-001", desa=SUKARASA)
    for group, jenis, tanggal, terkumpul, dipakai in [
        (dw, "ARISAN", datetime.date(2025, 6, 30), 600_000, 600_000),
        (dw, "ARISAN", END_2025, 400_000, 100_000),
        (dw, "IURAN", END_2025, 240_000, 0),
        (kt, "ARISAN", END_2025, 300_000, 450_000),
        (mlg, "ARISAN", END_2025, 200_000, 50_000),
        (dw, "IURAN", datetime.date(2024, 12, 31), 999_000, 0),
        (gone, "ARISAN", END_2025, 777_000, 0),
        (bdg, "ARISAN", END_2025, 555_000, 0),
    ]:
        DanaPerkumpulan.objects.create(perkumpulan=group, jenis=jenis, tanggal=tanggal,
                                       terkumpul=terkumpul, dipakai=dipakai)


def table_12(kode: str, year: int = 2025):
    built = rekap.build(Wilayah.objects.get(pk=kode), year)
    return next((t for t in built.as_dict()["tabel"] if t["nomor"] == 12), None)


@pytest.mark.django_db
def test_a_village_s_funds_by_kind(funds):
    table = table_12(CIBEUREUM)
    assert table["kolom"] == ["Terkumpul (Rp)", "Dipakai (Rp)", "Saldo (Rp)"]
    assert table["nominal"] is True
    assert [(r["kode"], r["nilai"], r["jumlah"]) for r in table["baris"]] == [
        ("IURAN", [240_000, 0, 240_000], 1),
        ("ARISAN", [1_300_000, 1_150_000, 150_000], 2),
    ]
    # The total row counts the Dasa Wisma once, though it runs two funds.
    assert (table["total"]["nilai"], table["total"]["jumlah"]) == (
        [1_540_000, 1_150_000, 390_000], 2)
    assert all(r["persen"] == [] for r in table["baris"])


@pytest.mark.django_db
def test_the_city_adds_its_villages_and_another_year_has_its_own(funds):
    city = table_12("32.77")
    assert [(r["kode"], r["nilai"], r["jumlah"]) for r in city["baris"]] == [
        ("IURAN", [240_000, 0, 240_000], 1),
        ("ARISAN", [1_500_000, 1_200_000, 300_000], 3),
    ]
    assert city["total"]["jumlah"] == 3
    earlier = table_12("32.77", 2024)
    assert [(r["kode"], r["nilai"], r["jumlah"]) for r in earlier["baris"]] == [
        ("IURAN", [999_000, 0, 999_000], 1)]
    assert table_12("32.77", 2023) is None  # no fund that year: no empty table


@pytest.mark.django_db
def test_text_xlsx_and_page_show_the_amounts(funds, client, pengamat):
    built = rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2025)
    text = rekap.as_text(built)
    assert "Tabel 12." in text
    assert [line.split() for line in text.splitlines() if line.startswith("Jumlah")][-1] == [
        "Jumlah", "1540000", "1150000", "390000", "2"]
    stream = io.BytesIO()
    rekap.as_xlsx(built, stream)
    sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))["Tabel 12"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[2]) == [None, "Terkumpul (Rp)", "Dipakai (Rp)", "Saldo (Rp)", "Perkumpulan"]
    assert list(rows[-1])[1:] == [1_540_000, 1_150_000, 390_000, 2]
    # An observer sees fund totals: they are no personal data.
    client.force_login(pengamat)
    html = client.get("/rekap/", {"wilayah": CIBEUREUM, "tahun": 2025}).content.decode()
    assert 'id="tabel-12"' in html
    assert '<td class="num">1540000</td><td class="num">1150000</td>' in html
