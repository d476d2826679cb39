"""What a student sees of core's numbers: plotly figures, the LaTeX and sentences beside them, in
English and Chinese, and the slides made of both.

Imports core and plotly, never streamlit: every function is pure and usable from a notebook.
"""
