"""A classroom against one app server, over Streamlit's real websocket protocol, driven by locust.

    .venv/bin/python bench/load.py --students 40 --seconds 60 [--flood] [--json out.json]

One command: it starts `streamlit run server.py` on a free port (from the repository's root, so
.streamlit/config.toml applies), warms it up, runs the class, stops the server and prints a table.

Each student is its own session (harness/stream.py's `Student`), on its own page (the 9 pages in turn),
with its own flower (setosa, versicolor, virginica in turn, every 9 students), its own starting b3
(a random value in [-3, 3], step 0.01) and language (en for the first 27 students, zh for the
next 27, and so on). It loads its page from a link, then thinks for 1.5-2.5 s (uniform) after every
render and moves the sidebar's b3 slider to a new random value: a closed loop, as a person waits
for the page before moving the slider again.

Every render is checked for isolation: each plotly chart's download filename
(`<page>-<figure>-<flower>-b3=<b3>-<lang>`) and its alt text must be exactly what the app's own
core computes for this student's view (`drawing.slides.charts`), in page order. A wrong chart, an
exception element, a status other than FINISHED_SUCCESSFULLY, a timeout (`--timeout`, 30 s) or a
failed or dropped connection is an error, reported to locust as the request's exception (after a
timeout or a dropped connection the student opens a new session, from the link of its view).
Computing the expected alt texts costs about as much CPU as the server's render (the figures are
built), so it runs in helper processes at the lowest priority (nice 19), which use idle CPU during
the run and finish after the server has stopped; a render's request is logged to locust once its
check is done, with the latency measured at the render. `--no-alt-check` skips the alt texts (the
filenames, which name the whole view, are always checked, inline).

`--flood` adds one hostile client (not counted among the students): a session on page 1 that
sends `rerun_script` with a new b3 20 times a second without waiting for the results (it reads
and discards what the server sends), for the whole run. Compare the students' p95 with a run
without it.

Reported: per request kind (connect, first load, slider) and per page: requests, errors, p50 /
p95 / max latency (locust's stats; locust rounds times above 100 ms to 2 significant digits),
bytes per render (mean, max), the largest single message; the server's CPU seconds during the
run (/proc/<pid>/stat) and its memory per session (VmRSS after warm-up vs. once all students have
rendered their first page, divided by the number of students); the load generator's own CPU (if
it nears 100 % of a core the latencies include its own delays); the first error messages; the
tracebacks in the server's log. `--json PATH` writes all of it as JSON.

`--class-mode` is a class working on page 8 under the teacher's live dashboard (issue 10): a class
is started in the servers' database (a fresh SQLite file; with `--replicas`, a private PostgreSQL
cluster on loopback, as harness/postgres.py starts it), every student opens page 8 with its link
(`?class=<code>`) and types an answer to step ① of CE_se every 5-8 s (uniform), a different one of
four each time (right, sign slip, upside down, other), and its pacing fragment looks every PACE_EVERY s (2) for
where the teacher points the class, as the browser's timer would; one teacher's dashboard redraws
its fragment every 3 s. Halfway through, the teacher points the class at page 5: reported is how
long each student's app took to show the prompt. An answer whose render does not say it was sent
(or refused by a rate limit, counted apart) is an error, and so is a dashboard or pacing run that
fails.

`--cold` skips the warm-up (one session that visits every page before the class), so the class
is the server's first sessions, as when a class opens a link to a freshly started server.

Exit status: 0 when every render was right and the server logged no traceback, 1 otherwise, 2 if
the bench itself could not run (the server did not start, or the warm-up failed), 130 when
interrupted (Ctrl-C or SIGTERM: the server is stopped either way; it also gets SIGTERM if the
bench is killed).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
import gevent.event
from locust import User, between, constant, task  # importing locust monkey-patches the process for gevent
from locust.env import Environment
from locust.log import setup_logging
from locust.stats import StatsEntry
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from core import pages  # noqa: E402
from core.view import View, parse_query, to_query, with_values  # noqa: E402
from deploy import serve  # noqa: E402
from drawing import slides  # noqa: E402
from drawing.i18n import TEXT  # noqa: E402
from harness.servers import (  # noqa: E402
    APP,
    cpu_seconds,
    free_port,  # noqa: E402
)
from harness.stream import Student, _set_widget, page_cookies  # noqa: E402
from ui.classroom import PACE_EVERY  # noqa: E402

# The URL path of each page ("" is page 1, at the root), and its name in core.pages.
CORE_PAGE = {("" if index == 0 else name): name for index, name in enumerate(pages.NAMES)}
PAGES = tuple(CORE_PAGE)
FLOWERS = ("setosa", "versicolor", "virginica")
LANGS = ("en", "zh")
B3_STEPS = range(-300, 301)  # b3 = step / 100: [-3, 3] in steps of 0.01
THINK = (1.5, 2.5)  # s between a render and the next slider move
FLOOD_RATE = 20  # reruns a second from the hostile client
KINDS = ("connect", "first load", "slider")
CLASS_KINDS = ("connect", "first load", "answer", "pace poll", "dashboard")
ANSWER_EVERY = (5.0, 8.0)  # s between a student's answers in --class-mode
ANSWERS = ("-1/P_se", "1/P_se", "-P_se", "log(P_se)")  # CE_se's step ①: right, sign, upside down, other


class RenderError(Exception):
    """A render that a student must not have seen, or did not get; `kind` sorts them in the report."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def page_label(page: str) -> str:
    return f"{PAGES.index(page) + 1} {CORE_PAGE[page]}"


def random_b3(rng: random.Random) -> float:
    return rng.choice(B3_STEPS) / 100


