"""`make serve` for real (`python -m deploy.serve --workers 2`): two replicas of the app behind
Debian's nginx with deploy/nginx.conf, sticky by cookie, one class store.

Students are spread over both replicas and each stays on its own. Then one replica dies: the
students on the other go on in their sessions, and those of the dead one reconnect through nginx,
with the same cookie, to the live one, where a new session restores their exact view from the URL;
the supervisor starts the dead one again, and SIGTERM stops everything.
Shown over Streamlit's websocket protocol (harness/stream.py), and in Debian's chromium, whose
frontend reconnects by itself; the tab's next run, the first of its new session, draws the view of
its URL.

Which replica answered is nginx's `X-Replica` header ($upstream_addr), on page responses and on the
websocket handshake; killing a replica then shows it was true: exactly its students lose their
websocket.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed

import store
from deploy.serve import healthy, stop
from drawing.i18n import TEXT
from guard import ids
from harness.browser import app_state, exception_texts, wait_for_app
from harness.postgres import fresh_database
from harness.servers import REPO_ROOT, free_port
from harness.stream import Render, Student

pytestmark = pytest.mark.browser

ROUTE = "softmax_route"  # deploy/nginx.conf's cookie
XSRF = "_streamlit_xsrf"  # Streamlit's
PAGE = "softmax"
# (flower, b3 as the link writes it, language): one per student, so no two students share a view.
VIEWS = [
    ("virginica", "0.5", "zh"),
    ("setosa", "-1.2", "en"),
    ("versicolor", "2", "zh"),
    ("virginica", "-3.5", "en"),
    ("setosa", "0", "zh"),
    ("versicolor", "4.25", "en"),
]
PER_REPLICA = 3


@dataclass
class Reply:
    status: int
    headers: object  # email.message.Message: get_all for repeated headers
    body: bytes

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or ():
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}

    @property
    def replica(self) -> str:
        return answered_by(self.headers.get("X-Replica"))


def answered_by(upstream_addr: str | None) -> str:
    """The replica that answered: the last of $upstream_addr's tries ("a, b" after a failover)."""
    assert upstream_addr, "nginx sent no X-Replica header"
    return upstream_addr.split(",")[-1].strip()


