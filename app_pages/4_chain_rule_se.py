import ui
from drawing import slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)
ui.heading(t("page_chain_se", lang), t("chain_se_intro", lang))
flower = ui.flower_for("setosa", point, lang)
ui.equations(
    r"CE_{se} = -\log(P_{se})",
    r"P_{se} = \frac{e^{Raw_{se}}}{e^{Raw_{se}} + e^{Raw_{ve}} + e^{Raw_{vi}}}",
    r"Raw_{se} = \text{green} = \text{blue} + \text{orange} + b_3",
)
(se_graph,) = slides.charts("chain_rule_se", view)
ui.chart(se_graph, view)
ui.chain_rule(flower, view.b3, "se", lang)
