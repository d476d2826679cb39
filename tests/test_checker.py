"""Page 8's checker: right answers in many forms, the hand derivation's slip named, wrong answers
with the right hint, and untrusted text that can neither run code nor hang the server."""

import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.checker import MAX_LENGTH, SLIPS, TARGETS, Refused, Verdict, check

RIGHT = {
    "se.1": ["-1/P_se", "-(1/P_se)", "-P_se^-1", "(-1)/P_se", "−1/P_se", "-1 / p_se", r"-\frac{1}{P_{se}}", "-P_se⁻¹"],
    "se.2": [
        "P_se*(1-P_se)",
        "P_se(1 - P_se)",
        "P_se - P_se^2",
        "P_se*(P_ve + P_vi)",
        "(1-P_se)P_se",
        "e^se/(e^se+e^ve+e^vi) * (1 - e^se/(e^se+e^ve+e^vi))",
        "exp(se)*(exp(ve)+exp(vi))/(exp(se)+exp(ve)+exp(vi))^2",
        "P_{se}(1 - P_{se})",  # as LaTeX writes a subscript
        "P_se - P_se²",  # a superscript digit
        "Pse(1-Pse)",
        r"P_{se} \cdot \left(1 - P_{se}\right)",
    ],
    "se.3": ["1", "1.0", "2/2", "(P_se+P_ve+P_vi)"],
    "se.result": ["P_se - 1", "-(1 - P_se)", "-P_ve - P_vi", "P_se-1", "(-1/P_se)*P_se*(1-P_se)*1"],
    "vi.1": ["-1/P_vi", "-P_vi**-1"],
    "vi.2": ["-P_se*P_vi", "-P_se P_vi", "-e^se e^vi/(e^se+e^ve+e^vi)^2", "-P_vi*P_se"],
    "vi.3": ["1"],
    "vi.result": [
        "P_se",
        "(-1/P_vi)*(-P_se*P_vi)*1",
        "e^se/(e^se+e^ve+e^vi)",
        "1 - P_ve - P_vi",
        "P_se*1",
        r"\frac{e^{se}}{e^{se}+e^{ve}+e^{vi}}",
        r"-\frac{1}{P_{vi}} \times (-P_{se} P_{vi})",
    ],
    "ve.1": ["-1/P_ve"],
    "ve.2": ["-P_se P_ve", "-P_ve*P_se"],
    "ve.result": ["P_se", "(-1/P_ve)(-P_se P_ve)"],
}


@pytest.mark.parametrize("target, answer", [(t, a) for t, answers in RIGHT.items() for a in answers])
def test_right_answers_in_many_forms_are_accepted(target, answer):
    verdict = check(answer, target)
    assert (verdict.equivalent, verdict.slip) == (True, None)
    for short in ("se", "ve", "vi"):  # the LaTeX names what the student wrote, in the seed's notation
        assert (f"P_{{{short}}}" in verdict.latex) == bool(re.search(rf"p_?{{?{short}", answer.lower()))


def test_every_step_can_be_checked():
    assert set(RIGHT) | {"ve.3"} == set(TARGETS)
    assert check("1", "ve.3").equivalent


def test_the_hand_derivations_slip_is_caught_and_named():
    verdict = check("-P_se", "vi.result")
    assert not verdict.equivalent and verdict.slip == "sign"
    assert verdict.latex == "- P_{se}"


@pytest.mark.parametrize(
    "target, answer, slip",
    [
        ("se.result", "1 - P_se", "sign"),
        ("vi.2", "P_se P_vi", "sign"),
        ("se.1", "1/P_se", "sign"),
        ("vi.result", "2 P_se", "factor"),
        ("vi.result", "P_se P_vi", "factor"),
        ("se.2", "1 - P_se", "factor"),
        ("se.2", "P_se^2 (1 - P_se)", "factor"),
        ("se.1", "-P_se", "reciprocal"),
        ("vi.1", "-P_vi", "reciprocal"),
        ("vi.result", "P_vi", "other"),
        ("se.3", "0", "other"),
        ("vi.1", "-1/P_se", "other"),
        ("se.result", "log(P_se)", "other"),
        ("vi.result", "1/0", "other"),
    ],
)
def test_wrong_answers_get_the_right_hint(target, answer, slip):
    verdict = check(answer, target)
    assert not verdict.equivalent and verdict.slip == slip


