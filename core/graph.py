"""The computational graph of the seed: inputs -> ReLUs -> blue, orange, b3 -> green (Raw_se),
Raw_ve, Raw_vi -> SoftMax -> P -> CE, as geometry plus the live value on every node.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.network import SHORT, STATQUEST, Forward, Params
from core.softmax import class_index, cross_entropy

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
BIAS = "#CC79A7"
INK = "#1b1f24"
NEUTRAL = "#5f6b7a"
GRADIENT = "#D55E00"


@dataclass(frozen=True)
class Node:
    id: str
    x: float
    y: float
    label: str  # plotly rich text
    colour: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: str = ""  # the constant written on the edge, e.g. "×-0.1"


NODES = (
    Node("petal", 0.0, 7.6, "petal", NEUTRAL),
    Node("sepal", 0.0, 2.4, "sepal", NEUTRAL),
    Node("top", 1.5, 7.6, "top ReLU", NEUTRAL),
    Node("bottom", 1.5, 2.4, "bottom ReLU", NEUTRAL),
    Node("blue", 3.0, 9.4, "blue", BLUE),
    Node("orange", 3.0, 6.2, "orange", ORANGE),
    Node("b3", 3.0, 4.0, "b<sub>3</sub>", BIAS),
    Node("raw_se", 4.5, 8.0, "green = Raw<sub>se</sub>", GREEN),
    Node("raw_ve", 4.5, 5.0, "Raw<sub>ve</sub>", NEUTRAL),
    Node("raw_vi", 4.5, 2.0, "Raw<sub>vi</sub>", NEUTRAL),
    Node("p_se", 6.3, 8.0, "P<sub>se</sub>", NEUTRAL),
    Node("p_ve", 6.3, 5.0, "P<sub>ve</sub>", NEUTRAL),
    Node("p_vi", 6.3, 2.0, "P<sub>vi</sub>", NEUTRAL),
    Node("ce", 7.8, 5.0, "CE", INK),
)
NODE = {n.id: n for n in NODES}
SOFTMAX_BAND = (5.22, 5.58)  # x-extent of the SoftMax box between the raw and the P columns


def edges(params: Params = STATQUEST) -> tuple[Edge, ...]:
    p = params
    return (
        Edge("petal", "top", f"×{p.petal_top:g}"),
        Edge("sepal", "top", f"×{p.sepal_top:g}"),
        Edge("petal", "bottom", f"×{p.petal_bottom:g}"),
        Edge("sepal", "bottom", f"×{p.sepal_bottom:g}"),
        Edge("top", "blue", f"×{p.top_se:g}"),
        Edge("bottom", "orange", f"×{p.bottom_se:g}"),
        Edge("top", "raw_ve", f"×{p.top_ve:g}"),
        Edge("bottom", "raw_ve", f"×{p.bottom_ve:g}"),
        Edge("top", "raw_vi", f"×{p.top_vi:g}"),
        Edge("bottom", "raw_vi", f"×{p.bottom_vi:g}"),
        Edge("blue", "raw_se"),
        Edge("orange", "raw_se"),
        Edge("b3", "raw_se"),
        Edge("raw_se", "p_se"),
        Edge("raw_ve", "p_ve"),
        Edge("raw_vi", "p_vi"),
        Edge("raw_se", "p_ve"),
        Edge("raw_se", "p_vi"),
        Edge("p_se", "ce"),
        Edge("p_ve", "ce"),
        Edge("p_vi", "ce"),
    )


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
