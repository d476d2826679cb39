"""Plotly-frame animations, played by the browser with no server round trip.

The gradient flow (page 7): on the computational graph, the forward values appear layer by layer;
then a pulse carries the gradient back from CE through P and green to b3, each edge lit with its
local derivative and the running product; with source "total", the three training flowers in turn
(CE_se of the setosa flower, CE_vi of the virginica one, CE_ve of the versicolor one), their
contributions meeting at b3 as dTotalCE/db3.

Gradient descent (page 6): the point sliding down the Total CE curve, its tangent turning flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from core import derivation, explain, graph
from core.figures import GRADIENT, INK, fmt, graph_figure, tangent_line, total_ce_figure
from core.i18n import t
from core.network import SHORT, Params, forward
from core.softmax import class_index
from core.training import SAMPLES, descend

SOURCES = ("se", "vi", "ve", "total")
SPEEDS = (("0.5×", 1400), ("1×", 700), ("2×", 350))  # label, milliseconds per frame
LAYERS = (
    ("petal", "sepal"),
    ("top", "bottom"),
    ("blue", "orange", "b3"),
    ("raw_se", "raw_ve", "raw_vi"),
    ("p_se", "p_ve", "p_vi"),
    ("ce",),
)
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
    return latex_free.replace("_se", "<sub>se</sub>").replace("_ve", "<sub>ve</sub>").replace("_vi", "<sub>vi</sub>")


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


def _sympy_text(expr) -> str:
    return str(expr).replace("*", "·")


def _edge_traces() -> dict[tuple[str, str], int]:
    return {(e.source, e.target): i for i, e in enumerate(graph.edges())}


def _midpoint(edge: tuple[str, str], share: float) -> tuple[float, float]:
    a, b = graph.NODE[edge[1]], graph.NODE[edge[0]]  # the gradient flows target -> source
    return a.x + share * (b.x - a.x), a.y + share * (b.y - a.y)


# Where each local derivative is written: clear space beside its edge, away from the node names.
LABEL_AT = {
    ("p_se", "ce"): (7.45, 7.3),
    ("p_ve", "ce"): (7.5, 3.9),
    ("p_vi", "ce"): (7.5, 3.2),
    ("raw_se", "p_se"): (5.4, 10.15),
    ("raw_se", "p_ve"): (5.4, 10.15),
    ("raw_se", "p_vi"): (5.4, 10.15),
    ("b3", "raw_se"): (3.45, 3.0),
}
HALO = "0 0 3px white, 0 0 3px white, 0 0 3px white"


@lru_cache(maxsize=128)
def gradient_flow_figure(b3: float, source: str, lang: str) -> dict:
    """The graph with animation frames, as a plotly figure dict (cached: it is rebuilt only for new inputs)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    shorts = ("se", "vi", "ve") if source == "total" else (source,)
    params = Params(b3=b3)
    first = training_sample(shorts[0])
    values0 = graph.node_values(forward(first.petal, first.sepal, params), shorts[0], params)
    fig = graph_figure(values0, shorts[0], lang, name_observed=False)
    edge_index = _edge_traces()
    node_trace = len(graph.edges())
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="markers",
            hoverinfo="skip",
            marker=dict(size=30, color=GRADIENT, line=dict(color="white", width=3)),
        )
    )
    fig.add_trace(
        go.Scatter(x=[], y=[], mode="text", hoverinfo="skip", textfont=dict(size=17, color=GRADIENT, shadow=HALO))
    )
    fig.add_trace(
        go.Scatter(x=[3.95], y=[0.2], mode="text", hoverinfo="skip", text=[""], textfont=dict(size=22, color=INK))
    )
    pulse_trace, label_trace, status_trace = node_trace + 1, node_trace + 2, node_trace + 3
    animated = [edge_index[e] for e in PATH_EDGES] + [node_trace, pulse_trace, label_trace, status_trace]

    frames: list[dict] = []

    def frame(values, shown, outlined, lit, pulse, labels, status, numbers):
        nodes = graph.NODES
        data = [dict(line=LIT_EDGE if e in lit else _idle(e)) for e in PATH_EDGES]
        data.append(
            dict(
                text=[f"<b>{fmt(values[n.id])}</b>" if n.id in shown else "" for n in nodes],
                marker=dict(line=dict(color=[GRADIENT if n.id in outlined else "white" for n in nodes], width=5)),
            )
        )
        data.append(dict(x=[pulse[0]] if pulse else [], y=[pulse[1]] if pulse else []))
        data.append(dict(x=[p[0] for p, _ in labels], y=[p[1] for p, _ in labels], text=[s for _, s in labels]))
        data.append(dict(text=[status], customdata=[numbers]))
        frames.append(dict(name=f"f{len(frames)}", data=data, traces=animated))

    contributions = []
    for short in shorts:
        sample = training_sample(short)
        values = graph.node_values(forward(sample.petal, sample.sepal, params), short, params)
        flower = t(f"species_{sample.species}", lang)
        shown: set[str] = set()
        for layer in LAYERS:
            shown |= set(layer)
            frame(values, shown, set(layer), set(), None, [], f"{flower} · {t('forward_pass', lang)}", [])
        lit, labels, outlined = set(), [], {"ce"}
        steps = backward_steps(b3, short)
        for step in steps:
            for k in range(1, PULSE_STEPS + 1):
                pulse = _midpoint(step.edge, k / PULSE_STEPS)
                frame(
                    values,
                    shown,
                    outlined,
                    lit | {step.edge},
                    pulse,
                    labels,
                    f"{flower} · CE<sub>{short}</sub> → b<sub>3</sub>",
                    [],
                )
            lit = lit | {step.edge}
            outlined = outlined | set(step.edge)
            text = step.name if step.name.endswith(f"= {step.value:g}") else f"{step.name} = {fmt(step.value)}"
            labels = labels + [(LABEL_AT[step.edge], text)]
            factors = [s.value for s in steps][: len(lit)]
            product = " · ".join(f"({fmt(v)})" for v in factors)
            status = f"{flower} · dCE<sub>{short}</sub>/db<sub>3</sub> = {product} = <b>{fmt(step.running)}</b>"
            frame(values, shown, outlined, lit, None, labels, status, [step.value, step.running])
        contributions.append(step.running)
    if source == "total":
        total = sum(contributions)
        terms = " + ".join(f"({fmt(c)})" for c in contributions)
        status = f"dTotalCE/db<sub>3</sub> = {terms} = <b>{fmt(total)}</b>"
        frame(
            values,
            shown,
            {"b3"},
            set(),
            None,
            [(LABEL_AT["b3", "raw_se"], f"Σ = {fmt(total)}")],
            status,
            [*contributions, total],
        )
    fig.update_yaxes(range=[-0.2, 10.7])
    fig.update_layout(height=680, margin=dict(l=10, r=10, t=20, b=90))
    figure = fig.to_plotly_json()
    figure["frames"] = frames
    _add_controls(figure["layout"], [f["name"] for f in frames], lang)
    # Open on the last frame, so a still (or a slide) shows the whole story.
    last = frames[-1]
    for index, update in zip(last["traces"], last["data"], strict=True):
        figure["data"][index] = _merged(figure["data"][index], update)
    return figure


