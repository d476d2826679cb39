"""Plotly-frame animations, played by the browser with no server round trip.

The gradient flow (page 7): on the computational graph, the forward values appear layer by layer;
then a pulse carries the gradient back from CE through P and green to b3, each edge lit with its
local derivative and the running product; with source "total", the three training flowers in turn
(CE_se of the setosa flower, CE_vi of the virginica one, CE_ve of the versicolor one), their
contributions meeting at b3 as dTotalCE/db3.

Gradient descent (page 6): the point sliding down the Total CE curve, its tangent turning flat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from core import derivation
from core.latex import fmt
from core.network import SHORT, Params, forward
from core.softmax import class_index
from core.training import SAMPLES, descend
from core.view import SOURCES as SOURCES  # re-exported: where the gradient starts
from drawing import explain, graph
from drawing.figures import (
    GRADIENT,
    INK,
    PHONE_GRAPH_FRAME,
    SLIDE_FIGURE_WIDTH,
    SLIDE_STYLE,
    GraphFrame,
    graph_figure,
    node_name,
    tangent_line,
    total_ce_figure,
)
from drawing.i18n import t

SPEEDS = (("0.5×", 1400), ("1×", 700), ("2×", 350))  # label, milliseconds per frame
LAYERS = (
    ("petal", "sepal"),
    ("top", "bottom"),
    ("blue", "orange", "b3"),
    ("raw_se", "raw_ve", "raw_vi"),
    ("p_se", "p_ve", "p_vi"),
    ("ce",),
)
CONTROLS_HEIGHT = 130  # px under the plot: a row of buttons, then the frame slider on its own row
PULSE_STEPS = 4  # frames for the pulse to cross one edge
LIT_EDGE = dict(color=GRADIENT, width=8, dash="solid")
IDLE_EDGE = dict(color="#c3cad4", width=2.5, dash="solid")
PATH_EDGES = tuple(dict.fromkeys(edge for short in SHORT for edge in graph.chain_path(short)))


def _idle(edge: tuple[str, str]) -> dict:
    return IDLE_EDGE | (dict(color="#e1e5ea", dash="dot") if edge[1] == "ce" else {})


@dataclass(frozen=True)
class BackwardStep:
    """The gradient of one training flower's CE crossing one edge of the chain rule."""

    observed: str  # se | ve | vi
    edge: tuple[str, str]
    name: str  # the local derivative, plotly rich text
    value: float  # its value for this flower and b3
    running: float  # the product of the factors so far


def training_sample(short: str):
    """The training flower observed as `short` (se, ve or vi)."""
    return next(s for s in SAMPLES if SHORT[class_index(s.species)] == short)


def _rich(latex_free: str) -> str:
    for short in (*SHORT, "3"):
        latex_free = latex_free.replace(f"_{short}", f"<sub>{short}</sub>").replace(
            f"db{short}", f"db<sub>{short}</sub>"
        )
    return latex_free


def backward_steps(b3: float, short: str) -> tuple[BackwardStep, ...]:
    """The three factors for the training flower observed as `short`, from CE back to b3."""
    sample = training_sample(short)
    numbers = explain.chain_numbers(sample.petal, sample.sepal, b3, short)
    rule = derivation.chain_rule(short)
    names = (
        f"dCE_{short}/dP_{short} = {_sympy_text(rule.factors[0].expr)}",
        f"dP_{short}/dRaw_se = {_sympy_text(rule.factors[1].expr)}",
        f"dRaw_se/db3 = {_sympy_text(rule.factors[2].expr)}",
    )
    edges = graph.chain_path(short)
    steps, running = [], 1.0
    for edge, name, value in zip(edges, names, numbers.factors, strict=True):
        running *= value
        steps.append(BackwardStep(short, edge, _rich(name), value, running))
    return tuple(steps)


@lru_cache(maxsize=64)
def _sympy_text(expr) -> str:
    return str(expr).replace("*", "·")


def _edge_traces() -> dict[tuple[str, str], int]:
    return {e.key: i for i, e in enumerate(graph.WIDE.edges())}  # every layout's order


