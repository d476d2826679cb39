"""The shared view (flower, b3, language) and its round trip through the URL's query string.

Parsing is pure and total: any query string gives a valid View plus the notes to show for the
values it had to replace. Notes never repeat the bad value, so no link text reaches the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from core.data import flower as iris_flower
from core.data import iris
from core.softmax import SPECIES
from core.training import SAMPLES

B3_RANGE = (-5.0, 5.0)
LANGS = ("en", "zh")
TRAINING = tuple(s.species for s in SAMPLES)  # the flower keys of the three training samples
CUSTOM = "custom"
_MAX_LEN = 32


@dataclass(frozen=True)
class View:
    flower: str = "setosa"  # a training sample by species, "iris-N" (1..150), or "custom"
    b3: float = -2.0  # StatQuest part 7 starts gradient descent here
    lang: str = "en"
    petal: float = 0.5  # used by "custom" only
    sepal: float = 0.5
    observed: str = "setosa"  # the species a custom flower is taken to be


@dataclass(frozen=True)
class Note:
    key: str  # an i18n key; its text names the parameter and the default used instead


@dataclass(frozen=True)
class FlowerPoint:
    petal: float
    sepal: float
    observed: str
    key: str


def _first(value) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)[:_MAX_LEN].strip()


def _number(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def normal_flower_key(key: str) -> str | None:
    """The canonical form of a flower key ("Iris-007" -> "iris-7"), or None if it names no flower."""
    key = key.lower()
    if key in TRAINING or key == CUSTOM:
        return key
    prefix, _, number = key.partition("-")
    if prefix == "iris" and number.isascii() and number.isdigit() and 1 <= int(number) <= len(iris()):
        return f"iris-{int(number)}"
    return None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _one_of(allowed):
    return lambda text: text if text in allowed else None


# Each query field: how its text becomes a value, None when it is not a valid one (its note key is
# "note_<field>"). Petal, sepal and observed only count for the custom flower.
FIELDS = {
    "lang": _one_of(LANGS),
    "b3": lambda text: _rounded(_number(text, *B3_RANGE), 6),
    "flower": normal_flower_key,
}
CUSTOM_FIELDS = {
    "petal": lambda text: _rounded(_number(text, 0.0, 1.0), 2),
    "sepal": lambda text: _rounded(_number(text, 0.0, 1.0), 2),
    "observed": _one_of(SPECIES),
}


def parse_query(query: Mapping) -> tuple[View, tuple[Note, ...]]:
    """View from query parameters (str or list of str values); unknown keys are ignored."""
    values, notes = {}, []

    def read(fields: dict) -> None:
        for name, parse in fields.items():
            text = _first(query.get(name))
            if text is None:
                continue
            value = parse(text)
            if value is None:
                notes.append(Note(f"note_{name}"))
            else:
                values[name] = value

    read(FIELDS)
    if values.get("flower") == CUSTOM:
        read(CUSTOM_FIELDS)
    return View(**values), tuple(notes)


def to_query(view: View) -> dict[str, str]:
    """The query parameters that reproduce this view (defaults included, so links are explicit)."""
    b3 = f"{view.b3:.6f}".rstrip("0").rstrip(".")  # all 6 decimals parse_query keeps, no trailing zeros
    query = {"flower": view.flower, "b3": b3, "lang": view.lang}
    if view.flower == CUSTOM:
        query |= {"petal": f"{view.petal:g}", "sepal": f"{view.sepal:g}", "observed": view.observed}
    return query


def flower_point(view: View) -> FlowerPoint:
    """The scaled inputs and the observed species of the view's flower."""
    if view.flower in TRAINING:
        sample = SAMPLES[TRAINING.index(view.flower)]
        return FlowerPoint(sample.petal, sample.sepal, sample.species, view.flower)
    if view.flower == CUSTOM:
        return FlowerPoint(view.petal, view.sepal, view.observed, view.flower)
    f = iris_flower(int(view.flower.partition("-")[2]))
    return FlowerPoint(f.petal, f.sepal, f.species, view.flower)
