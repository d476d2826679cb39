import streamlit as st

import ui
from core.latex import fmt
from core.network import Params, forward
from core.softmax import cross_entropy
from core.training import total_ce
from drawing import explain, slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)
rows = explain.ce_table(view.b3)

ui.equations(
    *explain.cross_entropy_latex(point.observed, lang),
    above=ui.heading_text(t("page_cross_entropy", lang), t("ce_intro", lang)),
)
ui.table(
    [
        {
            t("species", lang): t(f"species_{r.species}", lang),
            t("petal", lang): f"{r.petal:.2f}",
            t("sepal", lang): f"{r.sepal:.2f}",
            t("p_observed", lang): fmt(r.predicted, 4),
            "CE = -log(p)": fmt(r.ce, 4),
        }
        for r in rows
    ],
    above=ui.heading_text(t("ce_table_title", lang, b3=f"{view.b3:g}"), level=3),
    below=ui.equation_text(explain.total_ce_latex(rows, float(total_ce(view.b3)), lang)),
)
fwd = forward(point.petal, point.sepal, Params(b3=view.b3))
st.metric(
    t("ce_this_flower", lang, species=t(f"species_{point.observed}", lang)),
    fmt(float(cross_entropy(fwd.raw, point.observed)), 4),
)
(neg_log,) = slides.charts("cross_entropy", view)
ui.chart(neg_log, view)
st.caption(t("neg_log_caption", lang))
