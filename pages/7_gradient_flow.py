import streamlit as st

import ui
from core import animation, describe, explain
from core.i18n import t
from core.training import d_total_ce_d_b3
from core.view import SOURCES

view, _, lang = ui.current()

st.title(t("page_flow", lang))
st.markdown(t("flow_intro", lang))
source = ui.page_control(
    st.segmented_control,
    "source",
    t("flow_source", lang),
    options=SOURCES,
    required=True,
    format_func=lambda s: t(f"source_{s}", lang),
)
if source == "total":
    gradient = float(d_total_ce_d_b3(view.b3))
    lines = explain.total_gradient_latex(explain.ce_table(view.b3), gradient, lang)
else:
    flower = animation.training_sample(source)
    numbers = explain.chain_numbers(flower.petal, flower.sepal, view.b3, source)
    gradient, lines = numbers.product, explain.chain_product_latex(numbers)
for line in lines:
    st.latex(line)
ui.graph_chart(animation.gradient_flow_figure(view.b3, source, lang), describe.flow_alt(source, gradient, lang))
st.caption(t("flow_caption", lang))
