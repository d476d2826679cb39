"""Fisher's Iris data set (150 flowers, public domain), shipped in the package as iris.csv.

Only the two features the network reads are scaled: petal width and sepal width, min-max over the
whole data set (petal width 0.1-2.5 cm, sepal width 2.0-4.4 cm), as StatQuest does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.softmax import SPECIES

CSV_PATH = Path(__file__).with_name("iris.csv")


@dataclass(frozen=True)
class Flower:
    number: int  # 1..150, the row in the data set
    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float
    species: str
    petal: float  # scaled petal width, 0..1
    sepal: float  # scaled sepal width, 0..1


def _scale(value: float, low: float, high: float) -> float:
    return (value - low) / (high - low)


@cache
def iris() -> tuple[Flower, ...]:
    """All 150 flowers, in the data set's order."""
    with CSV_PATH.open(newline="") as f:
        rows = [r for r in csv.reader(f)][1:]  # the header holds counts and class names
    values = [(float(a), float(b), float(c), float(d), SPECIES[int(e)]) for a, b, c, d, e in rows]
    sepal_widths = [v[1] for v in values]
    petal_widths = [v[3] for v in values]
    s_lo, s_hi, p_lo, p_hi = min(sepal_widths), max(sepal_widths), min(petal_widths), max(petal_widths)
    return tuple(
        Flower(i + 1, sl, sw, pl, pw, sp, _scale(pw, p_lo, p_hi), _scale(sw, s_lo, s_hi))
        for i, (sl, sw, pl, pw, sp) in enumerate(values)
    )


def flower(number: int) -> Flower:
    """Flower by its 1-based number; a ValueError outside 1..150."""
    flowers = iris()
    if not 1 <= number <= len(flowers):
        raise ValueError(f"flower number must be between 1 and {len(flowers)}")
    return flowers[number - 1]
