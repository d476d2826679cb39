"""Plotly figures, built by pure functions from core's numbers. Every label goes through i18n.

Each figure is a plotly figure dict, built in two parts. Its skeleton (layout, axes, labels,
styles, everything that depends only on the language and the kind of view) is drawn once per
process with plotly's graph objects, which check every property, and kept as JSON. A call fills a
fresh copy of it with the live numbers. Plotly's checks cost 20-60 ms a figure; the copy and the
fill well under one. `_draw_*` draws a whole figure the checked way, for any input: the skeletons
come from it, and the tests hold every filled figure equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import orjson
import plotly.graph_objects as go
import plotly.io

from core.latex import fmt
from core.softmax import SHORT, SPECIES
from drawing import graph
from drawing.graph import BIAS, BLUE, GRADIENT, GREEN, INK, NEUTRAL, ORANGE
from drawing.i18n import t

FONT = "Source Sans Pro, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
EDGE = "#c3cad4"
SOFT_EDGE = "#e1e5ea"
LIGHT_TEXT = {BLUE, GREEN, NEUTRAL, INK, BIAS}
BIAS_INK = "#8a3f6d"  # the bias colour, dark enough for small text on white
# Darker shades of the node colours for text on white (contrast of 4.5:1 or more)
LABEL_INK = {BLUE: BLUE, ORANGE: "#9a6700", GREEN: "#00775a", BIAS: BIAS_INK}
GRAPH_MIN_WIDTH = 860  # px; the graph's container scrolls sideways on narrower screens


@dataclass(frozen=True)
class GraphStyle:
    """The graph's sizes in px: plotly keeps markers and text this size at any chart width."""

    node: int = 64  # a node's diameter (CE's is 8 px more)
    value: int = 16  # the number on a node
    label: int = 17  # a node's name
    small: int = 14  # weights, biases and the observed species
    softmax: int = 18


@dataclass(frozen=True)
class GraphFrame:
    """The graph's layout, sizes, height and vertical extent (px and data units); the width
    follows the screen."""

    height: int
    y_range: tuple[float, float]
    top: int = 20
    bottom: int = 10
    layout: graph.Layout = graph.WIDE
    style: GraphStyle = GraphStyle()
    width: int | None = None  # the width it is laid out for, when fixed (a slide's)

    @property
    def units_per_px(self) -> float:
        return (self.y_range[1] - self.y_range[0]) / (self.height - self.top - self.bottom)


GRAPH_FRAME = GraphFrame(600, graph.WIDE.y_range)
# A slide's graph, laid out 1920 px wide: every number and name 18 px or more at 1280x720.
SLIDE_STYLE = GraphStyle(node=88, value=28, label=28, small=28, softmax=30)
# A phone's graph, top to bottom: 34 px per unit of y, in a box 340 to 480 px wide (assets/app.css).
PHONE_GRAPH_FRAME = GraphFrame(
    int(graph.TALL.y_range[1] * graph.TALL.unit_px) + 50,
    graph.TALL.y_range,
    top=40,  # Streamlit's full-screen button sits over this margin
    layout=graph.TALL,
    style=GraphStyle(node=46, value=13, label=14, small=13, softmax=15),
)
PHONE_WIDTHS = (340, 480)  # px: the narrowest and widest the phone's graph is drawn at
SLIDE_FIGURE_WIDTH = 1824  # px: a slide's figure, 1920 less the slide's padding (assets/present.css)


def slide_graph_frame(height: int) -> GraphFrame:
    """The graph as a slide shows it, `height` px tall (what its equations leave it)."""
    return GraphFrame(height, graph.SLIDE.y_range, layout=graph.SLIDE, style=SLIDE_STYLE, width=SLIDE_FIGURE_WIDTH)


class Sealed(go.Figure):
    """A figure dict in a Figure's clothes, for plotly's and Streamlit's readers. Given a dict,
    st.plotly_chart has plotly check the whole figure again on every rerun (page 7's animation:
    260 ms); given a Figure, it asks for `to_dict()` and sends that, which here is the dict itself,
    already built and checked, with its JSON once written (_Written). Only `to_dict` works:
    plotly's own __init__ is not run, because the Figure it builds refers to itself, and a figure
    in a reference cycle outlives its last use until the garbage collector walks it (a class of 40
    left 285,000 such objects for one pause of 445 ms)."""

    def __init__(self, figure: dict):  # plotly's __init__ left out on purpose (see above)
        self._figure = _Written(figure)

    def to_dict(self) -> dict:
        return self._figure


