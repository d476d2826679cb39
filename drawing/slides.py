"""Every figure of every page, by name, built from the view alone: the pages draw these, the chart's
download buttons and `make slides` export them, each as a 16:9 slide named for what it shows.

A chart's slide is 1280x720 px, scaled to 1920x1080 (3840x2160 for a PNG at scale 2). The graph
keeps its own plot height, so every label stays as many px from its node as on screen, padded to a
16:9 box (a multiple of 9 px high, so it scales to exactly 1920x1080). An animation's slide leaves
out its play buttons and slider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from core.gradients import both_ways
from core.latex import fmt
from core.network import Params, forward
from core.training import d_total_ce_d_b3, descend, total_ce
from core.view import View, decimal, flower_for_species, flower_point
from drawing import animation, describe, explain, figures, graph

SLIDE = (1920, 1080)  # px: a 16:9 slide; a PNG is exported at twice this (scale 2)
CHART_BOX = (1280, 720)  # px: a chart's slide before scaling (its text reads 1.5x larger than at 1920)
PNG_SCALE = 2


@dataclass(frozen=True)
class Chart:
    page: str  # one of core.pages.NAMES
    name: str  # the figure, within its page ("graph", "surfaces", "flow_total", ...)
    figure: dict  # a plotly figure dict (drawing.figures, drawing.animation)
    alt: str  # what a screen reader says of it
    # its box on the page: "graph", "tall" (a phone's graph), "wide" (3D surfaces), "surface" or "chart"
    kind: str = "chart"
    with_b3: bool = True  # whether it shows b3 (blue's and orange's surfaces do not): its file name says it

    @cached_property
    def sealed(self) -> figures.Sealed:
        """The figure as st.plotly_chart takes it without redoing plotly's work (made once)."""
        return figures.Sealed(self.figure)


@dataclass(frozen=True)
class Box:
    """A figure's slide: its size in px before scaling, and its margins."""

    width: int
    height: int
    margin: dict


@lru_cache(maxsize=64)
def charts(page: str, view: View) -> tuple[Chart, ...]:
    """The figures `page` shows for `view`, in page order (none for a page without figures).

    Built once per distinct view and kept (a few hundred of them cost tens of MB): a class often
    looks at the same flower and b3. The figures are shared, so callers must not change them."""
    build = _BUILDERS.get(page)
    return build(view) if build else ()


def _network(view: View) -> tuple[Chart, ...]:
    point, params = flower_point(view), Params(b3=view.b3)
    values = graph.node_values(forward(point.petal, point.sepal, params), point.observed, params)
    lang = view.lang
    frame = _graph_frame("network", view)
    phone = view.phone and not view.present  # the surfaces one under another, each the screen's width
    return (
        Chart(
            "network",
            "graph",
            figures.graph_figure(values, point.observed, lang, frame=frame),
            describe.graph_alt(values, point.observed, lang),
            _graph_kind(frame),
        ),
        _blue_and_orange(point, lang, phone),
        Chart(
            "network",
            "green",
            figures.surfaces_figure(point, view.b3, lang, ("green",), stacked=phone),
            describe.green_surface_alt(values["raw_se"], view.b3, lang),
            "surface",
        ),
    )


@lru_cache(maxsize=64)
def _graph_frame(page: str, view: View) -> figures.GraphFrame:
    """The graph's frame: as on a page, top to bottom on a phone, or in presentation mode as large
    as its slide leaves room for."""
    if view.present:
        return figures.slide_graph_frame(figure_room(slide_equations(page, view)))
    return figures.PHONE_GRAPH_FRAME if view.phone else figures.GRAPH_FRAME


def _graph_kind(frame: figures.GraphFrame) -> str:
    """The graph's box on the page (assets/app.css): "tall" on a phone, fitted to its width."""
    return "tall" if frame.layout.down else "graph"


