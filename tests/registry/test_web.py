"""The village officer's group pages: who may open what, the filters, the form, the query counts."""

import io

import openpyxl
import pytest

from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM, MELONG, SUKARASA


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "cbr": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", rw=3, tahun_berdiri=1999),
        "cbr2": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas",
                                 tahun_berdiri=2015, jaringan_kerja="PEMERINTAH"),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melati"),
        "bdg": make_perkumpulan("BDG-DW-001", desa=SUKARASA, nama="Dasa Wisma Bandung"),
    }


ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


# URL × role → status. 302 = sent to the login page; 404 = outside the user's area.
MATRIX = {
    "/": dict(anonymous=302, operator=200, operator_lain=200, staf=200, staf_lain=200,
              pengamat=200, admin_user=200),
    "/perkumpulan/": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                          staf_lain=200, pengamat=200, admin_user=200),
    "/perkumpulan/unduh.xlsx": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                                    staf_lain=200, pengamat=200, admin_user=200),
    "/perkumpulan/CBR-DW-001/": dict(anonymous=302, operator=200, operator_lain=404, staf=200,
                                     staf_lain=404, pengamat=200, admin_user=200),
    "/perkumpulan/CBR-DW-001/ubah/": dict(anonymous=302, operator=200, operator_lain=404,
                                          staf=200, staf_lain=404, pengamat=403,
                                          admin_user=200),
    "/perkumpulan/baru/": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                               staf_lain=200, pengamat=403, admin_user=200),
    "/perkumpulan/TIDAK-ADA/": dict(anonymous=302, operator=404, operator_lain=404, staf=404,
                                    staf_lain=404, pengamat=404, admin_user=404),
}


@pytest.mark.parametrize(("url", "role"), [(u, r) for u in MATRIX for r in ROLES])
def test_permission_matrix(client, request, groups, url, role):
    response = login(client, request, role).get(url)
    assert response.status_code == MATRIX[url][role], (url, role)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def codes(response) -> list[str]:
    """The codes of the listed groups (the list reads its rows as tuples, code first)."""
    return [row[0] for row in response.context["page"].object_list]


def test_each_role_lists_only_its_area(client, groups, operator, staf, admin_user):
    client.force_login(operator)
    assert codes(client.get("/perkumpulan/")) == ["CBR-DW-001", "CBR-KT-001"]
    client.force_login(staf)
    assert codes(client.get("/perkumpulan/")) == ["CBR-DW-001", "CBR-KT-001", "MLG-DW-001"]
    client.force_login(admin_user)
    assert len(codes(client.get("/perkumpulan/"))) == 4


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "mawar"}, ["CBR-DW-001"]),
    ({"q": "kt-0"}, ["CBR-KT-001"]),
    ({"jenis": "DW"}, ["CBR-DW-001", "MLG-DW-001"]),
    ({"rw": "3"}, ["CBR-DW-001"]),
    ({"berdiri_sebelum": "1999"}, ["CBR-DW-001"]),
    ({"berdiri_sesudah": "2001"}, ["CBR-KT-001"]),
    ({"jaringan": "PEMERINTAH"}, ["CBR-KT-001"]),
    ({"urut": "-nama"}, ["CBR-KT-001", "MLG-DW-001", "CBR-DW-001"]),
    ({"urut": "tahun"}, ["CBR-DW-001", "MLG-DW-001", "CBR-KT-001"]),
])
def test_filters_and_sorting(client, staf, groups, query, expected):
    client.force_login(staf)
    response = client.get("/perkumpulan/", query)
    assert response.status_code == 200
    assert codes(response) == expected