class _Written(dict):
    """A figure dict that keeps the JSON plotly writes of it, written once: plotly.io.to_json, which
    st.plotly_chart calls on every rerun, asks what it writes for `to_plotly_json` and hands the
    answer to orjson, which copies a Fragment as it is. A figure that stays as it was (blue's and
    orange's surfaces for every b3, page 6's descent for a learning rate) is not written again."""

    __slots__ = ("_json",)

    def __init__(self, figure: dict):
        super().__init__(figure)
        self._json = None

    def to_plotly_json(self) -> orjson.Fragment:
        if self._json is None:  # two threads may both write it: the same text
            self._json = orjson.Fragment(plotly.io.json.to_json_plotly(dict(self)))
        return self._json


def _skeleton(figure: go.Figure) -> str:
    """A checked figure as JSON, to be copied and filled (plotly's encoder: arrays become lists)."""
    return figure.to_json()


_PARSED: dict[str, dict] = {}  # each skeleton parsed once, shared and never changed (a test holds them to it)


def _filled(skeleton: str) -> dict:
    """A copy of a skeleton to fill: its traces, its layout, the layout's parts (axes, margin...)
    and its annotations are its own, for the caller to set keys in; what lies deeper (the numbers
    of a trace the caller does not replace, a title's font) is the parsed skeleton's, shared and
    only read. Parsing a whole skeleton anew was a third of page 1's figures' time."""
    shared = _PARSED.get(skeleton)
    if shared is None:
        shared = _PARSED.setdefault(skeleton, orjson.loads(skeleton))
    layout = {key: dict(value) if isinstance(value, dict) else value for key, value in shared["layout"].items()}
    if "annotations" in layout:
        layout["annotations"] = [dict(annotation) for annotation in layout["annotations"]]
    return {**shared, "data": [dict(trace) for trace in shared["data"]], "layout": layout}


def base_layout(fig: go.Figure, height: int, axes: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=90, r=30, t=60, b=80) if axes else dict(l=10, r=10, t=20, b=10),
        font=dict(family=FONT, size=17, color=INK),
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def graph_figure(
    values: dict,
    observed: str,
    lang: str,
    highlight: str | None = None,
    name_observed: bool = True,
    frame: GraphFrame = GRAPH_FRAME,
) -> dict:
    """The computational graph with the live value on every node, every weight and every bias.

    `highlight` ("se", "ve" or "vi") draws the path the gradient of that CE takes back to b3;
    `name_observed=False` labels the loss node plain "CE" (the animation walks all three).
    `frame` is the figure's height and y-range: a taller range (the animation's) keeps every
    label as many pixels from its node as in the plain graph.
    Traces and annotations carry names ("edge:a:b", "nodes", "labels", "weight:a:b", "bias:n") so
    that tests can check the geometry from the figure itself.
    """
    figure = _filled(_graph_skeleton(graph.observed_short(observed), lang, highlight, name_observed, frame))
    nodes = next(trace for trace in figure["data"] if trace.get("name") == "nodes")
    nodes.update(_node_texts(values, lang))
    return figure


@lru_cache(maxsize=64)
def _graph_skeleton(observed: str, lang: str, highlight: str | None, name_observed: bool, frame: GraphFrame) -> str:
    return _skeleton(_draw_graph(None, observed, lang, highlight, name_observed, frame))


def _node_texts(values: dict, lang: str) -> dict:
    """The nodes' live numbers: shown on each node, and in full on hover."""
    nodes = graph.WIDE.nodes  # every layout lists the nodes in this order
    return {
        "text": [f"<b>{fmt(values[n.id])}</b>" for n in nodes],
        "hovertext": [f"{graph.node_label(n.id, lang)} = {values[n.id]:.6f}" for n in nodes],
    }


