"""Page 8 as a student meets it: a right, a wrong and a malicious answer, in both languages."""

import pytest

from drawing.i18n import TEXT
from tests.test_app import latex_text, open_app

LANG = {"en": 0, "zh": 1}


def page(lang: str):
    return open_app(lang=lang, b3="-2").switch_page("app_pages/8_check.py").run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_right_answer_gets_its_value_for_the_flower(lang):
    at = page(lang)
    at.text_input(key="check_answer").input("P_se*(1 - P_se)")
    at.button_group(key="check_step").set_value("2").run()
    assert not at.exception
    flower = TEXT["short_setosa"][LANG[lang]]
    expected = TEXT["check_right"][LANG[lang]].format(flower=flower, value="0.1281")
    assert [s.value for s in at.success] == [expected]
    assert r"P_{se} \left(1 - P_{se}\right)" in latex_text(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_hand_derivations_slip_gets_the_sign_hint(lang):
    at = page(lang)
    example = TEXT["check_example"][LANG[lang]]
    assert example not in [b.label for b in at.button]  # CE_se ①: the seed's slip is not about it
    at.button_group(key="check_species").set_value("vi").run()
    at.button_group(key="check_step").set_value("result").run()
    next(b for b in at.button if b.label == example).click().run()
    assert at.button_group(key="check_species").value == "vi"
    assert at.text_input(key="check_answer").value == "-P_se"
    assert [e.value for e in at.error] == [TEXT["hint_sign"][LANG[lang]]]
    assert not at.success


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "answer, reason",
    [
        ("__import__('os').system('id')", "refused_name"),
        ("<script>alert(1)</script>", "refused_character"),
        ("9**9**9**9", "refused_tower"),
        ("(" * 150 + "1" + ")" * 49, "refused_depth"),
    ],
)
def test_a_malicious_answer_gets_a_short_reason_and_is_never_echoed(lang, answer, reason):
    at = page(lang)
    at.text_input(key="check_answer").input(answer).run()
    assert not at.exception
    assert [w.value.split(" ")[0] for w in at.warning] == [TEXT[reason][LANG[lang]].split(" ")[0]]
    shown = "\n".join([e.value for e in at.markdown] + [w.value for w in at.warning] + [latex_text(at)])
    assert "script" not in shown and "import" not in shown


def test_a_right_answer_for_virginica_uses_the_virginica_flower():
    at = open_app(b3="-2", flower="setosa").switch_page("app_pages/8_check.py").run()
    at.button_group(key="check_species").set_value("vi").run()
    at.button_group(key="check_step").set_value("result").run()
    at.text_input(key="check_answer").input("P_se").run()
    assert "0.0351" in at.success[0].value
    assert at.info, "the page says it uses the virginica training flower"


def test_the_question_and_answer_outlive_a_new_language_and_another_page():
    """Not in the link: Streamlit keeps them for the session (persist_state), also where a new
    language relabels every widget and the page is not drawn for a while."""
    at = page("en")
    at.button_group(key="check_species").set_value("vi").run()
    at.button_group(key="check_step").set_value("result").run()
    at.text_input(key="check_answer").input("P_se").run()
    at.sidebar.button_group(key="lang").set_value("zh").run()
    at.switch_page("app_pages/2_softmax.py").run()
    assert not at.get("text_input") or all(w.key != "check_answer" for w in at.text_input)
    at.switch_page("app_pages/8_check.py").run()
    assert not at.exception
    assert at.button_group(key="check_species").value == "vi"
    assert at.button_group(key="check_step").value == "result"
    assert at.text_input(key="check_answer").value == "P_se"
    assert [s.value for s in at.success] and TEXT["check_right"][1].split("{")[0] in at.success[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_character_is_named_with_what_to_write_instead(lang):
    at = page(lang)
    at.text_input(key="check_answer").input("P_se(1 - P_se) = 0.1281").run()
    assert [w.value for w in at.warning] == [
        TEXT["refused_character"][LANG[lang]].format(
            character="`=` (U+003D EQUALS SIGN)", instead=TEXT["refused_instead_equals"][LANG[lang]]
        )
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_verdict_comes_right_under_the_answer_before_the_note_on_the_flower(lang):
    """With the sidebar's flower a setosa, CE_vi's value is for a virginica: that note, and the
    checker's reading, come after the verdict, which stays in view on a laptop."""
    at = open_app(lang=lang, b3="-2", flower="setosa").switch_page("app_pages/8_check.py").run()
    at.button_group(key="check_species").set_value("vi").run()
    at.button_group(key="check_step").set_value("result").run()
    at.text_input(key="check_answer").input("P_{se}").run()
    main = [node for node in at.main if node.type in ("success", "info", "latex", "text_input")]
    kinds = [node.type for node in main]
    answer = kinds.index("text_input")
    assert kinds[answer + 1] == "success" and "info" in kinds[answer + 2 :]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_slide_is_the_checker_a_teacher_answers_on_in_front_of_the_class(lang):
    at = open_app(present="1", lang=lang, b3="-2").switch_page("app_pages/8_check.py").run()
    assert at.get("text_input") and any("Esc" in b.label for b in at.button), "the checker on the slide"
    at.button_group(key="check_species").set_value("vi").run()
    at.button_group(key="check_step").set_value("result").run()
    at.text_input(key="check_answer").input("-P_se").run()
    assert not at.exception
    assert [e.value for e in at.error] == [TEXT["hint_sign"][LANG[lang]]]
    assert at.session_state.view.present, "still the slide"
