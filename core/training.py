"""The three training flowers of StatQuest part 6-7 and gradient descent on the bias b3."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from core.network import STATQUEST, Params, forward
from core.softmax import class_index, log_softmax, log_softmax_and_softmax, softmax

MAX_STEPS = 1000


@dataclass(frozen=True)
class Sample:
    petal: float
    sepal: float
    species: str


SAMPLES = (
    Sample(0.04, 0.42, "setosa"),
    Sample(1.00, 0.54, "virginica"),
    Sample(0.50, 0.37, "versicolor"),
)


@dataclass(frozen=True)
class Step:
    b3: float
    total_ce: float
    gradient: float


def _raw_and_targets(b3, samples, params: Params):
    """Raw outputs of every sample with b3 broadcast in: shape b3.shape + (n_samples, 3)."""
    b3 = np.asarray(b3, float)
    base, targets = _without_b3(samples, params)
    raw = np.broadcast_to(base, b3.shape + base.shape).copy()
    raw[..., 0] += b3[..., None]
    return raw, targets


@lru_cache(maxsize=32)
def _without_b3(samples, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """The samples' raw outputs with b3 = 0 (b3 only adds to Raw_se), and their species' indices."""
    base = forward([s.petal for s in samples], [s.sepal for s in samples], replace(params, b3=0.0)).raw
    base.setflags(write=False)
    return base, np.array([class_index(s.species) for s in samples])


def per_sample_ce(b3, samples=SAMPLES, params: Params = STATQUEST) -> np.ndarray:
    """CE of each sample, shape b3.shape + (n_samples,)."""
    raw, targets = _raw_and_targets(b3, samples, params)
    return -log_softmax(raw)[..., np.arange(len(targets)), targets]


def total_ce(b3, samples=SAMPLES, params: Params = STATQUEST):
    """Total CE = sum over samples of -log(Predicted_observed), for scalar or array b3."""
    return per_sample_ce(b3, samples, params).sum(axis=-1)


def per_sample_gradient(b3, samples=SAMPLES, params: Params = STATQUEST) -> np.ndarray:
    """dCE_i/db3 = P_se - [observed_i = setosa] for each sample, shape b3.shape + (n_samples,)."""
    raw, targets = _raw_and_targets(b3, samples, params)
    return softmax(raw)[..., 0] - (targets == 0)


def d_total_ce_d_b3(b3, samples=SAMPLES, params: Params = STATQUEST):
    """dTotalCE/db3, the sum of every sample's P_se - [observed = setosa]."""
    return per_sample_gradient(b3, samples, params).sum(axis=-1)


def per_sample_ce_and_gradient(b3, samples=SAMPLES, params: Params = STATQUEST) -> tuple[np.ndarray, np.ndarray]:
    """per_sample_ce and per_sample_gradient from one forward pass and one SoftMax (the same, to
    the bit)."""
    raw, targets = _raw_and_targets(b3, samples, params)
    logs, probs = log_softmax_and_softmax(raw)
    return -logs[..., np.arange(len(targets)), targets], probs[..., 0] - (targets == 0)


def _total_and_gradient(b3: float, samples, params: Params) -> tuple[float, float]:
    """total_ce and d_total_ce_d_b3 at one b3, from one forward pass and one SoftMax (the same sums,
    to the bit)."""
    ces, gradients = per_sample_ce_and_gradient(b3, samples, params)
    return float(ces.sum(axis=-1)), float(gradients.sum(axis=-1))


@lru_cache(maxsize=256)
def descend(b3: float, learning_rate: float, steps: int, samples=SAMPLES, params: Params = STATQUEST) -> tuple:
    """Gradient descent on b3: the start and `steps` updates, so `steps + 1` Step records
    (kept per input: page 6 asks for the same descent several times a rerun)."""
    if not (math.isfinite(b3) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError("b3 must be finite and learning_rate finite and positive")
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 0 and {MAX_STEPS}")
    path = []
    for _ in range(steps + 1):
        total, gradient = _total_and_gradient(float(b3), samples, params)
        path.append(Step(float(b3), total, gradient))
        b3 = b3 - learning_rate * gradient
    return tuple(path)