@lru_cache(maxsize=64)
def _blue_and_orange(point, lang: str, stacked: bool = False) -> Chart:
    """Page 1's blue and orange surfaces, which do not depend on b3: one chart per flower and
    language, shared by every b3's view; on a phone one under the other."""
    fwd = forward(point.petal, point.sepal, Params())
    return Chart(
        "network",
        "surfaces",
        figures.surfaces_figure(point, 0.0, lang, ("blue", "orange"), stacked=stacked),
        describe.surfaces_alt(fwd.blue, fwd.orange, lang),
        "surface" if stacked else "wide",
        with_b3=False,
    )


def _softmax(view: View) -> tuple[Chart, ...]:
    point = flower_point(view)
    fwd = forward(point.petal, point.sepal, Params(b3=view.b3))
    raw, probs, lang = fwd.raw, fwd.probs, view.lang
    return (
        Chart(
            "softmax",
            "bars",
            figures.softmax_bars_figure(raw, probs, explain.argmax(raw), lang),
            describe.softmax_alt(raw, probs, lang),
        ),
        Chart(
            "softmax",
            "argmax",
            figures.argmax_vs_softmax_figure(explain.softmax_curve(raw), raw[0], probs[0], lang),
            describe.argmax_alt(raw[0], probs[0], lang),
        ),
    )


def _cross_entropy(view: View) -> tuple[Chart, ...]:
    rows, lang = explain.ce_table(view.b3), view.lang
    return (Chart("cross_entropy", "neg_log", figures.neg_log_figure(rows, lang), describe.neg_log_alt(rows, lang)),)


def _chain_rule(page: str, short: str, name: str, view: View) -> tuple[Chart, ...]:
    species = {"se": "setosa", "ve": "versicolor", "vi": "virginica"}[short]
    flower = flower_for_species(flower_point(view), species)
    params = Params(b3=view.b3)
    values = graph.node_values(forward(flower.petal, flower.sepal, params), short, params)
    frame = _graph_frame(page, view)
    figure = figures.graph_figure(values, short, view.lang, highlight=short, frame=frame)
    return (Chart(page, name, figure, describe.graph_alt(values, short, view.lang), _graph_kind(frame)),)


def _chain_rule_se(view: View) -> tuple[Chart, ...]:
    return _chain_rule("chain_rule_se", "se", "graph", view)


def _chain_rule_vi(view: View) -> tuple[Chart, ...]:
    return _chain_rule("chain_rule_vi", view.tab, f"graph_{view.tab}", view)


def _gradient_descent(view: View) -> tuple[Chart, ...]:
    path, lang = descend(view.b3, view.rate, view.steps), view.lang
    total, slope = path[0].total_ce, path[0].gradient  # total_ce's and d_total_ce_d_b3's, to the bit
    settled = animation.descent_path(view.rate)
    return (
        Chart(
            "gradient_descent",
            "total_ce",
            figures.total_ce_figure(explain.total_curve(), view.b3, total, slope, path, lang),
            describe.total_ce_alt(view.b3, total, slope, lang),
        ),
        Chart(
            "gradient_descent",
            "descent",
            animation.descent_figure(view.rate, lang),
            describe.descent_alt(settled[0], settled[-1], len(settled) - 1, lang),
        ),
    )


def _gradient_flow(view: View) -> tuple[Chart, ...]:
    source = view.source
    if source == "total":
        gradient = float(d_total_ce_d_b3(view.b3))
    else:
        flower = animation.training_sample(source)
        gradient = explain.chain_numbers(flower.petal, flower.sepal, view.b3, source).product
    if view.present:
        flow = animation.slide_flow(figure_room(slide_equations("gradient_flow", view)))
    else:
        flow = animation.PHONE_FLOW if view.phone else animation.FLOW
    figure = animation.gradient_flow_figure(view.b3, source, view.lang, flow)
    alt = describe.flow_alt(source, gradient, view.lang)
    return (Chart("gradient_flow", f"flow_{source}", figure, alt, _graph_kind(flow.frame)),)


