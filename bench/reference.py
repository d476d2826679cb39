"""The reference pages the benchmarks measure the app against, served with the app's own config:

streamlit run bench/reference.py        (from the repository's root, so .streamlit/ applies)

?page=empty              an empty page: Streamlit's own cost of a rerun
?page=floor&bytes=N      one cached plotly figure whose JSON is about N bytes: the
                         serialization floor, what sending a figure of that size must cost
     &elements=K         and K short lines of text besides: what Streamlit's own cost of
                         that many elements adds (a page's sidebar, links and equations)
?page=slider             a b3 slider and its value as text: the browser bench's empty page
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st


@st.cache_resource(max_entries=64)
def figure_of_size(size: int) -> go.Figure:
    """A line chart whose figure JSON is within a few hundred bytes of `size`."""
    points = 16
    while True:
        xs = [i / points for i in range(points)]
        figure = go.Figure(go.Scatter(x=xs, y=[math.sin(7.3 * x) for x in xs], mode="lines"))
        length = len(figure.to_json())
        if length >= size or points > 1_000_000:
            return figure
        points = max(points + 1, int(points * size / length))


page = st.query_params.get("page", "empty")
if page == "floor":
    size = min(max(int(st.query_params.get("bytes", "1000")), 100), 2_000_000)
    st.plotly_chart(figure_of_size(size - size % 100))
    for line in range(min(max(int(st.query_params.get("elements", "0")), 0), 200)):
        st.markdown(f"line {line}")
elif page == "slider":
    value = st.slider("b3", -3.0, 3.0, -2.0, step=0.01, key="b3")
    st.markdown(f"b3 = {value:.2f}")
