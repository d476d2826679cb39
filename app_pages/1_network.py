import streamlit as st

import ui
from core.network import Params, forward
from drawing import explain, graph, slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)
params = Params(b3=view.b3)
fwd = forward(point.petal, point.sepal, params)
values = graph.node_values(fwd, point.observed, params)

ui.equations(
    *slides.equations("network", view), above=ui.heading_text(t("page_network", lang), t("network_intro", lang))
)
network_graph, surfaces, green = slides.charts("network", view)
ui.chart(network_graph, view)
names = (t("node_top", lang), t("node_bottom", lang))
ui.equations(
    *explain.hidden_latex(point.petal, point.sepal, params, names),
    explain.outputs_latex(values, graph.observed_short(point.observed)),
    below=ui.heading_text(t("surfaces_title", lang), t("surfaces_intro", lang), level=3),
)


def three_d(surfaces, green, view) -> None:
    """The 3D surfaces; green apart, so a b3 change redraws its one 3D scene. A scene's size follows
    the chart's height, so green's column is as wide as one of the pair's scenes with its own margins."""
    inputs, output = st.columns([2, 1.15], gap="small")
    with inputs:
        ui.chart(surfaces, view)
    with output:
        ui.chart(green, view)


if ui.arrived():  # opening the page: its three WebGL scenes held the rest back by 2 s, so they wait
    st.container(height=slides.figure_height(surfaces.figure), border=False)  # their room, kept
    ui.report_paint(f"{view.flower}:{view.b3}:{lang}")
else:
    ui.pause_for_first_paint()  # the graph and numbers are drawn before green's surface, not with it
    three_d(surfaces, green, view)
