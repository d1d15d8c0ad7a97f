"""The network on the web app: a group's links, the village forum, isolated groups, and the PMKS
cases a group accompanies."""

import pytest

from network.models import Forum, Hubungan, Mitra, PengurusForum
from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM, MELONG


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "dw": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "kt": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna"),
        "py": make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Melati"),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong"),
    }


def add_link(client, kode, **data):
    data.setdefault("bentuk", "KOORDINASI")
    return client.post(f"/perkumpulan/{kode}/hubungan/tambah/", data)


ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]
# (method, url) → status per role, in ROLES order.
MATRIX = [
    ("post", "/perkumpulan/CBR-DW-001/hubungan/tambah/", [302, 302, 404, 302, 404, 403, 302]),
    ("get", "/perkumpulan/CBR-DW-001/hubungan/tambah/", [302, 405, 405, 405, 405, 405, 405]),
    ("get", "/forum/?desa=32.77.01.1002", [302, 200, 404, 200, 404, 200, 200]),
    ("get", "/forum/", [302, 200, 200, 400, 400, 400, 400]),
    ("post", "/forum/?desa=32.77.01.1002", [302, 302, 404, 302, 404, 403, 302]),
]


@pytest.mark.parametrize(("method", "url", "role", "expected"), [
    (m, u, r, s) for m, u, statuses in MATRIX for r, s in zip(ROLES, statuses, strict=True)
])
def test_permission_matrix(client, request, groups, method, url, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    data = {"mitra_perkumpulan": groups["kt"].pk, "bentuk": "KOORDINASI",
            "nama": "Forum WKSBM Cibeureum", "mekanisme": "TIM"}
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == expected, (method, url, role)
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if role in ("operator_lain", "staf_lain", "pengamat") and method == "post":
        assert not Hubungan.objects.exists() and not Forum.objects.exists()


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


def test_a_large_village_lists_300_groups_and_reaches_the_rest_by_code(client, operator, groups):
    from registry.forms import GROUPS_LISTED
    from registry.models import Perkumpulan

    Perkumpulan.objects.bulk_create([
        Perkumpulan(kode=f"CBR-ZZ-{i:03d}", nama=f"Zz {i:03d}", jenis=groups["dw"].jenis,
                    desa_id=CIBEUREUM, tahun_berdiri=2000) for i in range(GROUPS_LISTED + 5)
    ])
    client.force_login(operator)
    panel = next(p["context"] for p in client.get("/perkumpulan/CBR-DW-001/").context["panels"]
                 if "rows" in p["context"])
    listed = [g.kode for g in panel["form"].fields["mitra_perkumpulan"].queryset]
    assert GROUPS_LISTED == 300 and len(listed) == 300
    assert "CBR-ZZ-304" not in listed
    assert add_link(client, "CBR-DW-001", kode_perkumpulan="CBR-ZZ-304").status_code == 302
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


def test_the_forum_is_recorded_edited_and_led(client, operator, pengamat, groups, make_warga):
    client.force_login(operator)
    response = client.post("/forum/", {"nama": "", "mekanisme": "TIM"})
    assert response.status_code == 400 and response.context["form"].has_error("nama")
    assert not Forum.objects.exists()
    response = client.post("/forum/", {"nama": "WKSBM Cibeureum", "mekanisme": "TIM",
                                       "anggota": [groups["dw"].pk, groups["kt"].pk]})
    assert response.status_code == 302
    forum = Forum.objects.get()
    assert forum.desa_id == CIBEUREUM
    assert {g.kode for g in forum.anggota.all()} == {"CBR-DW-001", "CBR-KT-001"}
    response = client.post("/forum/", {"nama": "WKSBM Cibeureum", "mekanisme": "DEWAN",
                                       "anggota": [groups["mlg"].pk]})  # another village's
    assert response.status_code == 400 and response.context["form"].has_error("anggota")
    person = make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
    response = client.post("/forum/", {"aksi": "pengurus", "nik": "3277014101800009",
                                       "jabatan": "Ketua"})
    assert response.status_code == 400
    assert response.context["leader_form"].has_error("nik", "unknown")
    response = client.post("/forum/", {"aksi": "pengurus", "nik": person.nik,
                                       "jabatan": "Ketua"})
    assert response.status_code == 302
    leader = PengurusForum.objects.get()
    assert (leader.warga_id, leader.jabatan, leader.selesai) == (person.pk, "Ketua", None)
    client.force_login(pengamat)
    html = client.get("/forum/", {"desa": CIBEUREUM}).content.decode()
    assert "WKSBM Cibeureum" in html and person.nik not in html and person.nik_tersamar in html
    assert client.post(f"/forum/pengurus/{leader.pk}/akhiri/").status_code == 403
    client.force_login(operator)
    assert client.post(f"/forum/pengurus/{leader.pk}/akhiri/").status_code == 302
    leader.refresh_from_db()
    assert leader.selesai is not None


def test_ending_a_leaders_term_asks_first(client, operator, pengamat, make_warga):
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    person = make_warga("3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    leader = PengurusForum.objects.create(forum=forum, warga=person, jabatan="Sekretaris")
    url = f"/forum/pengurus/{leader.pk}/akhiri/"
    client.force_login(pengamat)
    assert client.get(url).status_code == 403
    client.force_login(operator)
    # The forum's button leads to a page that asks; the term goes on until confirmed.
    assert f'action="{url}"' in client.get("/forum/").content.decode()
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Siti Aminah" in html and "Sekretaris" in html and 'method="post"' in html
    assert f'href="/forum/?desa={CIBEUREUM}"' in html
    leader.refresh_from_db()
    assert leader.selesai is None
    assert client.post(url).status_code == 302
    leader.refresh_from_db()
    assert leader.selesai is not None
    # Asked again once ended: back to the forum, nothing to confirm.
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/forum/?desa={CIBEUREUM}"


def test_the_forum_keeps_its_meetings_and_community_funds(client, operator, operator_lain,
                                                         pengamat, groups):
    import datetime

    from network.models import DanaKomunitas, PertemuanForum

    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    client.force_login(operator)
    response = client.post("/forum/", {"aksi": "pertemuan", "tanggal": "2026-03-05",
                                       "jenis": "RUTIN", "hadir": "23",
                                       "notulen": "Membahas lansia terlantar RW 03"})
    assert response.status_code == 302 and response.url.endswith("#pertemuan")
    meeting = PertemuanForum.objects.get()
    assert (meeting.forum, meeting.tanggal, meeting.hadir) == (forum, datetime.date(2026, 3, 5), 23)
    for data in ({"jenis": "JIMPITAN", "terkumpul": "400000", "dipakai": "150000"},
                 {"jenis": "JIMPITAN", "terkumpul": "100000", "dipakai": "0"},
                 {"jenis": "DANA_KEMATIAN", "terkumpul": "250000", "dipakai": "300000"}):
        response = client.post("/forum/", {"aksi": "dana", "tanggal": "2026-04-30", **data})
        assert response.status_code == 302
    funds = {f["jenis"]: (f["terkumpul"], f["dipakai"], f["saldo"])
             for f in client.get("/forum/").context["funds"]}
    assert funds == {"JIMPITAN": (500000, 150000, 350000),
                     "DANA_KEMATIAN": (250000, 300000, -50000)}
    html = client.get("/forum/").content.decode()
    assert "Jimpitan" in html and "-50000" in html
    # A future date, a negative sum: told beside the field, nothing written.
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client.post("/forum/", {"aksi": "pertemuan", "tanggal": tomorrow,
                                       "jenis": "RUTIN"})
    assert response.status_code == 400
    assert response.context["meeting_form"].has_error("tanggal", "future")
    response = client.post("/forum/", {"aksi": "dana", "tanggal": "2026-04-30",
                                       "jenis": "ARISAN", "terkumpul": "-5", "dipakai": "0"})
    assert response.status_code == 400 and response.context["fund_form"].has_error("terkumpul")
    assert (PertemuanForum.objects.count(), DanaKomunitas.objects.count()) == (1, 3)
    # Another village's officer cannot write to this forum; observers read it.
    client.force_login(operator_lain)
    assert client.post("/forum/", {"desa": CIBEUREUM, "aksi": "pertemuan",
                                   "tanggal": "2026-03-06", "jenis": "RUTIN"}).status_code == 404
    client.force_login(pengamat)
    response = client.get("/forum/", {"desa": CIBEUREUM})
    assert "Membahas lansia terlantar RW 03" in response.content.decode()
    assert response.context["meeting_form"] is None
    assert client.post("/forum/", {"desa": CIBEUREUM, "aksi": "dana"}).status_code == 403


def test_cases_a_group_accompanies_never_for_observers(client, operator, pengamat, groups):
    kategori = KategoriPMKS.objects.first()
    for i, status in enumerate(["TERIDENTIFIKASI", "DITANGANI", "SELESAI", "MENOLAK"]):
        KasusPMKS.objects.create(nama=f"Warga {i}", desa_id=CIBEUREUM, kategori=kategori,
                                 status=status, pendamping=groups["dw"] if i < 3 else None)
    client.force_login(operator)
    response = client.get("/perkumpulan/CBR-DW-001/")
    cases = next(p["context"]["cases"] for p in response.context["panels"]
                 if "cases" in p["context"])
    assert [c.nama for c in cases] == ["Warga 1", "Warga 2", "Warga 0"]  # by status code
    cards = {label: value for label, value, _url in client.get("/").context["cards"]}
    assert cards["kasus PMKS terbuka"] == 2
    client.force_login(pengamat)
    response = client.get("/perkumpulan/CBR-DW-001/")
    assert not any("cases" in p["context"] for p in response.context["panels"])
    assert "Warga 1" not in response.content.decode()
    labels = [label for label, _value, _url in client.get("/").context["cards"]]
    assert "kasus PMKS terbuka" not in labels
