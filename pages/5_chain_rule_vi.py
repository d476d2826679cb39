import streamlit as st

import ui
from core import derivation, explain, figures, graph
from core.figures import fmt
from core.i18n import t
from core.network import Params, forward

view, point, lang = ui.current()
params = Params(b3=view.b3)
fwd = forward(point.petal, point.sepal, params)

st.title(t("page_chain_vi", lang))
st.markdown(t("chain_vi_intro", lang))
vi_tab, ve_tab = st.tabs(["CE_vi → b3", "CE_ve → b3"])
for tab, short in ((vi_tab, "vi"), (ve_tab, "ve")):
    with tab:
        values = graph.node_values(fwd, short, params)
        ui.chart(figures.graph_figure(values, short, lang, highlight=short))
        ui.chain_rule(point, view.b3, short, lang)

st.subheader(t("slip_title", lang))
vi = explain.chain_numbers(point.petal, point.sepal, view.b3, "vi")
st.error(
    t(
        "slip_text",
        lang,
        wrong=fmt(derivation.evaluate(derivation.seed_slip(), vi.probs), 4),
        right=fmt(vi.product, 4),
        fd=f"{vi.finite_difference:.6f}",
    ),
    icon=":material/error:",
)
st.latex(
    r"\text{seed: } \left(-\frac{1}{P_{vi}}\right) \cdot (-P_{se} P_{vi}) \cdot 1 = \textcolor{#D55E00}{-P_{se}}"
    r"\quad\text{✗}\qquad"
    r"\left(-\frac{1}{P_{vi}}\right) \cdot (-P_{se} P_{vi}) \cdot 1 = +P_{se}\quad\text{✓}"
)
st.markdown(t("general_rule", lang))
st.latex(r"\frac{d\,CE_c}{d\,Raw_k} = P_k - [k = c]")