# ---------------------------------------------------------------------------------------------
# The server


def memory(pid: int, key: str = "VmRSS") -> int:
    """Bytes of `key` (VmRSS: resident now, VmHWM: the peak) from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {key} for pid {pid}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def memory(self, key: str = "VmRSS") -> int:
        return memory(self.pid, key)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Replicas:
    """`make serve`'s own deployment (deploy/serve.py: the replicas and Debian's nginx with
    deploy/nginx.conf) on a loopback port; looks like one Server to the run: CPU and memory are the
    replicas' sums. Each student's websocket is one connection, which nginx hashes to one replica and
    keeps there. Not watched: a replica that dies is the run's error, not started again."""

    def __init__(self, count: int, log_path: Path, env: dict[str, str]):
        self.folder = Path(tempfile.mkdtemp(prefix="load-serve-"))
        self.folder.chmod(0o755)  # as make serve: nginx's workers make their temporary files in it
        self.listen = free_port()
        self.url = f"http://127.0.0.1:{self.listen}"
        os.environ.update(env)  # the replicas inherit it: the class store
        self.output = log_path.with_name(log_path.stem + "-replicas")  # each replica's log
        self.output.mkdir(exist_ok=True)
        self.deployment = serve.Deployment(count, f"127.0.0.1:{self.listen}", self.folder, log=lambda _: None,
                                           output=self.output)  # fmt: skip
        try:
            self.deployment.start()
        except BaseException:
            self.stop()
            raise
        self.log_paths = [self.deployment.log_file(replica) for replica in self.deployment.replicas]

    @property
    def servers(self) -> list[subprocess.Popen]:
        return [replica.process for replica in self.deployment.replicas]

    @property
    def process(self) -> subprocess.Popen:
        return next((process for process in self.servers if process.poll() is not None), self.servers[0])

    @property
    def pid(self) -> list[int]:
        return [process.pid for process in self.servers]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pid)

    def memory(self, key: str = "VmRSS") -> int:
        return sum(memory(pid, key) for pid in self.pid)

    def stop(self) -> None:
        self.deployment.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(log_path: Path, env: dict[str, str], timeout: float = 90.0) -> Server:
    """`streamlit run server.py` on a free port, from the repository's root, with `env` beside our
    environment (--class-mode: the database); returns once /_stcore/health answers."""
    import ctypes
    import urllib.request  # here, after gevent's monkey-patching (it imports ssl)

    libc = ctypes.CDLL(None, use_errno=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            # PR_SET_PDEATHSIG: the server gets SIGTERM if the bench dies, even by SIGKILL
            preexec_fn=lambda: libc.prctl(1, signal.SIGTERM),
        )  # fmt: skip
    server = Server(url, process, log_path)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{log_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return server
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{log_tail(log_path)}")
            gevent.sleep(0.25)
    except BaseException:
        server.stop()
        raise


def log_tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def tracebacks(path: Path) -> list[str]:
    """Each traceback in the server's log, as its first line (Streamlit's message) and its last
    (the exception)."""
    found, lines = [], path.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        end = index + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        last = lines[end] if end < len(lines) else "(log ends)"
        before = lines[index - 1].strip() if index else ""
        found.append(f"{before} ... {last.strip()}" if before else last.strip())
    return found


# ---------------------------------------------------------------------------------------------
# The alt-text check, in helper processes


def sent_charts(page: str, kind: str) -> int | None:
    """How many of the page's charts a run sends. Opening page 1 sends its graph alone: the 3D
    surfaces follow once the browser reports it has drawn it (ui.report_paint), which a student
    here, with no browser, never does; its next run, a slider change, sends all three."""
    return 1 if (page, kind) == ("network", "first load") else None  # None: every chart


def check_worker() -> None:
    """`load.py --check-worker`: read a JSON line per render, answer with its error (or null)."""
    os.nice(19)
    expected: dict[tuple, list[str]] = {}
    for line in sys.stdin:
        job = json.loads(line)
        page, flower, b3, lang = job["page"], job["flower"], job["b3"], job["lang"]
        key = (page, flower, b3, lang)
        if key not in expected:
            expected[key] = [chart.alt for chart in slides.charts(page, View(flower=flower, b3=b3, lang=lang))]
        want, got = expected[key][: job["charts"]], job["alts"]
        error = None
        if got != want:
            error = f"{page} {flower} b3={b3} {lang}: " + alt_difference(got, want)
        sys.stdout.write(json.dumps({"id": job["id"], "error": error}) + "\n")
        sys.stdout.flush()


def alt_difference(got: list[str], want: list[str]) -> str:
    """Where two lists of alt texts first differ, with a little context."""
    if len(got) != len(want):
        return f"{len(got)} charts, want {len(want)}"
    chart = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
    a, b = got[chart], want[chart]
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, at - 40)
    return (
        f"alt text of chart {chart + 1} differs at {at}: got ...{a[start : at + 40]!r}, want ...{b[start : at + 40]!r}"
    )