def _beyond_b3(view: View) -> tuple[Chart, ...]:
    point, params = flower_point(view), Params(b3=view.b3)
    exact, numeric = both_ways(point.petal, point.sepal, point.observed, params)
    figure = figures.gradients_figure(exact, numeric, view.lang)
    return (Chart("beyond_b3", "gradients", figure, describe.gradients_alt(exact, view.lang)),)


_BUILDERS = {
    "network": _network,
    "softmax": _softmax,
    "cross_entropy": _cross_entropy,
    "chain_rule_se": _chain_rule_se,
    "chain_rule_vi": _chain_rule_vi,
    "gradient_descent": _gradient_descent,
    "gradient_flow": _gradient_flow,
    "beyond_b3": _beyond_b3,
}


def equations(page: str, view: View) -> tuple[str, ...]:
    """The page's key equation with the view's numbers (LaTeX lines): what its slide shows above the figure."""
    point, params, lang = flower_point(view), Params(b3=view.b3), view.lang
    fwd = forward(point.petal, point.sepal, params)
    if page == "network":
        values = graph.node_values(fwd, point.observed, params)
        return (
            rf"\text{{green}} = \text{{blue}} + \text{{orange}} + b_3"
            rf" = {fmt(values['blue'])} + {fmt(values['orange'])} + ({fmt(view.b3)}) = {fmt(values['raw_se'])}",
        )
    if page == "softmax":
        powers = [f"e^{{{fmt(r)}}}" for r in fwd.raw]
        return (rf"P_{{se}} = \frac{{{powers[0]}}}{{{' + '.join(powers)}}} = {fmt(fwd.probs[0], 4)}",)
    if page == "cross_entropy":
        return (explain.total_ce_latex(explain.ce_table(view.b3), float(total_ce(view.b3)), lang),)
    if page in ("chain_rule_se", "chain_rule_vi"):
        short = "se" if page == "chain_rule_se" else view.tab
        species = {"se": "setosa", "ve": "versicolor", "vi": "virginica"}[short]
        flower = flower_for_species(point, species)
        return explain.chain_product_latex(explain.chain_numbers(flower.petal, flower.sepal, view.b3, short))
    if page == "gradient_descent":
        return explain.total_gradient_latex(explain.ce_table(view.b3), float(d_total_ce_d_b3(view.b3)), lang)
    if page == "gradient_flow":
        if view.source == "total":
            return explain.total_gradient_latex(explain.ce_table(view.b3), float(d_total_ce_d_b3(view.b3)), lang)
        flower = animation.training_sample(view.source)
        return explain.chain_product_latex(explain.chain_numbers(flower.petal, flower.sepal, view.b3, view.source))
    if page == "check":
        return (explain.chain_rule_latex("vi"),)
    if page == "beyond_b3":
        return (explain.vector_gradient_latex(fwd.raw, fwd.probs, point.observed),)
    return ()


def slide_equations(page: str, view: View) -> tuple[str, ...]:
    """What a slide shows above its figure: the page's equations, but for page 7's, whose animation
    writes them out as it plays (the room goes to its graph, 28 px text and all)."""
    return () if page == "gradient_flow" else equations(page, view)


def file_name(chart: Chart, view: View, frame: str = "") -> str:
    """`<page>-<figure>[-<frame>]-<flower>[-b3=<b3>]-<lang>`, without an extension."""
    parts = [chart.page, chart.name, frame, view.flower, f"b3={decimal(view.b3)}" if chart.with_b3 else "", view.lang]
    return "-".join(p for p in parts if p)


SLIDE_FONT = 28  # px: a chart's smallest text on a slide laid out at 1920: 18 px at 1280x720 (17 on a page)


def for_slide(chart: Chart, height: int) -> Chart:
    """The chart at `height` px (at least its own) and with every text at least SLIDE_FONT px, to
    fill a presentation slide; the graph, whose labels are placed for its own size, stays as it is."""
    layout = chart.figure["layout"]
    if (layout.get("meta") or {}).get("fixed_height"):
        return chart
    figure = _fonts_at_least({**chart.figure, "layout": {**layout, "height": max(height, layout["height"])}})
    figure["layout"]["font"] = {**layout.get("font", {}), "size": SLIDE_FONT}
    for key, axis in figure["layout"].items():  # larger tick labels need room: plotly makes it
        if key.startswith(("xaxis", "yaxis")):
            figure["layout"][key] = {**axis, "automargin": True}
    return replace(chart, figure=figure)


