"""The shared view (flower, b3, language) and its round trip through the URL's query string.

Parsing is pure and total: any query string gives a valid View plus the notes to show for the
values it had to replace. Notes never repeat the bad value, so no link text reaches the page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.data import flower as iris_flower
from core.data import iris
from core.softmax import SPECIES
from core.training import SAMPLES

B3_RANGE = (-5.0, 5.0)
RATE_RANGE = (0.05, 3.0)  # page 6's learning rate
STEPS_RANGE = (0, 30)  # page 6's steps of descent shown
SHIFT_RANGE = (-1000.0, 1000.0)  # page 2's shared shift c
SOURCES = ("se", "vi", "ve", "total")  # page 7: where the gradient starts
TABS = ("vi", "ve")  # page 5: which CE is derived
LANGS = ("en", "zh")
TRAINING = tuple(s.species for s in SAMPLES)  # the flower keys of the three training samples
CUSTOM = "custom"
_MAX_LEN = 32
# A class's join code: six letters and digits, without 0/O and 1/I/L, read aloud and typed from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
# A class link's ticket (the link's `join`): hex of an HMAC of the code, which lets its holder join unthrottled.
TICKET_LENGTH = 20
TICKET_PATTERN = re.compile(f"[0-9a-f]{{{TICKET_LENGTH}}}")


@dataclass(frozen=True)
class View:
    flower: str = "setosa"  # a training sample by species, "iris-N" (1..150), or "custom"
    b3: float = -2.0  # StatQuest part 7 starts gradient descent here
    lang: str = "en"
    petal: float = 0.5  # used by "custom" only
    sepal: float = 0.5
    observed: str = "setosa"  # the species a custom flower is taken to be
    # each page's own controls
    rate: float = 1.0  # page 6
    steps: int = 8  # page 6
    shift: float = 0.0  # page 2
    source: str = "total"  # page 7
    tab: str = "vi"  # page 5
    present: bool = False  # presentation mode: the page as a 16:9 slide for a projector
    class_code: str = ""  # the class a student is in (the link's `class`), "" for none
    class_ticket: str = ""  # the class link's ticket (its `join`), "" for none
    phone: bool = False  # drawn for a phone's narrow screen: the browser's, never in a link


DEFAULT = View()


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
    return None if value is None else round(value, digits) + 0.0  # + 0.0: no -0


def normal_code(text: str | None) -> str | None:
    """A join code as typed or linked ("k7q2px", "K7Q 2PX", "k7q-2px") in its canonical form, or
    None if it cannot be one."""
    typed = unicodedata.normalize("NFKC", (text or "")[:_MAX_LEN])  # a Chinese keyboard's full-width Ｋ７Ｑ too
    code = re.sub(r"[\s\-\u2010-\u2015\u2212\u30fc]", "", typed).upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def normal_ticket(text: str | None) -> str | None:
    ticket = (text or "")[:_MAX_LEN].strip().lower()
    return ticket if TICKET_PATTERN.fullmatch(ticket) else None


def _one_of(allowed):
    return lambda text: text.lower() if text.lower() in allowed else None


FLAGS = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}


def _flag(text: str) -> bool | None:
    return FLAGS.get(text.lower())


def _integer(text: str, low: int, high: int) -> int | None:
    value = _number(text, low, high)
    return int(value) if value is not None and value == int(value) else None


# Each query field: how its text becomes a value, None when it is not a valid one (its note key is
# "note_<field>"). Petal, sepal and observed only count for the custom flower.
FIELDS = {
    "lang": _one_of(LANGS),
    "b3": lambda text: _rounded(_number(text, *B3_RANGE), 6),
    "flower": normal_flower_key,
    "rate": lambda text: _rounded(_number(text, *RATE_RANGE), 2),
    "steps": lambda text: _integer(text, *STEPS_RANGE),
    "shift": lambda text: _rounded(_number(text, *SHIFT_RANGE), 1),
    "source": _one_of(SOURCES),
    "tab": _one_of(TABS),
    "present": _flag,
    "class_code": normal_code,  # its query name is `class`
    "class_ticket": normal_ticket,  # its query name is `join`
}
QUERY_NAMES = {"class_code": "class", "class_ticket": "join"}
PAGE_CONTROLS = ("rate", "steps", "shift", "source", "tab")  # in a link only when not the default
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
            text = _first(query.get(QUERY_NAMES.get(name, name)))
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
    if _first(query.get("notfound")) is not None:  # set by server.py for an address that is no page
        notes.append(Note("note_page"))
    return View(**values), tuple(notes)


def with_values(view: View, **values) -> View:
    """`view` with each of `values` (a widget's, say) that is valid as it would be in a link: its
    text is parsed as a query's would be, and a value that is not valid keeps the view's."""
    accepted = {}
    for name, value in values.items():
        parse = FIELDS.get(name) or CUSTOM_FIELDS.get(name)
        text = _first(value)
        parsed = parse(text) if parse and text is not None else None
        if parsed is not None:
            accepted[name] = parsed
    return replace(view, **accepted)


def decimal(value: float) -> str:
    """All 6 decimals parse_query keeps, without trailing zeros; never "-0"."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def to_query(view: View) -> dict[str, str]:
    """The query parameters that reproduce this view: the shared view always (links are explicit),
    a page's own controls when they differ from their defaults."""
    query = {"flower": view.flower, "b3": decimal(view.b3), "lang": view.lang}
    if view.flower == CUSTOM:
        query |= {"petal": f"{view.petal:g}", "sepal": f"{view.sepal:g}", "observed": view.observed}
    for name in PAGE_CONTROLS:
        value = getattr(view, name)
        if value != getattr(DEFAULT, name):
            query[name] = decimal(value) if isinstance(value, float) else str(value)
    if view.present:
        query["present"] = "1"
    if view.class_code:
        query["class"] = view.class_code
        if view.class_ticket:
            query["join"] = view.class_ticket
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


def training_point(species: str) -> FlowerPoint:
    """The training flower observed as `species`."""
    return flower_point(View(flower=species))


def flower_for_species(point: FlowerPoint, species: str) -> FlowerPoint:
    """The flower a page deriving CE_species uses: the chosen one when it is observed as that
    species, else the training flower of that species (the page says so; it never relabels)."""
    return point if point.observed == species else training_point(species)
