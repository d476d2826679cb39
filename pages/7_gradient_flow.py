import streamlit as st

import ui
from core import animation
from core.i18n import t

view, _, lang = ui.current()

st.title(t("page_flow", lang))
st.markdown(t("flow_intro", lang))
source = st.segmented_control(
    t("flow_source", lang),
    animation.SOURCES,
    default="total",
    key="flow_source",
    required=True,
    format_func=lambda s: t(f"source_{s}", lang),
)
ui.chart(animation.gradient_flow_figure(view.b3, source, lang))
st.caption(t("flow_caption", lang))