def test_every_kind_of_slip_has_a_wrong_answer_above():
    cases = test_wrong_answers_get_the_right_hint.pytestmark[0].args[1]
    assert {slip for _, _, slip in cases} == set(SLIPS)


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "exec(\"open('{marker}','w')\")",
    "eval('1')",
    "lambda: open('{marker}', 'w')",
    "().__class__.__bases__[0].__subclasses__()",
    "P_se.__class__",
    "'{marker}'",
    '"quoted"',
    "P_se; import os",
    "globals()",
    "sympify('x')",
    "__builtins__",
    "9**9**9**9",
    "10^10^10",
    "2^1000",
    "e^e^e^e",
    "(" * 5000 + "1" + ")" * 5000,
    "-" * 100000 + "1",
    "1" * 1_000_000,
    "P_se+" * 200_000 + "1",
    "99999999999999999999",
    "100!",
    "factorial(100000)",
    "P_se\u200b",
    "Ｐ_se",
    "P_se\x00",
    "\ud800",
    "𝑃_se",
    "P_sé",
    "1e309",
    "",
    "   ",
]


def run_bounded(answer: str, target: str, seconds: float = 5.0):
    """Check in a thread; the bound is a hang detector, generous enough for any machine."""
    outcome = {}

    def work():
        try:
            outcome["verdict"] = check(answer, target)
        except Refused as refused:
            outcome["refused"] = refused
        except Exception as error:  # noqa: BLE001 - anything else escaping is the failure we test for
            outcome["error"] = error

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"check did not return within {seconds} s"
    assert "error" not in outcome, repr(outcome.get("error"))
    return outcome


@pytest.mark.parametrize("template", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_or_answered_in_bounded_time_and_runs_nothing(template, tmp_path):
    marker = tmp_path / "marker"
    answer = template.replace("{marker}", str(marker))
    outcome = run_bounded(answer, "vi.result")
    assert not marker.exists(), "nothing the input said was executed"
    if "refused" in outcome:
        assert str(outcome["refused"]) and outcome["refused"].key
    else:
        assert outcome["verdict"].equivalent is False
    # the process still answers: an answer never checked before (check caches what it has seen)
    fresh = f"P_se * {len(answer) + 7} / {len(answer) + 7}"
    assert check(fresh, "vi.result").equivalent, "the process still answers"


def test_refusals_are_value_errors_with_a_reason():
    with pytest.raises(ValueError, match=str(MAX_LENGTH)):
        check("1" * (MAX_LENGTH + 1), "se.1")
    with pytest.raises(Refused) as refused:
        check("P_se", "se.4")
    assert refused.value.key == "target"


@pytest.mark.parametrize(
    "answer, character, instead",
    [
        ("P_se(1 - P_se) = 0.13", "`=` (U+003D EQUALS SIGN)", "equals"),
        ("0,5 P_se", "`,` (U+002C COMMA)", "comma"),
        ("[1 - P_se]", "`[` (U+005B LEFT SQUARE BRACKET)", "brackets"),
        ("√P_se", "`√` (U+221A SQUARE ROOT)", "root"),
        (r"\sqrt{P_se}", "`\\` (U+005C REVERSE SOLIDUS)", "latex"),
        ("P_se`", "(U+0060 GRAVE ACCENT)", "any"),  # a backtick would end the message's code span
        ("P_se\u200b", "(U+200B ZERO WIDTH SPACE)", "any"),  # unprintable: named, not shown
    ],
)
def test_a_refused_character_is_named_with_what_works_instead(answer, character, instead):
    with pytest.raises(Refused) as refused:
        check(answer, "se.2")
    assert (refused.value.key, refused.value.values) == ("character", {"character": character, "instead": instead})


def test_latex_fractions_need_their_two_groups():
    for answer in (r"\frac12", r"\frac{1}", r"\frac{1}P_se"):
        with pytest.raises(Refused) as refused:
            check(answer, "se.1")
        assert refused.value.key == "syntax"


def test_the_checker_never_calls_eval_or_sympify_on_the_text():
    source = Path(__file__).parents[1].joinpath("core", "checker.py").read_text()
    for forbidden in ("eval(", "exec(", "sympify", "parse_expr", "lambdify"):
        assert forbidden not in source


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(TARGETS))
def test_random_text_never_raises_anything_but_a_refusal(text, target):
    try:
        verdict = check(text, target)
    except Refused:
        return
    assert isinstance(verdict, Verdict) and isinstance(verdict.latex, str)


formula_parts = st.sampled_from(["P_se", "P_ve", "P_vi", "1", "2", "e^se", "exp(vi)", "log(P_ve)", "(", ")"])
operators = st.sampled_from(["+", "-", "*", "/", "^", " ", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(formula_parts, operators), max_size=40), st.sampled_from(TARGETS))
def test_random_formula_like_text_never_raises_anything_but_a_refusal(parts, target):
    text = "".join(a + b for a, b in parts)
    try:
        check(text, target)
    except Refused:
        pass
