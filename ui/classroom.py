"""Class mode's Streamlit side: the class store behind `st.connection("sql")`, a student's class in
the sidebar, their page-8 verdicts sent to it, and the teacher's pointer shown as a prompt. The
storage and its rules are in store.py; the teacher's page is app_pages/10_class.py.

The database is `SOFTMAX_DATABASE_URL` if set, else `.streamlit/secrets.toml`'s
`[connections.sql] url`, else a SQLite file beside the app (nothing to set up).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import store
from core import pages
from core.view import View, to_query
from drawing.i18n import nickname, t
from guard import ids

DEFAULT_DATABASE = f"sqlite:///{Path(__file__).parents[1] / 'classes.sqlite'}"
PACE_EVERY = 2  # s between looks at where the teacher points the class (the prompt: 1 s on average)
BROWSER_SECRET = "browser-ids"  # the store's secret that signs browser ids


def database_url() -> str:
    if os.environ.get("SOFTMAX_DATABASE_URL"):
        return os.environ["SOFTMAX_DATABASE_URL"]
    try:
        return st.secrets["connections"]["sql"]["url"]
    except (KeyError, FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return DEFAULT_DATABASE


def class_store() -> store.Store:
    """One store per server process and database, its schema brought up to date on first use."""
    return _store(database_url())


@st.cache_resource(show_spinner=False)
def _store(url: str) -> store.Store:
    connection = st.connection("sql", url=url, **store.engine_options(url))
    classes = store.Store(connection.engine)
    classes.migrate()
    threading.Thread(target=_clean_while_serving, args=(classes,), name="class-cleaner", daemon=True).start()
    return classes


def _clean_while_serving(classes: store.Store) -> None:
    # An ended class's rows go within a minute even if no one uses class mode after it.
    while True:
        time.sleep(store.CLEAN_EVERY)
        try:
            classes.clean()
        except SQLAlchemyError:
            pass  # the database is down for now; the next pass tries again


def take_teacher_key(query: dict) -> None:
    """At a session's start, keep the teacher key of the link (`?teacher=...`) for the class page.
    The sidebar then drops it from the address bar, so a projector never shows it."""
    key = query.get("teacher")
    if isinstance(key, list | tuple):
        key = key[0] if key else None
    if key:
        st.session_state.teacher_key = str(key)[: store.MAX_KEY]


def me() -> str | None:
    """The id this student's class counts them by: the one their browser keeps (ids.BrowserIds),
    or where this server gives none (`streamlit run app.py`, a test), one for this session. None: a
    client that skipped the page load a browser makes, or made its id up, gets no place in a class."""
    state = st.session_state
    if "class_student" not in state:
        if not ids.issuing_browser_ids:
            state.class_student = store.student_id()
        else:
            kept = ids.browser_id(st.context.cookies, class_store().secret(BROWSER_SECRET))
            if kept is None:
                return None
            state.class_student = kept
    return state.class_student


def browser_secret() -> bytes | None:
    """What ids.BrowserIds signs each browser's id with: the class database's own secret, shared by
    every replica and kept across restarts; None while the database cannot be reached."""
    try:
        return class_store().secret(BROWSER_SECRET)
    except SQLAlchemyError:
        return None


def network() -> str:
    """The network this session comes from, as class mode's limits count it."""
    return store.network_of(st.context.ip_address)


def membership(view: View) -> View:
    """Join the class the view names (once a session, as the student their browser is), or say why
    not: on the class's waiting list (the view keeps the class, and `waiting` lets the student in
    as soon as the teacher does), or refused (the view drops it). What is said stays on every page
    until the student dismisses it or joins. Returns the view to use."""
    state = st.session_state
    if view.class_code and state.get("class_joined") != view.class_code:
        view = _join(view)
    elif not view.class_code:
        state.pop("class_joined", None)
    note = state.get("class_note")
    if note is not None:
        key, code, name = note
        with st.container(key="class-note", horizontal=True, vertical_alignment="center"):
            said = t(key, view.lang, code=code, nickname=nickname(name, view.lang))
            st.warning(said, icon=":material/group_off:", width="stretch")
            if key == "class_waiting_list":
                st.button(t("class_leave", view.lang), on_click=leave, icon=":material/logout:", key="class_leave")
            else:
                st.button(t("class_dismiss", view.lang), on_click=state.pop, args=("class_note", None))
    return view


def _join(view: View) -> View:
    state = st.session_state
    try:
        student = me()
        if student is None:
            raise store.Refused("no_browser")
        state.class_joined = class_store().join(view.class_code, student, network(), ticket=view.class_ticket)
        seat = class_store().seat(state.class_joined, student)
    except store.Refused as refused:
        waits = refused.key == "waiting"
        key = "class_waiting_list" if waits else f"class_{refused.key}"
        state.class_note = (key, view.class_code, refused.values.get("nickname", ""))
        if waits:
            return view
    except SQLAlchemyError:
        database_down(view.lang)
    else:
        state.class_nickname = seat.nickname if seat else ""
        state.pop("class_note", None)
        return view
    state.view = replace(view, class_code="", class_ticket="")
    return state.view