class AltChecker:
    """Helper processes that compare alt texts with drawing.slides.charts; each render's callback
    runs with the check's error (None when right) once its answer arrives."""

    def __init__(self, workers: int):
        self.processes = [
            subprocess.Popen([sys.executable, __file__, "--check-worker"], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=tempfile.TemporaryFile(), text=True, bufsize=1)
            for _ in range(workers)
        ]  # fmt: skip
        self.pending: dict[int, tuple] = {}
        self.ids = itertools.count()
        self.failed: list[str] = []
        self.readers = [gevent.spawn(self._read, process) for process in self.processes]

    def submit(self, view: View, page: str, alts: list[str], callback, charts: int | None) -> None:
        job_id = next(self.ids)
        process = self.processes[hash((page, view.flower, view.b3, view.lang)) % len(self.processes)]
        self.pending[job_id] = (callback, process)
        job = {"id": job_id, "page": page, "flower": view.flower, "b3": view.b3, "lang": view.lang, "alts": alts,
               "charts": charts}  # fmt: skip
        try:
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
        except OSError as error:
            self._give_up(process, f"alt checker unreachable: {error}")

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            answer = json.loads(line)
            callback, _ = self.pending.pop(answer["id"], (None, None))
            if callback is not None:
                callback(answer["error"])
        self._give_up(process, f"alt checker exited with {process.wait()}")

    def _give_up(self, process, message: str) -> None:
        """A checker died: its renders are logged unchecked (not as the server's errors)."""
        lost = [job_id for job_id, (_, owner) in self.pending.items() if owner is process]
        if lost:
            self.failed.append(f"{message} ({len(lost)} renders left unchecked)")
        for job_id in lost:
            callback, _ = self.pending.pop(job_id)
            callback(None, was_checked=False)

    def drain(self, limit: float) -> None:
        start, reported = time.monotonic(), time.monotonic()
        while self.pending and time.monotonic() - start < limit:
            if time.monotonic() - reported > 10:
                print(f"  checking alt texts: {len(self.pending)} renders to go", file=sys.stderr, flush=True)
                reported = time.monotonic()
            gevent.sleep(0.2)
        if self.pending:
            self.failed.append(f"alt check stopped after {limit:.0f} s: {len(self.pending)} renders left unchecked")
            for job_id in list(self.pending):
                callback, _ = self.pending.pop(job_id)
                callback(None, was_checked=False)

    def close(self) -> float:
        """Stop the helpers; return the CPU seconds they used."""
        cpu = 0.0
        for process in self.processes:
            try:
                cpu += cpu_seconds(process.pid)
            except (OSError, IndexError, ValueError):
                pass
        for process in self.processes:
            if process.stdin and not process.stdin.closed:
                try:
                    process.stdin.close()
                except OSError:
                    pass
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        gevent.joinall(self.readers, timeout=5)
        return cpu


# ---------------------------------------------------------------------------------------------
# The class


@dataclass
class Sample:
    kind: str
    page: str
    ms: float
    bytes: int = 0
    largest: int = 0


@dataclass
class Classroom:
    """What the students share: the server, their checks, and what they measured."""

    url: str
    students: int
    timeout: float
    seed: int
    checker: AltChecker | None
    expected_names: dict[str, tuple]  # core page -> its default view's Chart tuple (page, name)
    seats: itertools.count = field(default_factory=itertools.count)
    samples: list[Sample] = field(default_factory=list)
    first_loads: int = 0  # students whose first load has ended (either way)
    connected: int = 0  # sockets open now
    all_loaded: gevent.event.Event = field(default_factory=lambda: gevent.event.Event())
    unchecked: int = 0
    error_kinds: collections.Counter = field(default_factory=collections.Counter)
    open_students: set = field(default_factory=set)
    class_code: str = ""  # --class-mode: the class the students are in
    pointed_at: float | None = None  # when the teacher pointed the class at page 5 (perf_counter)
    prompt_delays: list = field(default_factory=list)  # s from then to each student's first prompt
    refused: collections.Counter = field(default_factory=collections.Counter)  # answers a limit refused


