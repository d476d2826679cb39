"""Math, derivations and figures of the SoftMax + cross-entropy explorer.

Nothing in this package imports streamlit: every function is pure and usable from a notebook.
"""
