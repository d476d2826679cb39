import streamlit as st

import ui
from core.latex import fmt
from core.training import descend
from core.view import RATE_RANGE, STEPS_RANGE, decimal
from drawing import explain, slides
from drawing.i18n import t

END_STEPS = 200

view, _, lang = ui.current(__file__)
rows = explain.ce_table(view.b3)
# Total CE and its slope at b3, as the page's descent (cached) starts with them: the same to the bit.
start = descend(view.b3, view.rate, view.steps)[0]
total, slope = start.total_ce, start.gradient

ui.equations(  # the note on whose CE is whose goes with the intro, above the sums it names
    explain.total_ce_latex(rows, total, lang),
    *explain.total_gradient_latex(rows, slope, lang),
    above=ui.heading_text(t("page_descent", lang), f"{t('descent_intro', lang)} {t('descent_samples_caption', lang)}"),
)

controls, plot = st.columns([1, 2])
with controls:
    rate = ui.page_control(st.slider, "rate", t("learning_rate", lang), min_value=RATE_RANGE[0],
                           max_value=RATE_RANGE[1], step=0.05)  # fmt: skip
    steps = ui.page_control(st.slider, "steps", t("steps_shown", lang), min_value=STEPS_RANGE[0],
                            max_value=STEPS_RANGE[1])  # fmt: skip
    path = descend(view.b3, rate, steps)  # as the sliders say (the same as the start's, cached)
    next_b3 = (path if steps else descend(view.b3, rate, 1))[1].b3
    ui.equations(rf"b_3 \leftarrow {decimal(view.b3)} - {rate:g} \cdot ({fmt(slope, 4)})", rf"= {fmt(next_b3, 4)}")
    st.button(
        t("one_step", lang),
        on_click=ui.set_b3,
        args=(next_b3,),
        type="primary",
        width="stretch",
        icon=":material/south_east:",
    )
    st.button(
        t("run_to_end", lang),
        on_click=lambda: ui.set_b3(descend(view.b3, rate, END_STEPS)[-1].b3),  # 200 steps: only when asked
        width="stretch",
        icon=":material/fast_forward:",
    )
    st.button(t("reset_b3", lang), on_click=ui.set_b3, args=(-2.0,), width="stretch", icon=":material/restart_alt:")
total_ce_chart, descent = slides.charts("gradient_descent", view)
with plot:
    ui.chart(total_ce_chart, view)

ui.table(
    [
        {
            t("step", lang): i,
            "b3": f"{s.b3:.4f}",
            t("total_ce", lang): fmt(s.total_ce, 4),
            t("gradient", lang): fmt(s.gradient, 4),
        }
        for i, s in enumerate(path)
    ],
    above=ui.heading_text(t("path_title", lang), level=3),
    below=ui.heading_text(t("descent_anim_title", lang), t("descent_anim_caption", lang), level=3),
)
ui.chart(descent, view)