def _draw_graph(
    values: dict | None,
    observed: str,
    lang: str,
    highlight: str | None = None,
    name_observed: bool = True,
    frame: GraphFrame = GRAPH_FRAME,
) -> go.Figure:
    """The whole graph figure, drawn and checked by plotly (`values` None: no numbers yet)."""
    obs = graph.observed_short(observed)
    path = set(graph.chain_path(highlight)) if highlight else set()
    layout, style = frame.layout, frame.style
    grow = style.node / layout.node_px  # edges, and names' distances, grow with the nodes
    # A name's offset in y is written in units of `unit_px` px: kept in px at any height and range.
    stretch = layout.unit_px * grow * frame.units_per_px
    fig = go.Figure()
    # The highlighted path is drawn last, so no grey edge crosses over it.
    for edge in sorted(layout.edges(), key=lambda e: e.key in path):
        on_path = edge.key in path
        faint = edge.target == "ce" and edge.source != f"p_{obs}"
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in edge.points],
                y=[p[1] for p in edge.points],
                name=f"edge:{edge.source}:{edge.target}",
                mode="lines",
                hoverinfo="skip",
                line=dict(
                    color=GRADIENT if on_path else (SOFT_EDGE if faint else EDGE),
                    width=(7 if on_path else 2.5) * style.node / GraphStyle().node,
                    dash="dot" if faint else "solid",
                ),
            )
        )
        if edge.weight:
            x, y = graph.point_along(edge.points, edge.weight_at)
            fig.add_annotation(
                x=x,
                y=y,
                name=f"weight:{edge.source}:{edge.target}",
                text=edge.weight,
                showarrow=False,
                font=dict(size=style.small, color=INK),
                bgcolor="rgba(255,255,255,0.92)",
            )
    labels = graph.bias_labels()
    for (node_id, _), (dx, dy) in zip(graph.BIASES, layout.bias_at, strict=True):
        node = layout.node[node_id]
        fig.add_annotation(
            x=node.x + dx,
            y=node.y + dy * stretch,
            name=f"bias:{node_id}",
            text=f"<i>{labels[node_id]}</i>",
            showarrow=False,
            font=dict(size=style.small, color=BIAS_INK),
            bgcolor="rgba(255,255,255,0.92)",
        )
    x0, x1, y0, y1 = layout.softmax_box
    fig.add_shape(
        type="rect",
        name="softmax",
        x0=x0,
        x1=x1,
        y0=y0,
        y1=y1,
        line=dict(color=NEUTRAL, width=1.5),
        fillcolor="#eef1f5",
        layer="above",
    )
    fig.add_annotation(
        x=(x0 + x1) / 2,
        y=(y0 + y1) / 2,
        name="softmax",
        text="<b>SoftMax</b>",
        textangle=0 if layout.down else -90,
        showarrow=False,
        font=dict(size=style.softmax, color=INK),
    )
    nodes = layout.nodes
    fig.add_trace(
        go.Scatter(
            x=[n.x for n in nodes],
            y=[n.y for n in nodes],
            name="nodes",
            customdata=[n.id for n in nodes],
            mode="markers+text",
            marker=dict(
                opacity=1,
                size=[style.node + 8 if n.id == "ce" else style.node for n in nodes],
                color=[n.colour for n in nodes],
                line=dict(color=[GRADIENT if _on_path(n.id, path) else "white" for n in nodes], width=5),
            ),
            textfont=dict(size=style.value, color=["white" if n.colour in LIGHT_TEXT else INK for n in nodes]),
            hoverinfo="text",
            **(_node_texts(values, lang) if values else {}),
        )
    )
    ce_name = obs if name_observed else None
    fig.add_trace(
        go.Scatter(
            x=[n.x + n.label_at[0] for n in nodes],
            y=[n.y + n.label_at[1] * stretch for n in nodes],
            name="labels",
            customdata=[n.id for n in nodes],
            mode="text",
            hoverinfo="skip",
            text=[f"<b>{node_name(n.id, lang, ce_name, layout.down)}</b>" for n in nodes],
            textfont=dict(size=style.label, color=[LABEL_INK.get(n.colour, INK) for n in nodes]),
        )
    )
    if name_observed:
        ce = layout.node["ce"]
        species = t("species_" + SPECIES[SHORT.index(obs)], lang).replace(" ", "<br>")
        dx, dy = layout.observed_at
        fig.add_annotation(
            x=ce.x + dx,
            y=ce.y + dy * stretch,
            name="observed",
            showarrow=False,
            text=t("observed_as", lang, species=f"<br>{species}"),
            font=dict(size=style.small, color=INK),
        )
    fig.update_xaxes(visible=False, range=list(layout.x_range), fixedrange=True)
    fig.update_yaxes(visible=False, range=list(frame.y_range), fixedrange=True)
    base_layout(fig, frame.height, axes=False)
    # Labels sit a number of px from their nodes, counted in data units for this height: a slide
    # of the graph must keep its plot height (drawing.slides).
    meta = {"fixed_height": True} | ({"width": frame.width} if frame.width else {})
    fig.update_layout(margin=dict(l=10, r=10, t=frame.top, b=frame.bottom), meta=meta)
    return fig


