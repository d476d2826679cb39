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
   answer page 8 as fast as the server lets them, beside 10 honest students on networks of their own
   answering every 2-3 s; the same honest students alone first, as the quiet baseline.

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
import statistics
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

import store  # noqa: E402
from core.view import CODE_ALPHABET, CODE_LENGTH  # noqa: E402
from deploy import serve  # noqa: E402
from drawing.i18n import TEXT  # noqa: E402
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
    for key in ("class_network_classes", "class_server_full", "class_database"):
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


def open_link(url: str, browser: Browser | str, code: str) -> tuple[str, float]:
    """A student opens the class link (in a new browser at an address, or in a browser of theirs);
    what the sidebar says, and how long the page took."""
    if isinstance(browser, str):
        browser = Browser(url, browser)
    with browser.tab("check", {"class": code, "lang": "en"}) as student:
        render, took = timed(student.rerun)
    text = seen(render)
    if en("class_in", code=code) in text:
        return "joined", took
    for key in ("class_busy", "class_unknown", "class_network_full", "class_old_link", "class_database"):
        if en(key) in text:
            return key, took
    return "other", took


def attack_guesses(url: str, classes: store.Store, seconds: float) -> dict:
    new = classes.start_class(store.network_of(honest_address(900)))
    stop = time.monotonic() + seconds
    guesses: list[str] = []
    honest: list[tuple[str, float]] = []

    def guesser() -> None:
        rng = random.Random()
        while time.monotonic() < stop:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            guesses.append(open_link(url, ATTACKER, code)[0])

    def student(n: int) -> None:
        browser = Browser(url, honest_address(n))
        while time.monotonic() < stop:  # the same student reloading the link
            honest.append(open_link(url, browser, new.code))
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
           most: int = 10**9) -> None:  # fmt: skip
    """A student in the class on page 8, answering each of `typed` in turn for `seconds`, `most` times."""
    with Browser(url, address).tab("check", {"class": code, "lang": "en"}) as student:
        student.rerun()
        n, stop = 0, time.monotonic() + seconds
        while time.monotonic() < stop and n < most:
            render, took = timed(lambda i=n: student.rerun({"check_answer": typed[i % len(typed)]}))
            text = seen(render)
            sent = en("class_sent", code=code) in text
            reason = "sent" if sent else next(
                (key for key in ("class_student_rate", "class_class_rate", "class_student_full", "class_not_joined",
                                 "class_database", "class_network_full") if en(key) in text), "other")  # fmt: skip
            out.append((reason, took))
            n += 1
            time.sleep(every)


def attack_fakes(url: str, classes: store.Store) -> dict:
    new = classes.start_class(store.network_of(honest_address(901)))
    fakes: list = []
    honest: list = []
    with ThreadPoolExecutor(16) as pool:
        for _ in range(60):
            pool.submit(answer, url, ATTACKER, new.code, ["5318008"], 0, 30, fakes, most=1)
        for n in range(8):
            pool.submit(answer, url, honest_address(n), new.code, ["-P_se", "-1/P_se"], 2, 8, honest)
    before = classes.summary(new.code)
    listed = [w for w in before.wrong if w.latex == "5318008"]
    for wrong in listed:  # the teacher presses "Hide"
        classes.hide(new.key, wrong.step, wrong.latex)
    after = classes.summary(new.code)
    return {
        "attacker": {"fake students": 60, "counted": sum(r == "sent" for r, _ in fakes),
                     "refused a place": before.refused},
        "dashboard": {"students": before.students, "joined": before.joined,
                      "wrong answers, top first": [(w.latex, w.students) for w in before.wrong],
                      "5318008 listed after the teacher hides it": any(w.latex == "5318008" for w in after.wrong)},
        "honest students": {"answers": len(honest), "sent": sum(r == "sent" for r, _ in honest),
                            "ms": ms([t for _, t in honest])},
    }  # fmt: skip


def attack_flood(url: str, classes: store.Store, seconds: float) -> dict:
    new = classes.start_class(store.network_of(honest_address(902)))
    flood: list = []
    honest: list = []
    variants = [f"{n}*P_se" for n in range(2, 400)]
    with ThreadPoolExecutor(40) as pool:
        for _ in range(20):
            pool.submit(answer, url, ATTACKER, new.code, variants, 0, seconds, flood)
        for n in range(20):
            pool.submit(answer, url, honest_address(n), new.code, ["-P_se", "-1/P_se", "P_se"], 2, seconds, honest)
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


def answer_until(url: str, address: str, code: str, typed: list[str], pause, stop: threading.Event, out: list,
                 ready: threading.Barrier | None = None) -> None:  # fmt: skip
    """A student in the class on page 8 answering each of `typed` in turn, `pause()` seconds apart,
    until `stop`; each answer's (said sent, ms) goes to `out`. `ready`: waited on once the page is open."""
    with Browser(url, address).tab("check", {"class": code, "lang": "en"}) as student:
        student.rerun()
        if ready is not None:
            ready.wait(120)
        n = 0
        while not stop.is_set():
            render, took = timed(lambda i=n: student.rerun({"check_answer": typed[i % len(typed)]}))
            out.append((en("class_sent", code=code) in seen(render), took))
            n += 1
            stop.wait(pause())


def attack_fair_share(url: str, classes: store.Store, seconds: float) -> dict:
    """60 students from 12 networks answering page 8 back to back beside 10 honest students, each on
    a network of their own, answering every 2-3 s; the honest students alone first (quiet). The
    honest students' answers are timed only while the whole flood is on."""
    new = classes.start_class(store.network_of(honest_address(904)))
    classes.allow_per_network(new.key, 30)  # the teacher raised it: a school's labs behind one address
    honest_typed = ["-P_se", "-1/P_se", "P_se"]
    flood_typed = [f"{n}*P_se" for n in range(2, 400)]
    result = {}
    for phase, flooders in (("quiet", 0), ("flood", 60)):
        stop, honest, flood = threading.Event(), [], []
        ready = threading.Barrier(flooders + 1)
        with ThreadPoolExecutor(flooders + 10) as pool:
            jobs = [pool.submit(answer_until, url, flood_address(n % 12), new.code, flood_typed, lambda: 0.0, stop,
                                flood, ready) for n in range(flooders)]  # fmt: skip
            if flooders:
                ready.wait(120)  # every flooder's page is open and it is answering
                time.sleep(2)
            start, cpu = len(flood), time.process_time()
            jobs += [pool.submit(answer_until, url, honest_address(20 + n), new.code, honest_typed,
                                 lambda: random.uniform(2, 3), stop, honest) for n in range(10)]  # fmt: skip
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
    only = set(args.only.split(",")) if args.only else set("123456")
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
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    threading.excepthook = lambda hook: print(f"thread failed: {hook.exc_value!r}", file=sys.stderr)
    sys.exit(main())
