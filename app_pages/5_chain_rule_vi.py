import streamlit as st

import ui
from core import derivation
from core.latex import fmt
from core.view import TABS, flower_for_species
from drawing import explain, slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)

ui.heading(t("page_chain_vi", lang), t("chain_vi_intro", lang))
short = ui.page_control(
    st.segmented_control,
    "tab",
    t("which_ce", lang),
    options=TABS,
    required=True,
    format_func=lambda s: f"CE_{s} → b3",
)
species = {"vi": "virginica", "ve": "versicolor"}[short]
flower = ui.flower_for(species, point, lang)
(tab_graph,) = slides.charts("chain_rule_vi", view)
ui.chart(tab_graph, view)
ui.chain_rule(flower, view.b3, short, lang)

st.subheader(t("slip_title", lang))
virginica = flower if short == "vi" else flower_for_species(point, "virginica")
vi = explain.chain_numbers(virginica.petal, virginica.sepal, view.b3, "vi")
st.error(
    t(
        "slip_text",
        lang,
        wrong=fmt(derivation.evaluate(derivation.seed_slip(), vi.probs), 4),
        right=fmt(vi.product, 4),
        fd=f"{vi.finite_difference:.6f}",
        flower=t(f"short_{virginica.observed}", lang),
    ),
    icon=":material/error:",
)
factors = r"\left(-\frac{1}{P_{vi}}\right) \cdot (-P_{se} P_{vi}) \cdot 1"
general_rule = r"\frac{d\,CE_c}{d\,Raw_k} = P_k - [k = c]"
ui.equations(
    rf"\text{{{t('hand_derivation', lang)}: }} {factors}"
    r" = \textcolor{#D55E00}{-P_{se}}\quad\textcolor{#D55E00}{\boldsymbol{\times}}",
    rf"\text{{{t('correct', lang)}: }} {factors} = +P_{{se}}\quad\textcolor{{#009E73}}{{\checkmark}}",
    below=ui.markdown_text(t("general_rule", lang), ui.equation_text(general_rule)),
)  # fmt: skip
