"""SoftMax, cross entropy and its gradient, stable for any finite raw values (log-sum-exp)."""

from __future__ import annotations

import numbers

import numpy as np

SPECIES = ("setosa", "versicolor", "virginica")
SHORT = ("se", "ve", "vi")  # the seed's subscripts


def class_index(observed) -> int:
    """Map a class index 0..2, a species name or its short form (se, ve, vi) to the index."""
    if isinstance(observed, str):
        name = observed.strip().lower()
        if name in SPECIES:
            return SPECIES.index(name)
        if name in SHORT:
            return SHORT.index(name)
        raise ValueError(f"unknown species {observed!r}: use one of {', '.join(SPECIES)} or 0, 1, 2")
    if isinstance(observed, numbers.Integral) and not isinstance(observed, bool):
        if 0 <= int(observed) < 3:
            return int(observed)
    raise ValueError(f"observed must be 0, 1, 2 or one of {', '.join(SPECIES)}, not {observed!r}")


def _shifted(raw) -> np.ndarray:
    raw = np.asarray(raw, float)
    if raw.shape[-1:] != (3,):
        raise ValueError(f"raw must have a last axis of length 3 (se, ve, vi), got shape {raw.shape}")
    with np.errstate(over="ignore"):  # max - min beyond 1.8e308 gives -inf, whose exp is 0
        return raw - raw.max(axis=-1, keepdims=True)


def softmax(raw) -> np.ndarray:
    """Probabilities over the last axis (length 3); same shape as `raw`, rows sum to 1."""
    exps = np.exp(_shifted(raw))
    return exps / exps.sum(axis=-1, keepdims=True)


def log_softmax(raw) -> np.ndarray:
    shifted = _shifted(raw)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_and_softmax(raw) -> tuple[np.ndarray, np.ndarray]:
    """Both from one shift and one exp: the same operations as log_softmax's and softmax's, shared,
    so the same numbers to the bit, for half the work (page 6 asks for both at every descent step)."""
    shifted = _shifted(raw)
    exps = np.exp(shifted)
    sums = exps.sum(axis=-1, keepdims=True)
    return shifted - np.log(sums), exps / sums


def cross_entropy(raw, observed) -> np.ndarray:
    """-log(Predicted_observed); shape of `raw` without its last axis (a float for one sample)."""
    return -log_softmax(raw)[..., class_index(observed)]


def grad_raw(raw, observed) -> np.ndarray:
    """d CE / d raw = probs - onehot(observed); same shape as `raw`."""
    grad = softmax(raw)
    grad[..., class_index(observed)] -= 1.0
    return grad
