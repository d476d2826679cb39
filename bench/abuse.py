"""Class mode under attack: one hostile client against a live server, beside honest users.

    .venv/bin/python bench/abuse.py [--seconds 15] [--json out.json] [--only 6] [--replicas 2]

Starts `streamlit run server.py` on a fresh SQLite class database and speaks Streamlit's websocket
protocol (harness/stream.py) as browsers do: each browser loads a page first (and gets its cookies),
and comes from its own address, told to the server in X-Forwarded-For as nginx does (the server
trusts it from this machine). The attacker is one address; honest users each have their own. Each
attack prints what the attacker got beside what the honest users saw (refusals and latency):

1. starts: threads pressing "Start a class"; then a teacher elsewhere starts one.
2. guesses: threads guessing join codes, while students elsewhere reopen the right link.
3. fakes: 60 fake students join by the link and answer "5318008"; 8 honest students answer.
4. flood: 20 of the attacker's students answer as fast as the server lets them (the class keeps
   its default of 5 students a network); 20 honest students answer every 2 s.
5. lost database: the SQLite file is deleted under the running class; a student answers.
6. cpu: 60 students from 12 networks (5 each, in a class whose limit per network the teacher raised)
   answer page 8 as fast as the server lets them, beside 10 honest students of another class, on
   networks of their own, answering every 2-3 s; the same honest students alone first, as the quiet
   baseline. (Another class, so that the flood's answers do not use up the honest class's answers a
   minute: what is measured is the CPU.)

A class behind one school address (the attacker a classmate on the class's own network, SCHOOL):
7. school guesses: a classmate types wrong codes (one every 5 s, and four threads back to back)
   while classmates open the class's link, reload, or type the right code.
8. school seats: 28 fake browsers open the link before the class (limit raised to 30), five answer
   5318008; 25 classmates arrive; the teacher removes the unclaimed nicknames, lets in, locks.
9. crowded server: 100 networks start their share of classes; teachers at fresh addresses start.
10. outside process: another program opens and closes the SQLite file and holds its write lock
   while 8 students answer; then the server is killed (SIGKILL) and the file read.

`--replicas 2` runs the attacks against `make serve`'s own deployment (deploy/serve.py: replicas of
server.py behind Debian's nginx, sharing the SQLite file) instead of one server; `--only 6` runs
only the attacks named (numbers, comma-separated).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

import store  # noqa: E402
from core import checker  # noqa: E402
from core.view import CODE_ALPHABET, CODE_LENGTH  # noqa: E402
from deploy import serve  # noqa: E402
from drawing.i18n import TEXT  # noqa: E402
from guard import ids  # noqa: E402
from harness.servers import (
    APP,  # noqa: E402
    streamlit_server,  # noqa: E402
)
from harness.stream import CLICK, Student, page_cookies  # noqa: E402

ATTACKER = "192.0.2.66"


def en(key: str, **values) -> str:
    return TEXT[key][0].format(**values) if values else TEXT[key][0]


def honest_address(n: int) -> str:
    return f"198.51.{100 + n // 250}.{1 + n % 250}"


class Browser:
    """One browser at one address: it loads a page once, keeps its cookies, opens tabs."""

    def __init__(self, url: str, address: str):
        self.url, self.forwarded = url, {"X-Forwarded-For": address}
        self.cookies = page_cookies(url, headers=self.forwarded)

    def tab(self, page: str, query: dict) -> Student:
        return Student(self.url, page=page, query=urlencode(query), headers={**self.cookies, **self.forwarded},
                       timeout=30)  # fmt: skip


def seen(render) -> str:
    parts = [element.alert.body for element in render.of_type("alert")] + render.texts()
    parts += [element.code_block.code_text for element in render.of_type("code_block")]
    return "\n".join(parts)


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, 1000 * (time.perf_counter() - start)


def ms(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    return {"n": len(samples), "p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)}  # fmt: skip


def press_start(url: str, address: str) -> tuple[str, float]:
    with Browser(url, address).tab("class", {"lang": "en"}) as teacher:
        teacher.rerun()
        render, took = timed(lambda: teacher.rerun({"class_start": CLICK}))
    text = seen(render)
    if en("class_teacher_link") in text:
        return "started", took
    for key in ("class_network_classes", "class_browser_classes", "class_starts", "class_database"):
        if en(key) in text:
            return key, took
    return "other", took


def attack_starts(url: str, seconds: float) -> dict:
    stop = time.monotonic() + seconds
    got: list[str] = []

    def attacker() -> None:
        while time.monotonic() < stop:
            got.append(press_start(url, ATTACKER)[0])

    with ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(attacker)
    honest = [press_start(url, honest_address(n)) for n in range(5)]
    return {
        "attacker": {"presses": len(got), "classes started": got.count("started"),
                     "refused": len(got) - got.count("started")},
        "honest teachers": {"started": sum(r == "started" for r, _ in honest), "of": len(honest),
                            "ms": ms([t for _, t in honest])},
    }  # fmt: skip


def attack_guesses(url: str, classes: store.Store, seconds: float) -> dict:
    new = classes.start_class(store.network_of(honest_address(900)))
    stop = time.monotonic() + seconds
    guesses: list[str] = []
    honest: list[tuple[str, float]] = []

    def guesser() -> None:
        rng = random.Random()
        while time.monotonic() < stop:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            guesses.append(join_by(url, ATTACKER, code)[0])

    def student(n: int) -> None:
        browser = Browser(url, honest_address(n))
        while time.monotonic() < stop:  # the same student reloading the link
            honest.append(join_by(url, browser, new.code))
            time.sleep(0.5)

    with ThreadPoolExecutor(12) as pool:
        for _ in range(8):
            pool.submit(guesser)
        for n in range(4):
            pool.submit(student, n)
    return {
        "attacker": {"guesses": len(guesses), "looked up": guesses.count("class_unknown"),
                     "held back unread": guesses.count("class_busy"),
                     "per second looked up": round(guesses.count("class_unknown") / seconds, 2)},
        "honest students": {"joins": len(honest), "refused": sum(r != "joined" for r, _ in honest),
                            "ms": ms([t for _, t in honest])},
    }  # fmt: skip


def answer(url: str, address: str, code: str, typed: list[str], every: float, seconds: float, out: list,
           most: int = 10**9, ticket: str | None = None) -> None:  # fmt: skip
    """A student in the class on page 8 (joined by the class's link, `ticket`), answering each of
    `typed` in turn for `seconds`, `most` times."""
    with Browser(url, address).tab("check", {"class": code, "join": ticket or "", "lang": "en"}) as student:
        student.rerun()
        n, stop = 0, time.monotonic() + seconds
        while time.monotonic() < stop and n < most:
            render, took = timed(lambda i=n: student.rerun({"check_answer": typed[i % len(typed)]}))
            text = seen(render)
            sent = en("class_sent", code=code) in text
            reason = "sent" if sent else next(
                (key for key in ("class_student_rate", "class_class_rate", "class_student_full", "class_not_joined",
                                 "class_database") if en(key) in text), "other")  # fmt: skip
            reason = "waiting" if waiting_text(code) in text else reason
            out.append((reason, took))
            n += 1
            time.sleep(every)


def attack_fakes(url: str, classes: store.Store) -> dict:
    new = classes.start_class(store.network_of(honest_address(901)))
    ticket = classes.ticket(new.code)
    fakes: list = []
    honest: list = []
    with ThreadPoolExecutor(16) as pool:
        for _ in range(60):
            pool.submit(answer, url, ATTACKER, new.code, ["5318008"], 0, 30, fakes, most=1, ticket=ticket)
        for n in range(8):
            pool.submit(answer, url, honest_address(n), new.code, ["-P_se", "-1/P_se"], 2, 8, honest, ticket=ticket)
    before = classes.summary(new.code)
    listed = [w for w in before.wrong if w.latex == "5318008"]
    for wrong in listed:  # the teacher presses "Hide"
        classes.hide(new.key, wrong.step, wrong.latex)
    after = classes.summary(new.code)
    return {
        "attacker": {"fake students": 60, "counted": sum(r == "sent" for r, _ in fakes),
                     "waiting for the teacher": before.waiting},
        "dashboard": {"students": before.students, "joined": before.joined,
                      "wrong answers, top first": [(w.latex, w.students) for w in before.wrong],
                      "5318008 listed after the teacher hides it": any(w.latex == "5318008" for w in after.wrong)},
        "honest students": {"answers": len(honest), "sent": sum(r == "sent" for r, _ in honest),
                            "ms": ms([t for _, t in honest])},
    }  # fmt: skip


def attack_flood(url: str, classes: store.Store, seconds: float) -> dict:
    new = classes.start_class(store.network_of(honest_address(902)))
    ticket = classes.ticket(new.code)
    flood: list = []
    honest: list = []
    variants = [f"{n}*P_se" for n in range(2, 400)]
    with ThreadPoolExecutor(40) as pool:
        for _ in range(20):
            pool.submit(answer, url, ATTACKER, new.code, variants, 0, seconds, flood, ticket=ticket)
        for n in range(20):
            pool.submit(answer, url, honest_address(n), new.code, ["-P_se", "-1/P_se", "P_se"], 2, seconds, honest,
                        ticket=ticket)  # fmt: skip
    return {
        "attacker": {"students": 20, "answers tried": len(flood), "stored": sum(r == "sent" for r, _ in flood),
                     "ms": ms([t for _, t in flood])},
        "honest students": {"answers": len(honest), "sent": sum(r == "sent" for r, _ in honest),
                            "refused": sorted({r for r, _ in honest if r != "sent"}),
                            "ms": ms([t for _, t in honest])},
    }  # fmt: skip


def attack_lost_database(url: str, classes: store.Store, database: Path) -> dict:
    new = classes.start_class(store.network_of(honest_address(903)))
    with Browser(url, honest_address(0)).tab("check", {"class": new.code, "lang": "en"}) as student:
        student.rerun()
        before = seen(student.rerun({"check_answer": "-P_se"}))
        for file in database.parent.glob(database.name + "*"):
            file.unlink()
        after = seen(student.rerun({"check_answer": "-1/P_se"}))
    said = [key for key in ("class_sent", "class_database", "class_waiting") if en(key, code=new.code) in after]
    started = press_start(url, honest_address(2))
    return {
        "before": "sent" if en("class_sent", code=new.code) in before else before,
        "the student's next answer after the file went": said,
        "teacher starting a class after": started[0], "a new file made": database.exists(),
    }  # fmt: skip


def flood_address(network: int) -> str:
    return f"203.0.113.{1 + network}"


def answer_until(url: str, address: str, code: str, ticket: str, typed: list[str], pause, stop: threading.Event,
                 out: list, ready: threading.Barrier | None = None) -> None:  # fmt: skip
    """A student in the class on page 8 answering each of `typed` in turn, `pause()` seconds apart
    (the first after a random part of one, so that students who opened the page together do not
    answer in step), until `stop`; each answer's (said sent, ms) goes to `out`. `ready`: waited on
    once the page is open. It joined by the class's link (`ticket`)."""
    with Browser(url, address).tab("check", {"class": code, "join": ticket, "lang": "en"}) as student:
        student.rerun()
        if ready is not None:
            ready.wait(120)
        stop.wait(random.uniform(0, pause()))
        n = 0
        while not stop.is_set():
            render, took = timed(lambda i=n: student.rerun({"check_answer": typed[i % len(typed)]}))
            out.append((en("class_sent", code=code) in seen(render), took))
            n += 1
            stop.wait(pause())


def attack_fair_share(url: str, classes: store.Store, seconds: float) -> dict:
    """60 students from 12 networks answering page 8 back to back beside 10 honest students of
    another class, each on a network of their own, answering every 2-3 s; the honest students alone
    first (quiet). The honest students' answers are timed only while the whole flood is on."""
    honest_class = classes.start_class(store.network_of(honest_address(904)))
    new = classes.start_class(store.network_of(honest_address(905)))
    classes.allow_per_network(new.key, 30)  # the teacher raised it: a school's labs behind one address
    honest_typed = ["-P_se", "-1/P_se", "P_se"]
    flood_typed = [f"{n}*P_se" for n in range(2, 400)]
    result = {}
    for phase, flooders in (("quiet", 0), ("flood", 60)):
        stop, honest, flood = threading.Event(), [], []
        ready = threading.Barrier(flooders + 1)
        with ThreadPoolExecutor(flooders + 10) as pool:
            jobs = [pool.submit(answer_until, url, flood_address(n % 12), new.code, classes.ticket(new.code),
                                flood_typed, lambda: 0.0, stop, flood, ready) for n in range(flooders)]  # fmt: skip
            if flooders:
                ready.wait(120)  # every flooder's page is open and it is answering
                time.sleep(2)
            start, cpu = len(flood), time.process_time()
            jobs += [pool.submit(answer_until, url, honest_address(20 + n), honest_class.code,
                                 classes.ticket(honest_class.code), honest_typed, lambda: random.uniform(2, 3), stop,
                                 honest) for n in range(10)]  # fmt: skip
            time.sleep(seconds)
            counted, flooded, cpu = len(honest), len(flood), time.process_time() - cpu
            stop.set()
            for job in jobs:
                job.result()
        result[phase] = {
            "honest answers": counted, "sent": sum(sent for sent, _ in honest[:counted]),
            "ms": ms([took for _, took in honest[:counted]]),
            "this bench's CPU, % of a core": round(100 * cpu / seconds),
            **({"flood answers": flooded - start, "flood ms": ms([took for _, took in flood[start:flooded]])}
               if flooders else {}),
        }  # fmt: skip
    quiet, flood = result["quiet"]["ms"], result["flood"]["ms"]
    result["honest p50, p95 flood / quiet"] = [round(flood[p] / quiet[p], 2) for p in ("p50", "p95")]
    return result


# A class behind one school address: the classmate attacks from the students' own network.
SCHOOL = "192.0.2.80"


def in_class_text(code: str) -> str:
    """What the sidebar says to a student in the class, up to their nickname."""
    return TEXT["class_in"][0].partition("{nickname}")[0].format(code=code)


def waiting_text(code: str) -> str:
    return TEXT["class_waiting_list"][0].partition("{nickname}")[0].format(code=code)


def browser_id(browser: Browser) -> str:
    """The id the server gave this browser, as class mode counts it (from its signed cookie)."""
    return browser.cookies["Cookie"].partition(f"{ids.BROWSER_COOKIE}=")[2].partition(".")[0]


def join_by(url: str, browser: Browser | str, code: str, ticket: str | None = None) -> tuple[str, float]:
    """A student opens the class's link (with its `ticket`), or a link without it, as a typed code is
    (in a new browser at an address, or in a browser of theirs); what the page says, and how long it took."""
    if isinstance(browser, str):
        browser = Browser(url, browser)
    query = {"class": code, "lang": "en"} | ({"join": ticket} if ticket else {})
    with browser.tab("check", query) as student:
        render, took = timed(student.rerun)
    text = seen(render)
    if in_class_text(code) in text:
        return "joined", took
    if waiting_text(code) in text:
        return "waiting", took
    keys = ("class_busy", "class_unknown", "class_old_link", "class_removed", "class_database")
    return next((key for key in keys if en(key) in text), "other"), took


def attack_school_guesses(url: str, classes: store.Store, seconds: float) -> dict:
    """A classmate at the school's address guesses typed codes (one every 5 s, as the issue's script,
    and four threads back to back) while the class, at the same address, opens the class's link and
    reloads; a few type the code instead."""
    new = classes.start_class(store.network_of(honest_address(906)))
    classes.allow_per_network(new.key, 100)
    ticket = classes.ticket(new.code)
    inside = [Browser(url, SCHOOL) for _ in range(10)]
    for browser in inside:
        join_by(url, browser, new.code, ticket)
    stop = time.monotonic() + seconds
    guesses: list[str] = []
    linked: list[tuple[str, float]] = []
    reloads: list[tuple[str, float]] = []
    typed: list[tuple[str, float]] = []

    def guesser(every: float) -> None:
        rng, browser = random.Random(), Browser(url, SCHOOL)
        while time.monotonic() < stop:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            guesses.append(join_by(url, browser, code, None)[0])
            time.sleep(every)

    def newcomer(n: int) -> None:
        time.sleep(n * seconds / 16)
        linked.append(join_by(url, Browser(url, SCHOOL), new.code, ticket))

    def reloader(browser: Browser) -> None:
        while time.monotonic() < stop:  # a student already in reopens the page, even without the ticket
            reloads.append(join_by(url, browser, new.code, None))
            time.sleep(1.0)

    def typist(n: int) -> None:
        time.sleep(seconds / 2 + n)
        typed.append(join_by(url, Browser(url, SCHOOL), new.code, None))

    with ThreadPoolExecutor(40) as pool:
        pool.submit(guesser, 5.0)
        for _ in range(4):
            pool.submit(guesser, 0.0)
        for n in range(16):
            pool.submit(newcomer, n)
        for browser in inside:
            pool.submit(reloader, browser)
        for n in range(4):
            pool.submit(typist, n)
    return {
        "attacker": {"typed guesses": len(guesses), "looked up": guesses.count("class_unknown"),
                     "held back unread": guesses.count("class_busy")},
        "classmates opening the link": {"joins": len(linked), "refused": sum(r != "joined" for r, _ in linked),
                                        "ms": ms([t for _, t in linked])},
        "classmates in the class reloading": {"reloads": len(reloads),
                                              "refused": sum(r != "joined" for r, _ in reloads)},
        "classmates typing the right code meanwhile": sorted(r for r, _ in typed),
    }  # fmt: skip


def attack_school_seats(url: str, classes: store.Store) -> dict:
    """A classmate's script opens the class's link in 28 fake browsers at the school's address before
    the class arrives (the teacher had raised the network's limit to 30), five of them answer
    5318008; then 25 classmates open the link. The teacher, who asked the class for its nicknames,
    removes the ones nobody claims, lets the waiting in and locks joining."""
    new = classes.start_class(store.network_of(honest_address(907)))
    classes.allow_per_network(new.key, 30)
    ticket = classes.ticket(new.code)
    fakes = [Browser(url, SCHOOL) for _ in range(28)]
    took_seats = [join_by(url, fake, new.code, ticket)[0] for fake in fakes]
    rude = store.Answer("se.1", "5318008", False, "other")
    for fake in fakes[:5]:
        classes.record(new.code, browser_id(fake), rude)
    classmates = [Browser(url, SCHOOL) for _ in range(25)]
    arrived = [join_by(url, browser, new.code, ticket)[0] for browser in classmates]
    before = classes.summary(new.code)
    nicknames = {classes.seat(new.code, browser_id(fake)).nickname for fake in fakes}
    for name in nicknames:
        classes.remove(new.key, name)
    classes.let_in(new.key)
    classes.lock(new.key, True)
    after = classes.summary(new.code)
    late_fake = join_by(url, Browser(url, SCHOOL), new.code, ticket)[0]
    return {
        "attacker": {"fake browsers": len(fakes), "took a seat": took_seats.count("joined")},
        "classmates arriving": {"joined": arrived.count("joined"), "waiting for the teacher": arrived.count("waiting")},
        "dashboard before the teacher acts": {
            "joined": before.joined, "waiting": before.waiting,
            "projector's wrong answers": [(w.latex, w.students) for w in before.wrong]},
        "after removing the unclaimed nicknames, letting the waiting in, locking": {
            "classmates in": sum(classes.seat(new.code, browser_id(b)).state == "in" for b in classmates),
            "fakes in": sum(classes.seat(new.code, browser_id(f)).state == "in" for f in fakes),
            "projector's wrong answers": [(w.latex, w.students) for w in after.wrong],
            "a new fake browser opening the link": late_fake},
    }  # fmt: skip


def attack_crowded_server(url: str, classes: store.Store) -> dict:
    """100 networks each start as many classes as a network may and seat a fake student in each; then
    teachers at fresh addresses start theirs."""
    started = 0
    for n in range(100):
        network = store.network_of(f"10.66.{n}.1")
        for _ in range(store.NETWORK_CLASSES):
            new = classes.start_class(network)
            classes.join(new.code, store.student_id(), network, ticket=classes.ticket(new.code))
            started += 1
    fresh = [press_start(url, honest_address(300 + n)) for n in range(3)]
    return {
        "attacker": {"networks": 100, "classes started": started},
        "teachers at fresh addresses": {"started": sum(r == "started" for r, _ in fresh), "of": len(fresh),
                                        "ms": ms([t for _, t in fresh])},
    }  # fmt: skip


SQLITE_PEEK = (
    "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\ndb.execute('SELECT count(*) FROM softmax_answers')\n"
    "db.close()"
)
SQLITE_HOLD = (
    "import sqlite3, sys, time\ndb = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "db.execute('BEGIN IMMEDIATE')\ntime.sleep(2)\ndb.execute('COMMIT')\ndb.close()"
)


def attack_outside_process() -> dict:
    """Eight students answer page 8 while another program opens and closes the SQLite file every
    0.3 s (an admin's sqlite3, a backup) and once holds its write lock for 2 s; then the server is
    killed with SIGKILL. Every answer the students were told was sent must be in the file, once."""
    folder = Path(tempfile.mkdtemp(prefix="abuse-file-"))
    database = folder / "classes.sqlite"
    engine = create_engine(f"sqlite:///{database}", poolclass=NullPool)  # the bench holds no connection open
    classes = store.Store(engine)
    classes.migrate()
    new = classes.start_class(store.network_of(honest_address(908)))
    ticket = classes.ticket(new.code)
    said_sent: list[str] = []
    stop = threading.Event()

    def outsider() -> None:
        held = False
        while not stop.is_set():
            script = SQLITE_HOLD if not held and stop.wait(1.0) is False else SQLITE_PEEK
            held = held or script == SQLITE_HOLD
            subprocess.run([sys.executable, "-c", script, str(database)], check=False)
            stop.wait(0.3)

    def student(n: int, server: str) -> None:
        with Browser(server, honest_address(40 + n)).tab("check", {"class": new.code, "join": ticket,
                                                                    "lang": "en"}) as tab:  # fmt: skip
            tab.rerun()
            for k in range(5):
                typed = f"{n * 10 + k + 2}/P_se"
                text = seen(tab.rerun({"check_answer": typed}))
                if en("class_sent", code=new.code) in text:
                    said_sent.append(checker.check(typed, "se.1").latex)
                time.sleep(1.0)
            for _ in range(2):  # the pacing fragment's turns: answers kept through the lock go
                fragment = next(iter(tab.timers), None)
                if fragment:
                    tab.rerun(fragment=fragment)
                time.sleep(2.1)

    with streamlit_server(APP, env={"SOFTMAX_DATABASE_URL": f"sqlite:///{database}"}) as running:
        watcher = threading.Thread(target=outsider)
        watcher.start()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: student(n, running.url), range(8)))
        stop.set()
        watcher.join()
        os.killpg(running.process.pid, signal.SIGKILL)
        running.process.wait()
    with contextlib.closing(sqlite3.connect(database)) as db:
        stored = [latex for (latex,) in db.execute("SELECT latex FROM softmax_answers WHERE class_code = ?",
                                                   (new.code,))]  # fmt: skip
    engine.dispose()
    return {
        "answers said sent at once": len(said_sent),
        "kept through the lock, sent later": len(set(stored) - set(said_sent)),
        "in the file after SIGKILL": len(stored),
        "said sent and missing": len(set(said_sent) - set(stored)),
        "stored twice": len(stored) - len(set(stored)),
    }


