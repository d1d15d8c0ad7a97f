"""A picture of a village's network, drawn on the server as SVG (no script, works offline).

Linked groups sit on a circle, grouped by type (one colour per type); outside partners stand
apart in a column on the right, drawn as squares; isolated groups fill a band below, so that how
many there are is seen at a glance. The same positions serve the declared links and the overlap
of shared members, so the two pictures can be compared side by side. Each node links to its
group's page.
"""

import math
import textwrap
from dataclasses import dataclass, field

import networkx as nx

# One mark per group type, in the types' order: the eight colours of Okabe and Ito's palette,
# told apart by readers with any colour vision, each as a solid dot, a ring and a dot with a
# white centre — 24 marks for seed 004's 17 types, no two alike in colour and shape.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#F0E442"]
MARKS = ["solid", "ring", "centre"]
PARTNER_COLOUR = "#555555"
WIDTH = 900  # room for the partners' names in full on the right
CIRCLE_R = 230
CENTRE = (260, 260)
PARTNER_X = 620
LINE_CHARS = 42  # a partner's name wraps at this many characters, on two lines at most
GRID_STEP = 18
MAX_GROUPS = 600  # above this a picture says more as figures: the page shows no picture


@dataclass
class Node:
    id: str
    x: float
    y: float
    label: str
    kode: str
    colour: str
    partner: bool = False
    mark: str = "solid"
    lines: tuple[str, ...] = ()  # a partner's name, in lines that fit beside its square


@dataclass
class Picture:
    width: int
    height: int
    nodes: list[Node]
    edges: list[tuple[float, float, float, float]]
    legend: list[dict] = field(default_factory=list)
    isolated_top: float = 0.0

    def with_edges(self, graph: nx.Graph) -> "Picture":
        """The same nodes with another graph's edges (the overlap network)."""
        at = {n.id: n for n in self.nodes}
        edges = [(at[a].x, at[a].y, at[b].x, at[b].y) for a, b in graph.edges
                 if a in at and b in at]
        return Picture(self.width, self.height, self.nodes, edges, self.legend,
                       self.isolated_top)


def draw(graph: nx.Graph, types: list[tuple[str, str]]) -> Picture:
    """Lay the network out. `types` lists (code, name) of the group types in their order."""
    colour = {kode: PALETTE[i % len(PALETTE)] for i, (kode, _name) in enumerate(types)}
    mark = {kode: MARKS[i // len(PALETTE) % len(MARKS)] for i, (kode, _name) in enumerate(types)}
    order = {kode: i for i, (kode, _name) in enumerate(types)}
    data = graph.nodes
    groups = sorted((n for n in graph if data[n]["jenis_node"] == "perkumpulan"),
                    key=lambda n: (order.get(data[n]["jenis"], len(order)), data[n]["kode"]))
    linked = [n for n in groups if graph.degree(n)]
    isolated = [n for n in groups if not graph.degree(n)]
    partners = sorted((n for n in graph if data[n]["jenis_node"] == "mitra"),
                      key=lambda n: data[n]["label"])
    nodes: list[Node] = []
    cx, cy = CENTRE
    for i, n in enumerate(linked):
        angle = 2 * math.pi * i / len(linked) - math.pi / 2
        nodes.append(Node(n, round(cx + CIRCLE_R * math.cos(angle), 1),
                          round(cy + CIRCLE_R * math.sin(angle), 1), data[n]["label"],
                          data[n]["kode"], colour.get(data[n]["jenis"], PARTNER_COLOUR),
                          mark=mark.get(data[n]["jenis"], "solid")))
    step = (2 * CIRCLE_R) / max(len(partners), 1)
    for i, n in enumerate(partners):
        nodes.append(Node(n, PARTNER_X, round(cy - CIRCLE_R + step * (i + 0.5), 1),
                          data[n]["label"], "", PARTNER_COLOUR, partner=True,
                          lines=tuple(textwrap.wrap(data[n]["label"], LINE_CHARS)[:2])))
    top = cy + CIRCLE_R + 40
    per_row = (WIDTH - 40) // GRID_STEP
    for i, n in enumerate(isolated):
        row, column = divmod(i, per_row)
        nodes.append(Node(n, 20 + column * GRID_STEP, top + 20 + row * GRID_STEP,
                          data[n]["label"], data[n]["kode"],
                          colour.get(data[n]["jenis"], PARTNER_COLOUR),
                          mark=mark.get(data[n]["jenis"], "solid")))
    rows = math.ceil(len(isolated) / per_row) if isolated else 0
    height = int(top + 30 + rows * GRID_STEP)
    present = {data[n]["jenis"] for n in groups}
    legend = [{"kode": kode, "nama": name, "colour": colour[kode], "mark": mark[kode]}
              for kode, name in types if kode in present]
    picture = Picture(WIDTH, height, nodes, [], legend, top)
    return picture.with_edges(graph)
