"""A group's links: adding every kind, refusals, removing, the partners offered, the isolated
groups on the dashboard, and what a group's page costs with many links."""

import pytest

from network.models import Hubungan, Mitra
from tests.conftest import CIBEUREUM, MELONG
from tests.network.conftest import add_link


def test_links_of_every_kind(client, operator, groups):
    client.force_login(operator)
    assert add_link(client, "CBR-DW-001", mitra_perkumpulan=groups["kt"].pk).status_code == 302
    assert add_link(client, "CBR-DW-001", kode_perkumpulan="cbr-py-001",
                    bentuk="RUJUKAN").status_code == 302
    response = add_link(client, "CBR-DW-001", mitra_baru="Puskesmas Cibeureum",
                        jenis_mitra_baru="PEMERINTAH")
    assert response.status_code == 302
    puskesmas = Mitra.objects.get(nama="Puskesmas Cibeureum")
    assert (puskesmas.wilayah_id, puskesmas.jenis) == (CIBEUREUM, "PEMERINTAH")
    assert add_link(client, "CBR-KT-001", mitra_luar=puskesmas.pk).status_code == 302
    links = Hubungan.objects.order_by("pk")
    assert [(h.perkumpulan.kode, str(h.mitra.pk), h.bentuk) for h in links] == [
        ("CBR-DW-001", str(groups["kt"].pk), "KOORDINASI"),
        ("CBR-DW-001", str(groups["py"].pk), "RUJUKAN"),
        ("CBR-DW-001", str(puskesmas.pk), "KOORDINASI"),
        ("CBR-KT-001", str(puskesmas.pk), "KOORDINASI"),
    ]
    # Both directions show on the group page.
    panel = client.get("/perkumpulan/CBR-KT-001/").context["panels"]
    rows = next(p["context"]["rows"] for p in panel if "rows" in p["context"])
    assert [(r["outgoing"], r["other"].nama) for r in rows] == [
        (False, "Dasa Wisma Mawar"), (True, "Puskesmas Cibeureum")]


@pytest.mark.parametrize(("data", "field", "code"), [
    ({}, None, "one_partner"),
    ({"mitra_perkumpulan": "KT", "mitra_baru": "X"}, None, "one_partner"),
    ({"kode_perkumpulan": "CBR-DW-001"}, "kode_perkumpulan", "self_link"),
    ({"kode_perkumpulan": "MLG-DW-001"}, "kode_perkumpulan", "unknown"),  # not the operator's
    ({"kode_perkumpulan": "TIDAK-ADA"}, "kode_perkumpulan", "unknown"),
    ({"mitra_baru": "Puskesmas"}, "jenis_mitra_baru", "required"),
    ({"mitra_perkumpulan": "KT"}, "mitra_perkumpulan", "duplicate"),
    ({"mitra_perkumpulan": "KT", "bentuk": "LAIN"}, "bentuk", "invalid_choice"),
])
def test_a_refused_link_writes_nothing(client, operator, groups, data, field, code):
    Hubungan.objects.create(perkumpulan=groups["dw"], mitra_perkumpulan=groups["kt"],
                            bentuk="KOORDINASI")
    if data.get("mitra_perkumpulan") == "KT":
        data["mitra_perkumpulan"] = groups["kt"].pk
    client.force_login(operator)
    response = add_link(client, "CBR-DW-001", **data)
    assert response.status_code == 400
    assert response.context["p"]["form"].has_error(field or "__all__", code)
    assert Hubungan.objects.count() == 1 and not Mitra.objects.exists()


