"""The indicator page of an area, the villages compared, the xlsx: per role, with fixed query
counts (the numbers are those of tests/ketahanan/test_indikator.py's village)."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import CIBEUREUM, MELONG
from tests.ketahanan.test_indikator import KECAMATAN


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_village_page_shows_the_four_dimensions_with_their_indicators(village, client,
                                                                          operator):
    page = get(client, operator, "/ketahanan/")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("perlindungan", "partisipasi", "pengendalian_konflik", "kearifan_lokal"):
        assert f'id="dimensi-{key}"' in html
    rows = {i.key: i for d in page.context["dimensions"] for i in d["rows"]}
    assert len(rows) == 11
    assert (rows["perkumpulan_berjejaring"].shown, rows["perkumpulan_berjejaring"].pembilang,
            rows["perkumpulan_berjejaring"].penyebut) == ("75,00%", 3, 4)
    assert rows["pmks_didampingi"].tautan == f"/pmks/cakupan/?wilayah={CIBEUREUM}"
    assert "/pmks/cakupan/" in html
    assert rows["kategori_tanpa_penolong"].shown == "2"
    assert rows["forum_aktif"].shown == "1"  # a village's forum met: 1, no share


def test_above_a_village_the_forum_figure_is_a_share_of_villages(village, client, staf):
    """Above a village, "forum active" is the share of villages whose forum met: shown as a
    percentage with its villages (it read "50,00" with nothing to say what of)."""
    rows = {i.key: i for d in get(client, staf, "/ketahanan/", wilayah=KECAMATAN)
            .context["dimensions"] for i in d["rows"]}
    forum = rows["forum_aktif"]
    assert (forum.shown, forum.persen, forum.pembilang, forum.penyebut) == ("50,00%", True, 1, 2)


def test_an_indicator_without_a_denominator_says_why(village, client, operator_lain):
    rows = {i.key: i for d in get(client, operator_lain, "/ketahanan/").context["dimensions"]
            for i in d["rows"]}
    assert rows["pmks_didampingi"].shown == "–"
    assert rows["pmks_didampingi"].kosong  # "no open cases", in the user's language
    assert rows["perkumpulan_per_1000_warga"].kosong


def test_an_observer_sees_the_figures_but_no_link_to_cases_or_people(village, client,
                                                                     pengamat):
    page = get(client, pengamat, "/ketahanan/", wilayah=CIBEUREUM)
    assert page.status_code == 200
    rows = {i.key: i for d in page.context["dimensions"] for i in d["rows"]}
    assert rows["pmks_didampingi"].shown == "50,00%"
    assert rows["pmks_didampingi"].tautan is None
    assert rows["warga_dewasa_anggota"].tautan is None
    assert "/pmks/" not in page.content.decode() and "/warga/" not in page.content.decode()


def test_another_village_is_not_found_and_a_bad_date_is_told(village, client, operator):
    assert get(client, operator, "/ketahanan/", wilayah=MELONG).status_code == 404
    bad = get(client, operator, "/ketahanan/", pada="2026-02-30")
    assert bad.status_code == 400 and "2026-02-30" in bad.content.decode()
    assert get(client, operator, "/ketahanan/", tahun="20x").status_code == 400


def test_the_page_as_the_registry_stood(village, client, operator):
    from django.utils import timezone

    moment = timezone.localtime()
    village["g"]["G4"].delete()
    now = get(client, operator, "/ketahanan/").context["hasil"]
    past = get(client, operator, "/ketahanan/", pada=moment.isoformat()).context["hasil"]
    assert now.nilai("perkumpulan_berjejaring") == 100.0
    assert past.nilai("perkumpulan_berjejaring") == 75.0


def test_the_villages_compared_sort_by_any_indicator(village, client, staf):
    page = get(client, staf, "/ketahanan/banding/", wilayah=KECAMATAN,
               urut="prakarsa_masyarakat", arah="turun")
    assert page.status_code == 200
    assert [r["wilayah"].kode for r in page.context["rows"]] == [CIBEUREUM, MELONG]
    ascending = get(client, staf, "/ketahanan/banding/", wilayah=KECAMATAN,
                    urut="prakarsa_masyarakat", arah="naik")
    assert [r["wilayah"].kode for r in ascending.context["rows"]] == [MELONG, CIBEUREUM]
    # Nulls last whatever the direction: Melong has no open cases.
    for arah in ("naik", "turun"):
        rows = get(client, staf, "/ketahanan/banding/", wilayah=KECAMATAN,
                   urut="pmks_didampingi", arah=arah).context["rows"]
        assert rows[-1]["wilayah"].kode == MELONG
    html = page.content.decode()
    assert "<svg" in html and "Cibeureum" in html
    assert get(client, staf, "/ketahanan/banding/", wilayah=KECAMATAN,
               urut="nope").status_code == 400
    assert get(client, staf, "/ketahanan/banding/", wilayah=CIBEUREUM).status_code == 400


def test_the_comparison_costs_the_same_queries_for_more_villages(village, client, staf,
                                                                 make_perkumpulan):
    client.force_login(staf)
    with CaptureQueriesContext(connection) as two:
        assert client.get("/ketahanan/banding/", {"wilayah": KECAMATAN}).status_code == 200
    for i, desa in enumerate(("32.77.01.1003", "32.77.01.1004", "32.77.01.1005")):
        make_perkumpulan(f"X-DW-{i}", desa=desa)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/ketahanan/banding/", {"wilayah": KECAMATAN})
    assert len(page.context["rows"]) == 5
    assert len(five) == len(two)


def test_the_xlsx_holds_the_indicators(village, client, staf):
    response = get(client, staf, "/ketahanan/unduh.xlsx", wilayah=KECAMATAN)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = {row[2]: row[3] for row in book["Indikator"].iter_rows(min_row=4, values_only=True)}
    assert rows["nilai_gotong_royong"] == 40.0


@pytest.mark.parametrize("url", ["/ketahanan/", "/ketahanan/banding/", "/ketahanan/unduh.xlsx"])
def test_anonymous_users_are_sent_to_log_in(client, url, db):
    assert client.get(url).status_code == 302