def node_name(node_id: str, lang: str, ce_name: str | None = None, narrow: bool = False) -> str:
    """A node's name; on a narrow graph a two-word name takes two lines."""
    name = graph.node_label(node_id, lang, ce_name if node_id == "ce" else None)
    return name.replace(" = ", " =<br>").replace(" ReLU", "<br>ReLU") if narrow else name


def _on_path(node_id: str, path: set) -> bool:
    return any(node_id in edge for edge in path)


class Spot(NamedTuple):
    """Where a flower sits over the surfaces: its scaled petal and sepal widths."""

    petal: float
    sepal: float


SURFACES = ("blue", "orange", "green")  # green = blue + orange + b3


def surfaces_figure(
    point, b3: float, lang: str, panels: tuple[str, ...] = SURFACES, steps: int = 41, stacked: bool = False
) -> dict:
    """StatQuest's blue, orange and green (= blue + orange + b3) surfaces over (petal, sepal), the
    `panels` of them side by side.

    Only green and the flower's points change with the view: blue and orange do not depend on b3,
    so a figure of those two is the same for every b3 (page 1 draws green apart, so that a b3
    change redraws one 3D scene, not three). `stacked`: one under another (a phone's narrow screen)."""
    figure = _filled(_surfaces_skeleton(lang, steps, panels, stacked))
    live = _surfaces_live(Spot(float(point.petal), float(point.sepal)), b3, steps)
    data = figure["data"]  # traces: each panel's surface, then its point
    for i, panel in enumerate(panels):
        if panel == "green":
            data[2 * i]["z"] = live["green"]
            figure["layout"]["annotations"][i]["text"] = _surface_titles(b3, lang)[2]
        z_here = live["here"][SURFACES.index(panel)]
        data[2 * i + 1].update(x=[live["spot"].petal], y=[live["spot"].sepal], z=[z_here])
    return figure


@lru_cache(maxsize=16)
def _surfaces_skeleton(lang: str, steps: int, panels: tuple[str, ...], stacked: bool = False) -> str:
    return _skeleton(_draw_surfaces(Spot(0.0, 0.0), 0.0, lang, steps, panels, stacked))


def _surface_grid(steps: int):
    axis = np.linspace(0.0, 1.0, steps)
    return axis, np.meshgrid(axis, axis)


