"""Entry point: the shared sidebar and view, then the page the navigation picks."""

import streamlit as st

import ui
from core import pages
from ui import classroom

st.session_state.page_sidebar = st.sidebar.container()  # a page's own controls, under the page menu
view = ui.sidebar()
st.session_state.current_view = view
page = ui.navigation(view)
here = page.url_path or pages.ALL[0].name
ui.note_page(here)
classroom.pace_prompt(view, here)
page.run()
