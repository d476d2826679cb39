"""The computational graph of the hand derivation: inputs -> ReLUs -> blue, orange, b3 -> green
(Raw_se), Raw_ve, Raw_vi -> SoftMax -> P -> CE, as geometry plus the live value on every node.

The layout is drawn so that no edge passes through a node it does not connect: b3 and blue,
orange sit above the hidden -> Raw_ve / Raw_vi edges, and every edge through the SoftMax box is
a polyline that enters at its raw value's height and leaves at its probability's.
`tests/test_graph_layout.py` checks this from the figure, at every supported screen width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

from core.network import SHORT, STATQUEST, Forward, Params
from core.softmax import class_index, cross_entropy
from drawing.i18n import t

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
BIAS = "#CC79A7"
INK = "#1b1f24"
NEUTRAL = "#5f6b7a"
GRADIENT = "#D55E00"

Point = tuple[float, float]


@dataclass(frozen=True)
class Node:
    id: str
    x: float
    y: float
    colour: str
    label_at: Point = (0.0, 1.05)  # where its name is written, relative to the node


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: str = ""  # the constant written on the edge, e.g. "×-0.1"
    weight_at: float = 0.3  # how far along the edge the weight is written
    points: tuple[Point, ...] = ()  # the polyline from source to target

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.target


# The edges that carry a weight (its Params field), then those that do not, in drawing order.
WEIGHTED = (
    ("petal", "top", "petal_top"),
    ("sepal", "top", "sepal_top"),
    ("petal", "bottom", "petal_bottom"),
    ("sepal", "bottom", "sepal_bottom"),
    ("top", "blue", "top_se"),
    ("bottom", "orange", "bottom_se"),
    ("top", "raw_ve", "top_ve"),
    ("bottom", "raw_ve", "bottom_ve"),
    ("top", "raw_vi", "top_vi"),
    ("bottom", "raw_vi", "bottom_vi"),
)
PLAIN = (
    ("blue", "raw_se"),
    ("orange", "raw_se"),
    ("b3", "raw_se"),
    ("raw_se", "p_se"),
    ("raw_ve", "p_ve"),
    ("raw_vi", "p_vi"),
    ("raw_se", "p_ve"),
    ("raw_se", "p_vi"),
    ("p_se", "ce"),
    ("p_ve", "ce"),
    ("p_vi", "ce"),
)
BIASES = (("top", "b1"), ("bottom", "b2"), ("raw_ve", "b4"), ("raw_vi", "b5"))  # b3 is a node of its own


@dataclass(frozen=True)
class Layout:
    """Where the graph's nodes, names, weights, biases and SoftMax box sit, in data units.

    `down` False: the graph runs left to right (a screen or a slide); True: top to bottom (a
    phone), with the SoftMax box a band across. Every edge through the box is a polyline that
    enters at its raw value's place and leaves at its probability's; green's three edges enter
    `stem` apart, so no two share a line.
    """

    nodes: tuple[Node, ...]
    softmax_box: tuple[float, float, float, float]  # x0, x1, y0, y1
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    weight_at: tuple[float, ...]  # how far along each WEIGHTED edge its weight is written
    bias_at: tuple[Point, ...]  # where each of BIASES is written, relative to its node
    observed_at: Point  # the "observed as" note, relative to CE
    stem: float  # the gap between green's three edges where they enter the SoftMax box
    unit_px: float  # px per unit of y at which the offsets of names, biases and the note are written
    node_px: int = 64  # the node size those offsets are written for
    down: bool = False

    @cached_property
    def node(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def edge(self) -> dict[tuple[str, str], Edge]:
        return {e.key: e for e in self.edges()}

    def edges(self, params: Params = STATQUEST) -> tuple[Edge, ...]:
        weighted = (
            self._edge(source, target, f"×{getattr(params, field):g}", share)
            for (source, target, field), share in zip(WEIGHTED, self.weight_at, strict=True)
        )
        return (*weighted, *(self._edge(source, target) for source, target in PLAIN))

    def _edge(self, source: str, target: str, weight: str = "", weight_at: float = 0.3) -> Edge:
        a, b = self.node[source], self.node[target]
        if source.startswith("raw_") and target.startswith("p_"):
            points = self._through_softmax(a, b)
        else:
            points = ((a.x, a.y), (b.x, b.y))
        return Edge(source, target, weight, weight_at, points)

    def _through_softmax(self, a: Node, b: Node) -> tuple[Point, ...]:
        x0, x1, y0, y1 = self.softmax_box
        offset = self.stem * SHORT.index(b.id[2:]) if a.id == "raw_se" else 0.0
        inset = 0.15  # the bends sit inside the box, so a thick line's corner never shows at its edge
        if self.down:
            return (a.x, a.y), (a.x + offset, y1 - inset), (b.x, y0 + inset), (b.x, b.y)
        return (a.x, a.y), (x0 + inset, a.y + offset), (x1 - inset, b.y), (b.x, b.y)


WIDE = Layout(
    nodes=(
        Node("petal", 0.0, 6.0, NEUTRAL),
        Node("sepal", 0.0, 2.4, NEUTRAL, (0.0, -1.05)),
        Node("top", 2.4, 6.0, NEUTRAL, (-0.35, 1.05)),
        Node("bottom", 2.4, 2.4, NEUTRAL, (0.0, -1.05)),
        Node("blue", 5.0, 9.6, BLUE, (-1.15, 0.45)),
        Node("b3", 5.0, 7.85, BIAS, (0.82, 0.5)),
        Node("orange", 5.0, 6.1, ORANGE, (1.25, -0.68)),
        Node("raw_se", 7.6, 7.85, GREEN, (0.3, 1.05)),
        Node("raw_ve", 7.6, 4.5, NEUTRAL, (0.0, -1.05)),
        Node("raw_vi", 7.6, 1.3, NEUTRAL, (0.0, -1.05)),
        Node("p_se", 10.6, 7.85, NEUTRAL),
        Node("p_ve", 10.6, 4.5, NEUTRAL),
        Node("p_vi", 10.6, 1.3, NEUTRAL, (0.0, -1.05)),
        Node("ce", 12.6, 4.5, INK, (0.3, 1.05)),
    ),
    softmax_box=(8.65, 9.45, 0.55, 8.6),  # between the raw and the P columns
    x_range=(-0.75, 13.6),
    y_range=(0.0, 10.55),
    weight_at=(0.45, 0.3, 0.3, 0.45, 0.55, 0.7, 0.78, 0.78, 0.83, 0.66),
    bias_at=((-0.9, 0.62), (-0.9, -0.62), (0.75, 0.5), (0.75, 0.5)),
    observed_at=(0.0, 2.0),
    stem=-0.28,
    unit_px=570 / 10.55,  # drawing.figures.GRAPH_FRAME's
)


# A slide's graph (drawing.slides): the same places, its larger names and biases set a little further out.
SLIDE = replace(
    WIDE,
    nodes=tuple(
        replace(n, label_at={"top": (-0.2, 1.1), "orange": (1.25, -0.6)}.get(n.id, n.label_at)) for n in WIDE.nodes
    ),
    bias_at=((-1.1, 0.6), (-1.1, -0.6), (0.75, 0.5), (0.75, 0.5)),
    observed_at=(0.0, 2.2),
)


# A phone's graph, top to bottom, for a chart 340 to 480 px wide (drawing.figures.PHONE_GRAPH_FRAME):
# the hidden layer and Raw_ve, Raw_vi on the right, blue, orange, b3 and green on the left.
TALL = Layout(
    nodes=(
        Node("petal", 5.4, 23.0, NEUTRAL, (0.0, 1.2)),
        Node("sepal", 8.1, 23.0, NEUTRAL, (0.0, 1.2)),
        Node("top", 5.4, 19.2, NEUTRAL, (-1.5, 0.0)),
        Node("bottom", 8.1, 19.2, NEUTRAL, (1.05, -1.3)),
        Node("blue", 0.9, 15.6, BLUE, (0.0, 1.2)),
        Node("b3", 0.7, 12.6, BIAS, (0.0, -1.2)),
        Node("orange", 3.7, 15.6, ORANGE, (0.0, 1.2)),
        Node("raw_se", 2.3, 10.8, GREEN, (-1.6, -1.2)),
        Node("raw_ve", 5.4, 10.8, NEUTRAL, (-0.73, 1.4)),
        Node("raw_vi", 8.1, 10.8, NEUTRAL, (1.0, 1.2)),
        Node("p_se", 2.3, 5.2, NEUTRAL, (-1.3, 0.0)),
        Node("p_ve", 5.4, 5.2, NEUTRAL, (1.2, 0.8)),
        Node("p_vi", 8.1, 5.2, NEUTRAL, (1.3, 0.0)),
        Node("ce", 5.4, 1.6, INK, (-0.57, -1.25)),
    ),
    softmax_box=(1.4, 9.1, 7.7, 8.9),  # a band between the raw and the P rows
    x_range=(-0.3, 10.3),
    y_range=(0.0, 24.8),
    weight_at=(0.5, 0.35, 0.7, 0.5, 0.5, 0.3, 0.45, 0.65, 0.3, 0.35),
    bias_at=((-1.0, 1.2), (1.1, 1.0), (0.9, 0.8), (1.1, -0.6)),
    observed_at=(-3.1, 0.0),
    stem=0.45,
    unit_px=34.0,
    node_px=46,
    down=True,
)


def point_along(points: tuple[Point, ...], share: float) -> Point:
    """The point `share` (0..1) of the way along a polyline, by length."""
    segments = list(zip(points, points[1:], strict=False))
    lengths = [math.dist(a, b) for a, b in segments]
    remaining = share * sum(lengths)
    for ((x0, y0), (x1, y1)), length in zip(segments, lengths, strict=True):
        if remaining <= length:
            f = remaining / length if length else 0.0
            return x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        remaining -= length
    return points[-1]


def bias_labels(params: Params = STATQUEST) -> dict[str, str]:
    """The bias added inside each node that has one besides b3: {"top": "+1.6", ...}."""
    return {node: f"{getattr(params, name):+g}" for node, name in BIASES}


def node_label(node_id: str, lang: str, observed: str | None = None) -> str:
    """The node's name as plotly rich text; `observed` names the CE node (CE_se) when given."""
    math = {
        "b3": "b<sub>3</sub>",
        "raw_ve": "Raw<sub>ve</sub>",
        "raw_vi": "Raw<sub>vi</sub>",
        "p_se": "P<sub>se</sub>",
        "p_ve": "P<sub>ve</sub>",
        "p_vi": "P<sub>vi</sub>",
    }
    if node_id == "ce":
        return f"CE<sub>{observed_short(observed)}</sub>" if observed else "CE"
    if node_id == "raw_se":
        return f"{t('node_green', lang)} = Raw<sub>se</sub>"
    return math.get(node_id) or t(f"node_{node_id}", lang)


def node_values(fwd: Forward, observed, params: Params = STATQUEST) -> dict[str, float]:
    """The value shown on every node for one flower (a scalar forward pass)."""
    values = {
        "petal": fwd.petal,
        "sepal": fwd.sepal,
        "top": fwd.top,
        "bottom": fwd.bottom,
        "blue": fwd.blue,
        "orange": fwd.orange,
        "b3": params.b3,
        "ce": cross_entropy(fwd.raw, observed),
    }
    for k, short in enumerate(SHORT):
        values[f"raw_{short}"] = fwd.raw[k]
        values[f"p_{short}"] = fwd.probs[k]
    return {key: float(v) for key, v in values.items()}


def chain_path(observed) -> tuple[tuple[str, str], ...]:
    """The edges the gradient of CE_observed takes back to b3 (for highlighting)."""
    short = SHORT[class_index(observed)]
    return (("p_" + short, "ce"), ("raw_se", "p_" + short), ("b3", "raw_se"))


def observed_short(observed) -> str:
    return SHORT[class_index(observed)]
