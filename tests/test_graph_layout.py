"""The graph tells the truth on screen: no edge through a node it does not connect, no label on
another label, node or edge, every weight and bias drawn. Checked from the figures the pages send.
"""

import json

import pytest

from core import pages
from core.network import STATQUEST, Params, forward
from core.view import View
from drawing import animation, figures, graph, slides
from tests.graph_layout import problems
from tests.test_app import open_app

# The chart's width: its container's minimum (a phone scrolls it), a 1280x720 projector, 1920x1080.
WIDTHS = (figures.GRAPH_MIN_WIDTH, 1000, 1300, 1560)


def as_json(figure) -> dict:
    return json.loads(json.dumps(figure if isinstance(figure, dict) else figure.to_plotly_json(), default=list))


GRAPH_PAGES = [pages.BY_NAME[name].file for name in ("network", "chain_rule_se", "chain_rule_vi")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", GRAPH_PAGES)
def test_the_graph_each_page_sends_has_no_misleading_geometry(page, lang):
    at = open_app(lang=lang, flower="versicolor")
    at.switch_page(page).run()
    graphs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    graphs = [f for f in graphs if any(t.get("name") == "nodes" for t in f["data"])]
    assert graphs, "the page shows the graph"
    for figure in graphs:
        for width in WIDTHS:
            assert problems(figure, width) == [], f"at {width}px"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("source", animation.SOURCES)
def test_the_animated_graph_has_no_misleading_geometry(source, lang):
    figure = as_json(animation.gradient_flow_figure(-2.0, source, lang))
    for width in WIDTHS:
        assert problems(figure, width) == [], f"at {width}px"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("source", animation.SOURCES)
@pytest.mark.parametrize("screen", ["phone", "slide"])
def test_a_phones_and_a_slides_animated_graph_have_no_misleading_geometry_in_any_frame(source, lang, screen):
    """A phone's animation top to bottom, 340 to 480 px wide; a slide's with its 28 px text and the
    factors in a column on the right, at the slide's width (page 7's slide has no equation above)."""
    view = View(source=source, lang=lang, b3=-2.0, phone=screen == "phone", present=screen == "slide")
    (chart,) = slides.charts("gradient_flow", view)
    figure = as_json(chart.figure)
    widths = figures.PHONE_WIDTHS if screen == "phone" else (figures.SLIDE_FIGURE_WIDTH,)
    for step in figure["frames"]:
        data = list(figure["data"])
        for index, update in zip(step["traces"], step["data"], strict=True):
            data[index] = animation.merged(data[index], update)
        for width in widths:
            assert problems({**figure, "data": data}, width) == [], f"{step['name']} at {width}px"


@pytest.mark.parametrize("highlight", [None, "se", "ve", "vi"])
def test_every_observed_species_and_highlight(highlight):
    values = graph.node_values(forward(0.5, 0.37, Params(b3=4.99)), "versicolor", Params(b3=4.99))
    figure = as_json(figures.graph_figure(values, "versicolor", "zh", highlight=highlight))
    for width in WIDTHS:
        assert problems(figure, width) == []


def test_the_checker_sees_an_edge_through_a_node():
    """The old layout's fault: top ReLU -> Raw_ve straight through the orange node."""
    values = graph.node_values(forward(0.04, 0.42), "setosa")
    figure = as_json(figures.graph_figure(values, "setosa", "en"))
    orange = next(t for t in figure["data"] if t["name"] == "nodes")["customdata"].index("orange")
    nodes = next(t for t in figure["data"] if t["name"] == "nodes")
    edge = next(t for t in figure["data"] if t["name"] == "edge:top:raw_ve")
    nodes["x"][orange] = (edge["x"][0] + edge["x"][1]) / 2
    nodes["y"][orange] = (edge["y"][0] + edge["y"][1]) / 2
    assert any("edge top->raw_ve passes" in p and "node orange" in p for p in problems(figure, 1300))


def test_every_weight_and_bias_is_on_the_graph():
    values = graph.node_values(forward(0.04, 0.42, Params(b3=-2)), "setosa", Params(b3=-2))
    figure = as_json(figures.graph_figure(values, "setosa", "en"))
    weights = {
        a["name"].split(":", 1)[1]: a["text"]
        for a in figure["layout"]["annotations"]
        if a["name"].startswith("weight:")
    }
    biases = {
        a["name"].split(":", 1)[1]: a["text"] for a in figure["layout"]["annotations"] if a["name"].startswith("bias:")
    }
    p = STATQUEST
    assert weights == {
        "petal:top": "×-2.5", "sepal:top": "×0.6", "petal:bottom": "×-1.5", "sepal:bottom": "×0.4",
        "top:blue": "×-0.1", "bottom:orange": "×1.5", "top:raw_ve": "×2.4", "bottom:raw_ve": "×-5.2",
        "top:raw_vi": "×-2.2", "bottom:raw_vi": "×3.7",
    }  # fmt: skip
    assert biases == {"top": "<i>+1.6</i>", "bottom": "<i>+0.7</i>", "raw_ve": "<i>+0</i>", "raw_vi": "<i>+1</i>"}
    assert (p.b1, p.b2, p.b4, p.b5) == (1.6, 0.7, 0.0, 1.0)
    nodes = next(t for t in figure["data"] if t["name"] == "nodes")
    assert nodes["text"][nodes["customdata"].index("b3")] == "<b>-2.000</b>", "b3 is a node with its value"
    # top ReLU = ReLU(-2.5 petal + 0.6 sepal + 1.6) can be recomputed from what the graph shows
    assert nodes["text"][nodes["customdata"].index("top")] == f"<b>{max(-2.5 * 0.04 + 0.6 * 0.42 + 1.6, 0):.3f}</b>"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("flower", ["setosa", "versicolor", "virginica", "iris-150"])
@pytest.mark.parametrize("page", ["network", "chain_rule_se", "chain_rule_vi"])
def test_a_slides_larger_graph_has_no_misleading_geometry(page, flower, lang):
    """In presentation mode the graph is drawn for its slide (1824 px wide, its names 28 px): its
    labels, set for that size, stay clear at the slide's width and in its downloaded 16:9 box."""
    for tab in ("vi", "ve"):
        (chart,) = [
            c for c in slides.charts(page, View(flower=flower, lang=lang, tab=tab, present=True)) if c.kind == "graph"
        ]
        figure = as_json(chart.figure)
        assert next(t for t in figure["data"] if t["name"] == "labels")["textfont"]["size"] == 28
        for width in (figures.SLIDE_FIGURE_WIDTH, slides.box(figure).width):
            assert problems(figure, width) == [], f"at {width}px"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("flower", ["setosa", "versicolor", "virginica", "iris-150"])
@pytest.mark.parametrize("page", ["network", "chain_rule_se", "chain_rule_vi"])
def test_a_phones_top_to_bottom_graph_has_no_misleading_geometry(page, flower, lang):
    """On a phone the graph runs top to bottom in a box 340 to 480 px wide (assets/app.css)."""
    low, high = figures.PHONE_WIDTHS
    for tab in ("vi", "ve"):
        (chart,) = slides.charts(page, View(flower=flower, lang=lang, tab=tab, phone=True))[:1]
        assert chart.kind == "tall"
        figure = as_json(chart.figure)
        for width in range(low, high + 1, 20):
            assert problems(figure, width) == [], f"at {width}px"
