"""The working network of an area as a graph, and its figures (the `jaringan` contract).

The graph (networkx): one node per active group in the area and one per outside partner linked
to them; one undirected edge per linked pair, however many links (forms, directions) the pair
has. A link to a group outside the area or to an inactive group is no edge: that end is not a
node. Nodes are named "p<pk>" (groups) and "m<pk>" (partners) and carry what the figures, the
picture and the GraphML/GEXF files need: kind, code, label, type, village.

Built from two queries (groups, links) and one more for the partners, so a kabupaten of 30,000
groups and 100,000 links is read in a few seconds; the figures are networkx's.

The overlap network is the network in fact: two active groups of the area are linked when
they share current members (the same person, by NIK), weighted by how many they share.
"""

import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx
from django.db.models import Count

from network.models import Forum, Hubungan, JenisMitra, Mitra, TingkatForum
from registry import access, lampau
from registry.models import Perkumpulan, Wilayah

# Betweenness walks the linked part of the graph once from each source (Brandes): exact (every
# node a source) while that stays within this many steps (sources × (nodes + edges)), else
# estimated from as many sampled sources as fit (seeded, so that a figure repeats), never fewer
# than BETWEENNESS_MIN_SOURCES. A step costs well under a microsecond: a kabupaten of 30,000
# groups and 100,000 links gets 15 sources in about a second and a half.
BETWEENNESS_BUDGET = 2_000_000
BETWEENNESS_MIN_SOURCES = 4
TOP = 10  # the groups that bridge most, the people in most groups


def group_node(pk: int) -> str:
    return f"p{pk}"


def partner_node(pk: int) -> str:
    return f"m{pk}"


def active_groups(area: Wilayah):
    """The active groups of the area's villages, and of the area itself and those within it
    (groups organised above the village)."""
    return Perkumpulan.objects.filter(access.within(area, "desa", any_level=True), aktif=True)


def build(area: Wilayah, pada=None) -> nx.Graph:
    """The declared working network of the active groups within `area` (as the registry stood
    at `pada`: registry.lampau)."""
    graph = nx.Graph(wilayah=area.kode, nama=area.nama)
    if pada is None:
        groups, links = active_groups(area), Hubungan.objects.all()
    else:
        groups = lampau.groups(area, pada).filter(aktif=True)
        links = lampau.versions(Hubungan, pada)
    for pk, kode, nama, jenis, desa in (groups.order_by("id").values_list(
            "id", "kode", "nama", "jenis__kode", "desa_id")):
        graph.add_node(group_node(pk), jenis_node="perkumpulan", kode=kode, label=nama,
                       jenis=jenis, desa=desa)
    # An edge needs its declaring group in the area (below), so the links declared by the area's
    # groups are all there is to read; unordered (the model's ordering joined every group of
    # the country to sort by code: 350 ms for a village of a province of 1,000,000 groups).
    links = (links.filter(perkumpulan_id__in=groups.values("id")).order_by()
             .values_list("perkumpulan_id", "mitra_perkumpulan_id", "mitra_luar_id"))
    partners = set()
    for group, other, partner in links:
        a = group_node(group)
        if partner is not None:
            if a in graph:
                partners.add(partner)
                graph.add_edge(a, partner_node(partner))
            continue
        b = group_node(other)
        if a in graph and b in graph:
            graph.add_edge(a, b)
    for pk, nama, jenis in Mitra.objects.filter(pk__in=partners).values_list("pk", "nama",
                                                                               "jenis"):
        graph.add_node(partner_node(pk), jenis_node="mitra", kode=partner_node(pk), label=nama,
                       jenis=jenis, desa="")
    return graph


def groups_of(graph: nx.Graph) -> list[str]:
    return [n for n, kind in graph.nodes(data="jenis_node") if kind == "perkumpulan"]


def figures(graph: nx.Graph) -> dict:
    """The contract's figures (survey-workbook.md, "The network command") and the groups that
    bridge the most."""
    groups = groups_of(graph)
    n = len(groups)
    kinds = dict(graph.nodes(data="jenis_node"))
    between_groups = sum(1 for a, b in graph.edges
                         if kinds[a] == "perkumpulan" and kinds[b] == "perkumpulan")
    isolated = [g for g in groups if graph.degree(g) == 0]
    per_jenis: dict[str, Counter] = defaultdict(Counter)
    for g in groups:
        row = per_jenis[graph.nodes[g]["jenis"]]
        row["perkumpulan"] += 1
        neighbours = list(graph.neighbors(g))
        if not neighbours:
            row["terisolasi"] += 1
        elif all(kinds[m] == "mitra" and graph.nodes[m]["jenis"] == JenisMitra.PEMERINTAH
                 for m in neighbours):
            row["hanya_pemerintah"] += 1
    top, sample = bridges(graph)
    return {
        "wilayah": graph.graph.get("wilayah"),
        "perkumpulan": n,
        "mitra_luar": graph.number_of_nodes() - n,
        "hubungan": graph.number_of_edges(),
        "hubungan_antar_perkumpulan": between_groups,
        "terisolasi": len(isolated),
        "komponen": nx.number_connected_components(graph),
        "kepadatan": round(2 * between_groups / (n * (n - 1)), 4) if n > 1 else 0.0,
        "per_jenis": {
            jenis: {key: row[key] for key in ("perkumpulan", "terisolasi", "hanya_pemerintah")}
            for jenis, row in sorted(per_jenis.items())
        },
        "penghubung": top,
        "penghubung_perkiraan": sample,
    }