class Pupil(User):
    """One student: connects, loads its page, then moves the b3 slider after each think time."""

    wait_time = between(*THINK)

    def __init__(self, environment):
        super().__init__(environment)
        room: Classroom = environment.classroom
        self.room = room
        self.seat = next(room.seats)
        self.rng = random.Random(room.seed * 1_000_003 + self.seat)
        self.page = PAGES[self.seat % len(PAGES)]
        flower = FLOWERS[(self.seat // len(PAGES)) % len(FLOWERS)]
        lang = LANGS[(self.seat // (len(PAGES) * len(FLOWERS))) % len(LANGS)]
        query = {"flower": flower, "b3": f"{random_b3(self.rng):.2f}", "lang": lang}
        self.view, _ = parse_query(query)  # what the app makes of this link
        self.query = urlencode(query)
        self.student: Student | None = None
        self.cookies: dict | None = None  # what the server set when this browser first loaded the page
        self.loaded_once = False

    @task
    def step(self) -> None:
        if self.student is None:
            self.connect_and_load()
        else:
            value = random_b3(self.rng)
            while value == self.view.b3:
                value = random_b3(self.rng)
            self.view = with_values(self.view, b3=value)
            self.render("slider", {"b3": value})

    def on_stop(self) -> None:
        self.disconnect()

    def connect_and_load(self) -> None:
        label = page_label(self.page)
        start = time.perf_counter()
        try:
            if self.room.class_code and self.cookies is None:  # a browser loads the page once, and keeps its cookies
                self.cookies = page_cookies(self.room.url, self.page, self.query)
            self.student = Student(self.room.url, page=self.page, query=self.query, timeout=self.room.timeout,
                                   headers=self.cookies)  # fmt: skip
        except Exception as error:  # refused, reset, handshake timeout: counted, tried again after a think
            self.fire("connect", label, start, 0, RenderError("connect", f"{label}: {type(error).__name__}: {error}"))
            if not self.loaded_once:
                self.first_load_ended()
            return
        self.room.connected += 1
        self.room.open_students.add(self.student)
        self.fire("connect", label, start, 0, None)
        self.render("first load", None)
        if not self.loaded_once:
            self.first_load_ended()

    def first_load_ended(self) -> None:
        self.loaded_once = True
        self.room.first_loads += 1
        if self.room.first_loads >= self.room.students:
            self.room.all_loaded.set()

    def disconnect(self) -> None:
        if self.student is not None:
            self.room.open_students.discard(self.student)
            self.room.connected -= 1
            try:
                self.student.close()
            except Exception:
                pass
            self.student = None

    def render(self, kind: str, widgets: dict | None) -> None:
        label = page_label(self.page)
        view, student = self.view, self.student
        start = time.perf_counter()
        try:
            result = student.rerun(widgets)
        except Exception as error:  # a timeout, a dropped connection or a protocol error: a new session next time
            if isinstance(error, TimeoutError):
                problem = RenderError("timeout", f"{label} {kind}: no end of the run within {self.room.timeout:g} s")
            else:
                problem = RenderError("connection", f"{label} {kind}: {type(error).__name__}: {error}")
            self.fire(kind, label, start, 0, problem)
            self.disconnect()
            self.query = urlencode(to_query(self.view))  # a browser reconnects to the URL the app kept in step
            return
        ms = 1000 * result.seconds
        self.room.samples.append(Sample(kind, self.page, ms, result.bytes, result.largest))
        problem = self.problem(result, view, kind)
        if problem is not None or self.room.checker is None:
            self.fire(kind, label, ms, result.bytes, problem, elapsed=True)
            return
        alts = [element.plotly_chart.alt for element in result.of_type("plotly_chart")]

        def checked(error: str | None, was_checked: bool = True) -> None:
            if not was_checked:
                self.room.unchecked += 1
            self.fire(
                kind, label, ms, result.bytes, RenderError("wrong alt text", error) if error else None, elapsed=True
            )

        self.room.checker.submit(view, CORE_PAGE[self.page], alts, checked, sent_charts(CORE_PAGE[self.page], kind))

    def problem(self, result, view: View, kind: str) -> RenderError | None:
        """What is wrong with this render that can be seen at once: its status, an exception, and
        the charts' filenames (they name page, figure, flower, b3 and language)."""
        where = f"{page_label(self.page)} {view.flower} b3={view.b3:g} {view.lang}"
        if result.status != "FINISHED_SUCCESSFULLY":
            return RenderError("status", f"{page_label(self.page)}: {result.status or '(none)'}")
        exceptions = result.exceptions()
        if exceptions:
            return RenderError("exception element", f"{page_label(self.page)}: {exceptions[0][:80]}")
        charts = result.of_type("plotly_chart")
        got = [
            json.loads(c.plotly_chart.config or "{}").get("toImageButtonOptions", {}).get("filename") for c in charts
        ]
        page = CORE_PAGE[self.page]
        want = [slides.file_name(chart, view) for chart in self.room.expected_names[page][: sent_charts(page, kind)]]
        if got != want:
            return RenderError("wrong charts", f"{where}: filenames {got}, want {want}")
        return None

    def fire(self, kind: str, name: str, start_or_ms: float, length: int, error, elapsed: bool = False) -> None:
        ms = start_or_ms if elapsed else 1000 * (time.perf_counter() - start_or_ms)
        log_request(self.environment, self.room, kind, name, ms, length, error)


def log_request(env: Environment, room: Classroom, kind: str, name: str, ms: float, length: int, error) -> None:
    """One request to locust's statistics, its error (if any) counted by kind."""
    if error is not None:
        room.error_kinds[error.kind] += 1
    env.events.request.fire(
        request_type=kind, name=name, response_time=ms, response_length=length, exception=error, context={}
    )


class ClassPupil(Pupil):
    """--class-mode: a student on page 8 in the class, who answers every 5-8 s while the app's
    pacing fragment looks for the teacher's pointer every PACE_EVERY s."""

    wait_time = constant(0.2)

    def __init__(self, environment):
        super().__init__(environment)
        self.page = "check"
        self.query = urlencode(to_query(self.view) | {"class": self.room.class_code})
        self.next_answer = self.next_pace = 0.0
        self.answer = ""
        self.prompted = False

    def class_step(self) -> None:
        now = time.perf_counter()
        if self.student is None:
            self.connect_and_load()
            self.next_answer = now + self.rng.uniform(*ANSWER_EVERY)
            self.next_pace = now + PACE_EVERY
        elif now >= self.next_pace:
            self.next_pace = now + PACE_EVERY
            self.class_render("pace poll")
        elif now >= self.next_answer:
            self.next_answer = now + self.rng.uniform(*ANSWER_EVERY)
            self.answer = self.rng.choice([a for a in ANSWERS if a != self.answer])
            self.class_render("answer", {"check_answer": self.answer})

    def class_render(self, kind: str, widgets: dict | None = None) -> None:
        label, lang = page_label(self.page), self.view.lang
        (fragment,) = self.student.timers if kind == "pace poll" else ("",)
        start = time.perf_counter()
        try:
            result = self.student.rerun(widgets, fragment=fragment)
        except Exception as error:
            self.fire(kind, label, start, 0, RenderError("connection", f"{kind}: {type(error).__name__}: {error}"))
            self.disconnect()
            return
        ms = 1000 * result.seconds
        self.room.samples.append(Sample(kind, self.page, ms, result.bytes, result.largest))
        self.fire(kind, label, ms, result.bytes, self.class_problem(kind, result, lang), elapsed=True)

    def class_problem(self, kind: str, result, lang: str) -> RenderError | None:
        index = 1 if lang == "zh" else 0
        wanted = "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" if kind == "pace poll" else "FINISHED_SUCCESSFULLY"
        if result.status != wanted or result.exceptions():
            return RenderError("status", f"{kind}: {result.status} {result.exceptions()[:1]}")
        if kind == "pace poll":
            prompt = TEXT["class_go"][index].format(page=TEXT["page_chain_vi"][index])
            if prompt in result.texts() and not self.prompted and self.room.pointed_at is not None:
                self.prompted = True
                self.room.prompt_delays.append(time.perf_counter() - self.room.pointed_at)
            return None
        if TEXT["class_sent"][index].format(code=self.room.class_code) in result.texts():
            return None
        alerts = [element.alert.body for element in result.of_type("alert")]
        for reason in ("student_rate", "class_rate", "student_full"):
            if TEXT[f"class_{reason}"][index] in alerts:
                self.room.refused[reason] += 1
                return None
        return RenderError("not sent", f"answer {self.answer!r}: no 'sent' caption; alerts {alerts}")


ClassPupil.tasks = [ClassPupil.class_step]  # locust would also inherit Pupil's slider moves


@dataclass
class Teacher:
    """--class-mode: the teacher's dashboard, its fragment redrawn whenever its timer says, and the
    class pointed at page 5 halfway through the run (as the teacher's Send button does)."""

    room: Classroom
    env: Environment
    key: str
    classes: store.Store
    point_after: float
    redraws: int = 0

    def run(self, stop: gevent.event.Event) -> None:
        start = time.perf_counter()
        query = urlencode({"teacher": self.key, "lang": "en"})
        with Student(self.room.url, page="class", query=query, timeout=self.room.timeout) as teacher:
            first = teacher.rerun()
            if first.exceptions() or len(first.plotly()) != 1:
                raise RuntimeError(f"the dashboard did not draw: {first.status} {first.exceptions()[:1]}")
            (fragment, every) = next(iter(teacher.timers.items()))
            while not stop.wait(every):
                if self.room.pointed_at is None and time.perf_counter() - start > self.point_after:
                    self.classes.point_class(self.key, "chain_rule_vi")
                    self.room.pointed_at = time.perf_counter()
                began = time.perf_counter()
                try:
                    result = teacher.rerun(fragment=fragment)
                except Exception as error:
                    problem = RenderError("dashboard", f"{type(error).__name__}: {error}")
                    log_request(self.env, self.room, "dashboard", "10 class", 1000 * (time.perf_counter() - began),
                                0, problem)  # fmt: skip
                    return
                drawn = result.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" and len(result.plotly()) == 1
                problem = None if drawn and not result.exceptions() else RenderError(
                    "dashboard", f"{result.status} {result.exceptions()[:1]}")  # fmt: skip
                ms = 1000 * result.seconds
                self.room.samples.append(Sample("dashboard", "class", ms, result.bytes))
                self.redraws += 1
                log_request(self.env, self.room, "dashboard", "10 class", ms, result.bytes, problem)


# ---------------------------------------------------------------------------------------------
# The hostile client


@dataclass
class Flooder:
    """One session on page 1 that sends a rerun with a new b3 FLOOD_RATE times a second, from its
    own last state, without waiting for results; it reads and discards what the server sends."""

    url: str
    timeout: float
    seed: int
    sent: int = 0
    finished: dict = field(default_factory=dict)  # the server's script_finished statuses, counted
    received: int = 0
    connections: int = 0
    problems: list[str] = field(default_factory=list)

    def run(self, stop: gevent.event.Event) -> None:
        rng = random.Random(self.seed)
        while not stop.is_set():
            try:
                student = Student(self.url, page="", query="flower=setosa&b3=-2&lang=en", timeout=self.timeout)
            except Exception as error:
                self.problems.append(f"connect: {type(error).__name__}: {error}")
                stop.wait(1.0)
                continue
            self.connections += 1
            reader = None
            try:
                student.rerun()  # the first load: its widget ids, page hash and cached messages
                reader = gevent.spawn(self._drain, student, stop)
                start, count = time.perf_counter(), 0
                while not stop.is_set() and not reader.ready():
                    student.send_raw(self._message(student, random_b3(rng)))
                    self.sent += 1
                    count += 1
                    pause = start + count / FLOOD_RATE - time.perf_counter()
                    if pause > 0:
                        stop.wait(pause)
                if reader.ready() and reader.exception is not None:
                    raise reader.exception
            except Exception as error:
                self.problems.append(f"{type(error).__name__}: {error}")
                stop.wait(1.0)
            finally:
                if reader is not None:
                    reader.kill()
                try:
                    student.close()
                except Exception:
                    pass

    @staticmethod
    def _message(student: Student, b3: float) -> bytes:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = student.query
        state.page_script_hash = student.page_hash
        state.page_name = student.page
        state.cached_message_hashes.extend(student.cache)
        _set_widget(state.widget_states.widgets.add(), student.widget_ids["b3"], b3)
        return message.SerializeToString()

    def _drain(self, student: Student, stop: gevent.event.Event) -> None:
        while not stop.is_set():
            try:
                data = student.socket.recv(timeout=1.0)
            except TimeoutError:
                continue
            self.received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.WhichOneof("type") == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                self.finished[status] = self.finished.get(status, 0) + 1


# ---------------------------------------------------------------------------------------------
# Running and reporting


def warm_up(url: str, timeout: float) -> None:
    """One session visits every page and moves the slider once, so that what every server loads
    once (modules, caches) is in the baseline, not counted as the students' memory."""
    for page in PAGES:
        with Student(url, page=page, query="flower=setosa&b3=-2&lang=en", timeout=timeout) as student:
            render = student.rerun()
            if render.status != "FINISHED_SUCCESSFULLY" or render.exceptions():
                raise RuntimeError(f"warm-up of {page_label(page)}: {render.status} {render.exceptions()[:1]}")
            student.rerun({"b3": -1.5})


def entry_row(entry: StatsEntry, samples: list[Sample]) -> dict:
    rendered = [s for s in samples if s.bytes]
    top = round(entry.max_response_time)
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        # locust's percentiles are bucketed (above 100 ms to 2 significant digits): never above the max
        "p50_ms": min(entry.get_response_time_percentile(0.5), top) if entry.num_requests else None,
        "p95_ms": min(entry.get_response_time_percentile(0.95), top) if entry.num_requests else None,
        "max_ms": top if entry.num_requests else None,
        "bytes_mean": round(statistics.fmean(s.bytes for s in rendered)) if rendered else None,
        "bytes_max": max((s.bytes for s in rendered), default=None),
        "largest_message": max((s.largest for s in rendered), default=None),
    }


def combined(env: Environment, keys) -> StatsEntry:
    total = StatsEntry(env.stats, "combined", "combined")
    for key in keys:
        if key in env.stats.entries:
            total.extend(env.stats.entries[key])
    return total


def summarize(env: Environment, room: Classroom) -> dict:
    keys = list(env.stats.entries)
    rows = {}
    for kind in CLASS_KINDS if room.class_code else KINDS:
        samples = [s for s in room.samples if s.kind == kind]
        rows[kind] = entry_row(combined(env, [k for k in keys if k[1] == kind]), samples)
    rows["all renders"] = entry_row(combined(env, [k for k in keys if k[1] != "connect"]), room.samples)
    pages = {}
    for page in ("check",) if room.class_code else PAGES:
        label = page_label(page)
        samples = [s for s in room.samples if s.page == page]
        pages[label] = entry_row(combined(env, [k for k in keys if k[0] == label and k[1] != "connect"]), samples)
    errors = sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)
    return {
        "kinds": rows,
        "pages": pages,
        "errors_total": sum(e.occurrences for e in errors),
        "errors": [
            {"request": e.method, "page": e.name, "count": e.occurrences, "message": error_text(e.error)}
            for e in errors[:20]
        ],
        "distinct_errors": len(errors),
        "error_kinds": dict(room.error_kinds.most_common()),
    }


def error_text(error) -> str:
    text = error if isinstance(error, str) else str(error)
    match = re.fullmatch(r"RenderError\((['\"])(.*)\1\)", text, re.S)
    return match.group(2) if match else text


def fmt_num(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = round(value)
    return f"{value:,}{unit}"


def print_report(result: dict) -> None:
    conf, s = result["config"], result["server"]
    flood = " + 1 flooder (20 reruns/s)" if conf["flood"] else ""
    flood += " in class mode on page 8, with the teacher's dashboard" if conf.get("class_mode") else ""
    flood += f"; {conf['replicas']} replicas behind nginx" if conf.get("replicas", 1) > 1 else ""
    print(f"\nClassroom: {conf['students']} students for {conf['seconds']:g} s{flood}; "
          + (f"answers every {ANSWER_EVERY[0]:g}-{ANSWER_EVERY[1]:g} s, pacing polls every {PACE_EVERY} s"
             if conf.get("class_mode") else f"think {THINK[0]}-{THINK[1]} s")
          + f"; alt check {'on' if conf['alt_check'] else 'off'}; "
          f"{'cold' if conf['cold'] else 'warm'} server")  # fmt: skip
    header = (
        f"{'':22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'bytes mean':>12}{'bytes max':>11}"
    )
    print(header)
    for title, rows in (("", result["kinds"]), ("by page (renders)", result["pages"])):
        if title:
            print(title)
        for name, row in rows.items():
            print(f"{name:22}{fmt_num(row['requests']):>9}{fmt_num(row['errors']):>8}{fmt_num(row['p50_ms']):>9}"
                  f"{fmt_num(row['p95_ms']):>9}{fmt_num(row['max_ms']):>9}{fmt_num(row['bytes_mean']):>12}"
                  f"{fmt_num(row['bytes_max']):>11}")  # fmt: skip
    renders = result["kinds"]["all renders"]
    print(f"largest single message: {fmt_num(renders['largest_message'])} B")
    print(f"renders per second: {result['renders_per_second']:.1f}")
    per_render = "" if s["cpu_ms_per_render"] is None else f", {s['cpu_ms_per_render']:.0f} ms per render"
    print(f"server CPU: {s['cpu_seconds']:.1f} s in {s['run_seconds']:.1f} s "
          f"({100 * s['cpu_seconds'] / s['run_seconds']:.0f} % of a core){per_render}")  # fmt: skip
    mb = 1024 * 1024
    per = s["rss_per_session"]
    print(f"server memory: {s['rss_before'] / mb:.0f} MB before the students, {s['rss_loaded'] / mb:.0f} MB with "
          f"{s['rss_loaded_students']} loaded: {per / 1024:,.0f} kB per session; "
          f"at the end {s['rss_end'] / mb:.0f} MB, peak {s['rss_peak'] / mb:.0f} MB")  # fmt: skip
    gen = result["load_generator"]
    print(
        f"load generator CPU: {gen['cpu_seconds']:.1f} s in the run ({gen['cpu_percent']:.0f} % of a core)"
        + (f"; alt checkers: {gen['checker_cpu_seconds']:.1f} s" if conf["alt_check"] else "")
        + ("; locust warned of high CPU: latencies may include its own delays" if gen["cpu_warning"] else "")
    )
    if result["flooder"]:
        f = result["flooder"]
        runs = ", ".join(f"{count:,} {status}" for status, count in sorted(f["finished"].items())) or "none"
        print(
            f"flooder: {f['sent']:,} reruns sent; runs ended: {runs}; {f['received']:,} B "
            f"received, {f['connections']} connection(s)"
            + (f"; problems: {f['problems'][:3]}" if f["problems"] else "")
        )
    if result.get("class"):
        c = result["class"]
        refused = ", ".join(f"{n} {why}" for why, n in c["refused"].items()) or "none"
        prompt = "-" if c["prompt_p50_s"] is None else f"p50 {c['prompt_p50_s']:.1f} s, max {c['prompt_max_s']:.1f} s"
        print(f"class ({c['database']}): {c['answers_stored']:,} answers stored, refused by a limit: {refused}; "
              f"{c['dashboard_redraws']} dashboard redraws; the teacher's pointer reached "
              f"{c['prompted_students']} of {conf['students']} students ({prompt})")  # fmt: skip
    for note in result["notes"]:
        print(f"note: {note}")
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in result["error_kinds"].items())
    print(
        f"errors: {result['errors_total']:,}"
        + (f" ({kinds}); the first of {result['distinct_errors']} distinct:" if kinds else "")
    )
    for error in result["errors"][:5]:
        print(f"  {error['count']:>5} x [{error['request']}] {error['message'][:300]}")
    logged = result["server_log"]
    print(
        f"server log: {len(logged['tracebacks'])} traceback(s)"
        + (f" (log kept at {logged['path']})" if logged["kept"] else "")
    )
    for line in logged["tracebacks"][:5]:
        print(f"  {line[:300]}")


def run(args) -> dict:
    setup_logging("WARNING", None)
    log_path = (
        Path(args.server_log) if args.server_log else Path(tempfile.mkstemp(prefix="load-server-", suffix=".log")[1])
    )
    notes = []
    databases = contextlib.ExitStack()
    classes, new_class = open_class(args, databases) if args.class_mode else (None, None)
    server_env = {"SOFTMAX_DATABASE_URL": classes.engine.url.render_as_string(hide_password=False)} if classes else {}
    server = (Replicas(args.replicas, log_path, server_env) if args.replicas > 1
              else start_server(log_path, server_env))  # fmt: skip
    checker = None
    teacher, teacher_greenlet = None, None
    stop_flood = gevent.event.Event()
    flooder, flood_greenlet = None, None
    env = None
    try:
        if not args.cold:
            try:
                warm_up(server.url, max(60.0, args.timeout))
            except Exception as error:
                raise RuntimeError(f"warm-up failed: {type(error).__name__}: {error}") from error
        gevent.sleep(1.0)
        rss_before = server.memory()
        expected_names = {page: tuple(slides.charts(page, View())) for page in pages.NAMES}
        checker = AltChecker(args.check_workers) if args.alt_check else None
        room = Classroom(server.url, args.students, args.timeout, args.seed, checker, expected_names)
        pupil = ClassPupil if args.class_mode else Pupil
        env = Environment(user_classes=[pupil], stop_timeout=args.timeout + 5, catch_exceptions=True)
        env.classroom = room
        runner = env.create_local_runner()
        if args.class_mode:
            room.class_code = new_class.code
            teacher = Teacher(room, env, new_class.key, classes, point_after=args.seconds / 2)
            teacher_greenlet = gevent.spawn(teacher.run, stop_flood)

        if args.flood:
            flooder = Flooder(server.url, args.timeout, args.seed)
            flood_greenlet = gevent.spawn(flooder.run, stop_flood)
        cpu_start, gen_start, start = server.cpu_seconds(), os.times(), time.monotonic()
        runner.start(args.students, spawn_rate=args.spawn_rate)
        loaded_at = None
        rss_loaded, loaded_students = None, 0
        while time.monotonic() - start < args.seconds:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited during the run ({server.process.returncode}):\n"
                                   + log_tail(log_path))  # fmt: skip
            if rss_loaded is None and room.all_loaded.is_set():
                rss_loaded, loaded_students, loaded_at = server.memory(), room.connected, time.monotonic() - start
            gevent.sleep(0.1)
        if rss_loaded is None:
            rss_loaded, loaded_students = server.memory(), room.connected
            notes.append(f"only {room.first_loads} of {args.students} first loads had ended when the run ended; "
                         "memory per session is measured at the end")  # fmt: skip
        run_seconds = time.monotonic() - start
        runner.quit()  # users in a render finish it (up to the timeout); the others stop at once
        stop_flood.set()
        cpu_run = server.cpu_seconds() - cpu_start
        rss_end, rss_peak = server.memory(), server.memory("VmHWM")
        gen_end = os.times()
        for student in list(room.open_students):
            try:
                student.close()
            except Exception:
                pass
        stored = stored_answers(classes) if classes is not None else None  # the students' renders have ended
        for greenlet in (flood_greenlet, teacher_greenlet):
            if greenlet is not None:
                greenlet.join(timeout=10)
                greenlet.kill()
        if teacher_greenlet is not None and teacher_greenlet.exception is not None:
            notes.append(f"the teacher's dashboard stopped: {teacher_greenlet.exception}")
    except BaseException:
        if checker is not None:
            checker.close()
        raise
    finally:
        stop_flood.set()
        server.stop()
        if classes is not None:
            classes.engine.dispose()
        databases.close()
    checker_cpu = 0.0
    if checker is not None:
        checker.drain(args.check_limit)
        checker_cpu = checker.close()
        notes.extend(checker.failed)
    if args.cold:
        notes.append("cold server: the memory baseline is from before any page ran, so the memory per session "
                     "includes what the first run loads (modules, caches)")  # fmt: skip
    if room.unchecked:
        notes.append(f"{room.unchecked} renders had their filenames checked but not their alt texts")
    config = {name: getattr(args, name)
              for name in ("students", "seconds", "flood", "spawn_rate", "timeout", "seed", "replicas",
                           "class_mode")}  # fmt: skip
    config |= {"alt_check": args.alt_check, "cold": args.cold, "think_seconds": list(THINK), "cpus": os.cpu_count()}
    result = {"config": config | {"date": time.strftime("%Y-%m-%d %H:%M")}, **summarize(env, room)}
    renders = result["kinds"]["all renders"]["requests"]
    result["renders_per_second"] = renders / run_seconds if run_seconds else 0.0
    result["all_loaded_after_seconds"] = loaded_at
    result["server"] = {
        "pid": server.pid,
        "run_seconds": run_seconds,
        "cpu_seconds": cpu_run,
        "cpu_ms_per_render": 1000 * cpu_run / renders if renders and not args.flood else None,
        "rss_before": rss_before,
        "rss_loaded": rss_loaded,
        "rss_loaded_students": loaded_students,
        "rss_per_session": (rss_loaded - rss_before) / args.students,
        "rss_end": rss_end,
        "rss_peak": rss_peak,
    }
    gen_cpu = (gen_end.user + gen_end.system) - (gen_start.user + gen_start.system)
    result["load_generator"] = {
        "cpu_seconds": gen_cpu,
        "cpu_percent": 100 * gen_cpu / run_seconds if run_seconds else 0.0,
        "cpu_warning": bool(env.runner.cpu_warning_emitted),
        "checker_cpu_seconds": checker_cpu,
    }
    result["flooder"] = (
        {"sent": flooder.sent, "finished": flooder.finished, "received": flooder.received,
         "connections": flooder.connections, "problems": flooder.problems[:10]}
        if flooder else None
    )  # fmt: skip
    if args.class_mode:
        delays = sorted(room.prompt_delays)
        result["class"] = {
            "database": classes.engine.dialect.name,
            "answers_stored": stored,
            "refused": dict(room.refused),
            "dashboard_redraws": teacher.redraws,
            "prompted_students": len(delays),
            "prompt_p50_s": delays[len(delays) // 2] if delays else None,
            "prompt_max_s": delays[-1] if delays else None,
        }
    logs = server.log_paths if isinstance(server, Replicas) else [log_path]
    found = [line for path in logs for line in tracebacks(path)]
    keep = bool(found) or bool(args.server_log)
    where = server.output if isinstance(server, Replicas) else log_path
    result["server_log"] = {"tracebacks": found, "path": str(where), "kept": keep}
    if not keep:
        for path in {log_path, *logs}:
            path.unlink(missing_ok=True)
        if isinstance(server, Replicas):
            server.output.rmdir()
    result["notes"] = notes
    return result


def open_class(args, databases: contextlib.ExitStack) -> tuple[store.Store, store.NewClass]:
    """A database for the servers (and this bench) and a class started in it, as a teacher would."""
    from sqlalchemy import create_engine

    if args.replicas > 1:  # replicas share one PostgreSQL, as deployed
        from harness.postgres import postgres_server

        url = databases.enter_context(postgres_server())
    else:  # the embedded default
        folder = databases.enter_context(tempfile.TemporaryDirectory(prefix="load-class-"))
        url = f"sqlite:///{folder}/classes.sqlite"
    classes = store.Store(create_engine(url))
    classes.migrate()
    new = classes.start_class(store.network_of(None))
    classes.allow_per_network(new.key, store.MAX_PER_NETWORK)  # every student comes from this machine, as from one lab
    return classes, new


def stored_answers(classes: store.Store) -> int:
    from sqlalchemy import func, select

    with classes.engine.connect() as db:
        return db.scalar(select(func.count()).select_from(store.answers))


def interrupt() -> None:
    """SIGTERM: stop as Ctrl-C does, through run()'s cleanup (the server and the helpers stop). The
    signal is handled in a greenlet of gevent's hub: KeyboardInterrupt goes to the main one."""
    gevent.get_hub().parent.throw(KeyboardInterrupt)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10, help="simulated students (default 10)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the run, from the first student on")
    parser.add_argument("--spawn-rate", type=float, default=10, help="students joining per second (default 10)")
    parser.add_argument("--flood", action="store_true", help="add one client sending 20 reruns/s without waiting")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a render may take before it is an error")
    parser.add_argument("--seed", type=int, default=1, help="seed for the students' b3 values")
    parser.add_argument("--cold", action="store_true", help="no warm-up: the students are the server's first sessions")
    parser.add_argument("--no-alt-check", dest="alt_check", action="store_false",
                        help="check the charts' filenames only, not their alt texts")  # fmt: skip
    parser.add_argument("--check-workers", type=int, default=2, help="alt-check helper processes (default 2)")
    parser.add_argument("--check-limit", type=float, default=900, help="longest wait for the alt checks after the run")
    parser.add_argument(
        "--server-log", help="keep the server's log at this path (default: kept only if it has a traceback)"
    )
    parser.add_argument("--replicas", type=int, default=1,
                        help="servers behind Debian's nginx with deploy/nginx.conf (default 1: no proxy)")  # fmt: skip
    parser.add_argument("--class-mode", action="store_true",
                        help="a class answering page 8 under the teacher's live dashboard (see above)")  # fmt: skip
    parser.add_argument("--check-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_worker:
        check_worker()
        return 0
    if args.students < 1 or args.seconds <= 0:
        parser.error("--students must be at least 1 and --seconds positive")
    gevent.signal_handler(signal.SIGTERM, interrupt)
    try:
        result = run(args)
    except RuntimeError as error:
        print(f"bench/load.py: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench/load.py: interrupted; the server is stopped", file=sys.stderr)
        return 130
    print_report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.json}")
    return 1 if result["errors_total"] or result["server_log"]["tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main())
