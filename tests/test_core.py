import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import derivation
from core.data import flower, iris
from core.gradients import finite_difference_gradients, param_gradients
from core.network import PARAM_NAMES, STATQUEST, Params, forward
from core.softmax import class_index, cross_entropy, grad_raw, log_softmax, log_softmax_and_softmax, softmax
from core.training import (
    SAMPLES,
    d_total_ce_d_b3,
    descend,
    per_sample_ce,
    per_sample_ce_and_gradient,
    per_sample_gradient,
    total_ce,
)

raw_values = st.floats(-50, 50, allow_nan=False)
raw_vectors = arrays(float, 3, elements=raw_values)
huge = st.floats(-1e4, 1e4, allow_nan=False)
classes = st.sampled_from([0, 1, 2, "setosa", "versicolor", "virginica"])


def central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@given(raw_vectors)
def test_softmax_sums_to_one_and_is_positive(raw):
    probs = softmax(raw)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert (probs >= 0).all()


@given(raw_vectors, st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(raw, shift):
    np.testing.assert_allclose(softmax(raw + shift), softmax(raw), atol=1e-12)


@given(arrays(float, 3, elements=huge), classes)
def test_softmax_and_ce_stay_finite_for_huge_raw(raw, observed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(softmax(raw)).all()
        assert np.isfinite(cross_entropy(raw, observed))
        assert np.isfinite(grad_raw(raw, observed)).all()


def test_extreme_raw_values_do_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(softmax([1e308, -1e308, 0.0]), [1.0, 0.0, 0.0])
        assert cross_entropy([1e4, -1e4, 0.0], "setosa") == 0.0
        assert cross_entropy([1e4, -1e4, 0.0], "versicolor") == pytest.approx(2e4)


@given(raw_vectors, classes)
def test_grad_raw_equals_finite_differences(raw, observed):
    grad = grad_raw(raw, observed)
    for k in range(3):

        def ce_along_k(x, k=k):
            moved = raw.copy()
            moved[k] = x
            return float(cross_entropy(moved, observed))

        assert grad[k] == pytest.approx(central_difference(ce_along_k, raw[k]), abs=1e-6)


@given(raw_vectors, classes)
def test_grad_raw_is_probs_minus_onehot(raw, observed):
    expected = softmax(raw) - np.eye(3)[class_index(observed)]
    np.testing.assert_allclose(grad_raw(raw, observed), expected, atol=1e-15)


@pytest.mark.parametrize("bad", ["rose", "", 3, -1, 1.0, True, None])
def test_unknown_class_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="setosa"):
        cross_entropy([0.0, 0.0, 0.0], bad)


def test_forward_matches_statquest_part_6():
    # StatQuest part 6 shows P_se = 0.57 for the setosa training flower (b3 = 0).
    f = forward(0.04, 0.42)
    assert round(float(f.probs[0]), 2) == 0.57
    assert float(f.green) == pytest.approx(float(f.blue + f.orange + STATQUEST.b3))


@given(
    arrays(float, (4, 5), elements=st.floats(0, 1)),
    arrays(float, (4, 5), elements=st.floats(0, 1)),
    st.floats(-5, 5),
)
@settings(max_examples=30)
def test_forward_on_arrays_equals_forward_element_by_element(petal, sepal, b3):
    params = Params(b3=b3)
    grid = forward(petal, sepal, params)
    assert grid.raw.shape == (4, 5, 3) and grid.top.shape == (4, 5)
    for i, j in np.ndindex(petal.shape):
        one = forward(petal[i, j], sepal[i, j], params)
        for name in ("top", "bottom", "blue", "orange", "raw", "probs"):
            np.testing.assert_allclose(getattr(grid, name)[i, j], getattr(one, name), atol=1e-15)


def test_forward_broadcasts_a_200_by_200_grid():
    petal, sepal = np.meshgrid(np.linspace(0, 1, 200), np.linspace(0, 1, 200))
    f = forward(petal, sepal)
    assert f.blue.shape == (200, 200) and f.probs.shape == (200, 200, 3)


def test_statquest_part_7_numbers_are_derived():
    path = descend(-2.0, learning_rate=1.0, steps=40)
    assert round(float(total_ce(-2.0)), 2) == 2.67
    assert round(path[0].gradient, 2) == -0.77
    assert round(path[1].b3, 2) == -1.23
    assert round(path[-1].b3, 2) == -0.03  # where StatQuest's descent ends
    assert abs(path[-1].gradient) < 1e-6
    assert [round(s.total_ce, 2) for s in path[:2]] == [2.67, 2.14]


@given(st.floats(-10, 10))
def test_total_ce_derivative_equals_finite_differences(b3):
    fd = central_difference(lambda x: float(total_ce(x)), b3)
    assert float(d_total_ce_d_b3(b3)) == pytest.approx(fd, abs=1e-6)


@given(st.floats(-1e6, 1e6), st.floats(0.01, 5), st.integers(0, 3))
def test_descent_steps_are_total_ce_and_its_derivative_to_the_bit(b3, rate, steps):
    for step in descend(b3, rate, steps):
        assert step.total_ce == float(total_ce(step.b3)) and step.gradient == float(d_total_ce_d_b3(step.b3))


@given(st.one_of(st.floats(-1e6, 1e6), arrays(float, st.integers(1, 5), elements=st.floats(-1e6, 1e6))))
def test_each_samples_ce_and_gradient_in_one_pass_are_both_to_the_bit(b3):
    ces, gradients = per_sample_ce_and_gradient(b3)
    np.testing.assert_array_equal(ces, per_sample_ce(b3))
    np.testing.assert_array_equal(gradients, per_sample_gradient(b3))


@given(arrays(float, st.integers(1, 4).map(lambda n: (n, 3)), elements=st.floats(-1e300, 1e300)))
def test_log_softmax_and_softmax_are_both_to_the_bit(raw):
    logs, probs = log_softmax_and_softmax(raw)
    np.testing.assert_array_equal(logs, log_softmax(raw))
    np.testing.assert_array_equal(probs, softmax(raw))


def test_total_ce_is_vectorised_over_b3():
    b3 = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(total_ce(b3), [float(total_ce(x)) for x in b3])
    np.testing.assert_allclose(d_total_ce_d_b3(b3), [float(d_total_ce_d_b3(x)) for x in b3])


def test_descend_rejects_bad_arguments():
    with pytest.raises(ValueError):
        descend(math.nan, 1.0, 3)
    with pytest.raises(ValueError):
        descend(0.0, -1.0, 3)
    with pytest.raises(ValueError):
        descend(0.0, 1.0, 10**6)


SEED_FORMS = {
    "se": ("-1/P_se", "P_se*(1 - P_se)", "P_se - 1"),
    "ve": ("-1/P_ve", "-P_se*P_ve", "P_se"),
    "vi": ("-1/P_vi", "-P_se*P_vi", "P_se"),
}


@pytest.mark.parametrize("observed", ["se", "ve", "vi"])
def test_derivation_reads_in_the_seed_notation(observed):
    rule = derivation.chain_rule(observed)
    one, two, result = SEED_FORMS[observed]
    assert str(rule.factors[0].expr) == one
    assert str(rule.factors[1].expr) == two
    assert rule.factors[2].expr == 1
    assert str(rule.result.expr) == result
    assert sp.simplify(rule.direct - rule.result.expr) == 0


def test_seed_slip_is_not_the_product_of_its_factors():
    vi = derivation.chain_rule("vi")
    assert sp.simplify(vi.result.expr - derivation.seed_slip()) != 0
    assert vi.result.expr == derivation.P[0]


@given(raw_vectors, st.sampled_from(["se", "ve", "vi"]))
@settings(max_examples=40)
def test_each_factor_evaluates_to_the_numeric_derivative(raw, observed):
    rule = derivation.chain_rule(observed)
    c = ("se", "ve", "vi").index(observed)
    probs = softmax(raw)
    assert rule.factors[0].value(probs) == pytest.approx(-1 / probs[c])

    def p_c(raw_se):
        return float(softmax([raw_se, raw[1], raw[2]])[c])

    assert rule.factors[1].value(probs) == pytest.approx(central_difference(p_c, raw[0]), abs=1e-6)
    assert rule.result.value(probs) == pytest.approx(grad_raw(raw, c)[0], abs=1e-12)


def test_jacobian_and_vector_form():
    jac = derivation.softmax_jacobian()
    grad = derivation.ce_gradient_matrix()
    raw = np.array([0.3, -1.2, 2.0])
    probs = softmax(raw)
    for i in range(3):
        for j in range(3):
            expected = probs[i] * ((i == j) - probs[j])
            assert derivation.evaluate(jac[i, j], probs) == pytest.approx(expected, abs=1e-12)
            assert derivation.evaluate(grad[i, j], probs) == pytest.approx(grad_raw(raw, i)[j])


def test_latex_with_numbers():
    rule = derivation.chain_rule("vi")
    text = rule.factors[1].latex_with_numbers([0.1509, 0.3966, 0.4525])
    assert text == r"- 0.1509 \cdot 0.4525"


@pytest.mark.parametrize("observed", ["setosa", "versicolor", "virginica"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_parameter_gradient_equals_finite_differences(sample, observed):
    params = Params(b3=-2.0)
    exact = param_gradients(sample.petal, sample.sepal, observed, params)
    numeric = finite_difference_gradients(sample.petal, sample.sepal, observed, params)
    for name, value in exact.items():
        assert value == pytest.approx(numeric[name], abs=1e-6), name


@settings(max_examples=60, deadline=None)
@given(
    petal=st.floats(0.0, 1.0),
    sepal=st.floats(0.0, 1.0),
    b3=st.floats(-5.0, 5.0),
    observed=st.sampled_from(["setosa", "versicolor", "virginica"]),
)
def test_finite_differences_in_one_pass_are_thirty_passes_to_the_last_bit(petal, sepal, b3, observed):
    params, h = Params(b3=b3), 1e-6

    def ce(name: str, nudge: float) -> float:
        nudged = replace(params, **{name: getattr(params, name) + nudge})
        return float(cross_entropy(forward(petal, sepal, nudged).raw, observed))

    one_by_one = {name: (ce(name, h) - ce(name, -h)) / (2 * h) for name in PARAM_NAMES}
    assert finite_difference_gradients(petal, sepal, observed, params) == one_by_one


def test_iris_data_set_and_scaling():
    flowers = iris()
    assert len(flowers) == 150
    assert {f.species for f in flowers} == {"setosa", "versicolor", "virginica"}
    assert min(f.petal for f in flowers) == 0 and max(f.petal for f in flowers) == 1
    assert min(f.sepal for f in flowers) == 0 and max(f.sepal for f in flowers) == 1
    first = flower(1)
    assert (first.petal_width, first.sepal_width) == (0.2, 3.5)
    assert first.petal == pytest.approx((0.2 - 0.1) / 2.4)
    with pytest.raises(ValueError):
        flower(151)


def test_training_samples_are_scaled_iris_flowers():
    # StatQuest's training flowers are real Iris flowers scaled the same way, rounded to 2 decimals.
    scaled = {(round(f.petal, 2), round(f.sepal, 2), f.species) for f in iris()}
    for s in SAMPLES:
        assert (s.petal, s.sepal, s.species) in scaled


def test_every_string_has_english_and_chinese_with_the_same_placeholders():
    import string

    from drawing.i18n import TEXT

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, (en, zh) in TEXT.items():
        assert en.strip() and zh.strip(), key
        assert fields(en) == fields(zh), key


@given(
    st.dictionaries(st.sampled_from(["b3", "flower", "lang", "petal", "sepal", "observed", "present", "x"]), st.text())
)
def test_any_query_string_gives_a_valid_view(query):
    from core.view import B3_RANGE, flower_point, parse_query

    view, notes = parse_query(query)
    assert B3_RANGE[0] <= view.b3 <= B3_RANGE[1] and view.lang in ("en", "zh")
    flower_point(view)
    assert all(note.key.startswith("note_") for note in notes)


@given(
    st.sampled_from(["setosa", "versicolor", "virginica", "iris-1", "iris-150", "custom"]),
    st.floats(-5, 5).map(lambda x: round(x, 6)),
    st.sampled_from(["en", "zh"]),
    st.floats(0, 1).map(lambda x: round(x, 2)),
    st.booleans(),
)
def test_a_view_survives_the_round_trip_through_its_link(flower, b3, lang, petal, present):
    from core.view import View, parse_query, to_query

    view = View(flower=flower, b3=b3, lang=lang, petal=petal if flower == "custom" else 0.5, present=present)
    assert parse_query(to_query(view)) == (view, ())
    assert ("present" in to_query(view)) is present, "the link carries present=1 only when on"


def test_the_presentation_flag_and_no_minus_zero_in_a_link():
    from core.view import Note, parse_query, to_query

    assert parse_query({"present": "1"})[0].present and parse_query({"present": "ON"})[0].present
    assert not parse_query({"present": "0"})[0].present
    view, notes = parse_query({"present": "maybe", "b3": "-0"})
    assert not view.present and notes == (Note("note_present"),)
    assert to_query(view)["b3"] == "0"


def test_a_widget_value_passes_the_same_checks_as_a_link():
    """What a widget sends is checked like a link's text: a bad value keeps the view's."""
    from core.view import View, with_values

    view = View(flower="virginica", b3=0.5, lang="zh")
    assert with_values(view, flower="iris-", b3=float("nan"), lang="xx", observed="xyz") == view
    assert with_values(view, flower="iris-999", b3="5.5", present="maybe", steps=2.5) == view
    assert with_values(view, flower="Iris-7", b3=-0.0, lang="en", present=True, rate=0.5) == View(
        flower="iris-7", b3=0.0, lang="en", present=True, rate=0.5
    )