def _merged(trace: dict, update: dict) -> dict:
    merged = dict(trace)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _add_controls(layout: dict, names: list[str], lang: str, redraw: bool = True) -> None:
    """Play at three speeds, pause, and a slider to step to any frame (forward or back)."""

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
            y=-0.02,
            xanchor="left",
            yanchor="top",
            pad=dict(t=8, r=8),
            font=dict(size=16),
        )
    ]
    layout["sliders"] = [
        dict(
            active=len(names) - 1,
            x=0.36,
            len=0.64,
            y=-0.02,
            yanchor="top",
            pad=dict(t=8),
            currentvalue=dict(prefix=f"{t('frame', lang)} ", font=dict(size=15)),
            steps=[
                dict(
                    label=str(i + 1),
                    method="animate",
                    args=[
                        [name],
                        dict(mode="immediate", frame=dict(duration=0, redraw=redraw), transition=dict(duration=0)),
                    ],
                )
                for i, name in enumerate(names)
            ],
            font=dict(size=11),
        )
    ]


@lru_cache(maxsize=128)
def descent_figure(learning_rate: float, lang: str, start: float = -2.0, steps: int = 20) -> dict:
    """Total CE against b3 with gradient descent from `start` as frames: point and tangent move."""
    path = descend(start, learning_rate, steps)
    curve = explain.total_curve()
    low, high = float(curve.b3[0]), float(curve.b3[-1])
    first = path[0]
    fig = total_ce_figure(curve, first.b3, first.total_ce, first.gradient, path[:1], lang)
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
    fig.data[tangent_trace].name = t("tangent_plain", lang)  # legends do not redraw while it plays
    figure = fig.to_plotly_json()
    figure["frames"] = frames
    _add_controls(figure["layout"], [f["name"] for f in frames], lang, redraw=False)
    figure["layout"]["sliders"][0]["active"] = 0
    figure["layout"]["margin"] = dict(l=90, r=30, t=60, b=150)
    figure["layout"]["height"] = 540
    for menu in figure["layout"]["updatemenus"] + figure["layout"]["sliders"]:
        menu["y"] = -0.22
    return figure
