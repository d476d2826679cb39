"""Every figure, filled into its cached skeleton, is exactly the figure plotly draws and checks
for the same inputs (drawing.figures: `x_figure` against `_draw_x`)."""

import base64
import json

import numpy as np
import orjson
import plotly.io
from hypothesis import given, settings
from hypothesis import strategies as st

from core import pages
from core.gradients import finite_difference_gradients, param_gradients
from core.network import Params, forward
from core.training import d_total_ce_d_b3, descend, total_ce
from core.view import View, flower_point
from drawing import animation, explain, figures, graph, slides

B3 = st.floats(-3.0, 3.0, allow_nan=False).map(lambda b3: round(b3, 2))
FLOWERS = st.sampled_from(["setosa", "versicolor", "virginica", "iris-1", "iris-77", "iris-150"])
LANGS = st.sampled_from(["en", "zh"])
CHECKED = settings(max_examples=6, deadline=None)


def same(filled: dict, drawn) -> None:
    assert json.loads(json.dumps(filled, default=list)) == json.loads(drawn.to_json())


@CHECKED
@given(b3=B3, flower=FLOWERS, lang=LANGS, highlight=st.sampled_from([None, "se", "ve", "vi"]))
def test_the_graph(b3, flower, lang, highlight):
    point, params = flower_point(View(flower=flower)), Params(b3=b3)
    values = graph.node_values(forward(point.petal, point.sepal, params), point.observed, params)
    same(
        figures.graph_figure(values, point.observed, lang, highlight),
        figures._draw_graph(values, point.observed, lang, highlight),
    )
    frame = animation.FLOW_FRAME
    same(
        figures.graph_figure(values, point.observed, lang, name_observed=False, frame=frame),
        figures._draw_graph(values, point.observed, lang, name_observed=False, frame=frame),
    )


@CHECKED
@given(b3=B3, flower=FLOWERS, lang=LANGS)
def test_the_surfaces_bars_and_argmax(b3, flower, lang):
    point = flower_point(View(flower=flower))
    same(figures.surfaces_figure(point, b3, lang), figures._draw_surfaces(point, b3, lang))
    fwd = forward(point.petal, point.sepal, Params(b3=b3))
    argmax = explain.argmax(fwd.raw)
    same(
        figures.softmax_bars_figure(fwd.raw, fwd.probs, argmax, lang),
        figures._draw_bars(fwd.raw, fwd.probs, argmax, lang),
    )
    curve = explain.softmax_curve(fwd.raw)
    same(
        figures.argmax_vs_softmax_figure(curve, fwd.raw[0], fwd.probs[0], lang),
        figures._draw_argmax(curve, fwd.raw[0], fwd.probs[0], lang),
    )


@CHECKED
@given(b3=B3, flower=FLOWERS, lang=LANGS, steps=st.integers(0, 12))
def test_the_cross_entropy_total_ce_and_gradients(b3, flower, lang, steps):
    rows = explain.ce_table(b3)
    same(figures.neg_log_figure(rows, lang), figures._draw_neg_log(rows, lang))
    curve, total, slope = explain.total_curve(), float(total_ce(b3)), float(d_total_ce_d_b3(b3))
    path = descend(b3, 0.1, steps) if steps else []
    same(
        figures.total_ce_figure(curve, b3, total, slope, path, lang),
        figures._draw_total_ce(curve, b3, total, slope, path, lang),
    )
    point, params = flower_point(View(flower=flower)), Params(b3=b3)
    exact = param_gradients(point.petal, point.sepal, point.observed, params)
    numeric = finite_difference_gradients(point.petal, point.sepal, point.observed, params)
    same(figures.gradients_figure(exact, numeric, lang), figures._draw_gradients(exact, numeric, lang))


def test_a_filled_figure_has_its_own_traces_layout_parts_and_annotations():
    """What a filler sets (a trace's key, a layout part's, an annotation's) changes no other figure."""
    point = flower_point(View())
    first = figures.surfaces_figure(point, -2.0, "en", ("green",))
    first["data"][0]["z"] = "changed"
    first["layout"]["margin"]["b"] = 999
    first["layout"]["annotations"][0]["text"] = "changed"
    again = figures.surfaces_figure(point, -2.0, "en", ("green",))
    assert again["data"][0]["z"] != "changed" and again["layout"]["margin"]["b"] != 999
    assert again["layout"]["annotations"][0]["text"] != "changed"


def test_no_figure_changes_the_skeletons_it_shares():
    """Every page's figures, for views of every kind, their slides, and page 7's and page 6's
    animations, leave each parsed skeleton (shared by every figure filled from it) as parsed."""
    views = [
        View(flower=flower, b3=b3, lang=lang, tab=tab, source=source, phone=phone, present=present)
        for flower, b3, lang in (("setosa", -2.0, "en"), ("virginica", 1.37, "zh"), ("iris-77", -4.5, "en"))
        for tab, source in (("vi", "total"), ("ve", "se"), ("vi", "vi"), ("ve", "ve"))
        for phone, present in ((False, False), (True, False), (False, True))
    ]
    for view in views:
        for page in pages.NAMES:
            for chart in slides.charts(page, view):
                slides.for_slide(chart, 700)
    assert figures._PARSED
    for text, parsed in figures._PARSED.items():
        assert parsed == orjson.loads(text)


@settings(max_examples=25, deadline=None)
@given(b3=st.floats(-5.0, 5.0, allow_nan=False, allow_subnormal=False))
def test_every_surface_is_forwards_own_heights_to_the_last_bit(b3):
    """Blue and orange are computed once for every b3; green adds b3 to them as forward does."""
    _, (petal, sepal) = figures._surface_grid(41)
    grid = forward(petal, sepal, Params(b3=b3))
    data = figures.surfaces_figure(flower_point(View()), b3, "en")["data"]
    surfaces = [_array(trace["z"]).tolist() for trace in data if trace["type"] == "surface"]
    assert surfaces == [np.round(heights, 3).tolist() for heights in (grid.blue, grid.orange, grid.green)]


def _array(z) -> np.ndarray:
    """A figure's array: a list, or plotly's typed array ({"dtype", "bdata": base64, "shape"})."""
    if isinstance(z, list):
        return np.array(z)
    shape = tuple(int(n) for n in str(z.get("shape", "-1")).split(","))
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)


def test_a_sealed_figure_is_written_as_plotly_writes_its_dict():
    """st.plotly_chart sends plotly.io.to_json of the sealed figure: the kept text is plotly's own."""
    for page in pages.NAMES:
        for chart in slides.charts(page, View(flower="virginica", b3=-1.37, lang="zh")):
            written = plotly.io.to_json(chart.figure, validate=False)
            assert plotly.io.to_json(chart.sealed, validate=False) == written  # written, then kept
            assert plotly.io.to_json(chart.sealed, validate=False) == written
