import streamlit as st

import ui
from core import derivation
from core.latex import fmt
from core.network import Params, forward
from core.view import SHIFT_RANGE
from drawing import explain, slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)
fwd = forward(point.petal, point.sepal, Params(b3=view.b3))
raw, probs = fwd.raw, fwd.probs

ui.equations(
    r"P_{se} = \text{SoftMax}_{se}(Raw_{se}, Raw_{ve}, Raw_{vi})"
    r" = \frac{e^{Raw_{se}}}{e^{Raw_{se}} + e^{Raw_{ve}} + e^{Raw_{vi}}}",
    *slides.equations("softmax", view),
    above=ui.heading_text(t("page_softmax", lang)),
)
bars, argmax = slides.charts("softmax", view)
ui.chart(bars, view)

left, right = st.columns([3, 2])
with left:
    ui.chart(argmax, view)
with right:
    slope = derivation.chain_rule("se").factors[1]
    ui.equations(
        rf"{slope.label} = {slope.latex}",
        rf"= {slope.latex_with_numbers(probs)} = {fmt(slope.value(probs), 4)}",
        above=ui.heading_text(t("argmax_title", lang), t("argmax_text", lang), level=3),
    )

ui.heading(t("shift_title", lang), t("shift_text", lang), level=3)
shift = ui.page_control(
    st.slider, "shift", t("shift_label", lang), min_value=SHIFT_RANGE[0], max_value=SHIFT_RANGE[1], step=10.0
)
demo = explain.shift_demo(raw, shift)
ui.table(
    [
        {
            t("species", lang): t(f"species_{name}", lang),
            "Raw + c": fmt(shifted, 3),
            t("naive", lang): fmt(naive, 4),
            t("stable", lang): fmt(stable, 4),
        }
        for name, shifted, naive, stable in demo
    ],
    below=ui.caption_text(t("shift_caption", lang)),
)