@contextlib.contextmanager
def serving(replicas: int, env: dict[str, str]) -> Iterator[str]:
    """The server's URL: one `streamlit run server.py`, or `make serve`'s replicas behind nginx."""
    if replicas == 1:
        with streamlit_server(APP, env=env) as server:
            yield server.url
        return
    folder = Path(tempfile.mkdtemp(prefix="abuse-serve-"))
    folder.chmod(0o755)  # as make serve: nginx's workers make their temporary files in it
    os.environ.update(env)  # the replicas inherit it: the class store
    listen = f"127.0.0.1:{serve.free_port()}"
    deployment = serve.Deployment(replicas, listen, folder, log=lambda _: None, output=folder)
    try:
        deployment.start()
        yield f"http://{listen}"
    finally:
        deployment.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the timed attacks")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", help="the attacks to run, by number (default: all)")
    parser.add_argument("--replicas", type=int, default=1, help="servers behind nginx, as `make serve` (default 1)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else {str(n) for n in range(1, 11)}
    folder = Path(tempfile.mkdtemp(prefix="abuse-"))
    database = folder / "classes.sqlite"
    url = f"sqlite:///{database}"
    classes = store.Store(create_engine(url))
    classes.migrate()
    results = {}
    attacks = {
        "1 starts": lambda server: attack_starts(server, args.seconds),
        "2 guesses": lambda server: attack_guesses(server, classes, args.seconds),
        "3 fakes": lambda server: attack_fakes(server, classes),
        "4 flood": lambda server: attack_flood(server, classes, args.seconds),
        "6 cpu": lambda server: attack_fair_share(server, classes, 2 * args.seconds),
        "7 school guesses": lambda server: attack_school_guesses(server, classes, args.seconds),
        "8 school seats": lambda server: attack_school_seats(server, classes),
        "9 crowded server": lambda server: attack_crowded_server(server, classes),
        "5 lost database": lambda server: attack_lost_database(server, classes, database),  # the last: no database
    }  # fmt: skip
    with serving(args.replicas, {"SOFTMAX_DATABASE_URL": url}) as server:
        for name, attack in attacks.items():
            if name.split()[0] in only:
                results[name] = attack(server)
    for name, result in results.items():
        print(f"{name}:")
        for who, what in result.items():
            print(f"  {who}: {what}")
    if "10" in only:  # its own server, which it kills
        results["10 outside process"] = attack_outside_process()
        print(f"10 outside process: {results['10 outside process']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    threading.excepthook = lambda hook: print(f"thread failed: {hook.exc_value!r}", file=sys.stderr)
    sys.exit(main())
