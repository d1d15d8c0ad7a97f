"""Network figures on a small hand-made network whose answers are counted by hand, the overlap
network of shared members, the `jaringan` command's formats and errors.

Cibeureum: A, B (Dasa Wisma), C (Posyandu), D, G (Karang Taruna), E (Posyandu, inactive);
Melong: F (Dasa Wisma). Partners: the village office (government), a firm (CSR).

    A–B  linked three times (two forms, both directions): one edge
    C–office           C is linked only to government
    D–office, D–firm   D is the only group between the office and the firm
    A→E  to an inactive group: no edge      B→F  to Melong: an edge only at kecamatan level
    G    no link at all
"""

import datetime
import io
import json

import networkx as nx
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from members.models import Keanggotaan
from network import graph
from network.models import Hubungan, Mitra
from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG

KECAMATAN = "32.77.01"


@pytest.fixture
def network(make_perkumpulan):
    g = {name: make_perkumpulan(f"CBR-{name}", jenis=jenis, nama=f"Kelompok {name}")
         for name, jenis in [("A", "DW"), ("B", "DW"), ("C", "POSYANDU"), ("D", "KT"),
                             ("G", "KT")]}
    g["E"] = make_perkumpulan("CBR-E", jenis="POSYANDU", aktif=False)
    g["F"] = make_perkumpulan("MLG-F", desa=MELONG, jenis="DW")
    office = Mitra.objects.create(nama="Kantor Desa", jenis="PEMERINTAH", wilayah_id=CIBEUREUM)
    firm = Mitra.objects.create(nama="PT Maju", jenis="CSR", wilayah_id=CIBEUREUM)
    for a, b, bentuk in [("A", "B", "KOORDINASI"), ("B", "A", "KOORDINASI"),
                         ("A", "B", "BERBAGI"), ("A", "E", "KOORDINASI"),
                         ("B", "F", "SEJENIS")]:
        Hubungan.objects.create(perkumpulan=g[a], mitra_perkumpulan=g[b], bentuk=bentuk)
    for a, partner in [("C", office), ("D", office), ("D", firm)]:
        Hubungan.objects.create(perkumpulan=g[a], mitra_luar=partner, bentuk="KOORDINASI")
    return g


def figures_of(kode: str) -> dict:
    return graph.figures(graph.build(Wilayah.objects.get(pk=kode)))


def test_the_village_figures_are_counted_by_hand(network):
    figures = figures_of(CIBEUREUM)
    assert {key: figures[key] for key in (
        "perkumpulan", "mitra_luar", "hubungan", "hubungan_antar_perkumpulan", "terisolasi",
        "komponen", "kepadatan")} == {
        "perkumpulan": 5,  # A B C D G; E is inactive, F in Melong
        "mitra_luar": 2,
        "hubungan": 4,  # A–B once, C–office, D–office, D–firm
        "hubungan_antar_perkumpulan": 1,
        "terisolasi": 1,  # G
        "komponen": 3,  # {A, B}, {C, office, D, firm}, {G}
        "kepadatan": 0.1,  # 2·1 / (5·4)
    }
    assert figures["per_jenis"] == {
        "DW": {"perkumpulan": 2, "terisolasi": 0, "hanya_pemerintah": 0},
        "KT": {"perkumpulan": 2, "terisolasi": 1, "hanya_pemerintah": 0},
        "POSYANDU": {"perkumpulan": 1, "terisolasi": 0, "hanya_pemerintah": 1},
    }
    # Paths office–firm and C–firm pass through D; no path passes through any other group.
    assert [b["kode"] for b in figures["penghubung"]] == ["CBR-D"]


def test_a_larger_area_takes_in_the_links_between_its_villages(network):
    figures = figures_of(KECAMATAN)
    assert (figures["perkumpulan"], figures["hubungan_antar_perkumpulan"], figures["komponen"]) \
        == (6, 2, 3)  # F joins A–B's component
    assert figures["kepadatan"] == round(2 * 2 / (6 * 5), 4)
    assert figures_of(MELONG)["terisolasi"] == 1  # alone, F's link to B is outside the area


