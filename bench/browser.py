"""Browser-side latency of the b3 slider: from the key press to the redrawn figure, in Chromium.

    .venv/bin/python bench/browser.py [--repeats 10] [--warmup 2] [--pages softmax,...] [--json out.json]

Starts `streamlit run server.py` (the app) and `streamlit run bench/reference.py` (its
`?page=slider`: a b3 slider and a markdown line "b3 = <value>", nothing else) each on a free port,
and drives both in headless Debian chromium (1920x1080, one browser context per page).

What one sample measures, all with the page's own clock (`performance.now()`):

    start  the `keydown` of ArrowRight / ArrowLeft, seen by a capture-phase listener on `window`
           while the b3 slider thumb has focus, i.e. before the slider itself handles the key;
    end    app: the `plotly_afterplot` event of the last of the page's charts to be redrawn
           with the new b3. Every chart's download name (`_context.toImageButtonOptions.filename`)
           carries "-b3=<value>-"; the sample ends when every chart on the page that shows b3
           (all but page 1's blue and orange surfaces, which do not change with it) has emitted
           `plotly_afterplot` while its name carries the new value. Streamlit mounts a new
           `.js-plotly-plot` div for the changed figure (seen: the old divs are gone after the
           rerun), so listeners cannot be attached to the charts in advance; instead the `emit`
           that plotly assigns to each graph div (plotly's `Events.init`) is wrapped, through a
           setter on `HTMLDivElement.prototype`, as the div gets it. `plotly_afterplot` fires
           when plotly has drawn the figure into the DOM;
           reference: a MutationObserver (and a requestAnimationFrame poll, as a fallback) sees
           a markdown element whose text is "b3 = <new value>".
    Neither end includes the paint of that DOM: add at most one frame (about 16 ms) to both.

So a sample is: the frontend's handling of the key, the BackMsg, the script's rerun on the
server, the ForwardMsgs, React's update and, for the app, plotly's drawing. Beside it each sample
records, all from the same keydown: from a wrapped `WebSocket`, when the first message after the
key was sent (`send_ms`), when the first message came back (`reply_ms`) and when the last one of
the run arrived (`last_message_ms`, normally `script_finished`: the server's part is over); and,
for the app, when each chart emitted its `plotly_afterplot` (`charts_ms`, by download name).

Streamlit's slider sends its value on the key down, without a debounce. Checked in the frontend
this Streamlit (1.67) ships (site-packages/streamlit/static/static/js): the slider
(`Slider.*.js`) is react-aria's; its keyboard handling (`useMove`) calls move start, move and
move end within the one keydown, and move end -> `setThumbDragging(false)` -> the slider's
`onChangeEnd`, which is where Streamlit commits the widget value (its `onChange` only moves the
thumb). The commit is a React state update that `useBasicWidgetState` hands to the
WidgetStateManager in a `useEffect`, and the manager batches the rerun request in a
`setTimeout(..., 0)` (`scheduleFlush`), so the message leaves about one frame after the key
(`send_ms`, 15 to 30 ms here). Older Streamlit (a baseui slider) committed through a 200 ms
debounce (`DEBOUNCE_TIME_MS`); that is gone.

Each page's first `--warmup` samples are not counted (the first change of a page also loads code
and warms caches). Between samples the script waits until the app is idle again
(`harness.browser.wait_for_app`) and checks that the slider shows the value just set, so samples
neither overlap nor drift. Samples alternate ArrowRight and ArrowLeft: b3 goes 0 -> 0.01 -> 0
(the app) and -2.00 -> -1.99 -> -2.00 (the reference).

Chromium runs with `--disable-gpu` (as the browser tests do), so WebGL is drawn in software
(SwiftShader): page 1's 3D surfaces chart costs seconds here that a laptop's GPU would mostly save.
The 2D pages are drawn by plotly into SVG on the CPU either way. Every change replaces each chart's
`.js-plotly-plot` div (a new `Plotly.newPlot`, not `Plotly.react` on the old one).

p95 is the nearest-rank 95th percentile (with 10 samples: the largest). "first chart" (and "first
p95") is the time to the `plotly_afterplot` of the page's first chart (page 1: its graph, drawn with
its equation and numbers; its 3D surfaces come after it on the page and may be drawn later). "open
first" and "open all": the page opened again (reloaded, the server and the browser's cache warm),
from navigation to its first chart and to every chart drawn, median of LOADS loads. The ratio is a
page's median over the reference page's median. The machine's other load shows in these numbers:
compare runs made on the same machine at the same time.

Exits 0 on success, 1 if a sample timed out or a page showed an exception, 2 if a server or
chromium could not start.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from core import pages  # noqa: E402
from core.view import View  # noqa: E402
from drawing import slides  # noqa: E402
from harness.browser import EXCEPTION_SELECTOR, exception_texts, launch_chromium, wait_for_app  # noqa: E402
from harness.servers import REFERENCE, streamlit_server  # noqa: E402

# The app's pages with figures, by their name in core.pages and their path ("" is page 1).
PAGES = {name: ("" if index == 0 else name) for index, name in enumerate(pages.NAMES) if name != "check"}
QUERY = "flower=virginica&b3=0"
APP_VALUES = ("0", "0.01")  # b3 as the download names write it, before and after ArrowRight
REFERENCE_VALUES = ("-2.00", "-1.99")  # as the reference page's markdown writes it
# The sidebar's page links, page 1's first (app.py draws them in page order).
# The b3 slider: the last slider in the app's sidebar; the only one on the reference page.
APP_THUMB = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
REFERENCE_THUMB = '[data-testid="stSlider"] input[type="range"]'
VIEWPORT = {"width": 1920, "height": 1080}
SAMPLE_TIMEOUT_MS = 30_000
LOADS = 5  # warm loads of each page, for the first draw
LOAD_TIMEOUT = 90.0  # s: a page's first load (a fresh browser compiles Streamlit's code; a busy machine)

# Installed in every page before its scripts run. It only records times: window.__bench.
INSTRUMENT_JS = """
(() => {
    const bench = (window.__bench = { trial: null });
    window.addEventListener("keydown", () => {
        const trial = bench.trial;
        if (trial && trial.key === null) trial.key = performance.now();
    }, true);

    const NativeWebSocket = window.WebSocket;
    class TimedWebSocket extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", () => {
                const trial = bench.trial;
                if (!trial || trial.send === null) return;
                const now = performance.now();
                if (trial.reply === null) trial.reply = now;
                trial.last = now;
            });
        }
        send(data) {
            const trial = bench.trial;
            if (trial && trial.key !== null && trial.send === null) trial.send = performance.now();
            return super.send(data);
        }
    }
    window.WebSocket = TimedWebSocket;

    // plotly gives each graph div its own `emit` (Events.init: `gd.emit = function ...`); wrap it.
    Object.defineProperty(HTMLDivElement.prototype, "emit", {
        configurable: true,
        get() { return undefined; },
        set(emit) {
            const gd = this;
            Object.defineProperty(gd, "emit", {
                configurable: true,
                writable: true,
                value: function (name, ...rest) {
                    if (name === "plotly_afterplot" && bench.trial && bench.trial.onAfterplot) {
                        bench.trial.onAfterplot(gd, performance.now());
                    }
                    return emit.call(this, name, ...rest);
                },
            });
        },
    });
})();
"""

# Arms one sample; returns a promise of its times, which settles once the end is seen (see above).
ARM_JS = """
([mode, value, timeout]) => {
    const bench = window.__bench;
    const trial = { key: null, send: null, reply: null, last: null, end: null, charts: {}, onAfterplot: null };
    let settle;
    const finished = new Promise((resolve) => { settle = resolve; });
    const finish = (end) => {
        if (trial.end !== null) return;
        trial.end = end;
        observer.disconnect();
        clearTimeout(timer);
        settle({ key: trial.key, end, timedOut: false });
    };
    const observer = new MutationObserver(() => check());
    const timer = setTimeout(() => {
        observer.disconnect();
        settle({ key: trial.key, end: null, timedOut: true });
    }, timeout);

    const filename = (gd) => {
        try { return gd._context.toImageButtonOptions.filename || ""; } catch (error) { return ""; }
    };
    const wanted = mode === "app" ? "-b3=" + value + "-" : "b3 = " + value;
    const drawn = new Map();  // graph div -> when it emitted plotly_afterplot showing the new value
    // the charts that show b3 (page 1's blue and orange surfaces do not: their name has no b3)
    const showingB3 = () => Array.from(document.querySelectorAll(".js-plotly-plot"))
        .filter((gd) => filename(gd).includes("-b3="));
    const expected = showingB3().length;

    function check() {
        if (trial.key === null || trial.end !== null) return;
        if (mode === "app") {
            const plots = showingB3();
            if (plots.length !== expected) return;
            if (!plots.every((gd) => drawn.has(gd) && filename(gd).includes(wanted))) return;
            for (const gd of plots) trial.charts[filename(gd)] = drawn.get(gd);
            finish(Math.max(...plots.map((gd) => drawn.get(gd))));
        } else {
            const texts = document.querySelectorAll('[data-testid="stMarkdownContainer"]');
            if (Array.from(texts).some((el) => el.textContent.trim() === wanted)) finish(performance.now());
        }
    }
    trial.onAfterplot = (gd, when) => {
        if (trial.key !== null && !drawn.has(gd) && filename(gd).includes(wanted)) drawn.set(gd, when);
        check();
    };
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const poll = () => { if (trial.end === null) { check(); requestAnimationFrame(poll); } };
    requestAnimationFrame(poll);
    bench.trial = trial;
    window.__benchFinished = finished;
    return true;
}
"""

# True once the page shows `n` plotly charts, each drawn (as the browser tests check).
FIRST_CHART_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .some((plot) => plot._fullLayout && plot.querySelector('svg.main-svg'))"""
CHARTS_DRAWN_JS = """n => {
    const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
    return charts.length === n && charts.every((chart) => {
        const plot = chart.querySelector('.js-plotly-plot');
        const svg = plot && plot.querySelector('svg.main-svg');
        return Boolean(plot && plot._fullLayout && svg && svg.getBoundingClientRect().width > 0);
    });
}"""


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `fraction` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(samples: list[dict]) -> dict:
    totals = [s["total_ms"] for s in samples]
    return {
        "n": len(totals),
        "median_ms": statistics.median(totals) if totals else None,
        "p95_ms": percentile(totals, 0.95) if totals else None,
        "first_chart_median_ms": (
            statistics.median(min(s["charts_ms"].values()) for s in samples if s["charts_ms"])
            if any(s["charts_ms"] for s in samples)
            else None
        ),
        "first_chart_p95_ms": (
            percentile([min(s["charts_ms"].values()) for s in samples if s["charts_ms"]], 0.95)
            if any(s["charts_ms"] for s in samples)
            else None
        ),
        "min_ms": min(totals) if totals else None,
        "max_ms": max(totals) if totals else None,
        "send_median_ms": statistics.median(s["send_ms"] for s in samples) if samples else None,
        "reply_median_ms": statistics.median(s["reply_ms"] for s in samples) if samples else None,
        "last_message_median_ms": statistics.median(s["last_message_ms"] for s in samples) if samples else None,
    }