@pytest.mark.parametrize("query", [
    {"jenis": "XX"}, {"berdiri_sebelum": "abc"}, {"rw": "0"}, {"jaringan": "LAIN"},
    {"urut": "password"},
])
def test_bad_filters_are_400_with_the_form(client, staf, groups, query):
    client.force_login(staf)
    response = client.get("/perkumpulan/", query)
    assert response.status_code == 400
    assert response.context["filter"].form.errors


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1.5"])
def test_any_page_number_gives_a_page(client, staf, make_perkumpulan, page):
    for i in range(55):
        make_perkumpulan(f"P-{i:03d}")
    client.force_login(staf)
    response = client.get("/perkumpulan/", {"page": page})
    assert response.status_code == 200
    assert len(codes(response)) in (50, 5)


def test_pages_keep_the_filters(client, staf, make_perkumpulan):
    for i in range(60):
        make_perkumpulan(f"P-{i:03d}", jenis="DW" if i % 2 else "KT")
    client.force_login(staf)
    response = client.get("/perkumpulan/", {"jenis": "DW", "urut": "-kode"})
    assert response.context["page"].paginator.count == 30
    html = response.content.decode()
    assert "?jenis=DW&amp;urut=-kode&amp;page=2" not in html  # 30 rows: one page
    response = client.get("/perkumpulan/", {"aktif": "true"})
    assert 'href="?aktif=true&amp;page=2"' in response.content.decode()


