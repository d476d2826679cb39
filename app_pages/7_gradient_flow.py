import streamlit as st

import ui
from core.view import SOURCES
from drawing import slides
from drawing.i18n import t

view, _, lang = ui.current(__file__)

ui.heading(t("page_flow", lang), t("flow_intro", lang))
ui.page_control(
    st.segmented_control,
    "source",
    t("flow_source", lang),
    options=SOURCES,
    required=True,
    format_func=lambda s: t(f"source_{s}", lang),
)
ui.equations(*slides.equations("gradient_flow", view))
(flow,) = slides.charts("gradient_flow", view)
ui.chart(flow, view)
st.caption(t("flow_caption", lang))