def test_an_empty_area_has_zero_figures(db):
    figures = figures_of(CIBEUREUM)
    assert (figures["perkumpulan"], figures["hubungan"], figures["komponen"],
            figures["kepadatan"], figures["per_jenis"], figures["penghubung"]) == (
        0, 0, 0, 0.0, {}, [])


def test_groups_sharing_members_are_linked_in_fact(network, make_warga):
    siti = make_warga("3277014101800001", nama="Siti")
    budi = make_warga("3277010101800002", nama="Budi")
    asep = make_warga("3277010202850003", nama="Asep")
    for person, names in [(siti, "ABC"), (budi, "AB"), (asep, "A")]:
        for name in names:
            Keanggotaan.objects.create(warga=person, perkumpulan=network[name])
    Keanggotaan.objects.create(warga=asep, perkumpulan=network["D"],
                               selesai=datetime.date(2024, 1, 1))
    shared = graph.overlap(Wilayah.objects.get(pk=CIBEUREUM))
    weights = {tuple(sorted((x, y))): w for x, y, w in shared.graph.edges(data="weight")}
    a, b, c = (graph.group_node(network[n].pk) for n in "ABC")
    assert weights == {tuple(sorted((a, b))): 2, tuple(sorted((a, c))): 1,
                       tuple(sorted((b, c))): 1}
    assert shared.people == 2  # Asep's ended membership of D counts no more
    assert shared.kader == [(siti.pk, 3), (budi.pk, 2)]


def test_the_command_writes_json_graphml_and_gexf(network, tmp_path):
    out = io.StringIO()
    call_command("jaringan", "--wilayah", "3277011002", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["wilayah"], result["perkumpulan"], result["terisolasi"]) == (CIBEUREUM, 5, 1)
    assert result["per_jenis"]["POSYANDU"]["hanya_pemerintah"] == 1
    path = tmp_path / "jaringan.graphml"
    call_command("jaringan", "--wilayah", CIBEUREUM, "--format", "graphml",
                 "--output", str(path), stderr=io.StringIO())
    read = nx.read_graphml(path)
    assert (read.number_of_nodes(), read.number_of_edges()) == (7, 4)
    assert read.nodes[graph.group_node(network["C"].pk)]["jenis"] == "POSYANDU"
    path = tmp_path / "jaringan.gexf"
    call_command("jaringan", "--wilayah", CIBEUREUM, "--format", "gexf", "--output", str(path),
                 stderr=io.StringIO())
    assert nx.read_gexf(path).number_of_edges() == 4


