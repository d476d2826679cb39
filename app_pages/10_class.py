"""Class mode: a teacher starts a class and projects its answers live; a student joins one by its
code. The callbacks live in ui/teacher.py, the class's student side in ui/classroom.py."""

from dataclasses import replace

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import ui
from core import checker, pages
from core.view import to_query
from drawing.dashboard import class_answers_figure, step_label
from drawing.i18n import t
from ui import classroom, teacher

DASHBOARD_EVERY = 3  # s between the dashboard's updates
SUGGESTED_PAGE = "chain_rule_vi"  # where "point the class" starts: page 5, the hand derivation's slip

view, _, lang = ui.current(__file__)
state = st.session_state


@st.fragment(run_every=DASHBOARD_EVERY)
def live(code: str) -> None:
    """The class's answers, redrawn every few seconds: per step a stacked bar of right answers and
    slips, and the wrong answers most students gave, as the checker read them. No student ids."""
    classes = classroom.class_store()
    try:
        if classes.teacher_class(state.get("teacher_key")) != code:
            st.error(t("class_no_dashboard", lang), icon=":material/lock:")
            return
        classes.keep_open(state.teacher_key)
        summary = classes.summary(code)
    except SQLAlchemyError:
        classroom.database_down(lang)
        return
    if summary.refused:
        st.warning(counted("class_refused_joins", summary.refused, m=summary.per_network), icon=":material/group_add:")
    chart, wrong = st.columns([3, 2], gap="large")
    with chart:
        st.markdown(f"### {counted('class_students', summary.students)}")
        st.caption(f"{t('class_chart_title', lang)} · {t('class_joined', lang, n=summary.joined)}")
        steps = [(s.step, {"right": s.right, **s.slips}) for s in summary.steps]
        no_toolbar = {"displayModeBar": False}  # shown on hover, it covered the legend on the projector
        st.plotly_chart(class_answers_figure(steps, lang), width="stretch", theme=None, config=no_toolbar)
    with wrong:
        st.markdown(f"### {t('class_wrong_title', lang)}")
        if not summary.wrong:
            st.markdown(t("class_no_answers", lang))
        for rank, answer in enumerate(summary.wrong):
            with st.container(border=True, horizontal=True, vertical_alignment="center", key=f"wrong-{rank}"):
                st.latex(rf"{checker.target_step(answer.step).label} = {answer.latex}", width="stretch")
                count = counted("class_wrong_count", answer.students, slip=t(f"slip_{answer.slip}", lang))
                with st.container(width=200, gap="small"):
                    st.markdown(f"**{step_label(answer.step, lang)}**  \n{count}")
                    st.button(t("class_hide", lang), on_click=teacher.hide, args=(answer.step, answer.latex),
                              key=f"hide-{rank}", icon=":material/visibility_off:", type="tertiary")  # fmt: skip
        if summary.hidden:
            st.button(counted("class_show_hidden", summary.hidden), on_click=teacher.show_hidden,
                      icon=":material/visibility:", key="class_show_hidden")  # fmt: skip
    st.caption(t("class_refresh", lang, s=DASHBOARD_EVERY))


def counted(key: str, n: int, **values) -> str:
    return t(f"{key}_one", lang, **values) if n == 1 else t(key, lang, n=n, **values)


def dashboard(code: str) -> None:
    new = state.get("new_class")
    title, link = st.columns([2, 3], vertical_alignment="bottom")
    title.title(t("class_header", lang, code=code))
    link.markdown(t("class_student_link", lang))
    link.code(ui.view_link("", to_query(replace(view, class_code=code))), language=None, wrap_lines=True)
    if new is not None and new.code == code:
        st.warning(t("class_teacher_link", lang), icon=":material/key:")
        st.code(ui.view_link("class", {"teacher": new.key, "lang": lang}), language=None, wrap_lines=True)
        st.button(t("class_saved", lang), on_click=teacher.saved, icon=":material/check:")
    live(code)
    controls(code)


def controls(code: str) -> None:
    """The teacher's controls, in the sidebar: the projector shows the main area."""
    try:
        pace = classroom.class_store().pace(code)
    except SQLAlchemyError:
        pace = None
    names = list(pages.NAMES)
    with ui.page_sidebar():
        st.subheader(t("class_header", lang, code=code))
        page = st.selectbox(
            t("class_point", lang),
            names,
            index=names.index(pace.page if pace and pace.page else SUGGESTED_PAGE),
            format_func=lambda name: t(pages.BY_NAME[name].title, lang),
            key="class_point_page",
        )
        with st.container(horizontal=True):
            st.button(t("class_point_send", lang), on_click=teacher.point, args=(page,), icon=":material/campaign:")
            if pace and pace.page:
                st.button(t("class_point_clear", lang), on_click=teacher.point, args=(None,))
        if pace and pace.page:
            st.caption(t("class_pointed", lang, page=t(pages.BY_NAME[pace.page].title, lang)))
        if pace is not None:
            state.class_per_network = pace.per_network
        st.number_input(
            t("class_per_network", lang), min_value=1, max_value=teacher.MAX_PER_NETWORK, step=1,
            key="class_per_network", on_change=teacher.allow_per_network, help=t("class_per_network_help", lang),
        )  # fmt: skip
        with st.popover(t("class_end", lang), icon=":material/stop_circle:"):
            st.markdown(t("class_end_confirm", lang))
            st.button(t("class_end_yes", lang), on_click=teacher.end, type="primary")


def doors() -> None:
    """No class of one's own to show: start one, join one, or open one's dashboard."""
    ui.heading(t("page_class", lang), t("class_intro", lang))
    teachers, students = st.columns(2, gap="large")
    with teachers:
        st.button(t("class_start", lang), on_click=teacher.start, type="primary", icon=":material/co_present:",
                  key="class_start")  # fmt: skip
        st.text_input(t("class_key_label", lang), key="class_key_text", type="password", max_chars=300)
        st.button(t("class_open", lang), on_click=teacher.open_dashboard)
    with students:
        st.text_input(t("class_join_label", lang), key="class_code_text", max_chars=12, placeholder="K7Q2PX")
        st.button(t("class_join", lang), on_click=teacher.join)


message = teacher.message()
if message:
    st.info(t(message, lang))
code = teacher.own_class(lang)
if code:
    dashboard(code)
else:
    doors()
