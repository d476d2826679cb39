"""Class mode against a real `server.py`, over Streamlit's websocket protocol as browsers speak it:
the browser id a page load gives, the forwarded address the limits per network count, and a
student who stays one student across a server restart. The store's own rules are in test_store.py."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

import store
from core import checker
from drawing.i18n import TEXT
from guard import ids
from harness.servers import streamlit_server
from harness.stream import Student, page_cookies
from tests.test_store import TEACHERS
from ui import classroom


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('class-server') / 'classes.sqlite'}"
    engine = create_engine(url)
    classes = store.Store(engine)
    classes.migrate()
    yield url, classes
    engine.dispose()


@pytest.fixture(scope="module")
def server(database):
    with streamlit_server(env={"SOFTMAX_DATABASE_URL": database[0]}) as running:
        yield running.url


def alerts(render) -> str:
    return "\n".join([element.alert.body for element in render.of_type("alert")] + render.texts())


def open_link(url: str, code: str, headers: dict) -> str:
    with Student(url, page="check", query=urlencode({"class": code, "lang": "en"}), headers=headers,
                 timeout=30) as student:  # fmt: skip
        render = student.rerun()
    assert render.exceptions() == []
    return alerts(render)


def set_cookies(url: str, headers: dict | None = None) -> SimpleCookie:
    request = urllib.request.Request(url, headers={"Accept": "text/html", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        jar = SimpleCookie()
        for header in reply.headers.get_all("Set-Cookie") or ():
            jar.load(header)
    return jar


def test_a_page_load_gives_the_browser_its_id_once_signed(server, database):
    key = database[1].secret(classroom.BROWSER_SECRET)  # the database's: every replica signs with it
    jar = set_cookies(f"{server}/check?lang=en")
    cookie = jar[ids.BROWSER_COOKIE]
    assert ids.BROWSER_ID.fullmatch(ids.browser_id({ids.BROWSER_COOKIE: cookie.value}, key) or "")
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    again = set_cookies(f"{server}/softmax", {"Cookie": f"{ids.BROWSER_COOKIE}={cookie.value}"})
    assert ids.BROWSER_COOKIE not in again  # kept, not replaced
    assert ids.BROWSER_COOKIE not in set_cookies(f"{server}/_stcore/health")  # pages only
    altered = cookie.value[:-1] + ("1" if cookie.value.endswith("0") else "0")  # its signature, one digit off
    for bad in ("<script>", "0123456789abcdef", altered, "0123456789abcdef" + cookie.value[16:]):
        replaced = set_cookies(f"{server}/", {"Cookie": f"{ids.BROWSER_COOKIE}={bad}"})[ids.BROWSER_COOKIE].value
        assert replaced != bad and ids.browser_id({ids.BROWSER_COOKIE: replaced}, key) is not None


def test_a_client_that_loaded_no_page_or_made_its_id_up_gets_no_place_in_the_class(server, database):
    new = database[1].start_class(TEACHERS)
    assert TEXT["class_no_browser"][0] in open_link(server, new.code, {})
    made_up = {"Cookie": f"{ids.BROWSER_COOKIE}=0123456789abcdef"}
    assert TEXT["class_no_browser"][0] in open_link(server, new.code, made_up)
    assert database[1].summary(new.code).joined == 0


def test_the_forwarded_address_is_the_network_a_class_counts(server, database):
    new = database[1].start_class(TEACHERS)
    lab = {"X-Forwarded-For": "192.0.2.10"}
    said = [open_link(server, new.code, {**page_cookies(server, headers=lab), **lab})
            for _ in range(store.PER_NETWORK + 1)]  # fmt: skip
    joined = TEXT["class_in"][0].partition("{nickname}")[0].format(code=new.code)
    assert [joined in text for text in said] == [True] * store.PER_NETWORK + [False]
    assert TEXT["class_waiting_list"][0].partition("{nickname}")[0].format(code=new.code) in said[-1]
    home = {"X-Forwarded-For": "198.51.100.20"}
    assert joined in open_link(server, new.code, {**page_cookies(server, headers=home), **home})
    summary = database[1].summary(new.code)
    assert (summary.joined, summary.waiting) == (store.PER_NETWORK + 1, 1)


def test_a_student_is_one_student_across_a_server_restart(database, tmp_path):
    url, classes = database
    new = classes.start_class(TEACHERS)
    query = urlencode({"class": new.code, "lang": "en"})
    sent = TEXT["class_sent"][0].format(code=new.code)
    cookies = None
    for typed in ("1/P_se", "-1/P_se"):  # CE_se's step 1, which page 8 opens on: before the restart, and after
        with streamlit_server(env={"SOFTMAX_DATABASE_URL": url}) as running:
            cookies = cookies or page_cookies(running.url, "check", query)
            with Student(running.url, page="check", query=query, headers=cookies, timeout=30) as student:
                student.rerun()
                render = student.rerun({"check_answer": typed})
            assert sent in alerts(render), alerts(render)
    summary = classes.summary(new.code)
    assert (summary.students, summary.joined) == (1, 1)
    assert summary.steps[0].right == 1 and summary.steps[0].slips["sign"] == 0  # counted by the latest


def test_an_answer_kept_while_the_database_was_down_goes_with_the_pacing_fragment(server, database):
    url, classes = database
    new = classes.start_class(TEACHERS)
    query = urlencode({"class": new.code, "lang": "en"})
    file = Path(url.removeprefix("sqlite:///"))
    cookies = page_cookies(server, "check", query)
    with Student(server, page="check", query=query, headers=cookies, timeout=30) as student:
        student.rerun()
        file.chmod(0o444)
        try:
            kept = alerts(student.rerun({"check_answer": "-1/P_se"}))
        finally:
            file.chmod(0o644)
        assert TEXT["class_waiting"][0] in kept and TEXT["class_sent"][0].format(code=new.code) not in kept
        assert classes.summary(new.code).students == 0
        (fragment,) = student.timers  # the pacing fragment's timer fires: the student types nothing
        assert student.rerun(fragment=fragment).exceptions() == []
    summary = classes.summary(new.code)
    assert (summary.students, summary.steps[0].right) == (1, 1)


def _rows(file: Path) -> list[tuple[str, str]]:
    """The answers in the database file as a process that opens it afresh reads them."""
    with contextlib.closing(sqlite3.connect(file)) as db:
        return db.execute("SELECT class_code, latex FROM softmax_answers ORDER BY id").fetchall()


def _other_process(file: Path, script: str, *args: str) -> subprocess.Popen:
    """Another program on the database file, as an admin's `sqlite3` or a backup would be."""
    return subprocess.Popen([sys.executable, "-c", script, str(file), *args], stdout=subprocess.PIPE, text=True)