def _pulse_at(layout: graph.Layout, edge: tuple[str, str], k: int) -> tuple[float, float]:
    """The k-th of PULSE_STEPS points on the edge, going back from its target (never on a node)."""
    return graph.point_along(layout.edge[edge].points[::-1], k / (PULSE_STEPS + 1))


def _mark_at(layout: graph.Layout, edge: tuple[str, str]) -> tuple[float, float]:
    """Where the factor's number sits: the middle of the edge's last visible segment."""
    (x0, y0), (x1, y1) = layout.edge[edge].points[-2:]
    return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass(frozen=True)
class Flow:
    """The animated graph's frame, and where and how large it writes the gradient's story: the
    factors ①, ② and ③ (two lines each), and the status line under them."""

    frame: GraphFrame
    factors: tuple[tuple[float, float], ...]
    status: tuple[float, float]
    text: int = 17  # the factors and the circled numbers
    status_text: int = 20
    pulse: int = 26
    mark: int = 28
    narrow: bool = False  # the status line breaks at its " · " and " = " (a phone's, a slide's column)
    control_text: int = 16  # the play buttons' and the slider's text, in CONTROLS_HEIGHT or more under the plot


FLOW_FRAME = GraphFrame(820, (-0.3, 12.7), top=10, bottom=CONTROLS_HEIGHT)
# The band above the graph: the factors left to right, the running product under them.
FLOW = Flow(FLOW_FRAME, ((1.7, 12.05), (6.3, 12.05), (10.9, 12.05)), (6.3, 10.85))
# A phone's: the graph top to bottom, the factors one under another above it, the status broken.
PHONE_FLOW = Flow(
    GraphFrame(
        int(31.4 * graph.TALL.unit_px) + 40 + CONTROLS_HEIGHT,
        (0.0, 31.4),
        top=40,
        bottom=CONTROLS_HEIGHT,
        layout=graph.TALL,
        style=PHONE_GRAPH_FRAME.style,
    ),
    factors=((5.0, 30.7), (5.0, 29.5), (5.0, 28.3)),
    status=(5.0, 26.2),
    text=13,
    status_text=14,
    pulse=20,
    mark=22,
    narrow=True,
)
SLIDE_CONTROLS = 180  # px: a slide's play buttons and slider, their text 28 px


def slide_flow(height: int) -> Flow:
    """A slide's (laid out 1920 px wide, `height` px tall): the graph as on slides 1, 4 and 5, the
    factors one under another to its right and the status line under them, every text 28 px."""
    # The column on the right leaves the graph 30% less width: three names and a weight move.
    names = {"orange": (1.35, 0.0), "bottom": (0.0, -1.15)}
    weights = tuple(
        0.4 if (s, t) == ("bottom", "orange") else w
        for (s, t, _), w in zip(graph.WEIGHTED, graph.SLIDE.weight_at, strict=True)
    )
    layout = replace(
        graph.SLIDE,
        nodes=tuple(replace(n, label_at=names.get(n.id, n.label_at)) for n in graph.SLIDE.nodes),
        x_range=(graph.SLIDE.x_range[0], 19.4),
        weight_at=weights,
    )
    frame = GraphFrame(
        height,
        (-0.4, graph.SLIDE.y_range[1]),  # names under the lowest nodes keep clear of the buttons
        top=10,
        bottom=SLIDE_CONTROLS,
        layout=layout,
        style=SLIDE_STYLE,
        width=SLIDE_FIGURE_WIDTH,
    )
    factors = ((16.5, 9.5), (16.5, 7.6), (16.5, 5.7))
    return Flow(frame, factors, (16.5, 2.6), 28, 28, 36, 40, narrow=True, control_text=28)


HALO = "0 0 3px white, 0 0 3px white, 0 0 3px white"