def http(url: str, method: str = "GET", headers: dict | None = None) -> Reply:
    request = urllib.request.Request(url, method=method, headers={"Accept": "text/html", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


READY = re.compile(r"serve: (\d+) replicas behind nginx on (http://\S+) \(nginx's files in (\S+)\)")
STARTED = re.compile(r"serve: replica (127\.0\.0\.1:\d+) pid (\d+)")


@dataclass
class Deployment:
    """`python -m deploy.serve` (what `make serve` runs) as a hosting admin starts it, and what it says."""

    url: str
    process: subprocess.Popen
    log_path: Path
    folder: Path  # nginx's files
    database: str  # the class store every replica shares

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pids(self) -> dict[str, list[int]]:
        """Each replica's address and its processes' ids, in the order they were started."""
        started: dict[str, list[int]] = {}
        for address, pid in STARTED.findall(self.log()):
            started.setdefault(address, []).append(int(pid))
        return started

    @property
    def replicas(self) -> set[str]:
        return set(self.pids())

    def kill(self, address: str) -> None:
        """The replica dies at once (SIGKILL to its process group): no goodbye to its websockets."""
        pid = self.pids()[address][-1]
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while healthy(f"http://{address}"):
            assert time.monotonic() < deadline, f"{address} still answers after SIGKILL"
            time.sleep(0.05)

    def started_again(self, address: str, timeout: float = 90) -> int:
        """Wait for the supervisor to have started the replica again and for it to answer; its new pid."""
        deadline = time.monotonic() + timeout
        while len(self.pids().get(address, ())) < 2 or not healthy(f"http://{address}"):
            assert time.monotonic() < deadline, f"{address} was not started again:\n{self.log()[-3000:]}"
            time.sleep(0.2)
        return self.pids()[address][-1]

    def other(self, address: str) -> str:
        (other,) = self.replicas - {address}
        return other

    def nginx_log(self) -> str:
        return (self.folder / "error.log").read_text(errors="replace")[-3000:]

    def stop(self) -> int:
        """SIGTERM, as `docker stop` or systemd sends: the supervisor's exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


@pytest.fixture
def deployment(request, tmp_path, postgres_url) -> Iterator[Deployment]:
    """`python -m deploy.serve --workers 2`: two replicas behind nginx, keeping their classes in one
    PostgreSQL database, or (parametrized "sqlite") in one SQLite file, the default of `make serve`."""
    if getattr(request, "param", "postgresql") == "sqlite":
        database = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    else:
        database = fresh_database(postgres_url, "replicas")
    port, log_path = free_port(), tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "--workers", "2", "--port", str(port), "--address", "127.0.0.1"],
            cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "SOFTMAX_DATABASE_URL": database}, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (ready := READY.search(log_path.read_text(errors="replace"))):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        assert ready[2] == f"http://127.0.0.1:{port}"
        yield Deployment(ready[2], process, log_path, Path(ready[3]), database)
    finally:
        stop(process, grace=60)  # SIGTERM, as a hosting admin's Ctrl-C or docker stop


def query(view: tuple[str, str, str]) -> str:
    flower, b3, lang = view
    return urlencode({"flower": flower, "b3": b3, "lang": lang})


def chart_names(view: tuple[str, str, str]) -> list[str]:
    flower, b3, lang = view
    return [f"softmax-{figure}-{flower}-b3={b3}-{lang}" for figure in ("bars", "argmax")]


def charts(render: Render) -> list[tuple[str, str]]:
    """Each chart's (download name, alt text): the view it was drawn for, and its live numbers."""
    return [(chart["config"]["toImageButtonOptions"]["filename"], chart["alt"]) for chart in render.plotly()]


def check_render(render: Render, view: tuple[str, str, str]) -> None:
    assert render.status == "FINISHED_SUCCESSFULLY"
    assert render.exceptions() == []
    drawn = charts(render)
    assert [name for name, _ in drawn] == chart_names(view)
    assert all(alt for _, alt in drawn)


@dataclass
class Pupil:
    view: tuple[str, str, str]
    route: str  # the softmax_route cookie nginx gave this browser
    replica: str  # where nginx sent its page
    browser: str  # the id the replica's page gave this browser (ids.BrowserIds), whatever replica it meets later
    student: Student | None = None
    first: Render | None = None

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"{ROUTE}={self.route}; {ids.BROWSER_COOKIE}={self.browser}"}

    def connect(self, url: str) -> str:
        """A websocket through nginx with this browser's cookie; the replica that took it."""
        self.student = Student(url, page=PAGE, query=query(self.view), headers=self.cookie, timeout=30)
        return answered_by(self.student.socket.response.headers.get("X-Replica"))


def enrol(deployment: Deployment) -> list[Pupil]:
    """Students open their links until each replica has PER_REPLICA of them (nginx picks a new
    random route for each new browser, so which replica is chance)."""
    pupils: list[Pupil] = []
    for _ in range(60):
        view = VIEWS[len(pupils)]
        reply = http(f"{deployment.url}/{PAGE}?{query(view)}")
        assert reply.status == 200 and b"<html" in reply.body.lower()
        pupil = Pupil(view, reply.cookies()[ROUTE], reply.replica, reply.cookies()[ids.BROWSER_COOKIE])
        assert re.fullmatch(r"[0-9a-f]{32}", pupil.route) and pupil.replica in deployment.replicas
        assert re.fullmatch(r"[0-9a-f]{16}\.[0-9a-f]{32}", pupil.browser)  # an id, signed
        if sum(p.replica == pupil.replica for p in pupils) < PER_REPLICA:
            pupils.append(pupil)
        if len(pupils) == PER_REPLICA * len(deployment.replicas):
            return pupils
    pytest.fail(f"60 new browsers did not fill both replicas: {[p.replica for p in pupils]}")


def test_students_stay_on_their_replica_and_those_of_a_dead_one_get_their_view_back(deployment):
    pupils = enrol(deployment)

    for pupil in pupils:
        # The cookie keeps a browser where it is: its next request, and nginx sends the cookie back unchanged.
        again = http(f"{deployment.url}/_stcore/health", headers=pupil.cookie)
        assert (again.status, again.replica, again.cookies()[ROUTE]) == (200, pupil.replica, pupil.route)
        # The websocket goes to the replica that served the page, and the session draws the link's view.
        assert pupil.connect(deployment.url) == pupil.replica
        pupil.first = pupil.student.rerun()
        check_render(pupil.first, pupil.view)
    assert "green = 0.500" in pupils[0].first.plotly()[1]["alt"]  # virginica, b3 = 0.5: green is b3

    # XSRF behind the proxy: the browser sees one origin, so Streamlit's XSRF cookie (a token the
    # browser sends back as a header, no server secret) minted by one replica passes on the other.
    one, two = pupils[0], next(p for p in pupils if p.replica != pupils[0].replica)
    health = http(f"{deployment.url}/_stcore/health", headers=one.cookie)  # the frontend's first request
    assert health.replica == one.replica
    token = health.cookies()[XSRF]
    upload = f"{deployment.url}/_stcore/upload_file/no-such-session/no-such-file"
    cookies = {"Cookie": f"{ROUTE}={two.route}; {XSRF}={token}"}
    without = http(upload, "PUT", headers=cookies)
    with_token = http(upload, "PUT", headers={**cookies, "X-Xsrftoken": token})
    assert (without.status, without.replica) == (403, two.replica)
    assert (with_token.status, with_token.replica) == (400, two.replica), with_token.body  # past XSRF: no session

    dead = pupils[0].replica
    live = deployment.other(dead)
    deployment.kill(dead)

    for pupil in pupils:
        if pupil.replica == live:  # their sessions go on: a slider change renders at once
            flower, _, lang = pupil.view
            check_render(pupil.student.rerun({"b3": 0.75}), (flower, "0.75", lang))
        else:  # their websocket died with the replica. A new one, with the same cookie, asks for the
            # page with the URL's query, as a reloaded tab does (and a reconnected one at its next run).
            with pytest.raises(ConnectionClosed):
                pupil.student.rerun()
            pupil.student.close()
            # nginx sends it to the live replica; had the supervisor already started the dead one
            # again, there (a new process: a new session either way).
            assert pupil.connect(deployment.url) in (live, dead)
            back = pupil.student.rerun()
            check_render(back, pupil.view)
            assert charts(back) == charts(pupil.first), "the same charts with the same live values"
        pupil.student.close()

    # The supervisor starts the dead replica again on its port; once nginx tries it again (after
    # fail_timeout), its browsers' cookies lead them back to it, where their link's view is drawn.
    deployment.started_again(dead)
    pupil = next(p for p in pupils if p.replica == dead)
    deadline = time.monotonic() + 30
    while http(f"{deployment.url}/_stcore/health", headers=pupil.cookie).replica != dead:
        assert time.monotonic() < deadline, "nginx does not send the dead replica's browsers back to it"
        time.sleep(0.5)
    assert pupil.connect(deployment.url) == dead
    check_render(pupil.student.rerun(), pupil.view)
    pupil.student.close()
    assert "exited with code -9; starting it again" in deployment.log()

    # SIGTERM stops nginx and both replicas, and the supervisor exits 0.
    pids = [pid for started in deployment.pids().values() for pid in started]
    assert deployment.stop() == 0, deployment.log()[-3000:]
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids), "a replica outlived the supervisor"
    assert not healthy(deployment.url) and not any(healthy(f"http://{address}") for address in deployment.replicas)
    assert "serve: stopped" in deployment.log()