PEEK = """import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('SELECT count(*) FROM softmax_answers')
db.close()"""
HOLD = """import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN IMMEDIATE')  # the write lock, held
print('holding', flush=True)
time.sleep(float(sys.argv[2]))
db.execute('COMMIT'); db.close()"""


def test_nothing_said_sent_is_lost_when_other_processes_open_the_file_and_the_server_is_killed(tmp_path):
    """An admin's sqlite3, a backup, a second program holding the write lock: each opens and closes
    the file under the running server; then the server dies with SIGKILL. Every answer a student
    was told was sent is in the file, once."""
    file = tmp_path / "classes.sqlite"
    url = f"sqlite:///{file}"
    starter = create_engine(url, poolclass=NullPool)  # holds no connection open: the server's are the only ones
    starting = store.Store(starter)
    starting.migrate()
    new = starting.start_class(TEACHERS)
    query = urlencode({"class": new.code, "lang": "en"})
    sent = TEXT["class_sent"][0].format(code=new.code)
    told_sent = []
    with streamlit_server(env={"SOFTMAX_DATABASE_URL": url}) as running:
        cookies = page_cookies(running.url, "check", query)
        with Student(running.url, page="check", query=query, headers=cookies, timeout=30) as student:
            student.rerun()
            for typed in ("1/P_se", "-1/P_se"):
                assert sent in alerts(student.rerun({"check_answer": typed}))
                told_sent.append(typed)
                assert _other_process(file, PEEK).wait(timeout=30) == 0  # opens and closes the file read-write
            holder = _other_process(file, HOLD, "3")
            assert holder.stdout.readline().strip() == "holding"
            kept = alerts(student.rerun({"check_answer": "-2/P_se"}))
            assert TEXT["class_waiting"][0] in kept and sent not in kept
            assert holder.wait(timeout=30) == 0  # the write lock released, and the file closed
            (fragment,) = student.timers
            assert student.rerun(fragment=fragment).exceptions() == []  # the kept answer goes now
            told_sent.append("-2/P_se")
            assert student.rerun(fragment=fragment).exceptions() == []  # and only once
        os.killpg(running.process.pid, signal.SIGKILL)
        running.process.wait()
    starter.dispose()
    latex = [checker.check(typed, "se.1").latex for typed in told_sent]
    assert _rows(file) == [(new.code, one) for one in latex]
