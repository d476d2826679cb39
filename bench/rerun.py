"""Server CPU per rerun of every page, against Streamlit's own floor, through the real protocol.

    .venv/bin/python bench/rerun.py [--reruns 40] [--json out.json] [--pages softmax check ...]

One student at a time, over `/_stcore/stream` (harness/stream.py), with the app's own config. For
each page: load it (flower=virginica, b3=-2), then move the sidebar's b3 slider to a new value at
every rerun (-1.99, -1.98, ...), as a student dragging it does: no rerun finds its figures already
built for its exact inputs. The server's CPU time over the reruns (all threads, from /proc) divided
by their number is the page's cost. Reruns start MIN_INTERVAL apart, for the app as for the
references: that is as fast as the app's guard lets one tab rerun, and a rerun after a pause
costs this machine about 1.8 times one right after another (caches gone cold: measured on a plain
`streamlit run app.py`, 5.2 ms back to back against 9.0-9.5 ms a quarter second apart, for page 8),
so the app, paced by its guard, and the references, which have none, are measured alike.
Bytes per render are what the server sent for one rerun, with the browser's message cache
emulated (a message the student already holds is sent as a reference).

The references, each served by a server of its own with the same config, in the same run:
  - an empty page: what any rerun costs in Streamlit;
  - the serialization floor: a page sending one cached plotly figure as large as the page's
    render, sent whole every time: what sending that many bytes must cost;
  - the floor with as many elements as the page sends (short lines of text): what Streamlit's
    own cost per element adds to it (each sidebar widget, heading, block of equations is one).
A page and its two floors run side by side, staggered: one of the three reruns every third of
MIN_INTERVAL, so each still reruns MIN_INTERVAL apart, and a drift of the machine (this one's
moves by tens of percent within seconds) weighs on all three alike. Each server's CPU is counted
over the whole series, its idle moments between reruns included, as for the app.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guard.stream import MIN_INTERVAL  # noqa: E402
from harness.servers import (  # noqa: E402
    APP,
    REFERENCE,
    cpu_seconds,
    streamlit_server,  # noqa: E402
)
from harness.stream import Student  # noqa: E402

PAGES = (
    "",
    "softmax",
    "cross_entropy",
    "chain_rule_se",
    "chain_rule_vi",
    "gradient_descent",
    "gradient_flow",
    "check",
    "beyond_b3",
)
QUERY = "flower=virginica&b3=-2&lang=en"


class Series:
    """Reruns of one student's page, on a server of its own, with the server's CPU, the client's
    latency and the bytes sent added up."""

    def __init__(self, student: Student, pid: int, move_b3: bool):
        self.student, self.pid, self.move_b3 = student, pid, move_b3
        self.cpu = self.seconds = 0.0
        self.sent = self.reruns = 0
        self.renders = []

    def warm(self):
        """A first run and three reruns, not counted; the last one's render."""
        student = self.student
        student.rerun()
        for step in range(3):
            render = student.rerun({"b3": round(-2.5 + step / 100, 2)} if self.move_b3 else None)
        return render

    def rerun(self) -> None:
        self.reruns += 1
        render = self.student.rerun({"b3": round(-2 + self.reruns / 100, 2)} if self.move_b3 else None)
        if render.status != "FINISHED_SUCCESSFULLY" or render.exceptions():
            raise RuntimeError(f"{self.student.page!r}: {render.status} {render.exceptions()}")
        self.seconds += render.seconds
        self.sent += render.bytes
        self.renders.append(render)

    def result(self) -> dict:
        return {
            "cpu_ms": 1000 * self.cpu / self.reruns,
            "latency_ms": 1000 * self.seconds / self.reruns,
            "bytes": self.sent // self.reruns,
            "largest_message": max(render.largest for render in self.renders),
            "elements": len(self.renders[-1].elements),
        }