@lru_cache(maxsize=4)
def _blue_and_orange_heights(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Blue's and orange's heights over the grid: they do not depend on b3 (read-only, shared)."""
    from core.network import forward

    _, (petal, sepal) = _surface_grid(steps)
    grid = forward(petal, sepal)
    for heights in (grid.blue, grid.orange):
        heights.flags.writeable = False
    return grid.blue, grid.orange


def _surfaces_live(spot: Spot, b3: float, steps: int) -> dict:
    """The numbers of the surfaces that change with the view: green's heights and the flower's
    point on each surface. Green is blue + orange + b3 added in the order core.network.forward
    adds them, so its heights are forward's to the last bit, without a pass over the grid."""
    from core.network import Params, forward

    blue, orange = _blue_and_orange_heights(steps)
    here = forward(spot.petal, spot.sepal, Params(b3=b3))
    return {
        "spot": spot,
        "green": np.round(blue + orange + b3, 3).tolist(),
        "here": [float(here.blue), float(here.orange), float(here.green)],
    }


def _surface_titles(b3: float, lang: str) -> tuple[str, str, str]:
    from core.network import STATQUEST

    return (
        f"<b>blue</b><br>= {STATQUEST.top_se:g} × {t('node_top', lang)}",
        f"<b>orange</b><br>= {STATQUEST.bottom_se:g} × {t('node_bottom', lang)}",
        f"<b>green</b> = blue + orange + b₃<br>(b₃ = {b3:g})",
    )


def _draw_surfaces(
    point, b3: float, lang: str, steps: int = 41, shown: tuple[str, ...] = SURFACES, stacked: bool = False
) -> go.Figure:
    """The surfaces figure of the `shown` panels, drawn and checked by plotly."""
    from plotly.subplots import make_subplots

    axis, _ = _surface_grid(steps)
    live = _surfaces_live(Spot(float(point.petal), float(point.sepal)), b3, steps)
    blue, orange = (np.round(heights, 3) for heights in _blue_and_orange_heights(steps))
    every = zip(
        (blue, orange, live["green"]),
        live["here"],
        (BLUE, ORANGE, GREEN),
        _surface_titles(b3, lang),
        strict=True,
    )
    panels = tuple(panel for name, panel in zip(SURFACES, every, strict=True) if name in shown)
    n = len(panels)
    fig = make_subplots(
        rows=n if stacked else 1,
        cols=1 if stacked else n,
        specs=[[{"type": "surface"}] for _ in panels] if stacked else [[{"type": "surface"}] * n],
        subplot_titles=[p[3] for p in panels],
        horizontal_spacing=0.01,
    )
    for place, (z, z_here, colour, _) in enumerate(panels, start=1):
        row, col = (place, 1) if stacked else (1, place)
        fig.add_trace(
            go.Surface(
                x=axis,
                y=axis,
                z=z,
                showscale=False,
                opacity=0.92,
                colorscale=[[0, _tint(colour, 0.55)], [1, colour]],
                contours=dict(z=dict(show=True, color="white", width=1, start=-6, end=6, size=0.25)),
                hovertemplate=f"{t('petal', lang)} %{{x:.2f}}<br>{t('sepal', lang)} %{{y:.2f}}"
                "<br>%{z:.3f}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter3d(
                x=[live["spot"].petal],
                y=[live["spot"].sepal],
                z=[z_here],
                mode="markers",
                marker=dict(size=6, color=INK, symbol="circle", line=dict(color="white", width=2)),
                hovertemplate=f"{t('current_flower', lang)}: %{{z:.3f}}<extra></extra>",
            ),
            row=row,
            col=col,
        )
    tick = dict(tickfont=dict(size=13), tickvals=[0, 0.5, 1], title_font=dict(size=15))
    scene = dict(
        xaxis=dict(title=t("node_petal", lang), range=[0, 1], **tick),  # short titles: a scene clips long ones
        yaxis=dict(title=t("node_sepal", lang), range=[0, 1], **(tick | dict(tickvals=[0, 0.5]))),  # no corner clash
        zaxis=dict(
            title=t("value", lang),
            range=[-4, 3],
            tickvals=[-4, -2, 0, 2],
            tickfont=dict(size=13),
            title_font=dict(size=15),
        ),  # fmt: skip
        camera=_camera(stacked),
        aspectmode="manual",
        aspectratio=dict(x=1, y=1, z=0.85),
    )
    scenes = {}
    for i in range(n):  # side by side, each under its title; or one under another
        x, y = (
            ([0, 1], [(n - 1 - i) / n, (n - i - 0.1) / n])
            if stacked
            else ([i / n + 0.005, (i + 1) / n - 0.005], [0, 0.9])
        )
        scenes["scene" + (str(i + 1) if i else "")] = scene | dict(domain=dict(x=x, y=y))
    fig.update_layout(**scenes)
    for i, (annotation, (_, _, colour, _)) in enumerate(zip(fig.layout.annotations, panels, strict=True)):
        annotation.font = dict(size=17, color=LABEL_INK.get(colour, INK))
        annotation.y = (n - i) / n if stacked else 1.0
        annotation.yanchor = "top"
    # 3D scenes scale with their height: 380 px fits a scene 255 px wide
    base_layout(fig, 320 * n if stacked else 380, axes=False)
    fig.update_layout(margin=dict(l=24, r=24, t=10, b=0))  # room for the scenes' outer tick labels
    return fig


def _camera(stacked: bool) -> dict:
    """Side by side, each scene seen close up. One under another (a phone), a scene is the screen's
    width: seen from further, its z title fits inside it, and looked at a little lower, the box sits
    just under its title rather than in the middle of its room."""
    if not stacked:
        return dict(eye=dict(x=-1.9, y=-2.05, z=1.0))
    return dict(eye=dict(x=-1.9 * 1.1, y=-2.05 * 1.1, z=1.0 * 1.1), center=dict(x=0, y=0, z=-0.2))


def _tint(colour: str, amount: float) -> str:
    """The colour mixed with white (amount 1 = white)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


SPECIES_COLOURS = (GREEN, NEUTRAL, INK)


def softmax_bars_figure(raw, probs, argmax, lang: str) -> dict:
    """Raw outputs, their SoftMax probabilities and ArgMax's 0/1 output, side by side."""
    figure = _filled(_bars_skeleton(lang))
    bars, y_range = _bars_live(raw, probs, argmax)
    for trace, live in zip(figure["data"], bars, strict=True):
        trace.update(live)
    figure["layout"]["yaxis"]["range"] = y_range
    return figure


@lru_cache(maxsize=8)
def _bars_skeleton(lang: str) -> str:
    return _skeleton(_draw_bars((0.0,) * 3, (0.0,) * 3, (0.0,) * 3, lang))


def _bars_live(raw, probs, argmax) -> tuple[list[dict], list[float]]:
    """Each panel's bars and the raw outputs' axis range."""
    bars = [
        {"y": [float(v) for v in values], "text": [fmt(v, digits) for v in values]}
        for values, digits in ((raw, 3), (probs, 3), (argmax, 0))
    ]
    return bars, [min(0.0, float(min(raw))) - 0.5, max(0.0, float(max(raw))) + 0.6]


def _draw_bars(raw, probs, argmax, lang: str) -> go.Figure:
    from plotly.subplots import make_subplots

    names = [t(f"short_{s}", lang) for s in SPECIES]
    titles = (t("raw_outputs", lang), "SoftMax", "ArgMax")
    bars, raw_range = _bars_live(raw, probs, argmax)
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    for col, live in enumerate(bars, start=1):
        fig.add_trace(
            go.Bar(
                x=names,
                textposition="outside",
                marker=dict(color=list(SPECIES_COLOURS), pattern_shape=["", "/", "."]),
                textfont=dict(size=18),
                cliponaxis=False,
                hoverinfo="skip",
                **live,
            ),
            row=1,
            col=col,
        )
    fig.update_yaxes(range=raw_range, row=1, col=1, zeroline=True, zerolinecolor=NEUTRAL)
    fig.update_yaxes(range=[0, 1.18], row=1, col=2)
    fig.update_yaxes(range=[0, 1.18], row=1, col=3)
    fig.update_xaxes(tickfont=dict(size=16))
    fig.update_yaxes(gridcolor="#edf0f3")
    base_layout(fig, 420)
    fig.update_layout(margin=dict(l=70, r=60, t=60, b=80))
    return fig


def argmax_vs_softmax_figure(curve, raw_se: float, p_se: float, lang: str) -> dict:
    """P_se as green (Raw_se) moves: SoftMax is smooth with a slope, ArgMax is flat steps."""
    figure = _filled(_argmax_skeleton(lang))
    for trace, live in zip(figure["data"], _argmax_live(curve, raw_se, p_se), strict=True):
        trace.update(live)
    return figure


class _NoCurve(NamedTuple):
    raw_se: tuple = ()
    argmax: tuple = ()
    softmax: tuple = ()


@lru_cache(maxsize=8)
def _argmax_skeleton(lang: str) -> str:
    return _skeleton(_draw_argmax(_NoCurve(), 0.0, 0.0, lang))


def _argmax_live(curve, raw_se: float, p_se: float) -> tuple[dict, dict, dict]:
    """ArgMax's steps, SoftMax's curve, and the current flower's point on it."""
    x = [float(v) for v in curve.raw_se]
    return (
        {"x": x, "y": [float(v) for v in curve.argmax]},
        {"x": x, "y": [float(v) for v in curve.softmax]},
        {"x": [float(raw_se)], "y": [float(p_se)], "text": [f"P<sub>se</sub> = {fmt(p_se)}"]},
    )


def _draw_argmax(curve, raw_se: float, p_se: float, lang: str) -> go.Figure:
    argmax, soft, point = _argmax_live(curve, raw_se, p_se)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            name="ArgMax",
            mode="lines",
            line=dict(color=NEUTRAL, width=4, dash="dash", shape="hv"),
            **argmax,
        )
    )
    fig.add_trace(
        go.Scatter(
            name="SoftMax",
            mode="lines",
            line=dict(color=GREEN, width=5),
            **soft,
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="markers+text",
            textposition="top left",
            marker=dict(size=14, color=INK),
            showlegend=False,
            textfont=dict(size=17),
            **point,
        )
    )
    fig.update_xaxes(title="green = Raw<sub>se</sub>", gridcolor="#edf0f3")
    fig.update_yaxes(title=t("output_for_setosa", lang), range=[-0.08, 1.12], gridcolor="#edf0f3")
    base_layout(fig, 420)
    fig.update_layout(showlegend=True, legend=dict(x=0.02, y=0.98, font=dict(size=17)))
    return fig


