"""The numbers each page shows, computed from the network, SoftMax and the sympy derivation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core import derivation
from core.latex import fmt, pmatrix
from core.network import SHORT, Params, forward
from core.softmax import SPECIES, class_index, cross_entropy, grad_raw, softmax
from core.training import SAMPLES, per_sample_ce_and_gradient, total_ce
from drawing.i18n import t

FD_STEP = 1e-6


def argmax(raw) -> np.ndarray:
    """ArgMax as StatQuest uses it: 1 for the largest raw value, 0 for the others."""
    raw = np.asarray(raw, float)
    return (np.arange(raw.shape[-1]) == raw.argmax(axis=-1)[..., None]).astype(float)


def naive_softmax(raw) -> np.ndarray:
    """e^raw / sum(e^raw) without the shift: what overflows (inf / inf = nan) for huge raw values."""
    with np.errstate(over="ignore", invalid="ignore"):
        exps = np.exp(np.asarray(raw, float))
        return exps / exps.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class SoftmaxCurve:
    raw_se: np.ndarray
    softmax: np.ndarray  # P_se
    argmax: np.ndarray  # ArgMax's setosa output, 0 or 1


def softmax_curve(raw, span: float = 6.0, points: int = 241) -> SoftmaxCurve:
    """P_se and ArgMax_se as green (Raw_se) sweeps around its value, the other raw values fixed."""
    raw = np.asarray(raw, float)
    raw_se = np.linspace(raw[0] - span, raw[0] + span, points)
    sweep = np.repeat(raw[None, :], points, axis=0)
    sweep[:, 0] = raw_se
    return SoftmaxCurve(raw_se, softmax(sweep)[:, 0], argmax(sweep)[:, 0])


@dataclass(frozen=True)
class CERow:
    species: str
    petal: float
    sepal: float
    predicted: float  # P of the observed species
    ce: float
    gradient: float  # dCE/db3 = P_se - [observed = setosa]


@lru_cache(maxsize=64)  # a page asks for its b3's rows more than once a rerun (its own table and its slide's)
def ce_table(b3: float, samples=SAMPLES) -> tuple[CERow, ...]:
    """One row per training flower, in class order (setosa, versicolor, virginica): its predicted
    probability of its species, its CE and its dCE/db3. So a sum written CE_se + CE_ve + CE_vi
    puts each flower's value under its own name."""
    ces, grads = per_sample_ce_and_gradient(b3, samples)
    rows = (
        CERow(s.species, s.petal, s.sepal, float(np.exp(-ce)), float(ce), float(g))
        for s, ce, g in zip(samples, ces, grads, strict=True)
    )
    return tuple(sorted(rows, key=lambda row: class_index(row.species)))


def total_ce_latex(rows: tuple[CERow, ...], total: float, lang: str = "en") -> str:
    """Total CE = CE_se + CE_ve + CE_vi = (each flower's CE under its own name) = total."""
    names = " + ".join(f"CE_{{{SHORT[class_index(r.species)]}}}" for r in rows)
    values = " + ".join(fmt(r.ce, 4) for r in rows)
    return rf"\text{{{t('total_word', lang)} }} CE = {names} = {values} = {fmt(total, 4)}"


def cross_entropy_latex(observed, lang: str) -> tuple[str, str, str]:
    """The definition, its M = 3 expansion, and its one-hot reduction for the observed species."""
    obs, pred = rf"\text{{{t('observed_word', lang)}}}", rf"\text{{{t('predicted_word', lang)}}}"
    c = SHORT[class_index(observed)]
    others = [k for k in SHORT if k != c]
    expansion = " - ".join(rf"{obs}_{{{k}}}\log(P_{{{k}}})" for k in SHORT)
    return (
        rf"CE = -\sum_{{c=1}}^{{M}} {obs}_c \times \log({pred}_c)",
        rf"M = 3:\quad CE = -{expansion}",
        rf"{obs}_{{{c}}} = 1,\ {obs}_{{{others[0]}}} = {obs}_{{{others[1]}}} = 0"
        rf"\ \Rightarrow\ CE_{{{c}}} = -\log(P_{{{c}}})",
    )


def total_gradient_latex(rows: tuple[CERow, ...], total: float, lang: str = "en") -> tuple[str, str]:
    """dTotalCE/db3 = the sum of each flower's dCE_c/db3, each named by its species; then the values
    (two lines, so each fits a 1280x720 projector)."""
    names = " + ".join(rf"\frac{{d\,CE_{{{SHORT[class_index(r.species)]}}}}}{{d\,b_3}}" for r in rows)
    forms = " + ".join("(P_{se} - 1)" if r.species == "setosa" else "P_{se}" for r in rows)
    values = " + ".join(f"({fmt(r.gradient, 4)})" for r in rows)
    total_ce = rf"\text{{{t('total_word', lang)} }} CE"
    return rf"\frac{{d\,{total_ce}}}{{d\,b_3}} = {names} = {forms}", rf"= {values} = {fmt(total, 4)}"


@dataclass(frozen=True)
class ChainNumbers:
    observed: str  # se | ve | vi: whose CE is differentiated
    probs: np.ndarray
    ce: float
    factors: tuple[float, float, float]
    product: float
    finite_difference: float


