"""A group's own funds on its page: the totals by fund and the latest entries for every role
that sees the group (funds are no personal data), the form to add an entry for its editors, the
page's cost whatever the number of entries, and who may add (observer 403, another village's
operator 404); the admin's list and the group's change history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import DanaPerkumpulan
from network.views import FUNDS_SHOWN

URL = "/perkumpulan/CBR-DW-001/"
ADD = "/perkumpulan/CBR-DW-001/dana/tambah/"


@pytest.fixture
def dw(groups):
    group = groups["dw"]
    for jenis, tanggal, terkumpul, dipakai in [
        ("ARISAN", datetime.date(2025, 6, 30), 600_000, 600_000),
        ("ARISAN", datetime.date(2025, 12, 31), 400_000, 100_000),
        ("SIMPAN_PINJAM", datetime.date(2025, 12, 31), 850_000, 1_000_000),
    ]:
        DanaPerkumpulan.objects.create(perkumpulan=group, jenis=jenis, tanggal=tanggal,
                                       terkumpul=terkumpul, dipakai=dipakai)
    return group


def panel(response) -> dict:
    [found] = [p["context"] for p in response.context["panels"]
               if p["template"] == "network/panel_dana.html"]
    return found


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_panel_gives_totals_by_fund_and_the_latest_entries(client, operator, dw):
    client.force_login(operator)
    response = client.get(URL)
    p = panel(response)
    assert [(t["jenis"], t["catatan"], t["terkumpul"], t["dipakai"], t["saldo"])
            for t in p["totals"]] == [("ARISAN", 2, 1_000_000, 700_000, 300_000),
                                      ("SIMPAN_PINJAM", 1, 850_000, 1_000_000, -150_000)]
    assert p["sum"] == {"terkumpul": 1_850_000, "dipakai": 1_700_000, "saldo": 150_000}
    assert [(e.jenis, e.tanggal.month) for e in p["entries"]] == [
        ("SIMPAN_PINJAM", 12), ("ARISAN", 12), ("ARISAN", 6)]
    html = response.content.decode()
    assert 'id="dana"' in html and f'action="{ADD}"' in html
    assert 'for="dana-jenis"' in html and 'id="dana-jenis"' in html  # labels tied to inputs


@pytest.mark.django_db
def test_an_observer_sees_the_totals_and_no_form(client, pengamat, dw):
    client.force_login(pengamat)
    p = panel(client.get(URL))
    assert p["sum"]["saldo"] == 150_000
    assert not p["can_edit"] and p["form"] is None
    assert ADD not in client.get(URL).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["operator", "pengamat"])
def test_the_page_costs_the_same_for_3_or_40_entries(client, request, dw, role,
                                                     django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(role))
    few = queries(client, URL)
    for month in range(1, 13):
        for jenis in ("IURAN", "JIMPITAN", "DANA_KEMATIAN"):
            DanaPerkumpulan.objects.create(perkumpulan=dw, jenis=jenis, terkumpul=10_000,
                                           tanggal=datetime.date(2024, month, 28))
    DanaPerkumpulan.objects.create(perkumpulan=dw, jenis="LAIN", tanggal=datetime.date(2023, 1, 1))
    with django_assert_max_num_queries(few):
        response = client.get(URL)
    p = panel(response)
    assert len(p["entries"]) == FUNDS_SHOWN and p["more"] == 40 - FUNDS_SHOWN
    assert sum(t["catatan"] for t in p["totals"]) == 40


@pytest.mark.django_db
def test_an_editor_adds_an_entry_with_its_history(client, operator, dw):
    client.force_login(operator)
    response = client.post(ADD, {"jenis": "IURAN", "tanggal": "2026-03-31",
                                 "terkumpul": "240000", "dipakai": "40000", "keterangan": "Q1"})
    assert response.status_code == 302 and response["Location"] == URL + "#dana"
    entry = dw.dana.get(jenis="IURAN")
    assert (entry.terkumpul, entry.dipakai, entry.saldo, entry.keterangan) == (
        240_000, 40_000, 200_000, "Q1")
    assert [(h.history_type, h.history_user) for h in entry.history.all()] == [("+", operator)]
    page = client.get(URL)
    # The group's change history names the entry by its fund and period.
    assert any("Iuran anggota 2026-03-31" in c.what for c in page.context["history"])


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field"), [
    ({"jenis": "ARISAN", "tanggal": "2025-12-31"}, "__all__"),  # that period's entry exists
    ({"jenis": "ARISAN", "tanggal": "2999-12-31"}, "tanggal"),  # in the future
    ({"jenis": "TABUNGAN", "tanggal": "2026-01-31"}, "jenis"),  # not on the list
    ({"jenis": "IURAN", "tanggal": "2026-01-31", "terkumpul": "-1"}, "terkumpul"),
    # Past a village fund's size: ten such entries overflowed the page's sum (a 500).
    ({"jenis": "IURAN", "tanggal": "2026-01-31", "terkumpul": "999999999999999999"},
     "terkumpul"),
    ({"jenis": "IURAN", "tanggal": "2026-01-31", "dipakai": "1000000000001"}, "dipakai"),
    ({"jenis": "IURAN", "tanggal": "0001-01-31"}, "tanggal"),  # a year typed short
])
def test_a_bad_entry_is_400_and_writes_nothing(client, operator, dw, data, field):
    client.force_login(operator)
    before = list(DanaPerkumpulan.objects.values_list("pk", "terkumpul"))
    response = client.post(ADD, {"terkumpul": "1000", "dipakai": "0", **data})
    assert response.status_code == 400
    form = response.context["p"]["form"]
    assert form.has_error(field)
    assert data["tanggal"] in response.content.decode()  # what was typed is kept
    assert list(DanaPerkumpulan.objects.values_list("pk", "terkumpul")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("pengamat", 403), ("operator_lain", 404),
                                              ("staf_lain", 404)])
def test_who_may_not_add_is_refused(client, request, dw, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.post(ADD, {"jenis": "IURAN", "tanggal": "2026-01-31", "terkumpul": "1"})
    assert response.status_code == status
    assert not DanaPerkumpulan.objects.filter(jenis="IURAN").exists()


@pytest.mark.django_db
def test_another_village_s_group_page_and_funds_are_not_found(client, operator_lain, dw):
    client.force_login(operator_lain)
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_the_admin_lists_funds_of_the_area_by_kind_and_year(client, staf, staf_lain, dw,
                                                            groups):
    DanaPerkumpulan.objects.create(perkumpulan=groups["mlg"], jenis="ARISAN",
                                   tanggal=datetime.date(2024, 12, 31), terkumpul=5)
    client.force_login(staf)
    page = client.get("/admin/network/danaperkumpulan/", {"jenis__exact": "ARISAN",
                                                          "tanggal__year": "2025"})
    assert page.status_code == 200
    assert sorted(e.tanggal.month for e in page.context["cl"].result_list) == [6, 12]
    assert client.get("/admin/network/danaperkumpulan/",
                      {"perkumpulan__desa": "x"}).status_code == 400  # no other lookups
    client.force_login(staf_lain)
    assert client.get("/admin/network/danaperkumpulan/").context["cl"].result_count == 0
    entry = dw.dana.first()
    assert client.get(f"/admin/network/danaperkumpulan/{entry.pk}/change/").status_code in (
        302, 404)


@pytest.mark.django_db
def test_the_group_s_admin_page_adds_a_fund_entry_with_history(client, staf, dw):
    client.force_login(staf)
    url = f"/admin/registry/perkumpulan/{dw.pk}/change/"
    page = client.get(url)
    assert 'name="dana-TOTAL_FORMS"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for prefix in ("keanggotaan", "hubungan"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"dana-TOTAL_FORMS": 1, "dana-INITIAL_FORMS": 0, "dana-0-perkumpulan": dw.pk,
                 "dana-0-jenis": "JIMPITAN", "dana-0-tanggal": "2026-02-28",
                 "dana-0-terkumpul": 75_000, "dana-0-dipakai": 25_000})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][2].formset.errors
    entry = dw.dana.get(jenis="JIMPITAN")
    assert (entry.saldo, entry.history.get().history_user) == (50_000, staf)
