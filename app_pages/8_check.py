import streamlit as st

import ui
from drawing.i18n import t
from ui import checking

view, point, lang = ui.current(__file__)

st.title(t("page_check", lang))
st.markdown(t("check_intro", lang))
checking.panel(view, point, lang)
