"""Entry point: the shared sidebar and view, then the page the navigation picks."""

import streamlit as st

import ui
from core import pages
from ui import classroom

links = st.sidebar.container()  # the page links go first in the sidebar, drawn once the view is known
st.session_state.page_sidebar = st.sidebar.container()  # a page's own controls, right under the links
view = ui.sidebar()
st.session_state.current_view = view
page = ui.navigation(view, links)
here = page.url_path or pages.ALL[0].name
ui.note_page(here)
classroom.pace_prompt(view, here)
page.run()
