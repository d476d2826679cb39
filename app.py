"""Entry point: the shared sidebar and view, then the page the navigation picks."""

import streamlit as st

import ui

st.set_page_config(page_title="SoftMax + Cross Entropy", page_icon="🌸", layout="wide")

view = ui.sidebar()
st.session_state.current_view = view
ui.navigation(view.lang).run()