def _fonts_at_least(item, size: int = SLIDE_FONT):
    """A copy of a figure (or any part of one) with every font's size at least `size`."""
    if isinstance(item, list):
        return [_fonts_at_least(value, size) for value in item]
    if not isinstance(item, dict):
        return item
    copy = {key: _fonts_at_least(value, size) for key, value in item.items()}
    for key, value in copy.items():
        if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), int | float):
            copy[key] = {**value, "size": max(value["size"], size)}
    return copy


SLIDE_FRAME = 210  # px: a slide's title, its row of links, padding and gaps (measured at 1920x1080)


def equation_height(line: str) -> int:
    """A slide equation's height in px at its 38 px (measured, rounded up): a matrix or an
    underbrace (136), a fraction (85), or one plain line (46)."""
    if "matrix" in line or "underbrace" in line:
        return 140
    return 90 if r"\frac" in line else 50


def figure_room(lines: tuple[str, ...]) -> int:
    """The height a slide leaves its figure under these equations, laid out 1080 px high
    (assets/present.css): a taller figure makes the whole slide shrink to fit the screen."""
    return SLIDE[1] - SLIDE_FRAME - sum(equation_height(line) for line in lines)


def figure_height(figure) -> int:
    """The figure's height in px, as on screen."""
    return figure["layout"]["height"]


def box(figure) -> Box:
    """The figure's slide, without animation controls: 1280x720, or for the graph its own plot
    area padded to 16:9."""
    layout = figure["layout"]
    margin = {side: layout.get("margin", {}).get(side, 80) for side in ("l", "r", "t", "b")}
    height = layout["height"]
    if layout.get("sliders"):
        controls = (layout.get("meta") or {}).get("controls", animation.CONTROLS_HEIGHT)
        height -= controls
        margin["b"] -= controls
    meta = layout.get("meta") or {}
    if not meta.get("fixed_height"):
        return Box(*CHART_BOX, margin)
    padded = max(-(-height // 9) * 9, meta.get("width", 0) * 9 // 16)  # a slide's graph keeps its width
    extra = padded - height
    margin["t"] += extra // 2
    margin["b"] += extra - extra // 2
    return Box(padded * 16 // 9, padded, margin)


def download_options(chart: Chart, view: View) -> dict:
    """Plotly's `toImageButtonOptions` for the chart: a 16:9 PNG at scale 2, named for what it
    shows. `margin` and `svgScale` are ours, for assets/export.js (the SVG is 1920x1080)."""
    slide = box(chart.figure)
    return {
        "format": "png",
        "filename": file_name(chart, view),
        "width": slide.width,
        "height": slide.height,
        "scale": PNG_SCALE * SLIDE[1] / slide.height,
        "svgScale": SLIDE[1] / slide.height,
        "margin": slide.margin,
    }


def still(figure, frame: int | None = None) -> dict:
    """The figure as a slide, a plain figure dict: no animation controls, at its 16:9 box, and for
    an animation at `frame` (an index into its frames; None keeps the state it opens on)."""
    slide = box(figure)
    layout = {key: value for key, value in figure["layout"].items() if key not in ("updatemenus", "sliders")}
    layout |= {"width": slide.width, "height": slide.height, "margin": slide.margin}
    data = list(figure["data"])
    if frame is not None:
        step = figure["frames"][frame]
        for index, update in zip(step.get("traces", range(len(step["data"]))), step["data"], strict=True):
            data[index] = animation.merged(data[index], update)
    return {"data": data, "layout": layout}


def frame_count(figure: dict) -> int:
    return len(figure.get("frames", ()))
