"""The class dashboard (page 10): how a class's latest answers to page 8's steps split into the
right one and each slip, drawn for a projector."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import plotly.graph_objects as go

from core import derivation
from drawing.figures import base_layout
from drawing.graph import INK
from drawing.i18n import t

# The dashboard's answer kinds, in stack order: Okabe-Ito colours (told apart with colour blindness
# too), each with the text colour its bar needs.
ANSWER_KINDS = ("right", "sign", "factor", "reciprocal", "other")
ANSWER_COLOURS = {
    "right": "#009E73", "sign": "#D55E00", "factor": "#E69F00", "reciprocal": "#CC79A7", "other": "#8c8c8c",
}  # fmt: skip
ANSWER_TEXT = {"right": "white", "sign": "white", "factor": INK, "reciprocal": INK, "other": "white"}


def step_label(step: str, lang: str) -> str:
    """A checker step ("vi.2") as page 8 names it: "CE_vi ②", "CE_vi result"."""
    ce, name = _step_parts(step, lang)
    return f"{ce} {name}"


def step_name(k: str, lang: str) -> str:
    """A step of the chain rule as page 8 names it: ①, ②, ③ or "result"."""
    return t("check_result", lang) if k == "result" else derivation.CIRCLED[int(k) - 1]


def _step_parts(step: str, lang: str) -> tuple[str, str]:
    short, _, k = step.partition(".")
    return f"CE_{short}", step_name(k, lang)


def class_answers_figure(steps, lang: str, height: int = 640) -> go.Figure:
    """Per step, how many students' latest answers are right or make each slip: stacked bars
    grouped by CE, sized for a projector. `steps`: (step, {kind: count}) in page 8's order."""
    ces, names = zip(*(_step_parts(step, lang) for step, _ in steps), strict=True) if steps else ((), ())
    fig = go.Figure()
    for kind in ANSWER_KINDS:
        counts = [counts[kind] for _, counts in steps]
        fig.add_trace(
            go.Bar(
                x=[list(ces), list(names)],
                y=counts,
                name=t("class_right" if kind == "right" else f"slip_{kind}", lang),
                marker=dict(color=ANSWER_COLOURS[kind], line=dict(color="white", width=1)),
                text=[str(n) if n else "" for n in counts],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont=dict(size=24, color=ANSWER_TEXT[kind]),
                hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>",
            )
        )
    totals = [sum(counts.values()) for _, counts in steps]
    fig.add_trace(
        go.Scatter(
            x=[list(ces), list(names)],
            y=totals,
            mode="text",
            text=[str(n) if n else "" for n in totals],
            textposition="top center",
            textfont=dict(size=22, color=INK),
            name=t("class_answered", lang),
            showlegend=False,
            hoverinfo="skip",
        )
    )  # how many students answered each step, above its bar
    most = max(totals, default=0)
    fig.update_yaxes(
        title=t("class_axis", lang), range=[0, max(most, 1) * 1.12], gridcolor="#edf0f3", tickfont=dict(size=18),
        dtick=None if most > 10 else 1,
    )  # fmt: skip
    fig.update_xaxes(tickfont=dict(size=24 if height >= 600 else 18), tickangle=0)
    base_layout(fig, height)
    fig.update_layout(
        barmode="stack",
        bargap=0.25,
        showlegend=True,
        legend=dict(
            x=0,
            y=1.02,
            xanchor="left",
            yanchor="bottom",
            orientation="h",
            traceorder="normal",
            font=dict(size=20 if height >= 600 else 15),
        ),
        margin=dict(l=80, r=10, t=50, b=110) if height >= 600 else dict(l=70, r=10, t=30, b=70),
        uniformtext=dict(minsize=14, mode="hide"),
    )
    return fig


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([[_cell(value) for value in row] for row in rows])
    return out.getvalue()


def answers_csv(records, lang: str, nickname) -> str:
    """The teacher's export of every answer (store.Record): time, the student's nickname, the step,
    the checker's LaTeX and the verdict. A cell a spreadsheet would run as a formula starts with '."""
    head = [t(key, lang) for key in ("csv_time", "csv_student", "csv_step", "csv_answer", "csv_verdict")]
    rows = [
        (
            datetime.fromtimestamp(r.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            nickname(r.nickname, lang),
            step_label(r.step, lang),
            r.latex,
            t("class_right", lang) if r.slip is None else t(f"slip_{r.slip}", lang),
        )
        for r in records
    ]
    return _csv([head, *rows])


def summary_csv(steps, lang: str) -> str:
    """Per step (store.StepCounts), how many students' latest answers were right and made each slip."""
    kinds = ANSWER_KINDS[1:]
    head = [t(key, lang) for key in ("csv_step", "csv_answered", "class_right")] + [t(f"slip_{k}", lang) for k in kinds]
    rows = [(step_label(s.step, lang), s.answered, s.right, *(s.slips[k] for k in kinds)) for s in steps]
    return _csv([head, *rows])
