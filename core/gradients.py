"""Gradient of one flower's cross entropy with respect to every weight and bias (backprop)."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from core.network import PARAM_NAMES, SHORT, STATQUEST, Params, forward
from core.softmax import cross_entropy, grad_raw

_OUTPUT_BIASES = ("b3", "b4", "b5")


def param_gradients(petal: float, sepal: float, observed, params: Params = STATQUEST) -> dict:
    """dCE/dparameter for every field of Params, by the chain rule through the network."""
    f = forward(petal, sepal, params)
    d_raw = grad_raw(f.raw, observed)
    p = asdict(params)
    grads = {}
    for k, short in enumerate(SHORT):
        grads[f"top_{short}"] = d_raw[k] * f.top
        grads[f"bottom_{short}"] = d_raw[k] * f.bottom
        grads[_OUTPUT_BIASES[k]] = d_raw[k]
    for node, bias in (("top", "b1"), ("bottom", "b2")):
        active = float(getattr(f, f"{node}_in") > 0)  # ReLU' (0 at and below the kink)
        d_node = active * sum(d_raw[k] * p[f"{node}_{short}"] for k, short in enumerate(SHORT))
        grads[f"petal_{node}"] = d_node * f.petal
        grads[f"sepal_{node}"] = d_node * f.sepal
        grads[bias] = d_node
    return {name: float(grads[name]) for name in PARAM_NAMES}


def finite_difference_gradients(
    petal: float, sepal: float, observed, params: Params = STATQUEST, h: float = 1e-6
) -> dict:
    """Central differences (CE(x + h) - CE(x - h)) / 2h for every field of Params.

    The 2 x 15 nudged networks run as one forward pass: each field of Params is an array, entry
    2i holding parameter i + h, entry 2i + 1 parameter i - h, every other entry the parameter
    itself. numpy does each entry's arithmetic as it would alone, so the differences are those of
    thirty separate passes to the last bit (tests/test_core.py), in a twelfth of the time."""
    values = asdict(params)
    nudged = {}
    for i, name in enumerate(PARAM_NAMES):
        column = np.full(2 * len(PARAM_NAMES), values[name])
        column[2 * i], column[2 * i + 1] = values[name] + h, values[name] - h
        nudged[name] = column
    ce = cross_entropy(forward(petal, sepal, Params(**nudged)).raw, observed)
    return {name: float((ce[2 * i] - ce[2 * i + 1]) / (2 * h)) for i, name in enumerate(PARAM_NAMES)}


@lru_cache(maxsize=1024)
def both_ways(petal: float, sepal: float, observed, params: Params = STATQUEST) -> tuple:
    """(backprop, central differences), each read-only: page 9's table and figure show both for a
    view, and every student at that view shares them."""
    exact = param_gradients(petal, sepal, observed, params)
    numeric = finite_difference_gradients(petal, sepal, observed, params)
    return MappingProxyType(exact), MappingProxyType(numeric)
