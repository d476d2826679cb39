"""Page 8's judge: is a student's formula for one step of the chain rule right, and if not, what is off?

The answer is untrusted text. It never reaches eval, exec or sympy's parsers: a tokenizer with a
whitelist of names turns it into a small tree, which is bounded before anything is computed
(length, nesting, size, digits, exponents, no exponent towers). The tree is then evaluated in plain
floats at a few points of the probability simplex and compared with sympy's derivation (trusted),
so every check takes a bounded, tiny amount of work. sympy only prints the tree (unevaluated) as
LaTeX, to show what was understood.

    check("-P_se", "vi.result")  ->  Verdict(equivalent=False, slip="sign", latex="- P_{se}")
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import sympy as sp

from core import derivation
from core.network import SHORT
from core.softmax import softmax

MAX_LENGTH = 200  # characters
MAX_DEPTH = 12  # nested brackets, powers and functions
MAX_NODES = 60  # numbers, names and operations in the tree
MAX_DIGITS = 8  # in one number
MAX_EXPONENT = 10  # |n| in x^n, for a number n
STEPS = ("1", "2", "3", "result")
TARGETS = tuple(f"{c}.{k}" for c in SHORT for k in STEPS)
SLIPS = ("sign", "factor", "reciprocal", "other")


class Refused(ValueError):
    """An input the checker will not judge; `key` names the reason for translation (i18n `refused_<key>`),
    `values` fill its placeholders (never the student's text, but a character it names)."""

    def __init__(self, key: str, message: str, **values: str):
        super().__init__(message)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Verdict:
    equivalent: bool
    slip: str | None  # None when right, else one of SLIPS
    latex: str  # the answer as the checker understood it


# Names a student may use, in any case: the seed's probabilities, raw values and functions; the
# subscript's underscore may be left out (Pse) or the subscript braced as in LaTeX (P_{se}).
NAMES = {
    **{f"p_{s}": ("p", s) for s in SHORT},
    **{f"p{s}": ("p", s) for s in SHORT},
    **{f"raw_{s}": ("raw", s) for s in SHORT},
    **{f"raw{s}": ("raw", s) for s in SHORT},
    **{s: ("raw", s) for s in SHORT},  # e^se: the exponential of Raw_se, as the seed writes it
    "e": ("e", None),
    "exp": ("fn", "exp"),
    "log": ("fn", "log"),
    "ln": ("fn", "log"),
}
_TOKEN = re.compile(
    r"\s+|(\d+\.?\d*|\.\d+)|([A-Za-z_][A-Za-z_0-9]*(?<=_)\{[A-Za-z]+\}|[A-Za-z_][A-Za-z_0-9]*)"
    r"|(\*\*|[-+*/^(){}·×−]|\\(?:cdot|times|frac|left|right|ln|log|exp)(?![A-Za-z]))"
)
_OPERATORS = {"**": "^", "·": "*", "×": "*", "−": "-", "{": "(", "}": ")", "\\cdot": "*", "\\times": "*"}
_LATEX_NAMES = {"\\ln": "ln", "\\log": "log", "\\exp": "exp"}
_SUPERSCRIPT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# What to write instead of a character the checker does not read (i18n `refused_instead_<key>`).
INSTEAD = {"=": "equals", ",": "comma", "[": "brackets", "]": "brackets", "√": "root", "\\": "latex", "÷": "divide"}


def _named(character: str) -> str:
    """A character as a message may show it: itself in code, and its code point and Unicode name."""
    shown = f"`{character}` " if character.isprintable() and character != "`" else ""
    return f"{shown}(U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')})"


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise Refused("length", f"The answer is longer than {MAX_LENGTH} characters.")
    text = _SUPERSCRIPT.sub(lambda m: f"^({m.group().translate(_FROM_SUPERSCRIPT)})", text)  # P_se² = P_se^(2)
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            character = text[position]
            raise Refused("character", "The answer has a character that is not part of a formula.",
                          character=_named(character), instead=INSTEAD.get(character, "any"))  # fmt: skip
        number, name, operator = match.groups()
        if number:
            if len(number.replace(".", "")) > MAX_DIGITS:
                raise Refused("number", f"Numbers may have at most {MAX_DIGITS} digits.")
            tokens.append(("num", number))
        elif name:
            name = name.replace("{", "").replace("}", "").lower()
            if name not in NAMES:
                raise Refused("name", "The answer uses a name that is not P_se, P_ve, P_vi, e, exp or log.")
            tokens.append(("name", name))
        elif operator in _LATEX_NAMES:
            tokens.append(("name", _LATEX_NAMES[operator]))
        elif operator in ("\\left", "\\right"):
            pass  # \left( and \right) are brackets
        elif operator:
            tokens.append(("op", _OPERATORS.get(operator, operator)))
        position = match.end()
    if not tokens:
        raise Refused("empty", "Type a formula.")
    return tokens


class _Parser:
    """Recursive descent: sum > product (with implicit multiplication) > unary minus > power > atom."""

    def __init__(self, tokens):
        self.tokens, self.i, self.depth, self.nodes = tokens, 0, 0, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def node(self, tree):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused("size", "The formula is too long to check.")
        return tree

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused("depth", "The formula is nested too deeply.")

    def parse(self):
        tree = self.sum()
        if self.peek() != (None, None):
            raise Refused("syntax", "The formula is not complete or has something extra.")
        return tree

    def sum(self):
        tree = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            operator = self.take()[1]
            tree = self.node((operator, tree, self.product()))
        return tree

    def product(self):
        tree = self.unary()
        while True:
            kind, value = self.peek()
            if (kind, value) in (("op", "*"), ("op", "/")):
                self.take()
                tree = self.node((value, tree, self.unary()))
            elif kind in ("num", "name") or (kind, value) == ("op", "("):
                tree = self.node(("*", tree, self.power()))  # implicit: 2P_se, P_se(1 - P_se)
            else:
                return tree

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            self.nested()
            tree = self.node(("neg", self.unary()))
            self.depth -= 1
            return tree
        if self.peek() == ("op", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() != ("op", "^"):
            return base
        self.take()
        self.nested()
        exponent = self.unary()
        self.depth -= 1
        if _has_power(exponent):
            raise Refused("tower", "Exponent towers such as a^b^c are not checked.")
        if base == ("e",):
            return self.node(("exp", exponent))
        if exponent[0] != "num" and not (exponent[0] == "neg" and exponent[1][0] == "num"):
            raise Refused("exponent", "Only e may be raised to a formula; other powers need a plain number.")
        if abs(_evaluate(exponent, {})) > MAX_EXPONENT:
            raise Refused("exponent", f"Exponents may be at most {MAX_EXPONENT}.")
        return self.node(("^", base, exponent))

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return self.node(("num", float(value)))
        if kind == "name":
            role, detail = NAMES[value]
            if role == "fn":
                if self.peek() != ("op", "("):
                    raise Refused("syntax", "A function needs brackets: exp(...), log(...).")
                self.nested()
                tree = self.node((detail, self.atom()))
                self.depth -= 1
                return tree
            if role == "e":
                return ("e",)
            return self.node((role, detail))
        if (kind, value) == ("op", "("):
            return self.bracketed()
        if (kind, value) == ("op", "\\frac"):  # \frac{a}{b}: its braces are brackets
            if self.peek() != ("op", "("):
                raise Refused("syntax", "\\frac needs two groups: \\frac{a}{b}.")
            self.take()
            numerator = self.bracketed()
            if self.take() != ("op", "("):
                raise Refused("syntax", "\\frac needs two groups: \\frac{a}{b}.")
            return self.node(("/", numerator, self.bracketed()))
        raise Refused("syntax", "The formula is not complete or has something extra.")

    def bracketed(self):
        """What follows an opening bracket, up to its closing one."""
        self.nested()
        tree = self.sum()
        self.depth -= 1
        if self.take() != ("op", ")"):
            raise Refused("syntax", "A bracket is not closed.")
        return tree


def _has_power(tree) -> bool:
    return tree[0] in ("^", "exp") or any(isinstance(t, tuple) and _has_power(t) for t in tree[1:])


def parse(text: str):
    """The answer as a small tree of tuples, or Refused."""
    return _Parser(_tokens(str(text).strip())).parse()


def _evaluate(tree, point: dict) -> float:
    """The tree's value in floats; nan where it is undefined (log of 0, 1/0, overflow)."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "e":
        return math.e
    if kind in ("p", "raw"):
        return point[tree]
    if kind == "neg":
        return -_evaluate(tree[1], point)
    if kind in ("exp", "log"):
        x = _evaluate(tree[1], point)
        if kind == "exp":
            return math.exp(x) if x < 700 else math.inf
        return math.log(x) if x > 0 else math.nan
    a, b = _evaluate(tree[1], point), _evaluate(tree[2], point)
    try:
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        if kind == "/":
            return a / b
        value = a**b
        return value if isinstance(value, float) else math.nan  # a negative base to a fraction
    except (ZeroDivisionError, OverflowError):
        return math.nan


def _sympy(tree) -> sp.Expr:
    """The tree as an unevaluated sympy expression, for its LaTeX."""
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        return sp.Integer(int(value)) if value == int(value) else sp.Float(value, 8)
    if kind == "e":
        return sp.E
    if kind == "p":
        return derivation.P[SHORT.index(tree[1])]
    if kind == "raw":
        return derivation.RAW[SHORT.index(tree[1])]
    if kind == "neg":
        inner = _sympy(tree[1])
        return -inner if inner.is_Number else sp.Mul(-1, inner, evaluate=False)
    if kind == "exp":
        return sp.exp(_sympy(tree[1]), evaluate=False)
    if kind == "log":
        return sp.log(_sympy(tree[1]), evaluate=False)
    a, b = _sympy(tree[1]), _sympy(tree[2])
    terms = a.args if a.is_Add else (a,)  # a + b + c, not (a + b) + c
    if kind == "+":
        return sp.Add(*terms, b, evaluate=False)
    if kind == "-":
        return sp.Add(*terms, sp.Mul(-1, b, evaluate=False), evaluate=False)
    if kind == "*":
        return sp.Mul(*(a.args if a.is_Mul else (a,)), b, evaluate=False)
    if kind == "/":
        reciprocal = sp.Pow(b, -1, evaluate=False)
        if a == 1:
            return reciprocal
        if a.is_Number and a < 0:
            return sp.Mul(-1, sp.Mul(-a, reciprocal, evaluate=False), evaluate=False) if a != -1 else -reciprocal
        return sp.Mul(a, reciprocal, evaluate=False)
    return sp.Pow(a, b, evaluate=False)


def _points(count: int = 7) -> list[dict]:
    """Raw values and their SoftMax probabilities at fixed, generic points."""
    raws = np.random.default_rng(2021_05_09).uniform(-2.0, 2.0, size=(count, 3))
    points = []
    for raw in raws:
        probs = softmax(raw)
        point = {("raw", s): float(r) for s, r in zip(SHORT, raw, strict=True)}
        point |= {("p", s): float(p) for s, p in zip(SHORT, probs, strict=True)}
        points.append(point)
    return points


POINTS = _points()


def target_step(target: str) -> derivation.Factor:
    """The step of the chain rule a target names ("vi.2": CE_vi's factor ②): its label and its
    right answer, from sympy's derivation."""
    if target not in TARGETS:
        raise Refused("target", f"The step must be one of {', '.join(TARGETS)}.")
    observed, _, step = target.partition(".")
    rule = derivation.chain_rule(observed)
    return rule.result if step == "result" else rule.factors[int(step) - 1]


@cache
def _target_values(target: str) -> np.ndarray:
    step = target_step(target)
    return np.array([step.value([p[("p", s)] for s in SHORT]) for p in POINTS])


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _slip(answer: np.ndarray, right: np.ndarray) -> str:
    if not np.all(np.isfinite(answer)):
        return "other"
    if _close(answer, -right):
        return "sign"
    if np.all(right != 0) and _close(answer, 1 / right):
        return "reciprocal"
    if np.all(right != 0) and np.all(answer != 0):
        ratio = answer / right
        if _close(ratio, np.full_like(ratio, ratio[0])) and abs(abs(ratio[0]) - 1) > 1e-9:
            return "factor"  # off by a constant
        for s in SHORT:
            p = np.array([point[("p", s)] for point in POINTS])
            for factor in (p, 1 / p, 1 - p, 1 / (1 - p)):
                if _close(np.abs(ratio), factor):
                    return "factor"
    return "other"


@lru_cache(maxsize=1024)
def check(answer: str, target: str) -> Verdict:
    """Judge a student's formula for `target` (se.1 ... vi.result); Refused if it will not judge it.
    Kept per answer: page 8 shows the verdict again at every rerun, and sympy writes its LaTeX."""
    right = _target_values(str(target))
    tree = parse(answer)
    values = np.array([_evaluate(tree, point) for point in POINTS])
    latex = sp.latex(_sympy(tree))
    if _close(values, right):
        return Verdict(True, None, latex)
    return Verdict(False, _slip(values, right), latex)