@pytest.mark.parametrize("deployment", ["sqlite"], indirect=True)
def test_students_on_both_replicas_answer_into_one_dashboard(deployment):
    """A class spans the replicas: sticky sessions keep each student on one, and the students of
    both answer page 8 into the one class store the teacher's dashboard reads, through either
    replica: here the SQLite file `make serve` shares between its replicas by default."""
    engine = create_engine(deployment.database)
    classes = store.Store(engine)
    classes.migrate()  # as the first replica to open the database would
    new = classes.start_class(store.network_of(None))
    classes.allow_per_network(new.key, 50)  # the students all come from this machine, as from one lab
    engine.dispose()
    pupils = enrol(deployment)
    answers = {"-1/P_se": "right", "1/P_se": "sign"}  # CE_se's step ①, which page 8 opens on
    answered = []
    for pupil, typed in zip(pupils, itertools.cycle(answers), strict=False):
        _, _, lang = pupil.view
        with Student(deployment.url, page="check", query=f"{query(pupil.view)}&class={new.code}",
                     headers=pupil.cookie, timeout=30) as student:  # fmt: skip
            assert answered_by(student.socket.response.headers.get("X-Replica")) == pupil.replica
            first = student.rerun()
            assert first.exceptions() == [] and new.code in " ".join(alert_texts(first))
            sent = student.rerun({"check_answer": typed})
            assert sent.exceptions() == []
            assert TEXT["class_sent"][lang == "zh"].format(code=new.code) in caption_texts(sent)
            answered.append((pupil.replica, answers[typed]))
    assert {replica for replica, _ in answered} == set(deployment.replicas), "students on both replicas"
    dashboards_count_everyone(deployment, pupils, new.key, answered)

    # An admin's sqlite3 opens and closes the file; then a replica dies and its supervisor starts it
    # again: the class is still one, through either replica, with every answer said sent.
    file = deployment.database.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(file)) as admin:
        assert admin.execute("SELECT count(*) FROM softmax_answers").fetchone() == (len(answered),)
    killed = sorted(deployment.replicas)[0]
    deployment.kill(killed)
    deployment.started_again(killed)
    dashboards_count_everyone(deployment, pupils, new.key, answered)


