"""Entry point: shared sidebar and state, then the page the navigation picks."""

import streamlit as st

import ui
from core.i18n import t

st.set_page_config(page_title="SoftMax + Cross Entropy", page_icon=":material/hub:", layout="wide")

view = ui.sidebar()
st.session_state.current_view = view
PAGES = (
    ("pages/1_network.py", "page_network", "network"),
    ("pages/2_softmax.py", "page_softmax", "softmax"),
    ("pages/3_cross_entropy.py", "page_cross_entropy", "cross-entropy"),
    ("pages/4_chain_rule_se.py", "page_chain_se", "chain-rule-se"),
    ("pages/5_chain_rule_vi.py", "page_chain_vi", "chain-rule-vi-ve"),
    ("pages/6_gradient_descent.py", "page_descent", "gradient-descent"),
    ("pages/9_beyond_b3.py", "page_beyond", "beyond-b3"),
)
pages = [
    st.Page(path, title=t(key, view.lang), url_path=url, default=(i == 0))
    for i, (path, key, url) in enumerate(PAGES)
]
st.navigation(pages, position="sidebar").run()