def waiting(view: View) -> None:
    """For a student on a class's waiting list: look every PACE_EVERY s whether the teacher let them
    in, and join then, without a reload."""
    note = st.session_state.get("class_note")
    if view.class_code and not in_class(view) and note and note[0] == "class_waiting_list":
        _let_in_yet(view)


@st.fragment(run_every=PACE_EVERY)
def _let_in_yet(view: View) -> None:
    try:
        seat = class_store().seat(view.class_code, me() or "")
    except SQLAlchemyError:
        return
    if seat is not None and seat.state == "waiting":
        return
    st.session_state.pop("class_note", None)
    if seat is not None and seat.state == "in":
        st.session_state.class_joined, st.session_state.class_nickname = view.class_code, seat.nickname
        st.toast(t("class_let_in_now", view.lang, code=view.class_code), icon=":material/groups:")
    st.rerun(scope="app")


def database_down(lang: str) -> None:
    """The one line a user sees when the class database cannot be reached; the rest of the app works."""
    st.warning(t("class_database", lang), icon=":material/cloud_off:")


def in_class(view: View) -> bool:
    """Whether this session has joined the class its view names."""
    return bool(view.class_code) and st.session_state.get("class_joined") == view.class_code


def badge(view: View) -> None:
    """In the sidebar: the class this student is in, and a way out."""
    if in_class(view):
        name = nickname(st.session_state.get("class_nickname", ""), view.lang)
        st.info(t("class_in", view.lang, code=view.class_code, nickname=name), icon=":material/groups:")
        st.button(t("class_leave", view.lang), on_click=leave, icon=":material/logout:", key="class_leave")


def leave() -> None:
    state = st.session_state
    state.view = replace(state.view, class_code="", class_ticket="")
    state.pop("class_joined", None)
    state.pop("class_note", None)


def send(target: str, verdict, lang: str) -> None:
    """Send a verdict page 8 gave this student to their class, once per step and answer, and say
    whether it is stored. One the database could not take waits, and goes when it is back (the
    pacing fragment tries again every PACE_EVERY s), without the student typing it again."""
    state = st.session_state
    if not in_class(state.view):
        return
    code = state.view.class_code
    if state.setdefault("class_sent", {}).get(target) != verdict.latex:
        answer = store.Answer(target, verdict.latex, verdict.equivalent, verdict.slip)
        state.setdefault("class_waiting", {})[target] = answer
    refused = _send_waiting(code)
    if target in refused:
        st.warning(t(f"class_{refused[target]}", lang), icon=":material/schedule:")
    elif target in state.get("class_waiting", {}):
        database_down(lang)
        st.caption(t("class_waiting", lang))
    else:
        st.caption(t("class_sent", lang, code=code))


def _send_waiting(code: str) -> dict[str, str]:
    """Store the answers waiting to go, oldest first, until the database cannot be reached (the
    rest wait). Returns the key of each refusal by step: those answers will never be stored."""
    state = st.session_state
    waiting, sent = state.get("class_waiting", {}), state.setdefault("class_sent", {})
    refused = {}
    for target, answer in list(waiting.items()):
        try:
            class_store().record(code, state.class_student, answer)
        except store.Refused as refusal:
            refused[target] = refusal.key
        except SQLAlchemyError:
            break
        else:
            sent[target] = answer.latex
        del waiting[target]
    return refused


def pace_prompt(view: View, here: str) -> None:
    """For a student in a class, a prompt to the page the teacher points the class at, looked up
    every PACE_EVERY seconds without rerunning the page; `here`: the name of the page shown.
    Not in presentation mode: the slide is what a projector shows, and the class sees the pointer there."""
    if in_class(view) and not view.present:
        _pace(view, here)


@st.fragment(run_every=PACE_EVERY)
def _pace(view: View, here: str) -> None:
    state, lang = st.session_state, view.lang
    if state.get("class_waiting"):  # answers kept while the database was down
        before = set(state.class_waiting)
        refused = _send_waiting(view.class_code)
        for target in before - set(state.class_waiting):
            if target in refused:
                st.toast(t(f"class_{refused[target]}", lang), icon=":material/schedule:")
            else:
                st.toast(t("class_sent", lang, code=view.class_code), icon=":material/check:")
    try:
        pace = class_store().pace(view.class_code)
    except SQLAlchemyError:
        return
    if pace is None:
        st.info(t("class_gone", lang, code=view.class_code), icon=":material/group_off:")
        return
    if pace.page is None or pace.page == here:
        state.pace_seen = pace.at  # being there answers the prompt
        return
    if state.get("pace_seen") == pace.at:
        return
    with st.container(key="class-pace", horizontal=True, vertical_alignment="center"):
        page = pages.BY_NAME[pace.page]
        title = t(page.title, lang)
        st.markdown(t("class_go", lang, page=title))
        st.page_link(page.file, label=title, query_params=to_query(view), icon=":material/arrow_forward:")
        st.button(t("class_not_now", lang), on_click=_not_now, args=(pace.at,), key="class-not-now")


def _not_now(at: float) -> None:
    st.session_state.pace_seen = at