def bridges(graph: nx.Graph) -> tuple[list[dict], dict | None]:
    """The groups with the highest betweenness: the ones that most paths between others pass
    through, and how they were found: None when exact (a village, a kecamatan), else the sample
    (see BETWEENNESS_BUDGET): `sumber` starting points of `simpul` linked nodes."""
    # Isolated nodes lie on no path; the walk runs over lists of neighbour indices.
    nodes = [node for node in graph if graph.degree(node) > 0]
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = [[index[other] for other in graph.neighbors(node)] for node in nodes]
    n, edges = len(nodes), graph.number_of_edges()
    k = max(BETWEENNESS_MIN_SOURCES, BETWEENNESS_BUDGET // (n + edges or 1))
    sources = range(n) if k >= n else random.Random(0).sample(range(n), k)
    scores = betweenness(adjacency, sources)
    # networkx's normalisation (undirected, sampled sources scaled by n / k), so the figures
    # match its exact betweenness_centrality.
    scale = (n / len(sources)) / ((n - 1) * (n - 2)) if n > 2 else 0.0
    ranked = sorted((i for i in range(n) if scores[i] > 0
                     and graph.nodes[nodes[i]]["jenis_node"] == "perkumpulan"),
                    key=lambda i: (-scores[i], nodes[i]))
    top = [{"kode": graph.nodes[nodes[i]]["kode"], "nama": graph.nodes[nodes[i]]["label"],
            "nilai": round(scores[i] * scale, 4)} for i in ranked[:TOP]]
    return top, (None if len(sources) == n else {"sumber": len(sources), "simpul": n})


def betweenness(adjacency: list[list[int]], sources) -> list[float]:
    """Brandes' betweenness of an unweighted graph, summed over the shortest paths from
    `sources` (each pair counted from both ends, as Brandes does on an undirected graph)."""
    n = len(adjacency)
    scores = [0.0] * n
    for source in sources:
        sigma, dist = [0] * n, [-1] * n  # shortest paths from the source; distance
        sigma[source], dist[source] = 1, 0
        order = [source]
        for v in order:  # breadth first: `order` grows while it is walked
            next_dist, paths = dist[v] + 1, sigma[v]
            for w in adjacency[v]:
                if dist[w] < 0:
                    dist[w] = next_dist
                    order.append(w)
                    sigma[w] = paths
                elif dist[w] == next_dist:
                    sigma[w] += paths
        delta = [0.0] * n
        for w in reversed(order):
            before, share = dist[w] - 1, (1.0 + delta[w]) / sigma[w]
            for v in adjacency[w]:
                if dist[v] == before:
                    delta[v] += sigma[v] * share
            if w != source:
                scores[w] += delta[w]
    return scores


@dataclass
class Overlap:
    """Groups linked by shared members, and the people in most groups."""

    graph: nx.Graph
    kader: list[tuple[int, int]]  # (person's pk, number of groups), most first
    people: int  # people in two groups or more


def overlap(area: Wilayah, pada=None) -> Overlap:
    """The overlap network of the active groups within `area`: current memberships only (as
    the registry stood at `pada`)."""
    from members.models import Keanggotaan

    if pada is None:
        memberships = Keanggotaan.objects.filter(perkumpulan__in=active_groups(area))
    else:
        memberships = lampau.versions(Keanggotaan, pada).filter(
            perkumpulan_id__in=lampau.groups(area, pada).filter(aktif=True).values("id"))
    graph = nx.Graph(wilayah=area.kode)
    groups_by_person: dict[int, list[int]] = defaultdict(list)
    # Sorted here, and read without a server-side cursor: asked for rows in person order, or
    # through a cursor (planned for its first rows), PostgreSQL walked an index of every
    # membership in the country and kept the area's (65–83 ms for a village of a city of
    # 100,000 memberships), instead of reading the memberships of the area's groups.
    for person, group in sorted(memberships.filter(selesai__isnull=True)
                                .order_by().values_list("warga_id", "perkumpulan_id")):
        groups_by_person[person].append(group)
    shared = [(person, groups) for person, groups in groups_by_person.items() if len(groups) > 1]
    for _person, groups in shared:
        for a, b in itertools.combinations(groups, 2):
            a, b = group_node(a), group_node(b)
            weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
            graph.add_edge(a, b, weight=weight + 1)
    kader = sorted(((person, len(groups)) for person, groups in shared),
                   key=lambda item: (-item[1], item[0]))[:TOP]
    return Overlap(graph=graph, kader=kader, people=len(shared))


def forums(area: Wilayah) -> dict:
    """The WKSBM forums within `area` — every level: the villages' own and those of their RWs,
    RTs and dukuh — by level, and the active groups that belong to at least one of them (a group
    in two forums of its village counted once): two queries."""
    within = Forum.objects.filter(access.within(area, "desa"))
    per_level = dict(within.order_by().values_list("tingkat").annotate(n=Count("pk")))
    members = (active_groups(area).filter(forum__in=within.values("pk"))
               .order_by().values("pk").distinct().count())
    return {
        "forum": sum(per_level.values()),
        "per_tingkat": [(label, per_level.get(value, 0)) for value, label in TingkatForum.choices],
        "anggota": members,
    }
