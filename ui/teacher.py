"""A teacher's side of class mode (page 10), as widget callbacks: start a class, open its dashboard
by its key, join one as a student, and the store's teacher actions with this session's key. A
failure becomes the page's one line (`session_state.class_message`, shown by `message()`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

import store
from core.view import normal_code
from drawing import dashboard
from drawing.i18n import nickname, t
from ui import classroom

MAX_PER_NETWORK = store.MAX_PER_NETWORK


def message() -> str | None:
    """The key of the line a callback left for this run, once."""
    return st.session_state.pop("class_message", None)


def own_class(lang: str) -> str | None:
    """The code of the class this session's teacher key opens, or None (a key that opens none is
    forgotten, and said so; one the database could not check is kept for the next run)."""
    state = st.session_state
    if not state.get("teacher_key"):
        return None
    try:
        code = classroom.class_store().teacher_class(state.teacher_key)
    except SQLAlchemyError:
        classroom.database_down(lang)
        return None
    if code is None:
        st.error(t("class_no_dashboard", lang), icon=":material/lock:")
        state.pop("teacher_key")
    return code


def start() -> None:
    state = st.session_state
    try:
        new = classroom.class_store().start_class(classroom.network(), classroom.me() or "")
    except store.Refused as refused:
        state.class_message = f"class_{refused.key}"
    except SQLAlchemyError:
        state.class_message = "class_database"
    else:
        state.teacher_key, state.new_class = new.key, new


def open_dashboard() -> None:
    """A teacher's link pasted whole, or just its key."""
    state = st.session_state
    text = state.get("class_key_text", "").strip()
    key = parse_qs(urlsplit(text).query).get("teacher", [text])[0]
    state.teacher_key, state.class_key_text = key[: store.MAX_KEY], ""


def join() -> None:
    state = st.session_state
    code = normal_code(state.get("class_code_text"))
    if code is None:
        state.class_message = "class_unknown"
    else:
        state.view = replace(state.view, class_code=code)  # the next run joins it (app.py's sidebar)


def _as_teacher(action, *args) -> bool:
    """One of the store's teacher actions with this teacher's key; a database error becomes the line."""
    try:
        action(classroom.class_store(), st.session_state.teacher_key, *args)
    except SQLAlchemyError:
        st.session_state.class_message = "class_database"
        return False
    return True


def hide(step: str, latex: str) -> None:
    _as_teacher(store.Store.hide, step, latex)


def show_hidden() -> None:
    _as_teacher(store.Store.show_hidden)


def point(page: str | None) -> None:
    _as_teacher(store.Store.point_class, page)


def allow_per_network() -> None:
    _as_teacher(store.Store.allow_per_network, int(st.session_state.class_per_network))


def reveal(step: str, latex: str) -> None:
    _as_teacher(store.Store.reveal, step, latex)


def lock() -> None:
    _as_teacher(store.Store.lock, bool(st.session_state.class_locked))


def let_in(nickname: str | None) -> None:
    _as_teacher(store.Store.let_in, nickname)


def remove(nickname: str) -> None:
    _as_teacher(store.Store.remove, nickname)


def new_round() -> None:
    _as_teacher(store.Store.clear_answers)


def downloads(code: str, lang: str) -> tuple[Callable[[], str], Callable[[], str]]:
    """What the teacher's two download buttons make when pressed (on a thread of their own, with
    no session: the store and the key are taken now): every answer by nickname, and per step."""
    classes, key = classroom.class_store(), st.session_state.get("teacher_key")

    def answers() -> str:
        return dashboard.answers_csv(classes.export(key) or (), lang, nickname)

    def summary() -> str:
        return dashboard.summary_csv(classes.summary(code).steps if classes.teacher_class(key) == code else (), lang)

    return answers, summary


def end() -> None:
    if _as_teacher(store.Store.end_class):
        st.session_state.pop("teacher_key", None)
        st.session_state.pop("new_class", None)
        st.session_state.class_message = "class_ended_teacher"


def saved() -> None:
    st.session_state.pop("new_class", None)
