import streamlit as st

import ui
from core import figures, graph
from core.i18n import t
from core.network import Params, forward

view, point, lang = ui.current()
params = Params(b3=view.b3)
values = graph.node_values(forward(point.petal, point.sepal, params), "setosa", params)

st.title(t("page_chain_se", lang))
st.markdown(t("chain_se_intro", lang))
st.latex(
    r"CE_{se} = -\log(P_{se}),\quad P_{se} = \frac{e^{Raw_{se}}}{e^{Raw_{se}} + e^{Raw_{ve}} + e^{Raw_{vi}}},"
    r"\quad Raw_{se} = \text{green} = \text{blue} + \text{orange} + b_3"
)
ui.chart(figures.graph_figure(values, "setosa", lang, highlight="se"))
ui.chain_rule(point, view.b3, "se", lang)
