"""Short text descriptions of the figures, for screen readers: what each shows, with its live numbers."""

from __future__ import annotations

from core.latex import fmt
from core.softmax import SHORT, SPECIES
from drawing import graph
from drawing.i18n import t


def _plain(label: str) -> str:
    return label.replace("<sub>", "_").replace("</sub>", "").replace("<b>", "").replace("</b>", "")


def graph_alt(values: dict, observed: str, lang: str) -> str:
    """The computational graph in words: every node's name and live value, and whose CE it is."""
    short = graph.observed_short(observed)
    names = {n.id: _plain(graph.node_label(n.id, lang, short if n.id == "ce" else None)) for n in graph.WIDE.nodes}
    listed = ", ".join(f"{names[n.id]} {fmt(values[n.id])}" for n in graph.WIDE.nodes)
    species = t(f"short_{SPECIES[SHORT.index(short)]}", lang)
    return t("alt_graph", lang, species=species, values=listed)


def surfaces_alt(blue: float, orange: float, lang: str) -> str:
    return t("alt_surfaces", lang, blue=fmt(blue), orange=fmt(orange))


def green_surface_alt(green: float, b3: float, lang: str) -> str:
    return t("alt_green_surface", lang, green=fmt(green), b3=f"{b3:g}")


def softmax_alt(raw, probs, lang: str) -> str:
    names = [t(f"short_{s}", lang) for s in SPECIES]
    pairs = "; ".join(f"{n}: {fmt(r)} → {fmt(p)}" for n, r, p in zip(names, raw, probs, strict=True))
    return t("alt_softmax", lang, pairs=pairs)


def argmax_alt(raw_se: float, p_se: float, lang: str) -> str:
    return t("alt_argmax", lang, green=fmt(raw_se), p=fmt(p_se))


def neg_log_alt(rows, lang: str) -> str:
    points = "; ".join(f"{t('short_' + r.species, lang)}: p = {fmt(r.predicted)}, CE = {fmt(r.ce)}" for r in rows)
    return t("alt_neg_log", lang, points=points)


def total_ce_alt(b3: float, total: float, slope: float, lang: str) -> str:
    return t("alt_total_ce", lang, b3=f"{b3:g}", total=fmt(total), slope=fmt(slope))


def descent_alt(first, last, steps: int, lang: str) -> str:
    return t("alt_descent", lang, steps=steps, b3=fmt(last.b3), total=fmt(last.total_ce), start=f"{first.b3:g}")


def flow_alt(source: str, gradient: float, lang: str) -> str:
    return t("alt_flow", lang, source=t(f"source_{source}", lang), gradient=fmt(gradient))


def gradients_alt(exact: dict, lang: str) -> str:
    name, value = max(exact.items(), key=lambda item: abs(item[1]))
    return t("alt_gradients", lang, count=len(exact), name=name, value=fmt(value, 4))


def refusal(refused, lang: str) -> str:
    """Why page 8's checker did not judge an answer (core.checker.Refused), and what to write instead."""
    values = dict(refused.values)
    if "instead" in values:
        values["instead"] = t(f"refused_instead_{values['instead']}", lang)
    return t(f"refused_{refused.key}", lang, **values)