@lru_cache(maxsize=4)
def _overlay_traces(flow: Flow) -> str:
    """The pulse, then the circled factor numbers, the factors written out and the status line:
    empty traces the frames fill, checked by plotly once and kept as JSON."""
    text = dict(mode="text", hoverinfo="skip", x=[], y=[], text=[])
    traces = [
        go.Scatter(
            x=[],
            y=[],
            name="pulse",
            mode="markers",
            hoverinfo="skip",
            marker=dict(size=flow.pulse, color=GRADIENT, line=dict(color="white", width=3)),
        ),
        go.Scatter(
            name="marks",
            x=[],
            y=[],
            text=[],
            mode="markers+text",
            hoverinfo="skip",
            marker=dict(size=flow.mark, color="white", line=dict(color=GRADIENT, width=3)),
            textfont=dict(size=flow.text, color=GRADIENT),
        ),
        go.Scatter(name="factors", textfont=dict(size=flow.text, color=INK, shadow=HALO), **text),
        go.Scatter(
            name="status",
            x=[flow.status[0]],
            y=[flow.status[1]],
            mode="text",
            hoverinfo="skip",
            text=[""],
            textfont=dict(size=flow.status_text, color=INK),
        ),
    ]
    return json.dumps([trace.to_plotly_json() for trace in traces])


