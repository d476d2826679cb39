"""The seed's chain rule from CE_c back to b3, derived by sympy, written in the seed's notation.

For each observed class c (se, ve, vi):

    dCE_c/db3 = dCE_c/dP_c  *  dP_c/dRaw_se  *  dRaw_se/db3
                 factor 1       factor 2         factor 3

sympy differentiates the real expressions (the SoftMax as a ratio of exponentials, the graph
`Raw_se = green = blue + orange + b3`); the results are then rewritten with P_k = e^{Raw_k} / S,
so they read as the seed reads them: P_se(1 - P_se), -P_se P_vi, P_se - 1, P_se.

sympy works once per process: each expression's LaTeX, its LaTeX with numbers in (a template with
a slot per P), and a plain Python function for its value are made the first time they are asked
for and kept, so a page's rerun runs no sympy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import numpy as np
import sympy as sp

from core.network import SHORT

CIRCLED = ("①", "②", "③")  # the factors' names, as the hand derivation writes them
RAW = sp.symbols("Raw_se Raw_ve Raw_vi", real=True)
P = sp.symbols("P_se P_ve P_vi", positive=True)
BLUE, ORANGE, B3 = sp.symbols("blue orange b_3", real=True)
_DENOMINATOR = sp.Symbol("S", positive=True)  # e^{Raw_se} + e^{Raw_ve} + e^{Raw_vi}


def _raw_softmax(k: int) -> sp.Expr:
    return sp.exp(RAW[k]) / sum(sp.exp(r) for r in RAW)


def _positive_bracket(expr: sp.Expr) -> sp.Expr:
    """-P (P - 1) -> P (1 - P): the same expression, written the way the seed writes it."""
    coeff, factors = expr.as_coeff_mul()
    brackets = [f for f in factors if f.is_Add]
    if coeff == -1 and len(brackets) == 1:
        return sp.Mul(*[-f if f.is_Add else f for f in factors])
    return expr


def in_seed_notation(expr: sp.Expr) -> sp.Expr:
    """Rewrite exponentials of raw values as probabilities: e^{Raw_k} = P_k S."""
    expr = expr.subs(sum(sp.exp(r) for r in RAW), _DENOMINATOR)
    expr = expr.subs({sp.exp(r): p * _DENOMINATOR for r, p in zip(RAW, P, strict=True)})
    return _positive_bracket(sp.factor(sp.cancel(expr)))


@dataclass(frozen=True)
class Factor:
    """One factor of the chain rule: the derivative it is (`label`) and what it equals (`expr`)."""

    label: str
    expr: sp.Expr

    @cached_property
    def latex(self) -> str:
        return latex(self.expr)

    def value(self, probs) -> float:
        return evaluate(self.expr, probs)

    def latex_with_numbers(self, probs, digits: int = 4) -> str:
        return latex_with_numbers(self.expr, probs, digits)


@dataclass(frozen=True)
class ChainRule:
    observed: str  # se | ve | vi
    factors: tuple[Factor, Factor, Factor]
    result: Factor
    direct: sp.Expr  # d(-log softmax_c)/db3 taken in one go, for the check that the chain is right


def _ce_label(c: str) -> str:
    return rf"CE_{{{c}}}"


@cache
def chain_rule(observed: str) -> ChainRule:
    """The three factors and their product for CE of the observed class ('se', 've' or 'vi')."""
    if observed not in SHORT:
        raise ValueError(f"observed must be one of {', '.join(SHORT)}, not {observed!r}")
    c = SHORT.index(observed)
    raw_se_of_b3 = BLUE + ORANGE + B3
    one = sp.diff(-sp.log(P[c]), P[c])
    two = in_seed_notation(sp.diff(_raw_softmax(c), RAW[0]))
    three = sp.diff(raw_se_of_b3, B3)
    direct = in_seed_notation(
        sp.diff(-sp.log(_raw_softmax(c)).subs(RAW[0], raw_se_of_b3), B3).subs(B3, RAW[0] - BLUE - ORANGE)
    )
    ce = _ce_label(observed)
    factors = (
        Factor(rf"\frac{{d\,{ce}}}{{d\,P_{{{observed}}}}}", one),
        Factor(rf"\frac{{d\,P_{{{observed}}}}}{{d\,Raw_{{se}}}}", two),
        Factor(r"\frac{d\,Raw_{se}}{d\,b_3}", three),
    )
    result = Factor(rf"\frac{{d\,{ce}}}{{d\,b_3}}", sp.Mul(one, two, three))
    return ChainRule(observed, factors, result, direct)


def seed_slip() -> sp.Expr:
    """What the seed's last line writes for dCE_vi/db3; the product of its own factors is +P_se."""
    return -P[0]


@cache
def softmax_jacobian() -> sp.ImmutableMatrix:
    """dP_i/dRaw_j for i, j in (se, ve, vi), in the seed's notation: P_i ([i = j] - P_j)."""
    return sp.ImmutableMatrix(3, 3, lambda i, j: in_seed_notation(sp.diff(_raw_softmax(i), RAW[j])))


@cache
def ce_gradient_matrix() -> sp.ImmutableMatrix:
    """Row c: dCE_c/dRaw_k for k in (se, ve, vi); reads P_k - [k = c] (the vector form p - y)."""
    return sp.ImmutableMatrix(3, 3, lambda c, k: in_seed_notation(sp.diff(-sp.log(_raw_softmax(c)), RAW[k])))


def _probability_values(probs) -> dict:
    probs = np.asarray(probs, float)
    if probs.shape != (3,):
        raise ValueError("probs must be (P_se, P_ve, P_vi)")
    return dict(zip(P, map(float, probs), strict=True))


def evaluate(expr: sp.Expr, probs) -> float:
    """The value of one of the derivation's expressions in P_se, P_ve, P_vi."""
    return float(_as_function(expr)(*_probability_values(probs).values()))


@lru_cache(maxsize=256)
def _as_function(expr: sp.Expr):
    return sp.lambdify(P, expr, modules="math")


def latex_with_numbers(expr: sp.Expr, probs, digits: int = 4) -> str:
    """The expression's LaTeX with each P replaced by its value, e.g. -\\frac{1}{0.5677}."""
    text = _numbers_template(expr)
    for i, value in enumerate(_probability_values(probs).values()):
        text = text.replace(_slot(i), f"{value:.{digits}f}")
    return text


def _slot(i: int) -> str:
    return f"@{i}@"  # never in sympy's LaTeX


@lru_cache(maxsize=256)
def _numbers_template(expr: sp.Expr) -> str:
    """sympy's LaTeX of the expression with a slot for each P (the same layout as with the numbers:
    the names given to symbols change what is printed, not the order or the brackets)."""
    return sp.latex(expr, symbol_names={p: _slot(i) for i, p in enumerate(P)}, mul_symbol="dot")


@lru_cache(maxsize=256)
def latex(expr) -> str:
    return sp.latex(expr)


def evaluate_matrix(matrix: sp.Matrix, probs) -> np.ndarray:
    return np.array([[evaluate(matrix[i, j], probs) for j in range(matrix.cols)] for i in range(matrix.rows)])
