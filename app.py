"""Entry point: the shared sidebar and view, then the page the navigation picks."""

import streamlit as st

import ui

view = ui.sidebar()
st.session_state.current_view = view
ui.navigation(view.lang).run()