def test_the_list_downloads_as_xlsx_with_its_filters(client, staf, groups, make_perkumpulan):
    make_perkumpulan("CBR-DW-002", nama="=HYPERLINK(\"http://x\")")
    client.force_login(staf)
    response = client.get("/perkumpulan/unduh.xlsx", {"jenis": "DW"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["CBR-DW-001", "CBR-DW-002", "MLG-DW-001"]
    assert rows[2][1] == "=HYPERLINK(\"http://x\")"  # the name as it is, as text:
    assert book.active.cell(row=3, column=2).data_type == "s"  # never a formula
    assert rows[1][6] == 1999


PAGES = ["/perkumpulan/", "/perkumpulan/?jenis=DW&urut=-tahun", "/perkumpulan/CBR-DW-001/", "/"]


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_detail_and_dashboard_cost_fixed_queries(client, staf, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    client.force_login(staf)
    client.get("/")
    few = {url: count_queries(client, url) for url in PAGES}
    for i in range(60):
        make_perkumpulan(f"X-{i:03d}", desa=[CIBEUREUM, MELONG][i % 2],
                         jenis=["DW", "KT", "POSYANDU"][i % 3])
    client.get("/")  # the dashboard computes the changed villages' counts once
    many = {url: count_queries(client, url) for url in PAGES}
    assert many == few
    assert max(few.values()) <= 20, few


def test_the_unfiltered_list_counts_from_the_stored_recap(client, staf, operator,
                                                         make_perkumpulan):
    """Unfiltered, the list's total is the stored count of the area's active and inactive
    groups; while a village's stored counts are stale, the groups are counted. Either way: the
    truth."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        make_perkumpulan(f"C-{i}", desa=[CIBEUREUM, MELONG][i % 2], aktif=i != 0)
    client.force_login(staf)

    def shown(query=None):
        """(the total shown, read from the store?, groups counted?)"""
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/perkumpulan/", query or {})
        sql = [q["sql"] for q in captured.captured_queries]
        stored = any("registry_rekapsel" in q for q in sql)
        counted = any("COUNT(" in q and "registry_perkumpulan" in q for q in sql)
        return response.context["page"].paginator.count, stored, counted

    assert shown() == (6, False, True)  # stale villages: counted
    client.get("/")  # the dashboard brings the stored counts up to date
    assert shown() == (6, True, False)  # 5 active + 1 inactive, from the store
    assert shown({"urut": "-nama"}) == (6, True, False)
    assert shown({"aktif": "false"}) == (1, False, True)  # filtered: counted
    assert shown({"q": "C-1"}) == (1, False, True)
    group = Perkumpulan.objects.get(kode="C-1")
    group.aktif = False
    group.save()  # its village is stale now
    make_perkumpulan("C-9", desa=MELONG)
    assert shown() == (7, False, True)
    client.get("/")
    assert shown() == (7, True, False)  # 5 active + 2 inactive
    client.force_login(operator)
    assert shown() == (3, True, False)


def test_a_new_group_type_shows_in_the_filter_at_once(client, staf, groups):
    """The filter's rendered fields are kept per process, keyed by the list of types."""
    from registry.models import JenisPerkumpulan

    client.force_login(staf)
    assert "Kelompok Baru" not in client.get("/perkumpulan/").content.decode()
    JenisPerkumpulan.objects.create(kode="BARU", nama="Kelompok Baru", urutan=99)
    html = client.get("/perkumpulan/").content.decode()
    assert '<option value="BARU">Kelompok Baru</option>' in html
    html = client.get("/perkumpulan/", {"jenis": "BARU"}).content.decode()
    assert '<option value="BARU" selected>Kelompok Baru</option>' in html


def test_dashboard_counts_groups_by_type(client, operator, staf, groups):
    client.force_login(operator)
    response = client.get("/")
    assert response.context["jumlah"] == 2
    assert {t["jenis"].kode: t["jumlah"] for t in response.context["types"]} == {
        "DW": 1, "KT": 1
    }
    client.force_login(staf)
    assert client.get("/").context["jumlah"] == 3


# The form ------------------------------------------------------------------------------------
VALID = {"kode": "CBR-PY-009", "nama": "Posyandu Anggrek", "jenis": "", "tahun_berdiri": "2004",
         "rw": "5", "aktif": "on"}


def form_data(**changes):
    from registry.models import JenisPerkumpulan

    data = {**VALID, "jenis": JenisPerkumpulan.objects.get(kode="POSYANDU").pk}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_operator_creates_a_group_in_their_village(client, operator):
    client.force_login(operator)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode=MELONG))
    assert response.status_code == 302
    assert response["Location"] == "/perkumpulan/CBR-PY-009/"
    group = Perkumpulan.objects.get(kode="CBR-PY-009")
    assert group.desa_id == CIBEUREUM  # an operator's village, whatever is posted
    assert (group.nama, group.rw, group.tahun_berdiri, group.aktif) == (
        "Posyandu Anggrek", 5, 2004, True)


def test_a_form_sent_empty_is_told_what_it_lacks(client, operator):
    """An empty POST is a submission: 400 with the required fields marked, not a fresh form."""
    client.force_login(operator)
    before = Perkumpulan.objects.count()
    response = client.post("/perkumpulan/baru/", {})
    assert response.status_code == 400
    assert response.context["form"].has_error("nama", "required")
    response = client.post("/impor/", {})
    assert response.status_code == 400 and response.context["form"].has_error("berkas", "required")
    assert Perkumpulan.objects.count() == before


def test_staff_types_a_village_within_their_area(client, staf):
    client.force_login(staf)
    response = client.post("/perkumpulan/baru/", form_data(desa_kode="3277011001"))
    assert response.status_code == 302
    assert Perkumpulan.objects.get(kode="CBR-PY-009").desa_id == MELONG
    response = client.post("/perkumpulan/baru/", form_data(kode="X-1", desa_kode=SUKARASA))
    assert response.status_code == 400
    assert response.context["form"].has_error("desa_kode", "outside_area")
    response = client.post("/perkumpulan/baru/", form_data(kode="X-2", desa_kode="32.77.01"))
    assert response.context["form"].has_error("desa_kode", "outside_area")  # not a desa
    assert not Perkumpulan.objects.filter(kode__startswith="X-").exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"kode": ""}, "kode"),
    ({"kode": "CBR-DW-001"}, "kode"),  # taken
    ({"nama": ""}, "nama"),
    ({"tahun_berdiri": "2999"}, "tahun_berdiri"),
    ({"tahun_berdiri": "abc"}, "tahun_berdiri"),
    ({"rw": "0"}, "rw"),
    ({"jenis": "999999"}, "jenis"),
])
def test_bad_input_is_shown_next_to_the_field_and_kept(client, operator, groups, changes,
                                                        field):
    client.force_login(operator)
    before = Perkumpulan.objects.count()
    response = client.post("/perkumpulan/baru/", form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'value="Posyandu Anggrek"' in html or field == "nama"  # what was typed is kept
    assert Perkumpulan.objects.count() == before


def test_editing_keeps_the_code_and_refreshes_the_recap(client, operator, groups):
    from registry import rekap
    from registry.models import Wilayah

    area = Wilayah.objects.get(pk=CIBEUREUM)
    assert rekap.build(area, 2026).jumlah_perkumpulan == 2
    client.force_login(operator)
    data = form_data(kode="GANTI-KODE", nama="Dasa Wisma Mawar Merah", aktif=None)
    response = client.post("/perkumpulan/CBR-DW-001/ubah/", data)
    assert response.status_code == 302
    group = Perkumpulan.objects.get(pk=groups["cbr"].pk)
    assert (group.kode, group.nama, group.aktif) == ("CBR-DW-001", "Dasa Wisma Mawar Merah",
                                                     False)
    assert rekap.build(area, 2026).jumlah_perkumpulan == 1


def test_observers_may_not_post(client, pengamat, groups):
    client.force_login(pengamat)
    assert client.post("/perkumpulan/baru/", form_data()).status_code == 403
    assert client.post("/perkumpulan/CBR-DW-001/ubah/", form_data()).status_code == 403
    assert not Perkumpulan.objects.filter(kode="CBR-PY-009").exists()


def test_login_and_logout_pages(client, operator):
    from tests.conftest import PASSWORD

    response = client.get("/accounts/login/")
    assert response.status_code == 200 and 'lang="id"' in response.content.decode()
    response = client.post("/accounts/login/", {"username": operator.username,
                                                "password": "salah"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post("/accounts/login/", {"username": operator.username,
                                                "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_code_with_a_slash_has_its_pages(client, operator, make_perkumpulan):
    make_perkumpulan("CBR/DW/007", nama="Dasa Wisma Tujuh")
    client.force_login(operator)
    assert client.get("/perkumpulan/CBR/DW/007/").context["group"].nama == "Dasa Wisma Tujuh"
    response = client.get("/perkumpulan/CBR/DW/007/ubah/")
    assert response.status_code == 200 and response.context["group"].kode == "CBR/DW/007"


def test_list_rows_link_to_each_group_and_escape_its_text(client, operator, make_perkumpulan):
    from django.urls import reverse

    make_perkumpulan("CBR/DW.07_a", nama='Dasa Wisma <b>"Tujuh"</b> & Co', rw=None,
                     tahun_berdiri=2001, aktif=False)
    client.force_login(operator)
    html = client.get("/perkumpulan/").content.decode()
    url = reverse("registry:perkumpulan_detail", args=["CBR/DW.07_a"])
    assert f'<a href="{url}">CBR/DW.07_a</a>' in html
    assert client.get(url).context["group"].kode == "CBR/DW.07_a"
    assert "Dasa Wisma &lt;b&gt;&quot;Tujuh&quot;&lt;/b&gt; &amp; Co" in html
    assert "<b>" not in html
    row = html[html.index(url):].split("</tr>")[0]
    assert '<td data-label="RW">–</td>' in row and '<td data-label="Berdiri">2001</td>' in row
    assert '<td data-label="Aktif">tidak</td>' in row


def test_error_pages_speak_indonesian_and_keep_the_menu(client, operator, pengamat, settings):
    from django.template.loader import render_to_string

    settings.DEBUG = False
    client.force_login(operator)
    response = client.get("/perkumpulan/TIDAK-ADA/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Tidak ditemukan" in html and 'aria-label="Menu utama"' in html
    client.force_login(pengamat)
    response = client.get("/pmks/")
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()
    assert "Terjadi kesalahan" in render_to_string("500.html")