def neg_log_figure(rows, lang: str) -> dict:
    """-log(p) against p, with each training flower's predicted probability of its species."""
    figure = _filled(_neg_log_skeleton(tuple(row.species for row in rows), lang))
    for trace, annotation, row in zip(figure["data"][1:], figure["layout"]["annotations"], rows, strict=True):
        point, label = _neg_log_live(row, lang)
        trace.update(point)
        annotation.update(_point_of(point), text=label)
    return figure


def _point_of(trace: dict) -> dict:
    """A one-point trace's point, as an annotation's x and y."""
    return {"x": trace["x"][0], "y": trace["y"][0]}


class _Row(NamedTuple):
    species: str
    predicted: float = 0.5
    ce: float = 1.0


@lru_cache(maxsize=8)
def _neg_log_skeleton(species: tuple[str, ...], lang: str) -> str:
    return _skeleton(_draw_neg_log([_Row(name) for name in species], lang))


def _neg_log_live(row, lang: str) -> tuple[dict, str]:
    """The flower's point on the curve and its label."""
    return {"x": [float(row.predicted)], "y": [float(row.ce)]}, f"{t('short_' + row.species, lang)}: {fmt(row.ce)}"


def _draw_neg_log(rows, lang: str) -> go.Figure:
    p = np.linspace(0.005, 1.0, 300)
    fig = go.Figure(
        go.Scatter(
            x=p,
            y=-np.log(p),
            mode="lines",
            line=dict(color=INK, width=4),
            name="-log(p)",
            hoverinfo="skip",
        )
    )
    symbols = {"setosa": "circle", "versicolor": "diamond", "virginica": "square"}
    # Where each flower's label sits, in px from its point: apart from each other and the curve.
    offsets = {"setosa": (60, -45), "versicolor": (-60, -55), "virginica": (45, -100)}
    for row in rows:
        point, label = _neg_log_live(row, lang)
        fig.add_trace(
            go.Scatter(
                mode="markers",
                marker=dict(size=16, symbol=symbols[row.species], color=GREEN, line=dict(color="white", width=1.5)),
                name=t(f"short_{row.species}", lang),
                hovertemplate=f"{t('short_' + row.species, lang)}: p = %{{x:.3f}}, CE = %{{y:.3f}}<extra></extra>",
                **point,
            )
        )
        ax, ay = offsets[row.species]
        fig.add_annotation(
            **_point_of(point),
            ax=ax,
            ay=ay,
            text=label,
            showarrow=True,
            arrowcolor=NEUTRAL,
            arrowwidth=1.5,
            font=dict(size=16, color=INK),
            bgcolor="rgba(255,255,255,0.9)",
        )
    fig.update_xaxes(title=t("predicted_probability", lang), range=[0, 1.05], gridcolor="#edf0f3")
    fig.update_yaxes(title="CE = -log(p)", range=[-0.3, 5.4], gridcolor="#edf0f3")
    return base_layout(fig, 420)


