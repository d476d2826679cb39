"""Class mode in Chromium, as a class meets it: a teacher starts a class, two students join by its
link in their own browsers and answer on page 8 (one right, one with the hand derivation's -P_se
sign slip), and the teacher's dashboard shows it without a reload; the teacher points the class at
a page and a student's app offers the way there, keeping the student's own work; a browser with a
wrong teacher key sees nothing of any class. The server has its own SQLite database."""

from __future__ import annotations

import base64
import re

import pytest

from drawing.i18n import TEXT
from drawing.qr import qr_code
from harness.servers import streamlit_server
from tests.test_browser_app import Visit, screenshot_dir

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'
TEX = 'annotation[encoding="application/x-tex"]'  # KaTeX keeps each formula's LaTeX here


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("class") / "classes.sqlite"
    with streamlit_server(env={"SOFTMAX_DATABASE_URL": f"sqlite:///{database}"}) as server:
        yield server.url


def en(key: str, **values) -> str:
    text = TEXT[key][0]
    return text.format(**values) if values else text


def codes_shown(visit: Visit) -> list[str]:
    return visit.page.locator(f'{MAIN} [data-testid="stCode"]').all_inner_texts()


def qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) of a QR code segno drew as SVG: its one stroked path runs along
    each row from the quiet zone, `h` drawing modules and `m` moving on."""
    path = re.search(r'<path[^>]*stroke="[^"]+"[^>]*\sd="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(y), int(x) + i) for i in range(int(float(a)))}
            x += float(a)
    return dark


def join_panel(visit: Visit) -> tuple[str, str]:
    """The dashboard's students' link, and the SVG of the QR code beside it."""
    panel = visit.page.locator(".st-key-class-join")
    link = panel.locator('[data-testid="stCode"], pre').first.inner_text().strip()
    source = panel.locator("img").first.get_attribute("src")
    assert source.startswith("data:image/svg+xml;base64,")
    return link, base64.b64decode(source.partition(",")[2]).decode()


def answer(visit: Visit, text: str) -> None:
    """On page 8: CE_vi, its result, then type `text` and press Enter."""
    page = visit.page
    for choice in ("CE_vi", en("check_result")):
        page.locator(f"{MAIN} button", has_text=choice).click()
        visit.idle()
    box = page.locator(f'{MAIN} input[type="text"]').first
    box.fill(text)
    box.press("Enter")
    visit.idle()


# The dashboard chart's count of each kind of answer for one step: its x axis is [CEs, steps].
CHART_COUNTS = """([ce, step]) => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!plot || !plot.data) return null;
    const at = plot.data[0].x[0].findIndex((c, i) => c === ce && plot.data[0].x[1][i] === step);
    return Object.fromEntries(plot.data.map((trace) => [trace.name, trace.y[at]]));
}"""


def test_a_teacher_sees_two_students_answers_live_and_points_the_class(class_server, browser):
    teacher = Visit(browser, f"{class_server}/class?lang=en")
    students: list[Visit] = []
    try:
        teacher.page.locator(f"{MAIN} button", has_text=en("class_start")).click()
        teacher.idle()
        student_link, svg = join_panel(teacher)
        (teacher_link,) = [shown for shown in codes_shown(teacher) if "teacher=" in shown]
        code = re.search(r"class=([A-Z0-9]{6})", student_link).group(1)
        assert re.search(r"join=[0-9a-f]{20}", student_link), "the link's ticket: never throttled"
        border = 4  # the quiet zone drawing.qr leaves
        expected = qr_code(student_link).matrix
        assert qr_modules(svg) == {(r + border, c + border) for r, row in enumerate(expected)
                                   for c, dark in enumerate(row) if dark & 1}, "the QR code is the link"  # fmt: skip
        assert "teacher=" in teacher_link and code not in teacher_link
        assert "teacher" not in teacher.page.url, "the key never stays in the address bar"
        teacher.page.wait_for_selector(f'{MAIN} :text("{en("class_students", n=0)}")')

        for typed in ("P_se", "-P_se"):
            student = Visit(browser, student_link, width=1280, height=720)
            students.append(student)
            sidebar = student.page.locator('[data-testid="stSidebar"]')
            assert code in sidebar.inner_text(), "the sidebar says which class"
            sidebar.locator("a", has_text="8 ·").click()
            student.page.wait_for_url(re.compile(r"/check\?.*class=" + code))
            student.idle()
            answer(student, typed)
            assert student.page.locator(MAIN).get_by_text(en("class_sent", code=code)).count() == 1
        right, slipped = students

        label = ["CE_vi", en("check_result")]
        teacher.page.wait_for_function(
            f"label => {{ const c = ({CHART_COUNTS})(label); return c && c['{en('class_right')}'] === 1"
            f" && c['{en('slip_sign')}'] === 1; }}",
            arg=label,
            timeout=20_000,
        )  # no reload: the dashboard's fragment redraws itself
        counts = teacher.page.evaluate(CHART_COUNTS, label)
        assert counts == {en("class_right"): 1, en("slip_sign"): 1, en("slip_factor"): 0,
                          en("slip_reciprocal"): 0, en("slip_other"): 0, en("class_answered"): 2}  # fmt: skip
        teacher.page.wait_for_selector(f'{MAIN} :text("{en("class_students", n=2)}")')
        # One student's wrong answer is for the teacher's eyes: listed in the sidebar, not on the projector,
        # until the teacher shows it; then as the checker read it, typeset by KaTeX.
        assert teacher.page.locator(MAIN).locator(TEX).count() == 0
        singles = teacher.page.locator(".st-key-class_singles")
        singles.locator("summary").click()
        singles.locator("button", has_text=en("class_reveal")).click()
        teacher.page.wait_for_function(
            f"""() => Array.from(document.querySelectorAll('{MAIN} {TEX}'))
                .some((tex) => tex.textContent.trim().endsWith('= - P_{{se}}'))""",
            timeout=20_000,
        )
        teacher.check(charts_expected=1)
        teacher.page.screenshot(path=screenshot_dir() / "class-dashboard-en-1920.png")
        projector = Visit(browser, teacher_link.replace("lang=en", "lang=zh"), width=1280, height=720)
        try:  # the projector's screen: the QR code, the code, the link and the whole chart, without a scroll
            projector.page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot .xtick')
            for part in ('.st-key-class-join img', '.st-key-class-join h1', '.st-key-class-join pre',
                         '[data-testid="stPlotlyChart"] .js-plotly-plot'):  # fmt: skip
                box = projector.page.locator(part).first.bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= 720, part
            qr = projector.page.locator(".st-key-class-join img").bounding_box()
            assert qr["width"] >= 170, "the QR code large enough for the back of the room"
            assert (
                projector.page.evaluate(
                    "() => parseFloat(getComputedStyle(document.querySelector('.st-key-class-join pre code')).fontSize)"
                )
                >= 20
            ), "the link at projector size"
            projector.check(charts_expected=1)
            projector.page.screenshot(path=screenshot_dir() / "class-dashboard-zh-1280.png")
        finally:
            projector.close()

        # Everyone to page 5: the slipped student's page 8 offers the way, and keeps the answer.
        teacher.page.locator('[data-testid="stSidebar"] button', has_text=en("class_point_send")).click()
        teacher.idle()
        prompt = slipped.page.locator(".st-key-class-pace")
        prompt.wait_for(timeout=15_000)
        assert en("page_chain_vi") in prompt.inner_text()
        prompt.locator("a").click()
        slipped.page.wait_for_url(re.compile(r"/chain_rule_vi\?.*class=" + code))
        slipped.idle()
        assert slipped.page.locator(".st-key-class-pace").count() == 0, "there, the prompt goes"
        slipped.page.locator('[data-testid="stSidebar"] a', has_text="8 ·").click()
        slipped.page.wait_for_url(re.compile(r"/check\?"))
        slipped.idle()
        assert slipped.page.locator(f'{MAIN} input[type="text"]').first.input_value() == "-P_se"
        for visit in (teacher, *students):
            visit.check(charts_expected=1 if visit is teacher else visit.page.locator(
                '[data-testid="stPlotlyChart"]').count())  # fmt: skip
    finally:
        for visit in (teacher, *students):
            visit.close()

    intruder = Visit(browser, f"{class_server}/class?teacher=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&lang=en")
    try:
        shown = intruder.page.locator(MAIN).inner_text()
        assert en("class_no_dashboard") in shown
        assert code not in intruder.page.content()
        assert intruder.page.locator('[data-testid="stPlotlyChart"]').count() == 0
        assert intruder.page.locator(f"{MAIN} {TEX}").count() == 0
        assert "teacher" not in intruder.page.url
    finally:
        intruder.close()