def first_draw(loads: list[tuple[float, float]]) -> dict:
    """The page opened warm, from navigation to its first chart drawn (page 1: the graph) and to
    every chart drawn: medians and the largest (ms)."""
    if not loads:
        return {}
    firsts, alls = [first for first, _ in loads], [every for _, every in loads]
    return {
        "open_first_median_ms": statistics.median(firsts),
        "open_first_max_ms": max(firsts),
        "open_all_median_ms": statistics.median(alls),
        "loads_ms": loads,
    }


def one_sample(page, thumb_selector: str, mode: str, key: str, value: str) -> dict:
    """Press `key` on the focused b3 thumb, wait for the end and then for the app to be idle; the
    sample's times in ms from the keydown."""
    page.locator(thumb_selector).last.focus()
    page.evaluate(ARM_JS, [mode, value, SAMPLE_TIMEOUT_MS])
    page.keyboard.press(key)
    outcome = page.evaluate("() => window.__benchFinished")
    if outcome["timedOut"] or outcome["key"] is None:
        raise TimeoutError(f"no {mode} update to b3={value} within {SAMPLE_TIMEOUT_MS / 1000:.0f} s")
    wait_for_app(page, settle=0.3, network=False)  # the last messages of the run may come after the end
    trial = page.evaluate(
        "() => { const t = window.__bench.trial; "
        "return { key: t.key, send: t.send, reply: t.reply, last: t.last, end: t.end, charts: t.charts }; }"
    )

    def since_key(when: float | None) -> float | None:
        return None if when is None else round(when - trial["key"], 1)

    return {
        "key": key,
        "b3": value,
        "total_ms": since_key(trial["end"]),
        "send_ms": since_key(trial["send"]),
        "reply_ms": since_key(trial["reply"]),
        "last_message_ms": since_key(trial["last"]),
        "charts_ms": {name.split("-b3=")[0]: since_key(when) for name, when in trial["charts"].items()},
    }