def dashboards_count_everyone(deployment, pupils, key: str, answered: list[tuple[str, str]]) -> None:
    for replica in deployment.replicas:  # the teacher's dashboard, through nginx to each replica in turn
        route = next(p.route for p in pupils if p.replica == replica)
        with Student(deployment.url, page="class", query=f"teacher={key}&lang=en",
                     headers={"Cookie": f"{ROUTE}={route}"}, timeout=30) as teacher:  # fmt: skip
            board = teacher.rerun()
        assert board.exceptions() == []
        (chart,) = board.plotly()
        counts = {trace["name"]: trace["y"][0] for trace in chart["spec"]["data"]}  # CE_se ①
        assert counts[TEXT["class_right"][0]] == sum(kind == "right" for _, kind in answered)
        assert counts[TEXT["slip_sign"][0]] == sum(kind == "sign" for _, kind in answered)
        heading = f"### {TEXT['class_students'][0].format(n=len(pupils))}"
        assert any(text.startswith(heading) for text in board.texts()), replica


def alert_texts(render: Render) -> list[str]:
    return [element.alert.body for element in render.of_type("alert")]


def caption_texts(render: Render) -> list[str]:
    return [element.markdown.body for element in render.of_type("markdown")]


class Sockets:
    """The page's websockets as Chromium saw them (DevTools protocol): handshake headers, frames."""

    def __init__(self, cdp) -> None:
        self.headers: dict[str, dict] = {}  # request id -> handshake response headers, in order
        self.frames: dict[str, list[bytes]] = {}
        cdp.send("Network.enable")
        cdp.on("Network.webSocketHandshakeResponseReceived", self._handshake)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _handshake(self, event: dict) -> None:
        self.headers[event["requestId"]] = {k.lower(): v for k, v in event["response"]["headers"].items()}

    def _frame(self, event: dict) -> None:
        response = event["response"]
        if response["opcode"] == 2:  # binary: a ForwardMsg
            self.frames.setdefault(event["requestId"], []).append(base64.b64decode(response["payloadData"]))

    def replicas(self) -> list[str]:
        return [answered_by(headers.get("x-replica")) for headers in self.headers.values()]

    def messages(self, index: int) -> list[ForwardMsg]:
        """The ForwardMsgs the `index`th websocket delivered, in order. A reference to a message the
        browser holds (Streamlit sends one for a message the browser said it has cached) is resolved
        from the messages of all the page's websockets, as the frontend does."""
        cache: dict[str, ForwardMsg] = {}
        delivered: dict[str, list[ForwardMsg]] = {}
        for request_id, frames in self.frames.items():
            for data in frames:
                message = ForwardMsg()
                message.ParseFromString(data)
                if message.WhichOneof("type") == "ref_hash":
                    message = cache[message.ref_hash]
                elif message.metadata.cacheable:
                    cache[message.hash] = message
                delivered.setdefault(request_id, []).append(message)
        return delivered.get(list(self.headers)[index], [])

    def charts_sent(self, index: int) -> list[tuple[str, str]]:
        """(download name, alt text) of each plotly chart the `index`th websocket delivered."""
        charts = []
        for message in self.messages(index):
            if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "plotly_chart":
                    config = json.loads(element.plotly_chart.config)
                    charts.append((config["toImageButtonOptions"]["filename"], element.plotly_chart.alt))
        return charts


