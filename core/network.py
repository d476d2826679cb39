"""StatQuest's Iris network (Neural Networks parts 4-7): two ReLU hidden nodes, three raw outputs.

Parameter names follow StatQuest: b1, b2 are the hidden biases, b3, b4, b5 the output biases of
setosa, versicolor and virginica. The setosa output is the seed's `green = blue + orange + b3`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from core.softmax import SHORT as SHORT  # re-exported
from core.softmax import SPECIES as SPECIES  # re-exported: the class order of raw and probs
from core.softmax import softmax


@dataclass(frozen=True)
class Params:
    """Every weight and bias of the network; the defaults are StatQuest's trained values."""

    petal_top: float = -2.5
    sepal_top: float = 0.6
    b1: float = 1.6
    petal_bottom: float = -1.5
    sepal_bottom: float = 0.4
    b2: float = 0.7
    top_se: float = -0.1
    bottom_se: float = 1.5
    b3: float = 0.0
    top_ve: float = 2.4
    bottom_ve: float = -5.2
    b4: float = 0.0
    top_vi: float = -2.2
    bottom_vi: float = 3.7
    b5: float = 1.0


STATQUEST = Params()
PARAM_NAMES = tuple(f.name for f in fields(Params))


@dataclass(frozen=True)
class Forward:
    """Every intermediate of one forward pass; arrays share the broadcast shape of the inputs.

    `top`, `bottom`, `blue`, `orange` have that shape; `raw` and `probs` add a last axis of
    length 3 ordered (setosa, versicolor, virginica). `raw[..., 0]` is green.
    """

    petal: np.ndarray
    sepal: np.ndarray
    top_in: np.ndarray
    bottom_in: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    blue: np.ndarray
    orange: np.ndarray
    raw: np.ndarray
    probs: np.ndarray

    @property
    def green(self) -> np.ndarray:
        return self.raw[..., 0]


def forward(petal, sepal, params: Params = STATQUEST) -> Forward:
    """Run the network on scaled petal and sepal widths (scalars or arrays that broadcast)."""
    petal, sepal = np.broadcast_arrays(np.asarray(petal, float), np.asarray(sepal, float))
    p = params
    top_in = p.petal_top * petal + p.sepal_top * sepal + p.b1
    bottom_in = p.petal_bottom * petal + p.sepal_bottom * sepal + p.b2
    top, bottom = np.maximum(top_in, 0.0), np.maximum(bottom_in, 0.0)
    blue, orange = p.top_se * top, p.bottom_se * bottom
    raw = np.stack(
        [
            blue + orange + p.b3,
            p.top_ve * top + p.bottom_ve * bottom + p.b4,
            p.top_vi * top + p.bottom_vi * bottom + p.b5,
        ],
        axis=-1,
    )
    return Forward(petal, sepal, top_in, bottom_in, top, bottom, blue, orange, raw, softmax(raw))
