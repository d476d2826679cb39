"""Entry point: the shared sidebar and view, then the page the navigation picks."""

import streamlit as st

import ui
from core import pages
from ui import classroom

lang = ui.start()
page = ui.navigation(lang)
here = page.url_path or pages.ALL[0].name
if here in pages.WITH_SIDEBAR:
    st.session_state.page_sidebar = st.sidebar.container()  # the page's own controls, under the page menu
view = ui.sidebar(page)
st.session_state.current_view = view
ui.note_page(here)
classroom.pace_prompt(view, here)
classroom.waiting(view)
page.run()
