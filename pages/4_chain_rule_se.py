import streamlit as st

import ui
from core import describe, figures, graph
from core.i18n import t
from core.network import Params, forward

view, point, lang = ui.current()
st.title(t("page_chain_se", lang))
flower = ui.flower_for("setosa", point, lang)
params = Params(b3=view.b3)
values = graph.node_values(forward(flower.petal, flower.sepal, params), "setosa", params)

st.markdown(t("chain_se_intro", lang))
st.latex(r"CE_{se} = -\log(P_{se})")
st.latex(r"P_{se} = \frac{e^{Raw_{se}}}{e^{Raw_{se}} + e^{Raw_{ve}} + e^{Raw_{vi}}}")
st.latex(r"Raw_{se} = \text{green} = \text{blue} + \text{orange} + b_3")
ui.graph_chart(figures.graph_figure(values, "setosa", lang, highlight="se"), describe.graph_alt(values, "se", lang))
ui.chain_rule(flower, view.b3, "se", lang)
