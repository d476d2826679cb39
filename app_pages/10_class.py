"""Class mode: a teacher starts a class and projects its answers live; a student joins one by its
link, QR code or code. The callbacks live in ui/teacher.py, the class's student side in ui/classroom.py."""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import ui
from core import checker, pages
from drawing.dashboard import class_answers_figure, step_label
from drawing.i18n import nickname, t
from drawing.qr import qr_svg
from ui import classroom, teacher

DASHBOARD_EVERY = 3  # s between the dashboard's updates
SUGGESTED_PAGE = "chain_rule_vi"  # where "point the class" starts: page 5, the hand derivation's slip
CHART_HEIGHT = 350  # px: the whole dashboard in a 1280x720 projector's screen
QR_WIDTH = 170  # px: read from the back of a classroom on a projector

view, _, lang = ui.current(__file__)
state = st.session_state


@st.fragment(run_every=DASHBOARD_EVERY)
def live(code: str) -> None:
    """The class's answers, redrawn every few seconds: per step a stacked bar of right answers and
    slips, and the wrong answers at least two students gave (or the teacher revealed), as the
    checker read them. No student ids, no nicknames: this is what the projector shows."""
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
    chart, wrong = st.columns([2, 1], gap="medium")
    with chart:
        st.markdown(
            f"### {counted('class_students', summary.students)}\n\n"
            f":gray[:small[{t('class_chart_title', lang)} · {t('class_joined', lang, n=summary.joined)}]]"
        )
        steps = [(s.step, {"right": s.right, **s.slips}) for s in summary.steps]
        no_toolbar = {"displayModeBar": False}  # shown on hover, it covered the legend on the projector
        figure = class_answers_figure(steps, lang, height=CHART_HEIGHT)
        st.plotly_chart(figure, width="stretch", theme=None, config=no_toolbar)
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
                    st.button(
                        t("class_hide", lang), on_click=teacher.hide, args=(answer.step, answer.latex),
                        key=f"hide-{rank}", icon=":material/visibility_off:", type="tertiary",
                    )  # fmt: skip
        if summary.hidden:
            st.button(counted("class_show_hidden", summary.hidden), on_click=teacher.show_hidden,
                      icon=":material/visibility:", key="class_show_hidden")  # fmt: skip
    st.caption(t("class_refresh", lang, s=DASHBOARD_EVERY))


def counted(key: str, n: int, **values) -> str:
    return t(f"{key}_one", lang, **values) if n == 1 else t(key, lang, n=n, **values)


def dashboard(code: str) -> None:
    """The projector's screen: how to join (the QR code, the code, the link), then the live answers."""
    try:
        ticket = classroom.class_store().ticket(code)
    except SQLAlchemyError:
        classroom.database_down(lang)
        return
    link = ui.view_link("", {"class": code, "join": ticket, "lang": lang})  # short: a QR code of large modules
    with st.container(key="class-join", horizontal=True, vertical_alignment="center", gap="medium"):
        st.image(qr_svg(link), width=QR_WIDTH)  # its fullscreen button, on hover, makes it as large as the screen
        with st.container(gap=None):
            st.title(t("class_header", lang, code=code))
            st.markdown(f"{t('class_student_link', lang)}\n\n" + ui.code_block(link))
    new = state.get("new_class")
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
        answers, summary = teacher.downloads(code, lang)
        with st.container(horizontal=True, gap="small"):
            with st.popover(t("class_export", lang), icon=":material/download:"):
                st.download_button(t("class_export_answers", lang), answers, file_name=f"class-{code}-answers.csv",
                                   mime="text/csv", on_click="ignore")  # fmt: skip
                st.download_button(t("class_export_summary", lang), summary, file_name=f"class-{code}-summary.csv",
                                   mime="text/csv", on_click="ignore")  # fmt: skip
            with st.popover(t("class_new_round", lang), icon=":material/restart_alt:"):
                st.markdown(t("class_new_round_confirm", lang))
                st.button(t("class_new_round_yes", lang), on_click=teacher.new_round, type="primary")
            with st.popover(t("class_end", lang), icon=":material/stop_circle:"):
                st.markdown(t("class_end_confirm", lang))
                st.button(t("class_end_yes", lang), on_click=teacher.end, type="primary")
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
        people(code)


@st.fragment(run_every=DASHBOARD_EVERY)
def people(code: str) -> None:
    """Who is in and who waits, by nickname, and the wrong answers only one student gave: for the
    teacher's eyes (in the sidebar), never the projector's list. Redrawn with the dashboard."""
    classes = classroom.class_store()
    try:
        roster = classes.roster(state.get("teacher_key"))
        summary = classes.summary(code)
    except SQLAlchemyError:
        return
    if roster is None:
        return
    state.class_locked, state.class_per_network = summary.locked, summary.per_network
    st.toggle(t("class_lock", lang), key="class_locked", on_change=teacher.lock, help=t("class_lock_help", lang))
    if summary.waiting:
        st.warning(counted("class_waiting_joins", summary.waiting), icon=":material/group_add:")
    inside = [seat for seat in roster if seat.state == "in"]
    waiting = [seat for seat in roster if seat.state == "waiting"]
    label = t("class_roster", lang, n=len(inside), w=len(waiting))
    with st.expander(label, key="class_roster", icon=":material/groups:"):
        st.caption(t("class_roster_help", lang))
        st.number_input(
            t("class_per_network", lang), min_value=1, max_value=teacher.MAX_PER_NETWORK, step=1,
            key="class_per_network", on_change=teacher.allow_per_network, help=t("class_per_network_help", lang),
        )  # fmt: skip
        if len(waiting) > 1:
            st.button(t("class_let_all_in", lang), on_click=teacher.let_in, args=(None,), key="let-all-in")
        for seat in roster:
            with st.container(horizontal=True, vertical_alignment="center"):
                name = nickname(seat.nickname, lang)
                st.markdown(t("class_roster_answers", lang, nickname=name, n=seat.answers), width="stretch")
                if seat.state == "waiting":
                    st.button(t("class_let_in", lang), on_click=teacher.let_in, args=(seat.nickname,),
                              key=f"let-in-{seat.nickname}", type="primary")  # fmt: skip
                st.button(t("class_remove", lang), on_click=teacher.remove, args=(seat.nickname,),
                          key=f"remove-{seat.nickname}", type="tertiary")  # fmt: skip
    if summary.singles:
        with st.expander(t("class_singles", lang, n=len(summary.singles)), key="class_singles"):
            st.caption(t("class_singles_help", lang))
            for rank, answer in enumerate(summary.singles):
                with st.container(horizontal=True, vertical_alignment="center"):
                    st.latex(rf"{checker.target_step(answer.step).label} = {answer.latex}", width="stretch")
                    st.button(t("class_reveal", lang), on_click=teacher.reveal, args=(answer.step, answer.latex),
                              key=f"reveal-{rank}", type="tertiary")  # fmt: skip


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
        st.text_input(t("class_join_label", lang), key="class_code_text", max_chars=20, placeholder="K7Q 2PX")
        st.button(t("class_join", lang), on_click=teacher.join)


message = teacher.message()
if message:
    st.info(t(message, lang))
code = teacher.own_class(lang)
if code:
    dashboard(code)
else:
    doors()