def chain_numbers(petal: float, sepal: float, b3: float, observed) -> ChainNumbers:
    """The seed's three factors for this flower and b3, their product, and a finite difference."""
    short = SHORT[class_index(observed)]
    probs = forward(petal, sepal, Params(b3=b3)).probs
    rule = derivation.chain_rule(short)

    def ce(bias: float) -> float:
        return float(cross_entropy(forward(petal, sepal, Params(b3=bias)).raw, short))

    fd = (ce(b3 + FD_STEP) - ce(b3 - FD_STEP)) / (2 * FD_STEP)
    factors = tuple(f.value(probs) for f in rule.factors)
    return ChainNumbers(short, probs, ce(b3), factors, rule.result.value(probs), fd)


@dataclass(frozen=True)
class TotalCurve:
    b3: np.ndarray
    total_ce: np.ndarray


@lru_cache(maxsize=4)
def total_curve(low: float = -5.0, high: float = 5.0, points: int = 201) -> TotalCurve:
    """Total CE over a range of b3 (made once: shared, read-only)."""
    b3 = np.linspace(low, high, points)
    curve = TotalCurve(b3, total_ce(b3))
    for values in (curve.b3, curve.total_ce):
        values.flags.writeable = False
    return curve


def shift_demo(raw, shift: float) -> tuple[tuple[str, float, float, float], ...]:
    """Per species: raw + shift, the naive SoftMax of it (nan once e^x overflows), the stable one."""
    shifted = np.asarray(raw, float) + shift
    naive, stable = naive_softmax(shifted), softmax(shifted)
    return tuple(zip(SPECIES, map(float, shifted), map(float, naive), map(float, stable), strict=True))


def onehot(observed) -> np.ndarray:
    """The observed vector y: 1 for the observed species, 0 for the others."""
    return np.eye(3)[class_index(observed)]


def chain_product_latex(numbers: ChainNumbers) -> tuple[str, str]:
    """dCE_c/db3 = factor 1 · factor 2 · factor 3, then = their values = the product, for one flower."""
    rule = derivation.chain_rule(numbers.observed)
    labels = r" \cdot ".join(f.label for f in rule.factors)
    values = r" \cdot ".join(f"({fmt(v, 4)})" for v in numbers.factors)
    return rf"{rule.result.label} = {labels} = {rule.result.latex}", rf"= {values} = {fmt(numbers.product, 4)}"


def chain_rule_latex(short: str) -> str:
    """dCE_c/db3 = the hand derivation's three factors, each numbered under its brace."""
    rule = derivation.chain_rule(short)
    braces = r" \cdot ".join(rf"\underbrace{{{f.label}}}_{{{i + 1}}}" for i, f in enumerate(rule.factors))
    return rf"{rule.result.label} = {braces}"


def factor_lines(numbers: ChainNumbers) -> tuple[tuple[str, str, str], ...]:
    """The hand derivation's factors of dCE_c/db3, each as its number (as KaTeX circles it: the
    circled digit itself is not in KaTeX's fonts), its formula, and its value for this flower
    ("" for a factor that is a constant)."""
    rule = derivation.chain_rule(numbers.observed)
    return tuple(
        (
            rf"\textcircled{{{i + 1}}}",
            rf"{factor.label} = {factor.latex}",
            "" if factor.expr.is_number else rf"= {factor.latex_with_numbers(numbers.probs)} = {fmt(value, 4)}",
        )
        for i, (factor, value) in enumerate(zip(rule.factors, numbers.factors, strict=True))
    )


def vector_gradient_latex(raw, probs, observed) -> str:
    """dCE/dRaw = p - y, with the flower's numbers."""
    gradient = grad_raw(raw, observed)
    return (
        r"\frac{\partial CE}{\partial \mathbf{Raw}} = \mathbf{p} - \mathbf{y} = "
        f"{pmatrix(probs)} - {pmatrix(onehot(observed), 0)} = {pmatrix(gradient)}"
    )


def outputs_latex(values: dict, observed_short: str) -> str:
    """P_se, P_ve, P_vi and the observed species' CE, side by side (graph.node_values' numbers).
    Each is a group, so a narrow screen breaks the line between them, never inside one."""
    outputs = [rf"P_{{{short}}} = {fmt(values[f'p_{short}'], 4)}" for short in SHORT]
    outputs.append(rf"CE_{{{observed_short}}} = {fmt(values['ce'], 4)}")
    return r" \qquad \allowbreak ".join(f"{{{output}}}" for output in outputs)


def hidden_latex(petal: float, sepal: float, params: Params, names: tuple[str, str]) -> tuple[str, str]:
    """top ReLU = ReLU(-2.5 × petal + 0.6 × sepal + 1.6) = value, and the same for bottom, with the
    flower's numbers in: what a student needs to recompute the hidden nodes from the graph.
    `names` are the words for top ReLU and bottom ReLU in the page's language."""
    p = params
    fwd = forward(petal, sepal, p)
    lines = []
    for name, w_petal, w_sepal, bias, value in (
        (names[0], p.petal_top, p.sepal_top, p.b1, fwd.top),
        (names[1], p.petal_bottom, p.sepal_bottom, p.b2, fwd.bottom),
    ):
        lines.append(
            rf"\text{{{name}}} = \text{{ReLU}}({w_petal:g} \times {fmt(petal)} + {w_sepal:g} \times {fmt(sepal)}"
            rf" + {bias:g}) = {fmt(float(value))}"
        )
    return lines[0], lines[1]