@pytest.mark.parametrize(("code", "message"), [("99.99", "not loaded"), ("32-77", "32-77")])
def test_the_command_refuses_a_bad_area(db, code, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("jaringan", "--wilayah", code, stdout=io.StringIO())


# The network page ------------------------------------------------------------------------------
def test_the_page_shows_the_figures_and_draws_the_village(client, staf, network, make_warga):
    siti = make_warga("3277014101800001", nama="Siti Aminah")
    for name in "AG":
        Keanggotaan.objects.create(warga=siti, perkumpulan=network[name])
    client.force_login(staf)
    response = client.get("/jaringan/", {"wilayah": CIBEUREUM})
    assert response.status_code == 200
    context = response.context
    assert (context["figures"]["perkumpulan"], context["figures"]["terisolasi"]) == (5, 1)
    rows = {row["nama"]: (row["perkumpulan"], row["terisolasi"], row["hanya_pemerintah"])
            for row in context["per_jenis"]}
    assert rows == {"Dasa Wisma": (2, 0, 0), "Pemuda/Karang Taruna": (2, 1, 0),
                    "Posyandu": (1, 0, 1)}
    picture = context["picture"]
    assert len(picture.nodes) == 7 and len(picture.edges) == 4
    partners = [n for n in picture.nodes if n.partner]
    assert sorted(n.label for n in partners) == ["Kantor Desa", "PT Maju"]
    alone = next(n for n in picture.nodes if n.kode == "CBR-G")
    assert alone.y > picture.isolated_top  # drawn apart, below the circle
    assert len(context["overlap_picture"].edges) == 1  # A and G share Siti
    html = response.content.decode()
    assert 'href="/perkumpulan/CBR-A/"' in html and "<svg" in html
    assert "Siti Aminah" in html  # the kader list, for staff
    assert [b["kode"] for b in context["figures"]["penghubung"]] == ["CBR-D"]


def test_the_page_costs_the_same_queries_with_more_groups(client, staf, network,
                                                          make_perkumpulan,
                                                          django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staf)
    client.get("/jaringan/", {"wilayah": CIBEUREUM})
    with CaptureQueriesContext(connection) as first:
        client.get("/jaringan/", {"wilayah": CIBEUREUM})
    for i in range(15):
        group = make_perkumpulan(f"CBR-X{i}", jenis="BKL")
        Hubungan.objects.create(perkumpulan=group, mitra_perkumpulan=network["A"])
    with django_assert_num_queries(len(first)):
        client.get("/jaringan/", {"wilayah": CIBEUREUM})


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 200), ("operator_lain", 404), ("staf", 200), ("staf_lain", 404),
    ("pengamat", 200), ("admin_user", 200),
])
def test_the_page_and_downloads_are_scoped(client, request, network, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/jaringan/", {"wilayah": CIBEUREUM}).status_code == status
    response = client.get("/jaringan/unduh.graphml", {"wilayah": CIBEUREUM})
    assert response.status_code == status
    if status == 200:
        read = nx.parse_graphml(response.content.decode())
        assert read.number_of_nodes() == 7
        assert response["Content-Disposition"].endswith(f'jaringan-{CIBEUREUM}.graphml"')


def test_an_operator_sees_their_village_and_observers_no_people(client, operator, pengamat,
                                                                 network, make_warga):
    siti = make_warga("3277014101800001", nama="Siti Aminah")
    for name in "AB":
        Keanggotaan.objects.create(warga=siti, perkumpulan=network[name])
    client.force_login(operator)
    assert client.get("/jaringan/").context["area"].kode == CIBEUREUM
    client.force_login(pengamat)
    response = client.get("/jaringan/", {"wilayah": CIBEUREUM})
    assert response.context["shared"].people == 1 and response.context["kader"] == []
    assert "Siti Aminah" not in response.content.decode()


@pytest.mark.parametrize("query", [{"wilayah": "abc"}, {"wilayah": "99.99"}])
def test_a_bad_area_is_a_clear_4xx(client, staf, query):
    client.force_login(staf)
    assert client.get("/jaringan/", query).status_code in (400, 404)
    assert client.get("/jaringan/unduh.gexf", query).status_code in (400, 404)


@pytest.mark.parametrize("seed", range(5))
def test_betweenness_is_networkx_s_on_any_small_network(seed):
    network = nx.gnm_random_graph(40, 70, seed=seed)
    network.add_nodes_from(range(40, 45))  # isolated: on no path, left out of the walk
    expected = nx.betweenness_centrality(network.subgraph(n for n in network
                                                          if network.degree(n) > 0))
    for node in network:
        network.nodes[node].update(jenis_node="perkumpulan", kode=f"K{node:02d}", label="")
    top, sample = graph.bridges(network)
    best = sorted(((-value, f"K{node:02d}") for node, value in expected.items() if value > 0))
    assert sample is None
    assert [(b["kode"], b["nilai"]) for b in top] == [
        (kode, round(-value, 4)) for value, kode in best[:graph.TOP]]


def test_a_large_network_s_bridges_are_estimated_from_a_sample(network, monkeypatch, client,
                                                                 staf):
    # Cibeureum's linked part: A–B, C–office–D–firm (6 nodes, 4 edges): 10 steps a source.
    monkeypatch.setattr(graph, "BETWEENNESS_BUDGET", 40)
    figures = figures_of(CIBEUREUM)
    assert figures["penghubung_perkiraan"] == {"sumber": 4, "simpul": 6}
    client.force_login(staf)
    html = client.get("/jaringan/", {"wilayah": CIBEUREUM}).content.decode()
    assert "4 dari 6" in html
    monkeypatch.setattr(graph, "BETWEENNESS_BUDGET", 60)
    assert figures_of(CIBEUREUM)["penghubung_perkiraan"] is None  # 6 sources: exact