@lru_cache(maxsize=16)
def gradient_flow_figure(b3: float, source: str, lang: str, flow: Flow = FLOW) -> dict:
    """The graph with animation frames, as a plotly figure dict (cached: it is rebuilt only for new inputs).

    Traces: the edges, the pulse (under the nodes), the nodes, their names, the circled factor
    numbers on the lit edges, the factors written out in the band above, and the status line.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    shorts = SHORT if source == "total" else (source,)  # se, ve, vi: the order of the sums on pages 3 and 6
    params = Params(b3=b3)
    first = training_sample(shorts[0])
    values0 = graph.node_values(forward(first.petal, first.sepal, params), shorts[0], params)
    layout = flow.frame.layout
    figure = graph_figure(values0, shorts[0], lang, name_observed=False, frame=flow.frame)
    edge_index = _edge_traces()
    pulse_trace = len(edge_index)
    pulse, *overlays = json.loads(_overlay_traces(flow))  # fresh copies: the caller's to fill
    figure["data"].insert(pulse_trace, pulse)
    node_trace, name_trace = pulse_trace + 1, pulse_trace + 2
    figure["data"] += overlays
    mark_trace, factor_trace, status_trace = name_trace + 1, name_trace + 2, name_trace + 3
    animated = [edge_index[e] for e in PATH_EDGES]
    animated += [pulse_trace, node_trace, name_trace, mark_trace, factor_trace, status_trace]
    nodes = layout.nodes

    frames: list[dict] = []

    def frame(values, shown, outlined, lit, at, factors, status, numbers, ce_name):
        data = [dict(line=LIT_EDGE if e in lit else _idle(e)) for e in PATH_EDGES]
        data.append(dict(x=[at[0]] if at else [], y=[at[1]] if at else []))
        data.append(
            dict(
                text=[f"<b>{fmt(values[n.id])}</b>" if n.id in shown else "" for n in nodes],
                marker=dict(line=dict(color=[GRADIENT if n.id in outlined else "white" for n in nodes], width=5)),
            )
        )
        names = [ce_name if n.id == "ce" else node_name(n.id, lang, narrow=layout.down) for n in nodes]
        data.append(dict(text=[f"<b>{name}</b>" for name in names]))
        marks = [_mark_at(layout, edge) for edge, _ in factors if edge]
        data.append(
            dict(
                x=[m[0] for m in marks], y=[m[1] for m in marks], text=[f"<b>{i + 1}</b>" for i in range(len(factors))]
            )
        )
        data.append(
            dict(
                x=[x for x, _ in flow.factors[: len(factors)]],
                y=[y for _, y in flow.factors[: len(factors)]],
                text=[label for _, label in factors],
            )
        )
        data.append(dict(text=[status], customdata=[numbers]))
        frames.append(dict(name=f"f{len(frames)}", data=data, traces=animated))

    contributions, ces = [], []
    dot, equals = ("<br>", "<br>= ") if flow.narrow else (" · ", " = ")
    for place, short in enumerate(shorts, start=1):
        sample = training_sample(short)
        values = graph.node_values(forward(sample.petal, sample.sepal, params), short, params)
        ces.append(values["ce"])
        ce_name = f"CE<sub>{short}</sub>"
        flower = t(f"short_{sample.species}", lang)
        # A still of one flower's frame says which sum it is part of; its products name the flower
        # by CE's subscript alone, to fit the line at the graph's narrowest.
        chain = flower
        if source == "total":
            chain = f"{t('total_ce', lang)} {place}/{len(shorts)}"
            flower = f"{chain}{dot}{flower}"
        shown: set[str] = set()
        for layer in LAYERS:
            shown |= set(layer)
            frame(values, shown, set(layer), set(), None, [], f"{flower}{dot}{t('forward_pass', lang)}", [], ce_name)
        lit, factors, outlined = set(), [], {"ce"}
        steps = backward_steps(b3, short)
        for i, step in enumerate(steps):
            for k in range(1, PULSE_STEPS + 1):
                status = f"{flower}{dot}{ce_name} → b<sub>3</sub>"
                at = _pulse_at(layout, step.edge, k)
                frame(values, shown, outlined, lit | {step.edge}, at, factors, status, [], ce_name)
            lit = lit | {step.edge}
            outlined = outlined | set(step.edge)
            label = step.name if step.name.endswith(f"= {step.value:g}") else f"{step.name}<br>= {fmt(step.value)}"
            factors = factors + [(step.edge, f"{derivation.CIRCLED[i]} {label}")]
            product = " · ".join(f"({fmt(s.value)})" for s in steps[: i + 1])
            status = f"{chain}{dot}d{ce_name}/db<sub>3</sub>{equals}{product}{equals}<b>{fmt(step.running)}</b>"
            frame(values, shown, outlined, lit, None, factors, status, [step.value, step.running], ce_name)
        contributions.append(step.running)
    if source == "total":
        total = sum(contributions)
        terms = " + ".join(f"({fmt(c)})" for c in contributions)
        status = f"d{t('total_ce', lang)}/db<sub>3</sub>{equals}{terms}{equals}<b>{fmt(total)}</b>"
        summary = {"b3": b3, "ce": sum(ces)}
        pieces = []
        for s, c in zip(shorts, contributions, strict=True):
            result = _rich(_sympy_text(derivation.chain_rule(s).result.expr))
            pieces.append((None, f"{t('short_' + training_sample(s).species, lang)}:<br>{result} = {fmt(c)}"))
        every_path = set(PATH_EDGES)
        outlined = {node for edge in every_path for node in edge}
        total_name = t("total_ce", lang)
        frame(summary, set(summary), outlined, every_path, None, pieces, status, [*contributions, total], total_name)
    figure["frames"] = frames
    controls = flow.frame.bottom
    _add_controls(figure["layout"], [f["name"] for f in frames], lang, controls=controls, size=flow.control_text)
    # Open on the last frame that shows every node's value, so a still (or a slide) shows the whole
    # story of one flower: for the total that is the last flower's; the sum's frame, where no one
    # flower's values stand, follows it.
    values_at = len(PATH_EDGES) + 1  # the node trace's place in a frame's data
    opening = max(i for i, f in enumerate(frames) if all(f["data"][values_at]["text"]))
    figure["layout"]["sliders"][0]["active"] = opening
    for index, update in zip(frames[opening]["traces"], frames[opening]["data"], strict=True):
        figure["data"][index] = merged(figure["data"][index], update)
    return figure


def merged(trace: dict, update: dict) -> dict:
    """`trace` with a frame's `update` applied, as plotly applies a frame: nested dicts merged."""
    result = dict(trace)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def _add_controls(
    layout: dict,
    names: list[str],
    lang: str,
    redraw: bool = True,
    first: int = 1,
    below: int = 6,
    controls: int = CONTROLS_HEIGHT,
    size: int = 16,
) -> None:
    """Play at three speeds, pause, and a slider to step to any frame (forward or back).

    The buttons and the slider get a row each, so the slider's label never sits under a button.
    `first` numbers the slider's steps (0 where step 0 is the start, as in page 6's table); `below`
    is the room in px left under the plot for an x-axis; `controls` the room for the buttons and
    the slider, whose text is `size` px (a slide's is larger). The slider's own tick labels are
    hidden (dozens of them cannot be read); its current value names the step.
    """

    def play(ms):
        return [
            None,
            dict(
                frame=dict(duration=ms, redraw=redraw),
                # Tween only when nothing but positions move (redraw=False): text would garble mid-way.
                transition=dict(duration=0 if redraw else int(ms * 0.6), easing="linear"),
                fromcurrent=True,
                mode="immediate",
            ),
        ]

    margin = layout["margin"]
    margin["b"] = controls + below
    layout["meta"] = {**layout.get("meta", {}), "controls": controls}  # drawing.slides.box leaves them out
    plot_height = layout["height"] - margin["t"] - margin["b"]
    pause = [[None], dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")]
    buttons = [dict(label=f"▶ {label}", method="animate", args=play(ms)) for label, ms in SPEEDS]
    buttons.append(dict(label=f"❚❚ {t('pause', lang)}", method="animate", args=pause))
    layout["updatemenus"] = [
        dict(
            type="buttons",
            direction="right",
            buttons=buttons,
            showactive=False,
            x=0.0,
            y=-below / plot_height,
            xanchor="left",
            yanchor="top",
            pad=dict(t=0, r=8),
            font=dict(size=size),
        )
    ]
    layout["sliders"] = [
        dict(
            active=len(names) - 1,
            x=0.0,
            len=1.0,
            y=-(below + round(size * 2.875)) / plot_height,
            yanchor="top",
            pad=dict(t=0, b=0),
            currentvalue=dict(prefix=f"{t('frame', lang)} ", font=dict(size=size + 1, color=INK), offset=6),
            steps=[
                dict(
                    label=str(i + first),
                    method="animate",
                    args=[
                        [name],
                        dict(mode="immediate", frame=dict(duration=0, redraw=redraw), transition=dict(duration=0)),
                    ],
                )
                for i, name in enumerate(names)
            ],
            font=dict(size=11, color="rgba(0,0,0,0)"),
            ticklen=5,
        )
    ]


SETTLED = 0.005  # |step in b3| below which the descent animation stops adding frames
MAX_DESCENT_FRAMES = 60


def descent_path(learning_rate: float, start: float = -2.0) -> list:
    """Gradient descent from `start` until a step moves b3 by less than SETTLED (at most 60 steps)."""
    path = descend(start, learning_rate, MAX_DESCENT_FRAMES - 1)
    for i in range(1, len(path)):
        if abs(path[i].b3 - path[i - 1].b3) < SETTLED:
            return path[: i + 1]
    return path


@lru_cache(maxsize=128)
def descent_figure(learning_rate: float, lang: str, start: float = -2.0) -> dict:
    """Total CE against b3 with gradient descent from `start` as frames: point and tangent move.

    One frame per step until the descent settles, numbered from step 0 (the start) like page 6's table.
    """
    path = descent_path(learning_rate, start)
    curve = explain.total_curve()
    low, high = float(curve.b3[0]), float(curve.b3[-1])
    first = path[0]
    figure = total_ce_figure(curve, first.b3, first.total_ce, first.gradient, path[:1], lang)
    tangent_trace, trail_trace, point_trace = 1, 2, 3
    frames = []
    for i, step in enumerate(path):
        b3 = float(np.clip(step.b3, low, high))
        tangent_x, tangent_y = tangent_line(b3, step.total_ce, step.gradient)
        frames.append(
            dict(
                name=f"f{i}",
                traces=[tangent_trace, trail_trace, point_trace],
                data=[
                    dict(x=tangent_x, y=tangent_y),
                    dict(x=[s.b3 for s in path[: i + 1]], y=[s.total_ce for s in path[: i + 1]]),
                    dict(
                        x=[b3],
                        y=[step.total_ce],
                        text=[f"b3 = {step.b3:.2f}: {fmt(step.total_ce, 2)}"],
                        customdata=[[step.b3, step.gradient]],
                    ),
                ],
            )
        )
    figure["data"][tangent_trace]["name"] = t("tangent_plain", lang)  # legends do not redraw while it plays
    figure["frames"] = frames
    figure["layout"]["height"] = 620
    figure["layout"]["margin"] = dict(l=90, r=30, t=60, b=0)
    totals = [s.total_ce for s in path]
    figure["layout"]["yaxis"]["range"] = [min(1.5, min(totals) - 0.2), max(totals) + 0.6]
    _add_controls(figure["layout"], [f["name"] for f in frames], lang, redraw=False, first=0, below=80)
    figure["layout"]["sliders"][0]["active"] = 0
    return figure
