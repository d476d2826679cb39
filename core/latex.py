"""Numbers as the app writes them, in text and in LaTeX."""

from __future__ import annotations

import numpy as np


def fmt(value: float, digits: int = 3) -> str:
    """`digits` decimals, and never "-0.000"."""
    text = f"{value:.{digits}f}"
    return "0." + "0" * digits if text == "-0." + "0" * digits else text


def pmatrix(values, digits: int = 4) -> str:
    """LaTeX matrix of numbers, bracketed like sympy's (a 1-D array becomes a column)."""
    rows = np.atleast_2d(np.asarray(values, float))
    rows = rows.T if rows.shape[0] == 1 else rows
    body = r"\\".join(" & ".join(fmt(v, digits) for v in row) for row in rows)
    return rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]"
