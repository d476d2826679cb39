import streamlit as st

import classroom
import ui
from core import checker
from core.figures import step_name
from core.i18n import t
from core.latex import fmt
from core.network import SHORT, Params, forward
from core.softmax import SPECIES

view, point, lang = ui.current(__file__)

st.title(t("page_check", lang))
st.markdown(t("check_intro", lang))


EXAMPLE = {"check_species": "vi", "check_step": "result", "check_answer": "-P_se"}
kept = ui.kept_values({"check_species": "se", "check_step": "1", "check_answer": ""})


def show_example() -> None:
    kept.update(EXAMPLE)
    st.session_state.update(EXAMPLE)


@st.fragment
def checker_panel() -> None:
    """The question, the answer and its verdict. A change here reruns only this panel, not the
    page and its sidebar: a class typing answers costs the server a fraction of a page each."""
    left, right = st.columns([3, 2])  # the species labels are the longer, in Chinese most
    with left:
        short = st.segmented_control(
            t("check_species", lang),
            SHORT,
            key="check_species",
            on_change=ui.keep,
            args=(kept, "check_species"),
            required=True,
            format_func=lambda s: f"CE_{s} ({t('short_' + SPECIES[SHORT.index(s)], lang)})",
        )
    with right:
        step = st.segmented_control(
            t("check_step", lang),
            checker.STEPS,
            key="check_step",
            on_change=ui.keep,
            args=(kept, "check_step"),
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
        on_change=ui.keep,
        args=(kept, "check_answer"),
    )
    st.button(t("check_example", lang), on_click=show_example, icon=":material/lightbulb:")

    if answer.strip():
        try:
            verdict = checker.check(answer, target)
        except checker.Refused as refused:
            st.warning(t(f"refused_{refused.key}", lang), icon=":material/block:")
        else:
            st.caption(t("check_understood", lang))
            st.latex(rf"{question.label} = {verdict.latex}")
            if verdict.equivalent:
                flower = ui.flower_for(SPECIES[SHORT.index(short)], point, lang)
                probs = forward(flower.petal, flower.sepal, Params(b3=view.b3)).probs
                value = question.value(probs)
                st.success(t("check_right", lang, flower=t(f"short_{flower.observed}", lang), value=fmt(value, 4)))
            else:
                st.error(t(f"hint_{verdict.slip}", lang), icon=":material/lightbulb:")
            classroom.send(target, verdict, lang)


checker_panel()
