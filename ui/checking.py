"""Page 8's checker: the question, the student's answer and its verdict. The page shows it under
its title, and its slide shows it too, so a teacher can type an answer in front of the class."""

import streamlit as st

import ui
from core import checker
from core.latex import fmt
from core.network import SHORT, Params, forward
from core.softmax import SPECIES
from core.view import View, flower_for_species
from drawing import describe
from drawing.dashboard import step_name
from drawing.i18n import t
from ui import classroom

EXAMPLE = {"check_species": "vi", "check_step": "result", "check_answer": "-P_se"}  # the seed's slip
EXAMPLE_TARGET = "vi.result"
FIRST = {"check_species": "se", "check_step": "1", "check_answer": ""}


def show_example() -> None:
    st.session_state.update(EXAMPLE)


def panel(view: View, point, lang: str) -> None:
    for key, first in FIRST.items():
        st.session_state.setdefault(key, first)  # a session's first visit; Streamlit keeps them after
    _panel(view, point, lang)


@st.fragment
def _panel(view: View, point, lang: str) -> None:
    """The question, the answer and its verdict. A change here reruns only this panel, not the
    page and its sidebar: a class typing answers costs the server a fraction of a page each."""
    left, right = st.columns([3, 2])  # the species labels are the longer, in Chinese most
    with left:
        short = st.segmented_control(
            t("check_species", lang),
            SHORT,
            key="check_species",
            persist_state="session",  # the question and the answer outlive a visit to another page
            required=True,
            format_func=lambda s: f"CE_{s} ({t('short_' + SPECIES[SHORT.index(s)], lang)})",
        )
    with right:
        step = st.segmented_control(
            t("check_step", lang),
            checker.STEPS,
            key="check_step",
            persist_state="session",
            required=True,
            format_func=lambda k: step_name(k, lang),
        )
    target = f"{short}.{step}"
    question = checker.target_step(target)
    st.latex(rf"{question.label} = \;?")

    answer = st.text_input(
        t("check_answer", lang),
        key="check_answer",
        max_chars=checker.MAX_LENGTH,
        placeholder="P_se",
        persist_state="session",
    )
    if answer.strip():
        try:
            verdict = checker.check(answer, target)
        except checker.Refused as refused:
            st.warning(describe.refusal(refused, lang), icon=":material/block:")
        else:
            species = SPECIES[SHORT.index(short)]
            if verdict.equivalent:  # the verdict first, right under the answer: on a laptop it stays in view
                flower = flower_for_species(point, species)
                value = question.value(forward(flower.petal, flower.sepal, Params(b3=view.b3)).probs)
                st.success(t("check_right", lang, flower=t(f"short_{flower.observed}", lang), value=fmt(value, 4)))
            else:
                st.error(t(f"hint_{verdict.slip}", lang), icon=":material/lightbulb:")
            st.caption(t("check_understood", lang))
            st.latex(rf"{question.label} = {verdict.latex}")
            if verdict.equivalent:
                ui.flower_for(species, point, lang)  # which flower the value is for, when not the sidebar's
            classroom.send(target, verdict, lang)
    if target == EXAMPLE_TARGET and answer.strip() != EXAMPLE["check_answer"]:
        st.button(t("check_example", lang), on_click=show_example, icon=":material/lightbulb:")