def tangent_line(b3: float, value: float, slope: float, half: float = 1.2) -> tuple[list, list]:
    """The tangent's end points, `half` either side of b3."""
    return [b3 - half, b3 + half], [value - slope * half, value + slope * half]


def total_ce_range(total: float, tangent_y) -> list[float]:
    """The Total CE axis: the curve's usual window, widened to show the point, its label and tangent."""
    low = min(1.5, total - 0.3, *tangent_y)
    high = max(5.0, total + 0.8, *tangent_y)
    return [low, high]


def total_ce_figure(curve, b3: float, total: float, slope: float, path, lang: str) -> dict:
    """Total CE against b3, the tangent at the current b3, and a gradient-descent path."""
    figure = _filled(_total_ce_skeleton(lang, bool(path)))
    traces, x_range, y_range = _total_ce_live(curve, b3, total, slope, path, lang)
    for trace, live in zip(figure["data"], traces, strict=True):
        trace.update(live)
    figure["layout"]["xaxis"]["range"] = x_range
    figure["layout"]["yaxis"]["range"] = y_range
    return figure


class _NoTotalCurve(NamedTuple):
    b3: tuple = (0.0, 1.0)
    total_ce: tuple = (0.0, 0.0)


class _Step(NamedTuple):
    b3: float = 0.0
    total_ce: float = 0.0


@lru_cache(maxsize=8)
def _total_ce_skeleton(lang: str, with_path: bool) -> str:
    return _skeleton(_draw_total_ce(_NoTotalCurve(), 0.0, 0.0, 0.0, [_Step()] if with_path else [], lang))


def _total_ce_live(curve, b3: float, total: float, slope: float, path, lang: str):
    """The traces' numbers (the curve, the tangent, the path if any, the point) and the axes' ranges."""
    tangent_x, tangent_y = tangent_line(b3, total, slope)
    traces = [
        {"x": np.asarray(curve.b3, float).tolist(), "y": np.asarray(curve.total_ce, float).tolist()},
        {"x": tangent_x, "y": tangent_y, "name": t("tangent", lang, slope=fmt(slope))},
    ]
    if path:
        traces.append({"x": [s.b3 for s in path], "y": [s.total_ce for s in path]})
    traces.append({"x": [b3], "y": [total], "text": [f"b3 = {b3:g}: {fmt(total, 2)}"]})
    x_range = [float(curve.b3[0]), float(curve.b3[-1])]
    return traces, x_range, total_ce_range(total, tangent_y)