def side_by_side(series: list[Series], reruns: int) -> None:
    """`reruns` reruns of each series, warmed already, staggered: one of them reruns every
    MIN_INTERVAL / len(series) seconds, in turn, so each reruns MIN_INTERVAL apart (see above)."""
    assert len({each.pid for each in series}) == len(series), "each series needs a server of its own"
    before = [cpu_seconds(each.pid) for each in series]
    gap = MIN_INTERVAL / len(series)
    started = time.monotonic()
    for step in range(reruns * len(series)):
        time.sleep(max(0.0, started + step * gap - time.monotonic()))
        series[step % len(series)].rerun()
    for each, cpu in zip(series, before, strict=True):
        each.cpu += cpu_seconds(each.pid) - cpu


def run(reruns: int, pages: tuple[str, ...] = PAGES) -> dict:
    results = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {_cores()} cores",
        "python": platform.python_version(),
        "reruns": reruns,
        "pages": {},
    }
    with streamlit_server(APP) as app_server, streamlit_server(REFERENCE) as reference_server, \
         streamlit_server(REFERENCE) as second_reference:  # fmt: skip
        app, app_pid = app_server.url, app_server.process.pid
        reference, reference_pid = reference_server.url, reference_server.process.pid
        second, second_pid = second_reference.url, second_reference.process.pid
        with Student(reference, query="page=empty") as student:
            empty = Series(student, reference_pid, move_b3=False)
            empty.warm()
            side_by_side([empty], reruns * 3)
        results["empty"] = empty = empty.result()
        print(f"empty page: {empty['cpu_ms']:.1f} ms CPU per rerun", flush=True)
        print(HEADER, flush=True)
        for page in pages:
            with Student(app, page=page, query=QUERY) as student:
                page_series = Series(student, app_pid, move_b3=True)
                probe = page_series.warm()  # the floors are as large as the page's render
                size, elements = probe.bytes - probe.bytes % 100, len(probe.elements)
                floor_query = f"page=floor&bytes={size}"
                elements_query = f"{floor_query}&elements={elements}"
                with Student(reference, query=floor_query, remember=False) as floor_student, \
                     Student(second, query=elements_query, remember=False) as elements_student:  # fmt: skip
                    floor = Series(floor_student, reference_pid, move_b3=False)
                    floor_elements = Series(elements_student, second_pid, move_b3=False)
                    floor.warm()
                    floor_elements.warm()
                    side_by_side([page_series, floor, floor_elements], reruns)
            measured, floor, floor_elements = page_series.result(), floor.result(), floor_elements.result()
            measured["floor_cpu_ms"] = floor["cpu_ms"]
            measured["floor_bytes"] = floor["bytes"]
            measured["ratio_to_floor"] = measured["cpu_ms"] / floor["cpu_ms"]
            measured["floor_with_elements_cpu_ms"] = floor_elements["cpu_ms"]
            measured["ratio_to_floor_with_elements"] = measured["cpu_ms"] / floor_elements["cpu_ms"]
            measured["ratio_to_empty"] = measured["cpu_ms"] / empty["cpu_ms"]
            results["pages"][page or "network"] = measured
            print(_row(page or "network", measured), flush=True)
    return results


HEADER = (
    f"{'page':18s} {'CPU/rerun':>9s} {'floor':>7s} {'ratio':>6s} {'elements':>8s} {'floor+el':>8s} {'ratio':>6s}"
    f" {'÷empty':>6s} {'KB/render':>9s} {'largest KB':>10s}"
)


def _row(name: str, m: dict) -> str:
    return (
        f"{name:18s} {m['cpu_ms']:7.1f}ms {m['floor_cpu_ms']:5.1f}ms {m['ratio_to_floor']:5.2f}x"
        f" {m['elements']:8d} {m['floor_with_elements_cpu_ms']:6.1f}ms {m['ratio_to_floor_with_elements']:5.2f}x"
        f" {m['ratio_to_empty']:5.1f}x {m['bytes'] / 1000:9.1f} {m['largest_message'] / 1000:10.1f}"
    )


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=40)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--pages", nargs="+", choices=[page or "network" for page in PAGES], help="default: all")
    args = parser.parse_args()
    pages = tuple("" if page == "network" else page for page in args.pages) if args.pages else PAGES
    started = time.monotonic()
    results = run(args.reruns, pages)
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
