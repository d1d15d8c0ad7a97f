"""The recap page: scoping, totals, charts, drill-down, comparison, xlsx and a flat query count."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

URL = "/rekap/"
KEC_CIMAHI_SELATAN = "32.77.01"


@pytest.fixture
def groups(make_perkumpulan):
    """Cibeureum: 2 Dasa Wisma (one young), 1 Posyandu; Melong: 1 Dasa Wisma; Bandung: 1."""
    make_perkumpulan("CBR-DW-001", desa=CIBEUREUM, jenis="DW", tahun_berdiri=2000)
    make_perkumpulan("CBR-DW-002", desa=CIBEUREUM, jenis="DW", tahun_berdiri=2020)
    make_perkumpulan("CBR-PY-001", desa=CIBEUREUM, jenis="POSYANDU", tahun_berdiri=1990)
    make_perkumpulan("MLG-DW-001", desa=MELONG, jenis="DW", tahun_berdiri=2010)
    make_perkumpulan("BDG-DW-001", desa=SUKARASA, jenis="DW", tahun_berdiri=2000)
    make_perkumpulan("CBR-DW-099", desa=CIBEUREUM, jenis="DW", aktif=False)


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def test_urls_are_named():
    assert reverse("registry:rekap") == "/rekap/"
    assert reverse("registry:rekap_xlsx") == "/rekap/xlsx/"


def test_staff_sees_city_recap_with_totals_and_drill_down(client, staf, groups):
    response = get(client, staf, wilayah="32.77", tahun=2026)
    assert response.status_code == 200
    rekap = response.context["rekap"]
    assert rekap.jumlah_perkumpulan == 4  # Bandung and the inactive group are left out
    t1 = rekap.tabel[0]
    assert t1.nomor == 1
    assert {r.kode: r.nilai for r in t1.baris} == {"DW": [1, 2], "POSYANDU": [0, 1]}
    assert t1.total.nilai == [1, 3] and t1.total.jumlah == 4
    html = response.content.decode()
    assert "25,00" in html and "75,00" in html  # Indonesian percentages of the total row
    links = re.findall(r'href="/rekap/\?wilayah=(32\.77\.\d\d)&amp;tahun=2026"', html)
    assert len(links) == 3 and KEC_CIMAHI_SELATAN in links  # Cimahi has three kecamatan
    assert 'href="/rekap/xlsx/?wilayah=32.77&amp;tahun=2026"' in html


def test_default_area_is_own_and_year_this_year(client, operator, groups):
    from django.utils import timezone

    response = get(client, operator)
    assert response.status_code == 200
    assert response.context["area"].kode == CIBEUREUM
    assert response.context["tahun"] == timezone.localdate().year
    assert response.context["rekap"].jumlah_perkumpulan == 3


@pytest.mark.parametrize("kode", ["32.77", MELONG, SUKARASA, "32.77.01"])
def test_operator_gets_404_outside_their_village(client, operator, groups, kode):
    assert get(client, operator, wilayah=kode).status_code == 404
    assert client.get("/rekap/xlsx/", {"wilayah": kode}).status_code == 404


def test_other_staff_gets_404(client, staf_lain, groups):
    assert get(client, staf_lain, wilayah="32.77").status_code == 404


def test_observer_may_see_the_recap(client, pengamat, groups):
    response = get(client, pengamat, wilayah="32.77")
    assert response.status_code == 200
    assert response.context["rekap"].jumlah_perkumpulan == 4


def test_anonymous_is_sent_to_login(client, groups):
    for url in (URL, "/rekap/xlsx/"):
        response = client.get(url, {"wilayah": "32.77"})
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("tahun", ["abc", "20x6", "99999", "-1"])
def test_bad_year_is_400(client, staf, tahun):
    response = get(client, staf, wilayah="32.77", tahun=tahun)
    assert response.status_code == 400
    assert "Tahun acuan harus tahun antara 1900 dan 2100." in response.content.decode()


def test_admin_without_area_must_choose_one(client, admin_user, groups):
    response = get(client, admin_user)  # the menu's link: the provinces to choose from
    assert response.status_code == 200
    assert '<a href="/rekap/?wilayah=32">Jawa Barat</a>' in response.content.decode()
    assert get(client, admin_user, wilayah="32.73").context["rekap"].jumlah_perkumpulan == 1


def test_svg_chart_has_one_bar_per_row_of_table_1(client, staf, groups):
    html = get(client, staf, wilayah="32.77", tahun=2026).content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert svgs and "<script" not in html
    first = svgs[0]
    assert 'role="img"' in first and "aria-label=" in first
    assert first.count("<rect") == 2
    assert "<title>Dasa Wisma: 3</title>" in first
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', first)]
    assert widths[0] == pytest.approx(3 * widths[1], rel=0.01)  # proportional to the row totals


def test_xlsx_download(client, staf, groups):
    client.force_login(staf)
    response = client.get("/rekap/xlsx/", {"wilayah": "32.77", "tahun": "2026"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Tabel 1" in book.sheetnames
    assert book["Tabel 1"]["A1"].value.startswith("Tabel 1.")


def test_comparison_lists_each_sub_area_with_its_count(client, staf, groups):
    response = get(client, staf, wilayah=KEC_CIMAHI_SELATAN, tahun=2026)
    rows = {r["wilayah"].kode if r["wilayah"] else "total": (r["nilai"], r["jumlah"])
            for r in response.context["compare_rows"]}
    assert [t.kode for t in response.context["types"]] == ["DW", "POSYANDU"]
    assert rows[CIBEUREUM] == ([2, 1], 3)
    assert rows[MELONG] == ([1, 0], 1)
    assert rows["total"] == ([3, 1], 4)
    assert sum(1 for k, (_v, n) in rows.items() if k != "total" and n == 0) == len(rows) - 3
    html = response.content.decode()
    assert f'href="/rekap/?wilayah={CIBEUREUM}&amp;tahun=2026">' in html
    # The sub-areas come first (they lead on), each type by its full name.
    assert html.index('id="perbandingan"') < html.index('id="tabel-1"')
    compare = html[html.index('id="perbandingan"'):html.index('id="tabel-1"')]
    assert '<th scope="col" class="num jenis"><span>Dasa Wisma</span></th>' in compare
    assert ">DW<" not in compare and ">POSYANDU<" not in compare


def test_village_recap_has_no_comparison(client, operator, groups):
    response = get(client, operator, wilayah=CIBEUREUM)
    assert response.context["compare_rows"] == []


def count_queries(client, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound):
        response = client.get(URL, {"wilayah": "32.77", "tahun": "2026"})
    assert response.status_code == 200
    return response


def test_query_count_does_not_grow_with_groups(
    client, staf, make_perkumpulan, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i, jenis in enumerate(["DW", "POSYANDU", "KT"]):
        make_perkumpulan(f"CBR-{jenis}-{i:03d}", desa=CIBEUREUM, jenis=jenis)
    client.force_login(staf)
    client.get(URL, {"wilayah": "32.77"})  # warm the session and caches
    with CaptureQueriesContext(connection) as measured:
        client.get(URL, {"wilayah": "32.77", "tahun": "2026"})
    bound = len(measured)
    count_queries(client, django_assert_max_num_queries, bound)

    villages = [CIBEUREUM, MELONG, "32.77.02.1001", "32.77.03.1001"]
    kinds = ["DW", "POSYANDU", "KT", "BKB", "PENGAJIAN"]
    for i in range(27):
        make_perkumpulan(f"ZZ-{i:03d}", desa=villages[i % 4], jenis=kinds[i % 5],
                         tahun_berdiri=1990 + i)
    # The first visit computes the four changed villages' counts, in a fixed number of queries:
    # one per stored dimension, two per store of other counts (its count, its rows), five more
    # for the aid store's count (recipients, distributions, stimulus groups, cases and the aid
    # they got three ways: bantuan.rekap.count_aid) and a few more, whatever the number of groups.
    from registry.rekap import DIMENSIONS, STORES

    response = count_queries(client, django_assert_max_num_queries,
                             bound + len(DIMENSIONS) + 2 * len(STORES) + 5 + 10)
    assert response.context["rekap"].jumlah_perkumpulan == 30
    response = count_queries(client, django_assert_max_num_queries, bound)
    assert response.context["rekap"].jumlah_perkumpulan == 30


def test_a_village_links_up_to_its_kecamatan_and_city(client, staf, operator, groups):
    html = get(client, staf, wilayah=CIBEUREUM, tahun=2006).content.decode()
    assert 'href="/rekap/?wilayah=32.77&amp;tahun=2006"' in html
    assert 'href="/rekap/?wilayah=32.77.01&amp;tahun=2006"' in html
    assert 'href="/rekap/?wilayah=32&amp;' not in html  # the province is outside the staff's area
    # An operator sees no links up: the larger areas are not theirs.
    html = get(client, operator, wilayah=CIBEUREUM).content.decode()
    assert "rekap-crumbs" not in html


def test_a_long_table_shows_its_largest_rows_and_says_so(client, staf, groups, monkeypatch):
    """A province's aid table lists thousands of village programmes: the page shows the
    largest rows (here 1 of Table 1's 2), their total still every row's; the xlsx keeps all."""
    from registry.views import rekap as page

    monkeypatch.setattr(page, "PAGE_ROWS", 1)
    response = get(client, staf, wilayah="32.77", tahun=2026)
    shown = next(item for item in response.context["tables"] if item["tabel"].nomor == 1)
    assert [r.kode for r in shown["tabel"].baris] == ["DW"]  # 3 groups; Posyandu has 1
    assert shown["tabel"].total.jumlah == 4 and shown["left_out"] == 1
    section = response.content.decode().split('id="tabel-1"')[1].split("</section>")[0]
    assert "Posyandu" not in section
    assert "1 terbesar dari 2 baris" in section
    book = openpyxl.load_workbook(io.BytesIO(client.get("/rekap/xlsx/", {
        "wilayah": "32.77", "tahun": 2026}).getvalue()))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "posyandu" in str(cells).lower()


@pytest.mark.parametrize("grouped", [False, True])
def test_a_cell_reads_as_the_template_language_writes_it(settings, grouped):
    """The recap's cells are written without the template language: each reads as {{ value }}
    would, in both languages, with or without grouped thousands."""
    from django.template import Context, Template
    from django.utils import translation

    from registry.views.rekap import _cell

    settings.USE_THOUSAND_SEPARATOR = grouped
    template = Template("{{ v }}")
    for language in ("id", "en"):
        with translation.override(language):
            for value in (0, 7, 1234567, -1234, 12.5, "<b>RW 1</b>", "3,5"):
                assert _cell(value) == template.render(Context({"v": value})), (language, value)
