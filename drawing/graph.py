"""The computational graph of the hand derivation: inputs -> ReLUs -> blue, orange, b3 -> green
(Raw_se), Raw_ve, Raw_vi -> SoftMax -> P -> CE, as geometry plus the live value on every node.

The layout is drawn so that no edge passes through a node it does not connect: b3 and blue,
orange sit above the hidden -> Raw_ve / Raw_vi edges, and every edge through the SoftMax box is
a polyline that enters at its raw value's height and leaves at its probability's.
`tests/test_graph_layout.py` checks this from the figure, at every supported screen width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


NODES = (
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
)
NODE = {n.id: n for n in NODES}
SOFTMAX_BOX = (8.65, 9.45, 0.55, 8.6)  # x0, x1, y0, y1: between the raw and the P columns
X_RANGE = (-0.75, 13.6)
Y_RANGE = (0.0, 10.55)
# Where each bias is written, relative to its node (b3 is a node of its own).
BIAS_AT = {"top": ("b1", (-0.9, 0.62)), "bottom": ("b2", (-0.9, -0.62)), "raw_ve": ("b4", (0.75, 0.5))}
BIAS_AT |= {"raw_vi": ("b5", (0.75, 0.5))}


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


# green feeds every probability: its three edges enter the SoftMax box apart, so no two share a line
STEM_OFFSET = {"p_se": 0.0, "p_ve": -0.28, "p_vi": -0.56}


def _through_softmax(source: str, target: str) -> tuple[Point, ...]:
    a, b = NODE[source], NODE[target]
    x0, x1, _, _ = SOFTMAX_BOX
    entry = a.y + (STEM_OFFSET[target] if source == "raw_se" else 0.0)
    inset = 0.15  # the bends sit inside the box, so a thick line's corner never shows at its edge
    return (a.x, a.y), (x0 + inset, entry), (x1 - inset, b.y), (b.x, b.y)


def _edge(source: str, target: str, weight: str = "", weight_at: float = 0.3) -> Edge:
    a, b = NODE[source], NODE[target]
    if source.startswith("raw_") and target.startswith("p_"):
        points = _through_softmax(source, target)
    else:
        points = ((a.x, a.y), (b.x, b.y))
    return Edge(source, target, weight, weight_at, points)


def edges(params: Params = STATQUEST) -> tuple[Edge, ...]:
    p = params
    return (
        _edge("petal", "top", f"×{p.petal_top:g}", 0.45),
        _edge("sepal", "top", f"×{p.sepal_top:g}", 0.3),
        _edge("petal", "bottom", f"×{p.petal_bottom:g}", 0.3),
        _edge("sepal", "bottom", f"×{p.sepal_bottom:g}", 0.45),
        _edge("top", "blue", f"×{p.top_se:g}", 0.55),
        _edge("bottom", "orange", f"×{p.bottom_se:g}", 0.7),
        _edge("top", "raw_ve", f"×{p.top_ve:g}", 0.78),
        _edge("bottom", "raw_ve", f"×{p.bottom_ve:g}", 0.78),
        _edge("top", "raw_vi", f"×{p.top_vi:g}", 0.83),
        _edge("bottom", "raw_vi", f"×{p.bottom_vi:g}", 0.66),
        _edge("blue", "raw_se"),
        _edge("orange", "raw_se"),
        _edge("b3", "raw_se"),
        _edge("raw_se", "p_se"),
        _edge("raw_ve", "p_ve"),
        _edge("raw_vi", "p_vi"),
        _edge("raw_se", "p_ve"),
        _edge("raw_se", "p_vi"),
        _edge("p_se", "ce"),
        _edge("p_ve", "ce"),
        _edge("p_vi", "ce"),
    )


EDGE = {e.key: e for e in edges()}


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
    return {node: f"{getattr(params, name):+g}" for node, (name, _) in BIAS_AT.items()}


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