def _draw_total_ce(curve, b3: float, total: float, slope: float, path, lang: str) -> go.Figure:
    traces, x_range, y_range = _total_ce_live(curve, b3, total, slope, path, lang)
    line, tangent, *trail, point = traces
    fig = go.Figure(
        go.Scatter(
            mode="lines",
            line=dict(color=INK, width=4),
            name=t("total_ce", lang),
            hovertemplate="b3 %{x:.2f}: %{y:.3f}<extra></extra>",
            **line,
        )
    )
    fig.add_trace(go.Scatter(mode="lines", line=dict(color=GRADIENT, width=4, dash="dash"), **tangent))
    for steps in trail:
        fig.add_trace(
            go.Scatter(
                mode="markers+lines",
                marker=dict(size=11, color=BIAS, line=dict(color="white", width=1.5)),
                line=dict(color=BIAS, width=2),
                name=t("descent_path", lang),
                hovertemplate="b3 %{x:.3f}: %{y:.3f}<extra></extra>",
                **steps,
            )
        )
    fig.add_trace(
        go.Scatter(
            mode="markers+text",
            marker=dict(size=18, color=GRADIENT),
            textposition="top right",
            textfont=dict(size=18),
            showlegend=False,
            **point,
        )
    )
    fig.update_xaxes(title="b<sub>3</sub>", gridcolor="#edf0f3", range=x_range, zeroline=False)
    fig.update_yaxes(title=t("total_ce", lang), gridcolor="#edf0f3", range=y_range)
    base_layout(fig, 460)
    fig.update_layout(
        showlegend=True,
        legend=dict(x=0.5, y=1.0, xanchor="center", yanchor="bottom", orientation="h", font=dict(size=17)),
    )
    return fig


def gradients_figure(exact: dict, numeric: dict, lang: str) -> dict:
    """Every weight's and bias's dCE/dparameter: backpropagation beside the finite difference."""
    figure = _filled(_gradients_skeleton(tuple(exact), lang))
    traces, y_range = _gradients_live(exact, numeric)
    for trace, live in zip(figure["data"], traces, strict=True):
        trace.update(live)
    figure["layout"]["yaxis"]["range"] = y_range
    return figure


@lru_cache(maxsize=8)
def _gradients_skeleton(names: tuple[str, ...], lang: str) -> str:
    zeros = dict.fromkeys(names, 0.0)
    return _skeleton(_draw_gradients(zeros, zeros, lang))


def _gradients_live(exact: dict, numeric: dict) -> tuple[list[dict], list[float]]:
    names = list(exact)
    traces = [{"x": names, "y": [float(values[n]) for n in names]} for values in (exact, numeric)]
    values = [*exact.values(), *numeric.values()]
    low, high = min(0.0, *values) * 1.15, max(0.0, *values) * 1.15
    return traces, ([low, high] if high > low else [-1e-3, 1e-3])


def _draw_gradients(exact: dict, numeric: dict, lang: str) -> go.Figure:
    (backprop, finite), y_range = _gradients_live(exact, numeric)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=t("backprop", lang),
            marker=dict(color=BLUE),
            hovertemplate="%{x}: %{y:.6f}<extra></extra>",
            **backprop,
        )
    )
    fig.add_trace(
        go.Bar(
            name=t("finite_difference", lang),
            marker=dict(color=ORANGE, pattern_shape="/"),
            hovertemplate="%{x}: %{y:.6f}<extra></extra>",
            **finite,
        )
    )
    fig.update_xaxes(tickfont=dict(size=14), tickangle=-60, dtick=1)
    fig.update_yaxes(
        title=t("gradient_axis", lang),
        gridcolor="#edf0f3",
        zeroline=True,
        zerolinecolor=NEUTRAL,
        range=y_range,
    )
    base_layout(fig, 440)
    fig.update_layout(
        barmode="group",
        showlegend=True,
        legend=dict(x=0.5, y=1.02, xanchor="center", yanchor="bottom", orientation="h", font=dict(size=16)),
        margin=dict(l=90, r=30, t=50, b=110),
    )
    return fig