def test_removing_a_link(client, operator, operator_lain, groups):
    link = Hubungan.objects.create(perkumpulan=groups["dw"], mitra_perkumpulan=groups["kt"])
    client.force_login(operator_lain)
    assert client.post(f"/hubungan/{link.pk}/hapus/").status_code == 404
    assert client.get(f"/hubungan/{link.pk}/hapus/").status_code == 404
    client.force_login(operator)
    # The group's page leads to a page that asks first; the link stays until confirmed.
    page = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert f'action="/hubungan/{link.pk}/hapus/"' in page
    response = client.get(f"/hubungan/{link.pk}/hapus/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dasa Wisma Mawar" in html and "Karang Taruna" in html
    assert 'method="post"' in html and 'href="/perkumpulan/CBR-DW-001/#hubungan"' in html
    assert Hubungan.objects.filter(pk=link.pk).exists()
    assert client.post(f"/hubungan/{link.pk}/hapus/").status_code == 302
    assert not Hubungan.objects.exists()


def test_isolated_groups_on_the_dashboard(client, operator, staf, groups):
    Hubungan.objects.create(perkumpulan=groups["dw"], mitra_perkumpulan=groups["kt"])
    client.force_login(operator)
    cards = {label: value for label, value, _url in client.get("/").context["cards"]}
    assert cards["perkumpulan terisolasi (tanpa hubungan kerja)"] == 1  # the Posyandu
    client.force_login(staf)
    cards = {label: value for label, value, _url in client.get("/").context["cards"]}
    assert cards["perkumpulan terisolasi (tanpa hubungan kerja)"] == 2  # and Melong's


def test_a_large_village_page_lists_no_groups_and_any_is_picked_by_name(client, operator,
                                                                       groups):
    """The link form offers no list of the village's groups (a village of 300 groups made the
    page 300 options longer): the partner is typed, by its code or a part of its name."""
    from registry.models import Perkumpulan

    Perkumpulan.objects.bulk_create([
        Perkumpulan(kode=f"CBR-ZZ-{i:03d}", nama=f"Zz {i:03d}", jenis=groups["dw"].jenis,
                    desa_id=CIBEUREUM, tahun_berdiri=2000) for i in range(305)
    ])
    client.force_login(operator)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert "Zz 304" not in html and "CBR-ZZ-304" not in html
    assert add_link(client, "CBR-DW-001", kode_perkumpulan="zz 304").status_code == 302
    assert Hubungan.objects.get().mitra_perkumpulan.kode == "CBR-ZZ-304"


def test_the_known_partners_offered_are_those_around_the_group(client, staf, groups):
    """Staff of the city see every partner of it; a group's form offers those of its village,
    kecamatan, city and province only, and a partner not offered is refused."""
    around = {code: Mitra.objects.create(nama=f"Mitra {code}", jenis="PEMERINTAH", wilayah_id=code)
              for code in (CIBEUREUM, "32.77.01", "32.77", "32")}
    elsewhere = Mitra.objects.create(nama="Mitra Melong", jenis="ORSOS", wilayah_id=MELONG)
    client.force_login(staf)
    panel = next(p["context"] for p in client.get("/perkumpulan/CBR-DW-001/").context["panels"]
                 if "rows" in p["context"])
    offered = set(panel["form"].fields["mitra_luar"].queryset)
    assert offered == set(around.values())
    assert add_link(client, "CBR-DW-001", mitra_luar=elsewhere.pk).status_code == 400
    assert add_link(client, "CBR-DW-001", mitra_luar=around["32.77"].pk).status_code == 302
    assert Hubungan.objects.get().mitra_luar == around["32.77"]


def test_the_isolated_count_follows_links_made_and_removed(client, staf, groups):
    """The figure is kept with the recap counts: a link from Cibeureum to Melong makes both
    villages' groups linked; removing it makes them isolated again."""
    client.force_login(staf)

    def isolated():
        cards = {label: value for label, value, _url in client.get("/").context["cards"]}
        return cards["perkumpulan terisolasi (tanpa hubungan kerja)"]

    assert isolated() == 4
    assert add_link(client, "CBR-DW-001", kode_perkumpulan="MLG-DW-001").status_code == 302
    assert isolated() == 2
    link = Hubungan.objects.get()
    assert client.post(f"/hubungan/{link.pk}/hapus/").status_code == 302
    assert isolated() == 4


def test_the_group_page_costs_the_same_queries_with_many_links(client, operator, groups,
                                                               make_perkumpulan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Hubungan.objects.create(perkumpulan=groups["dw"], mitra_perkumpulan=groups["kt"])
    client.force_login(operator)
    client.get("/perkumpulan/CBR-DW-001/")
    with CaptureQueriesContext(connection) as few:
        client.get("/perkumpulan/CBR-DW-001/")
    for i in range(30):
        other = make_perkumpulan(f"CBR-X-{i:02d}")
        Hubungan.objects.create(perkumpulan=groups["dw"] if i % 2 else other,
                                mitra_perkumpulan=other if i % 2 else groups["dw"])
    with CaptureQueriesContext(connection) as many:
        client.get("/perkumpulan/CBR-DW-001/")
    assert len(many) == len(few)


def test_a_partner_group_the_user_may_not_open_is_named_not_linked(client, operator, staf,
                                                                    groups, make_perkumpulan):
    """The kecamatan's group a village's group works with: the village's officer sees its name
    and code (a link to its page was a 404 for them); the district's staff, who may open it,
    get the link."""
    kecamatan = make_perkumpulan("KEC-327701-BKB-001", desa="32.77.01", nama="BKB Kecamatan")
    Hubungan.objects.create(perkumpulan=groups["dw"], mitra_perkumpulan=kecamatan,
                            bentuk="KOORDINASI")
    client.force_login(operator)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert "BKB Kecamatan" in html and "KEC-327701-BKB-001" in html
    assert 'href="/perkumpulan/KEC-327701-BKB-001/"' not in html
    assert client.get("/perkumpulan/KEC-327701-BKB-001/").status_code == 404
    client.force_login(staf)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert '<a href="/perkumpulan/KEC-327701-BKB-001/">BKB Kecamatan</a>' in html
