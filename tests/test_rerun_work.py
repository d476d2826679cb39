"""What a rerun must not redo: sympy runs once per process (its results kept, and equal to what it
would print and compute each time), and every page reruns for a new b3 without it."""

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.printing.latex import LatexPrinter

from core import derivation
from core.network import SHORT
from tests.test_app import PAGES, open_app

PROBS = st.tuples(*[st.floats(0.001, 0.998)] * 3).map(lambda p: tuple(v / sum(p) for v in p))
EXPRESSIONS = [
    *(factor.expr for short in SHORT for factor in (*derivation.chain_rule(short).factors,)),
    *(derivation.chain_rule(short).result.expr for short in SHORT),
    *derivation.softmax_jacobian(),
    *derivation.ce_gradient_matrix(),
    derivation.seed_slip(),
]


@settings(max_examples=30, deadline=None)
@given(probs=PROBS)
def test_kept_latex_and_values_are_what_sympy_gives_each_time(probs):
    values = dict(zip(derivation.P, probs, strict=True))
    for expr in EXPRESSIONS:
        names = {p: f"{v:.4f}" for p, v in values.items()}
        assert derivation.latex_with_numbers(expr, probs) == sp.latex(expr, symbol_names=names, mul_symbol="dot")
        exact = float(expr.xreplace(values))
        assert math.isclose(derivation.evaluate(expr, probs), exact, rel_tol=1e-13, abs_tol=1e-15)
        assert derivation.latex(expr) == sp.latex(expr)


@pytest.fixture
def sympy_forbidden(monkeypatch):
    """Every way the app could reach sympy's printing or arithmetic raises."""

    def forbidden(*_, **__):
        raise AssertionError("sympy ran during a rerun")

    monkeypatch.setattr(LatexPrinter, "doprint", forbidden)
    monkeypatch.setattr(sp.Basic, "xreplace", forbidden)
    monkeypatch.setattr(sp.Basic, "subs", forbidden)
    monkeypatch.setattr(sp, "lambdify", forbidden)
    monkeypatch.setattr(sp, "diff", forbidden)


@pytest.mark.parametrize("page", PAGES)
def test_a_rerun_for_a_new_b3_runs_no_sympy(page, request):
    at = open_app(flower="virginica", b3="-2")
    at.switch_page(page).run()
    assert not at.exception
    request.getfixturevalue("sympy_forbidden")
    at.sidebar.slider(key="b3").set_value(0.37).run()
    assert not at.exception, [e.value for e in at.exception]
