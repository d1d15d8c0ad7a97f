"""The PMKS pages: who may see them, the case list's filters and masked NIKs, a case page with its
full NIK and timeline written to the access log, the logged by-name export."""

import io

import openpyxl
import pytest

from pmks.models import KasusPMKS, LogAkses, StatusKasus, Tindakan
from tests.conftest import CIBEUREUM, MELONG
from tests.pmks.conftest import NIK

ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


@pytest.mark.parametrize(("url", "expected"), [
    ("/pmks/", [302, 200, 200, 200, 200, 403, 200]),
    ("/pmks/{icih}/", [302, 200, 404, 200, 404, 403, 200]),
    ("/pmks/unduh.xlsx", [302, 200, 200, 200, 200, 403, 200]),
])
def test_permission_matrix(client, request, cases, url, expected):
    for role, status in zip(ROLES, expected, strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        response = client.get(url.format(icih=cases["icih"].pk))
        assert response.status_code == status, (role, url)


def names(response) -> list:
    return [c.nama for c in response.context["page"].object_list]


def test_the_list_is_scoped_filtered_and_masks_nik(client, operator, staf, cases):
    client.force_login(operator)
    response = client.get("/pmks/")
    assert names(response) == ["Abah Entis", "Mak Icih"]
    html = response.content.decode()
    assert NIK not in html and "••••••••••••0001" in html
    assert names(client.get("/pmks/", {"didampingi": "false"})) == ["Abah Entis"]
    assert names(client.get("/pmks/", {"didampingi": "true"})) == ["Mak Icih"]
    assert names(client.get("/pmks/", {"kategori": cases["first"].kode})) == ["Mak Icih"]
    assert names(client.get("/pmks/", {"status": "DIRUJUK"})) == ["Mak Icih"]
    assert names(client.get("/pmks/", {"pendamping": "cbr-dw-001"})) == ["Mak Icih"]
    assert names(client.get("/pmks/", {"rw": "5"})) == ["Abah Entis"]
    client.force_login(staf)
    assert names(client.get("/pmks/")) == ["Ujang", "Abah Entis", "Mak Icih"]  # Melong first


@pytest.mark.parametrize("query", [{"rw": "abc"}, {"status": "HILANG"}, {"kategori": "X"}])
def test_a_bad_filter_is_a_400_with_the_form(client, operator, cases, query):
    client.force_login(operator)
    response = client.get("/pmks/", query)
    assert response.status_code == 400 and response.context["filter"].errors


def test_the_list_costs_the_same_queries_with_more_cases(client, operator, cases,
                                                        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(operator)
    client.get("/pmks/")
    with CaptureQueriesContext(connection) as first:
        client.get("/pmks/")
    for i in range(20):
        KasusPMKS.objects.create(nama=f"Warga {i}", desa_id=CIBEUREUM, kategori=cases["first"])
    with django_assert_num_queries(len(first)):
        client.get("/pmks/")


def test_a_case_page_shows_the_full_nik_and_timeline_and_is_logged(client, operator, staf,
                                                                    cases):
    client.force_login(operator)
    response = client.get(f"/pmks/{cases['icih'].pk}/")
    html = response.content.decode()
    assert NIK in html and "Panti Werdha" in html and "Jimpitan beras" in html
    assert [type(r).__name__ for r in response.context["timeline"]] == [
        "RiwayatStatus", "RiwayatStatus", "Rujukan", "Penyaluran"]
    assert response.context["log"] is None  # operators do not read the log
    entry = LogAkses.objects.get()
    assert (entry.pengguna, entry.tindakan, entry.kasus, entry.wilayah_id) == (
        operator, Tindakan.LIHAT, cases["icih"], CIBEUREUM)
    client.force_login(staf)
    response = client.get(f"/pmks/{cases['icih'].pk}/")
    assert [e.pengguna.username for e in response.context["log"]] == [staf.username,
                                                                      operator.username]


def test_the_export_is_by_name_by_address_and_logged(client, operator, cases):
    client.force_login(operator)
    response = client.get("/pmks/unduh.xlsx", {"didampingi": "true"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:8] == ("NIK", "Nama", "Desa/Kelurahan", "RW", "RT", "Alamat", "Kategori",
                           "Status")
    assert rows[1][:3] == (NIK, "Mak Icih", "Cibeureum") and len(rows) == 2
    entry = LogAkses.objects.get()
    assert (entry.tindakan, entry.wilayah_id) == (Tindakan.EKSPOR, CIBEUREUM)
    assert "1 baris" in entry.keterangan and "didampingi=true" in entry.keterangan


def test_a_whole_country_export_is_logged_without_an_area(client, admin_user, staf, cases):
    client.force_login(admin_user)
    response = client.get("/pmks/unduh.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(list(book.active.iter_rows())) == 4  # the header and all three cases
    entry = LogAkses.objects.get()
    assert (entry.pengguna, entry.wilayah_id) == (admin_user, None)
    assert "3 baris" in entry.keterangan
    assert not LogAkses.objects.visible_to(staf).exists()


def test_coverage_shows_who_is_helped_and_who_is_not(client, operator, staf, pengamat, cases,
                                                     make_warga):
    from members.models import Keanggotaan

    # Mak Icih (referred, accompanied by a Dasa Wisma) is also a member of a group.
    Keanggotaan.objects.create(warga=cases["icih"].warga, perkumpulan=cases["icih"].pendamping)
    client.force_login(staf)
    response = client.get("/pmks/cakupan/")
    villages = {v["desa"]: (v["semua"], v["didampingi"], v["belum"])
                for v in response.context["villages"]}
    assert villages == {CIBEUREUM: (2, 1, 1), MELONG: (1, 0, 1)}
    assert [t.kode for t in response.context["types"]] == ["DW"]
    matrix = {row["kategori"].pk: (row["cells"], row["none"]) for row in response.context["matrix"]}
    assert matrix == {cases["first"].pk: ([1], 1), cases["entis"].kategori_id: ([0], 1)}
    assert [c.nama for c in response.context["members"]] == ["Mak Icih"]
    assert NIK not in response.content.decode()
    client.force_login(operator)
    villages = [v["desa"] for v in client.get("/pmks/cakupan/").context["villages"]]
    assert villages == [CIBEUREUM]
    client.force_login(pengamat)
    assert client.get("/pmks/cakupan/").status_code == 403


def test_coverage_flags_needs_without_the_kind_of_group_that_usually_helps(
        client, staf, cases, make_perkumpulan):
    """Toddlers (ABT) are usually helped by a Posyandu or a BKB, children (AT) by a BKR or a
    Karang Taruna: a village with such open cases and no active group of those types is flagged,
    until one is registered there."""
    client.force_login(staf)

    def gaps():
        return {(g["desa"], g["kategori__kode"]): (g["n"], g["types"])
                for g in client.get("/pmks/cakupan/").context["gaps"]}

    abt = ["BKB", "Posyandu"]
    at = ["BKR", "Pemuda/Karang Taruna"]
    assert gaps() == {(CIBEUREUM, "ABT"): (1, abt), (CIBEUREUM, "AT"): (1, at),
                      (MELONG, "ABT"): (1, abt)}
    make_perkumpulan("CBR-PY-001", jenis="POSYANDU")
    make_perkumpulan("CBR-KT-001", jenis="KT", aktif=False)  # an inactive group helps no one
    assert gaps() == {(CIBEUREUM, "AT"): (1, at), (MELONG, "ABT"): (1, abt)}
    # A closed case is no need.
    cases["melong"].ubah_status(StatusKasus.SELESAI)
    assert set(gaps()) == {(CIBEUREUM, "AT")}
    html = client.get("/pmks/cakupan/").content.decode()
    assert f"?desa={CIBEUREUM}&amp;kategori=AT" in html
    found = client.get("/pmks/", {"desa": CIBEUREUM, "kategori": "AT"}).context["page"]
    assert [c.nama for c in found.object_list] == ["Abah Entis"]


def test_coverage_narrows_to_a_village_and_never_contradicts_itself(client, staf, operator,
                                                                    cases, make_perkumpulan):
    """Staff pick a part of their area; where a village has a group of a helping type that does
    not accompany the cases, the matrix says no group accompanies them and the next table does
    not claim the need is covered without saying by whom it could be; categories with no
    helping type recorded are named as not checked."""
    from pmks.models import KategoriPMKS

    client.force_login(staf)
    response = client.get("/pmks/cakupan/", {"wilayah": MELONG})
    assert [v["desa"] for v in response.context["villages"]] == [MELONG]
    assert response.context["filter"].form.fields["wilayah"].queryset.filter(
        pk=CIBEUREUM).exists()
    assert client.get("/pmks/cakupan/", {"wilayah": "32.73.01"}).status_code == 400
    # Cibeureum's toddler case sits under a Dasa Wisma, the child's under no group; a Posyandu
    # and a Karang Taruna exist but accompany nobody.
    make_perkumpulan("CBR-PY-001", jenis="POSYANDU")
    make_perkumpulan("CBR-KT-001", jenis="KT")
    html = client.get("/pmks/cakupan/", {"wilayah": CIBEUREUM}).content.decode()
    assert "no group accompanies yet" not in html  # Indonesian page
    assert "belum didampingi perkumpulan mana pun" in html
    assert "setiap kategori yang punya kasus terbuka" in html
    assert "apakah perkumpulan itu sudah mendampingi" in html
    # A category no helping type is recorded for is named as not checked.
    KategoriPMKS.objects.get(pk=cases["entis"].kategori_id).jenis_penolong.clear()
    html = client.get("/pmks/cakupan/", {"wilayah": CIBEUREUM}).content.decode()
    assert "tidak diperiksa di sini" in html
    assert cases["entis"].kategori.nama in html.split("tidak diperiksa di sini")[1][:300]
    client.force_login(operator)
    response = client.get("/pmks/cakupan/")
    assert "wilayah" not in response.context["filter"].form.fields


def test_staff_narrow_the_case_list_to_a_part_of_their_area(client, staf, operator, cases):
    client.force_login(staf)
    assert names(client.get("/pmks/", {"wilayah": MELONG})) == ["Ujang"]
    assert sorted(names(client.get("/pmks/", {"wilayah": "32.77.01"}))) == [
        "Abah Entis", "Mak Icih", "Ujang"]
    assert client.get("/pmks/", {"wilayah": "32.73.01"}).status_code == 400
    client.force_login(operator)
    assert "wilayah" not in client.get("/pmks/").context["filter"].form.fields