DRAWN_NAMES = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
    .filter((plot) => plot._fullLayout && plot.querySelector('svg.main-svg'))
    .map((plot) => plot._context.toImageButtonOptions.filename)"""


def test_a_browser_tab_whose_replica_dies_reconnects_by_itself_to_its_view(deployment, browser):
    view = VIEWS[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sockets = Sockets(context.new_cdp_session(page))
        link = f"{deployment.url}/{PAGE}?{query(view)}"
        home = answered_by(page.goto(link).headers.get("x-replica"))
        wait_for_app(page, settle=0.4, network=False)
        page.wait_for_function(f"n => ({DRAWN_NAMES})().length === n", arg=2, timeout=30_000)
        assert page.evaluate(DRAWN_NAMES) == chart_names(view)
        assert sockets.replicas() == [home], "the websocket went where the page came from"
        assert [name for name, _ in sockets.charts_sent(0)] == chart_names(view)
        assert {cookie["name"] for cookie in context.cookies()} >= {ROUTE, XSRF}

        deployment.kill(home)
        live = deployment.other(home)
        # The frontend notices and reconnects by itself, through nginx with the same cookie: now to
        # the live replica, which starts a new session for it.
        deadline = time.monotonic() + 30
        while len(sockets.replicas()) < 2 or app_state(page)["connection"] != "CONNECTED":
            assert time.monotonic() < deadline, f"no reconnect: {sockets.replicas()}, {app_state(page)}"
            page.wait_for_timeout(100)
        assert sockets.replicas()[0] == home and sockets.replicas()[1] in (live, home)  # home only if started again
        live = sockets.replicas()[1]
        # Reconnected while idle, Streamlit's frontend asks for no run (it expects its old session
        # back): the tab keeps showing its view, at its URL.
        assert page.evaluate(DRAWN_NAMES) == chart_names(view)
        assert page.url == link

        # Its next run, whatever asks for it (here a key on the b3 slider), is the first of the new
        # session: the live replica draws the view of the tab's URL, flower, b3 and language.
        thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').last
        assert thumb.get_attribute("value") == "0.5"
        for turn, shown in enumerate((view, ("virginica", "0.51", "zh"))):
            thumb.focus()
            page.keyboard.press("ArrowRight")
            while len(sockets.charts_sent(1)) < 2 * (turn + 1):
                assert time.monotonic() < deadline, f"no run on the live replica: {sockets.charts_sent(1)}"
                page.wait_for_timeout(100)
            sent = sockets.charts_sent(1)[-2:]
            assert [name for name, _ in sent] == chart_names(shown)
            assert f"green = {float(shown[1]):.3f}" in sent[1][1]  # the live number, in Chinese
            wait_for_app(page, settle=0.4, network=False)
            page.wait_for_function(
                f"names => JSON.stringify(({DRAWN_NAMES})()) === JSON.stringify(names)",
                arg=chart_names(shown),
                timeout=30_000,
            )
            # Then the session there is the tab's own: the next key moves b3, and the URL with it.
            assert page.url == f"{deployment.url}/{PAGE}?{query(shown)}"
        assert page.evaluate("document.documentElement.lang").startswith("zh")
        assert page.locator('[data-testid="stException"]').count() == 0, exception_texts(page)
        assert sockets.replicas() == [home, live], "no further reconnect"
    finally:
        context.close()