def measure(browser, url: str, mode: str, charts: int, repeats: int, warmup: int) -> list[dict]:
    """Open `url`, wait until it is idle (and its charts drawn), then take warmup + repeats samples."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(INSTRUMENT_JS)
        page = context.new_page()
        page.goto(url)
        wait_for_app(page, timeout=LOAD_TIMEOUT, settle=0.5, network=False)
        loads = []
        if charts:
            page.wait_for_function(CHARTS_DRAWN_JS, arg=charts, timeout=LOAD_TIMEOUT * 1000)
            for _ in range(LOADS):  # the page opened again: the server and the browser's cache warm
                page.reload(wait_until="commit")
                page.wait_for_function(FIRST_CHART_DRAWN_JS, timeout=LOAD_TIMEOUT * 1000, polling=10)
                first = page.evaluate("performance.now()")
                page.wait_for_function(CHARTS_DRAWN_JS, arg=charts, timeout=LOAD_TIMEOUT * 1000, polling=10)
                loads.append((round(first, 1), round(page.evaluate("performance.now()"), 1)))
                wait_for_app(page, settle=0.5, network=False)
        thumb, values = (APP_THUMB, APP_VALUES) if mode == "app" else (REFERENCE_THUMB, REFERENCE_VALUES)
        samples = []
        for index in range(warmup + repeats):
            forward = index % 2 == 0
            sample = one_sample(page, thumb, mode, "ArrowRight" if forward else "ArrowLeft", values[forward])
            if page.locator(EXCEPTION_SELECTOR).count():
                raise RuntimeError(f"{url} shows an exception: {exception_texts(page)}")
            shown = page.locator(thumb).last.get_attribute("value")
            if shown is None or float(shown) != float(sample["b3"]):
                raise RuntimeError(f"after {sample['key']} the slider shows {shown}, not {sample['b3']}")
            if index >= warmup:
                samples.append(sample)
        return samples, loads
    finally:
        context.close()


def table(rows: list[tuple[str, dict]], reference_median: float | None) -> str:
    def number(value) -> str:
        return "-" if value is None else f"{value:.1f}"

    heads = ("page", "n", "median ms", "p95 ms", "first chart", "first p95", "ratio", "send ms", "last msg ms")
    heads += ("open first", "open 1 max", "open all")
    lines = [f"{heads[0]:<20} {heads[1]:>3} " + " ".join(f"{h:>11}" for h in heads[2:])]
    for name, stats in rows:
        if "error" in stats:
            lines.append(f"{name:<20} error: {stats['error']}")
            continue
        ratio = stats["median_ms"] / reference_median if reference_median else None
        cells = (
            stats["median_ms"],
            stats["p95_ms"],
            stats["first_chart_median_ms"],
            stats["first_chart_p95_ms"],
            ratio,
            stats["send_median_ms"],
            stats["last_message_median_ms"],
            stats.get("open_first_median_ms"),
            stats.get("open_first_max_ms"),
            stats.get("open_all_median_ms"),
        )
        lines.append(f"{name:<20} {stats['n']:>3} " + " ".join(f"{number(c):>11}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="samples per page (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="samples per page not counted (default 2)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names (default: all)")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = [name for name in names if name not in PAGES]
    if unknown:
        parser.error(f"unknown pages {unknown}; known: {', '.join(PAGES)}")

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    failed = False
    started = time.monotonic()
    try:
        with (
            streamlit_server() as app,
            streamlit_server(REFERENCE) as reference,
            sync_playwright() as playwright,
        ):
            browser = launch_chromium(playwright)
            try:
                jobs = [("reference: slider", f"{reference.url}/?page=slider", "reference", 0)]
                view = View(flower="virginica", b3=0.0)
                for name in names:
                    jobs.append((name, f"{app.url}/{PAGES[name]}?{QUERY}", "app", len(slides.charts(name, view))))
                for name, url, mode, charts in jobs:
                    try:
                        samples, loads = measure(browser, url, mode, charts, args.repeats, args.warmup)
                        results[name] = {"url": url, **summary(samples), **first_draw(loads), "samples": samples}
                    except (TimeoutError, RuntimeError, PlaywrightError) as error:
                        failed = True
                        results[name] = {"url": url, "error": str(error).splitlines()[0]}
                    print(f"  {name}: done", file=sys.stderr, flush=True)
            finally:
                browser.close()
    except (RuntimeError, FileNotFoundError, PlaywrightError) as error:
        print(f"could not start: {error}", file=sys.stderr)
        return 2

    reference_median = results["reference: slider"].get("median_ms")
    for stats in results.values():
        if stats.get("median_ms") is not None and reference_median:
            stats["ratio"] = round(stats["median_ms"] / reference_median, 3)
    print(table(list(results.items()), reference_median))
    if args.json:
        report = {
            "measured": "ms from the keydown on the b3 slider to plotly_afterplot of the last chart "
            "showing the new b3 (app), or to the markdown showing it (reference); see bench/browser.py",
            "viewport": VIEWPORT,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "seconds": round(time.monotonic() - started, 1),
            "pages": results,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
