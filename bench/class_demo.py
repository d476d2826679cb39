"""A simulated class on the teacher's dashboard, screenshotted for a person to judge from the back
of a classroom: 32 students work through page 8, with the slips a class makes (the hand
derivation's -P_se among them), some correcting themselves; then Chromium opens the teacher's link.

    python bench/class_demo.py --out shots/ [--students 32] [--sizes 1920,1280] [--langs en,zh]

Starts its own `streamlit run server.py` with a fresh SQLite database, and writes
<out>/class_<lang>_<size>.png (the dashboard), class-start_<lang>_<size>.png (the class page
before a class) and class-student_<lang>_<size>.png (a student of the class on page 8, after
answering the hand derivation's -P_se, with the teacher's pointer to page 5). Every answer is
judged by core.checker, as page 8 would.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine  # noqa: E402

import store  # noqa: E402
from core import checker  # noqa: E402
from drawing.i18n import TEXT  # noqa: E402
from harness.browser import launch_chromium, wait_for_app  # noqa: E402
from harness.servers import streamlit_server  # noqa: E402

VIEWPORTS = {"1920": (1920, 1080), "1280": (1280, 720), "390": (390, 844)}
# What students type for each step, right answer first, then the slips a class makes, with weights.
ANSWERS = {
    "se.1": [("-1/P_se", 8), ("1/P_se", 3), ("-P_se", 1)],
    "se.2": [("P_se*(1-P_se)", 7), ("P_se-1", 2), ("-P_se*(1-P_se)", 1)],
    "se.3": [("1", 9), ("-1", 1)],
    "se.result": [("P_se - 1", 7), ("1 - P_se", 3)],
    "ve.1": [("-1/P_ve", 8), ("1/P_ve", 2)],
    "ve.2": [("-P_ve*P_se", 6), ("P_ve*P_se", 2)],
    "ve.3": [("1", 9), ("-1", 1)],
    "ve.result": [("P_se", 6), ("-P_se", 3)],
    "vi.1": [("-1/P_vi", 8), ("1/P_vi", 2)],
    "vi.2": [("-P_vi*P_se", 5), ("P_vi*P_se", 3), ("-P_se", 1)],
    "vi.3": [("1", 9), ("0", 1)],
    "vi.result": [("P_se", 5), ("-P_se", 4), ("1/P_se", 1), ("P_se*P_vi", 1)],
}


def seed(classes: store.Store, code: str, students: int, rng: random.Random) -> None:
    for n in range(students):
        student = store.student_id()
        classes.join(code, student, store.network_of(f"198.51.100.{n}"))  # each from home
        for step, choices in ANSWERS.items():
            if rng.random() < 0.15:  # not there yet
                break
            texts, weights = zip(*choices, strict=True)
            tries = [rng.choices(texts, weights)[0]]
            if tries[0] != texts[0] and rng.random() < 0.4:
                tries.append(texts[0])  # saw the hint, fixed it
            for text in tries:
                verdict = checker.check(text, step)
                classes.record(code, student, store.Answer(step, verdict.latex, verdict.equivalent, verdict.slip))


def shoot(page, path: Path) -> None:
    page.screenshot(path=path)
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("shots"))
    parser.add_argument("--students", type=int, default=32)
    parser.add_argument("--sizes", default="1920,1280")
    parser.add_argument("--langs", default="en,zh")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    database = Path(tempfile.mkdtemp(prefix="class-demo-")) / "classes.sqlite"
    url = f"sqlite:///{database}"
    classes = store.Store(create_engine(url))
    classes.migrate()
    new = classes.start_class(store.network_of(None))
    classes.allow_per_network(new.key, 10)  # this machine's browsers below are one network
    seed(classes, new.code, args.students, random.Random(args.seed))
    lab = store.network_of("192.0.2.40")
    for _ in range(12):  # a lab behind one NAT, of which the class counts 10: 2 refusals shown
        with contextlib.suppress(store.Refused):
            classes.join(new.code, store.student_id(), lab)
    classes.point_class(new.key, "chain_rule_vi")

    from playwright.sync_api import sync_playwright

    with streamlit_server(env={"SOFTMAX_DATABASE_URL": url}) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for lang in args.langs.split(","):
            for size in args.sizes.split(","):
                width, height = VIEWPORTS[size]
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{server.url}/class?teacher={new.key}&lang={lang}")
                wait_for_app(page)
                page.wait_for_timeout(1500)  # plotly draws after the run
                shoot(page, args.out / f"class_{lang}_{size}.png")
                context.close()
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{server.url}/class?lang={lang}")
                wait_for_app(page)
                shoot(page, args.out / f"class-start_{lang}_{size}.png")
                page.goto(f"{server.url}/check?lang={lang}&class={new.code}")
                wait_for_app(page)
                page.locator('[data-testid="stMain"] button', has_text="CE_vi").click()
                wait_for_app(page)
                result = TEXT["check_result"][lang == "zh"]
                page.locator('[data-testid="stMain"] button', has_text=result).click()
                wait_for_app(page)
                box = page.locator('[data-testid="stMain"] input[type="text"]').first
                box.fill("-P_se")
                box.press("Enter")
                wait_for_app(page)
                page.locator(".st-key-class-pace").wait_for(timeout=15_000)
                shoot(page, args.out / f"class-student_{lang}_{size}.png")
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
