import streamlit as st

import ui
from core import animation, explain, figures
from core.figures import fmt
from core.i18n import t
from core.training import d_total_ce_d_b3, descend, total_ce

view, _, lang = ui.current()
rows = explain.ce_table(view.b3)
total, slope = float(total_ce(view.b3)), float(d_total_ce_d_b3(view.b3))

st.title(t("page_descent", lang))
st.markdown(t("descent_intro", lang))
st.latex(
    r"\text{Total } CE = CE_{se} + CE_{ve} + CE_{vi} = "
    + " + ".join(fmt(r.ce, 4) for r in rows)
    + rf" = {fmt(total, 4)}"
)
st.latex(
    r"\frac{d\,\text{Total } CE}{d\,b_3} = (P_{se}^{(1)} - 1) + P_{se}^{(2)} + P_{se}^{(3)} = "
    + " + ".join(f"({fmt(r.gradient, 4)})" for r in rows)
    + rf" = {fmt(slope, 4)}"
)
st.caption(t("descent_samples_caption", lang))

controls, plot = st.columns([1, 3])
with controls:
    rate = st.slider(t("learning_rate", lang), 0.05, 3.0, 1.0, step=0.05, key="learning_rate")
    steps = st.slider(t("steps_shown", lang), 0, 30, 8, key="steps_shown")
    next_b3 = descend(view.b3, rate, 1)[1].b3
    st.latex(rf"b_3 \leftarrow {view.b3:g} - {rate:g} \cdot ({fmt(slope, 4)}) = {fmt(next_b3, 4)}")
    st.button(
        t("one_step", lang),
        on_click=ui.set_b3,
        args=(next_b3,),
        type="primary",
        width="stretch",
        icon=":material/south_east:",
    )
    end = descend(view.b3, rate, 200)[-1].b3
    st.button(
        t("run_to_end", lang),
        on_click=ui.set_b3,
        args=(end,),
        width="stretch",
        icon=":material/fast_forward:",
    )
    st.button(t("reset_b3", lang), on_click=ui.set_b3, args=(-2.0,), width="stretch", icon=":material/restart_alt:")
path = descend(view.b3, rate, steps)
with plot:
    ui.chart(figures.total_ce_figure(explain.total_curve(), view.b3, total, slope, path, lang))

st.subheader(t("path_title", lang))
st.dataframe(
    [
        {
            t("step", lang): i,
            "b3": f"{s.b3:.4f}",
            t("total_ce", lang): fmt(s.total_ce, 4),
            t("gradient", lang): fmt(s.gradient, 4),
        }
        for i, s in enumerate(path)
    ],
    hide_index=True,
    width="stretch",
    height=min(38 * (len(path) + 1) + 3, 420),
)

st.subheader(t("descent_anim_title", lang))
ui.chart(animation.descent_figure(rate, lang))
st.caption(t("descent_anim_caption", lang))
