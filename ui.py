"""The Streamlit side shared by every page: the view kept in session state and in the URL, the
sidebar that edits it, and a few layout helpers. The math stays in core/.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core.data import iris
from core.i18n import t
from core.softmax import SPECIES
from core.view import B3_RANGE, CUSTOM, LANGS, TRAINING, View, flower_point, parse_query, to_query

FLOWER_KINDS = (*TRAINING, "iris", CUSTOM)
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
}


def _load_from_url() -> None:
    """On a session's first run, put the link's view into the widgets' state."""
    if "view_loaded" in st.session_state:
        return
    view, notes = parse_query(st.query_params.to_dict())
    state = st.session_state
    state.lang, state.b3 = view.lang, view.b3
    state.petal, state.sepal, state.observed = view.petal, view.sepal, view.observed
    if view.flower.startswith("iris-"):
        state.flower_kind, state.iris_number = "iris", int(view.flower.partition("-")[2])
    else:
        state.flower_kind = view.flower
    state.notes = notes
    state.view_loaded = True


def _clear_notes() -> None:
    st.session_state.notes = ()


def _view_from_state() -> View:
    s = st.session_state
    kind = s.flower_kind
    flower = f"iris-{s.get('iris_number', 1)}" if kind == "iris" else kind
    return replace(
        View(),
        flower=flower,
        b3=float(s.b3),
        lang=s.lang,
        petal=float(s.get("petal", 0.5)),
        sepal=float(s.get("sepal", 0.5)),
        observed=s.get("observed", "setosa"),
    )


def sidebar() -> View:
    """Render the shared sidebar, keep the URL in step with it, and return the current view."""
    _load_from_url()
    s = st.session_state
    with st.sidebar:
        st.segmented_control(
            t("sidebar_lang", s.lang),
            LANGS,
            key="lang",
            format_func={"en": "English", "zh": "中文"}.get,
            on_change=_clear_notes,
            required=True,
        )
        lang = s.lang
        st.selectbox(
            t("sidebar_flower", lang),
            FLOWER_KINDS,
            key="flower_kind",
            on_change=_clear_notes,
            format_func=lambda k: t("flower_iris" if k == "iris" else f"flower_{k}", lang),
        )
        if s.flower_kind == "iris":
            s.setdefault("iris_number", 1)
            st.number_input(
                t("sidebar_iris_number", lang),
                1,
                len(iris()),
                step=1,
                key="iris_number",
                on_change=_clear_notes,
            )
        elif s.flower_kind == CUSTOM:
            st.slider(t("sidebar_petal", lang), 0.0, 1.0, step=0.01, key="petal", on_change=_clear_notes)
            st.slider(t("sidebar_sepal", lang), 0.0, 1.0, step=0.01, key="sepal", on_change=_clear_notes)
            st.selectbox(
                t("sidebar_observed", lang),
                SPECIES,
                key="observed",
                on_change=_clear_notes,
                format_func=lambda k: t(f"species_{k}", lang),
            )
        st.slider(t("sidebar_b3", lang), *B3_RANGE, step=0.01, key="b3", on_change=_clear_notes)
        view = _view_from_state()
        point = flower_point(view)
        st.caption(
            f"{t('scaled_petal', lang)} = {point.petal:.2f} · {t('scaled_sepal', lang)} = {point.sepal:.2f}"
            f" · {t('observed', lang)}: {t('species_' + point.observed, lang)}"
        )
        st.caption(t("sidebar_link", lang))
    if st.query_params.to_dict() != to_query(view):
        st.query_params.from_dict(to_query(view))
    for note in s.notes:
        st.warning(t(note.key, lang), icon=":material/link_off:")
    return view


def current():
    """The view, its flower's inputs and the language, for a page (the sidebar has run already)."""
    view = st.session_state.current_view
    return view, flower_point(view), view.lang


def chart(fig) -> None:
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, theme=None)


def set_b3(value: float) -> None:
    """Move the shared b3 (from a button's callback), kept inside the slider's range."""
    low, high = B3_RANGE
    st.session_state.b3 = round(min(max(value, low), high), 6)
    _clear_notes()


CIRCLED = ("①", "②", "③")


def chain_rule(point, b3: float, observed: str, lang: str) -> None:
    """The seed's chain rule for CE_observed -> b3: the three factors, their product, and a check."""
    from core import derivation, explain
    from core.figures import fmt

    rule = derivation.chain_rule(observed)
    numbers = explain.chain_numbers(point.petal, point.sepal, b3, observed)
    probs = numbers.probs
    st.latex(
        rf"{rule.result.label} = "
        + r" \cdot ".join(rf"\underbrace{{{f.label}}}_{{{i + 1}}}" for i, f in enumerate(rule.factors))
    )
    for circled, factor, value in zip(CIRCLED, rule.factors, numbers.factors, strict=True):
        left, middle, right = st.columns([1, 5, 5], vertical_alignment="center")
        left.markdown(f"### {circled}")
        middle.latex(rf"{factor.label} = {factor.latex}")
        right.latex(rf"= {factor.latex_with_numbers(probs)} = {fmt(value, 4)}")
    product = r" \cdot ".join(f"({fmt(v, 4)})" for v in numbers.factors)
    st.latex(
        rf"\Rightarrow {rule.result.label} = {rule.result.latex} = {product} = {fmt(numbers.product, 4)}"
    )
    agree = abs(numbers.product - numbers.finite_difference) < 1e-6
    message = t(
        "fd_check",
        lang,
        ce=f"CE_{observed}",
        fd=f"{numbers.finite_difference:.6f}",
        chain=f"{numbers.product:.6f}",
        verdict=t("agrees" if agree else "disagrees", lang),
    )
    (st.success if agree else st.error)(message, icon=":material/check_circle:" if agree else None)
