"""The whole app in Chromium: every page in both languages and in presentation mode, deep links,
presentation keys, and the chart's slide downloads.

Each page load fails on an exception element, on a browser console error the app causes, on an
equation KaTeX could not parse (it shows the source in red), or on a plotly chart that did not
draw. A screenshot of each page goes to $TEST_SCREENSHOTS (`make test` names the folder) for a
person to look at.
"""

import os
import re
import struct
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core import pages
from core.view import View
from drawing import slides
from drawing.i18n import TEXT
from harness.browser import EXCEPTION_SELECTOR, exception_texts, wait_for_app
from ui import HTML_LANG

pytestmark = pytest.mark.browser

PAGE_PATHS = {name: ("" if name == pages.NAMES[0] else name) for name in pages.NAMES}
TITLES = {page.name: page.title for page in pages.STEPS}


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("TEST_SCREENSHOTS", "test-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visit:
    """A page opened in its own browser context, recording console errors and failed requests."""

    def __init__(self, browser, url: str, width: int = 1920, height: int = 1080, downloads: bool = False):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=downloads)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.goto(url)
        self.idle()

    def idle(self) -> None:
        """Wait until the script has finished (plotly may still be drawing: see check)."""
        wait_for_app(self.page, settle=0.4, network=False)

    def to_chinese(self) -> None:
        """Switch the language with the sidebar's control, and wait for the page in Chinese."""
        self.page.locator('[data-testid="stSidebar"] button', has_text="中文").click()
        self.page.wait_for_function("lang => document.documentElement.lang === lang", arg=HTML_LANG["zh"])
        self.idle()

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        self.errors.append(f"{message.text} ({where})")

    def check(self, charts_expected: int = 0) -> None:
        """No exception shown, no console error, and exactly `charts_expected` plotly charts, every
        one drawn. Plotly draws after the script has finished, and a rerun after a language switch
        may still be replacing charts, so this waits for that state and then reports what it saw."""
        page = self.page
        drawn_script = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).map((chart) => {
            const plot = chart.querySelector('.js-plotly-plot');
            const svg = plot && plot.querySelector('svg.main-svg');
            return Boolean(plot && plot._fullLayout && svg && svg.getBoundingClientRect().width > 0);
        })"""
        try:
            page.wait_for_function(
                f"n => {{ const drawn = ({drawn_script})(); return drawn.length === n && drawn.every(Boolean); }}",
                arg=charts_expected,
                timeout=30_000,
            )
        except PlaywrightTimeout:
            pass  # the assertions below say what is wrong
        assert page.locator(EXCEPTION_SELECTOR).count() == 0, exception_texts(page)
        assert page.locator(".katex-error").all_inner_texts() == [], "an equation KaTeX could not draw"
        assert self.errors == []
        drawn = page.evaluate(drawn_script)
        assert drawn == [True] * charts_expected, f"charts drawn: {drawn}"

    def fitted_slide(self) -> None:
        """A slide with its one chart drawn, once present.js has fitted it to the screen."""
        self.check(1)
        self.page.wait_for_timeout(500)

    def presenting(self) -> None:
        """Wait until the slide's links are there and present.js listens for the keys."""
        self.page.wait_for_selector(".st-key-slide-next a")
        self.page.wait_for_function("window.__softmaxPresent === true")

    def close(self) -> None:
        self.context.close()


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize("name", pages.NAMES)
def test_every_page_renders_in_both_languages_and_as_a_slide(app_server, browser, name):
    """The page in English, then Chinese from the sidebar, then as a slide from the sidebar's
    toggle: one session, as a teacher preparing a class would go."""
    visit = Visit(browser, f"{app_server}/{PAGE_PATHS[name]}?flower=versicolor&lang=en")
    page = visit.page
    try:
        for lang, present in (("en", False), ("zh", False), ("zh", True)):
            if lang == "zh" and not present:
                visit.to_chinese()
            if present:
                page.locator('[data-testid="stSidebar"] label', has_text=TEXT["sidebar_present"][1]).click()
                page.wait_for_selector(".st-key-slide")
                visit.idle()
            page.wait_for_function("lang => document.documentElement.lang === lang", arg=HTML_LANG[lang])
            view = View(flower="versicolor", lang=lang, present=present)
            expected = slides.charts(name, view)[: 1 if present else None]
            visit.check(len(expected))
            assert page.locator('[data-testid="stPlotlyChart"]').count() == len(expected)
            assert page.locator("h1").first.inner_text().strip() == TEXT[TITLES[name]][lang == "zh"]
            assert page.locator('[data-testid="stSidebar"]').is_visible() is not present
            assert query_of(page.url).get("present") == ("1" if present else None)
            if present and expected and not (expected[0].figure["layout"].get("meta") or {}).get("fixed_height"):
                gap = page.evaluate(
                    """() => { const slide = document.querySelector('.st-key-slide');
                        const zoom = parseFloat(slide.style.zoom || '1');
                        const figure = slide.querySelector('[data-testid=stPlotlyChart]').getBoundingClientRect();
                        const links = slide.querySelector('[data-testid=stHorizontalBlock]').getBoundingClientRect();
                        return {gap: (links.top - figure.bottom) / zoom, height: slide.offsetHeight}; }"""
                )
                # the figure takes the room the title, equations and links leave, and no more
                assert gap["gap"] <= 40 and gap["height"] <= slides.SLIDE[1], gap
            page.screenshot(path=str(screenshot_dir() / f"{name}-{lang}{'-present' if present else ''}.png"))
    finally:
        visit.close()


def test_a_deep_link_opens_exactly_its_view_and_a_change_survives_a_reload(app_server, browser):
    link = f"{app_server}/chain_rule_vi?flower=virginica&b3=0.5&lang=zh&tab=ve"
    visit = Visit(browser, link, width=1280, height=720)
    try:
        visit.check(1)
        page = visit.page
        assert page.locator("h1").first.inner_text().strip() == TEXT["page_chain_vi"][1]
        assert query_of(page.url) == {"flower": "virginica", "b3": "0.5", "lang": "zh", "tab": "ve"}
        thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').last
        assert thumb.get_attribute("value") == "0.5"
        filename = page.evaluate("document.querySelector('.js-plotly-plot')._context.toImageButtonOptions.filename")
        assert filename == "chain_rule_vi-graph_ve-virginica-b3=0.5-zh"

        for _ in range(3):
            thumb.focus()
            page.keyboard.press("ArrowRight")
            wait_for_app(page, settle=0.3)
        assert query_of(page.url)["b3"] == "0.53"
        page.reload()
        wait_for_app(page)
        visit.check(1)
        assert query_of(page.url) == {"flower": "virginica", "b3": "0.53", "lang": "zh", "tab": "ve"}
        thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').last
        assert thumb.get_attribute("value") == "0.53"
        assert "b3=0.53" in page.evaluate(
            "document.querySelector('.js-plotly-plot')._context.toImageButtonOptions.filename"
        )
    finally:
        visit.close()


def test_the_title_and_wide_layout_last_through_reruns_page_switches_and_a_language_switch(app_server, browser):
    """The page's config is sent on a session's first run and when its language changes only."""
    visit = Visit(browser, f"{app_server}/?flower=virginica&b3=-2&lang=en")
    page = visit.page

    def config() -> tuple[str, float]:
        width = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').offsetWidth")
        return page.title(), width

    thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').last
    thumb.focus()
    page.keyboard.press("ArrowRight")
    wait_for_app(page, settle=0.3)
    assert query_of(page.url)["b3"] == "-1.99"
    assert config()[0] == TEXT["app_title"][0] and config()[1] > 1500, "wide, as set on the first run"
    page.locator('[data-testid="stSidebarNav"] a').nth(1).click()
    page.wait_for_url(re.compile("/softmax"))
    visit.idle()
    assert config()[0] == TEXT["app_title"][0] and config()[1] > 1500
    visit.to_chinese()
    page.wait_for_function("title => document.title === title", arg=TEXT["app_title"][1])
    assert config()[1] > 1500
    visit.check(2)


def test_presentation_keys_step_through_the_pages_and_escape_leaves(app_server, browser):
    visit = Visit(browser, f"{app_server}/?present=1&b3=0", width=1280, height=720)
    try:
        visit.presenting()
        page = visit.page
        keys = page.locator(".st-key-slide").inner_text()
        assert "Page Up/Down" in keys and "Esc" in keys, "the keys are listed on screen"

        def press(key: str, path: str) -> None:
            page.keyboard.press(key)
            page.wait_for_url(re.compile(rf"/{path}\?"), timeout=30_000)
            visit.idle()
            visit.check(1)
            page.wait_for_selector(".st-key-slide-next a")
            assert query_of(page.url)["present"] == "1" and query_of(page.url)["b3"] == "0"

        press("ArrowRight", "softmax")
        press("PageDown", "cross_entropy")
        press("PageUp", "softmax")
        press("ArrowLeft", "")
        page.keyboard.press("Escape")
        page.wait_for_function("!location.search.includes('present')", timeout=30_000)
        wait_for_app(page)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
        assert page.locator(".st-key-slide").count() == 0
    finally:
        visit.close()


def test_a_key_pressed_while_the_next_slide_loads_is_kept(app_server, browser):
    """A clicker's second press comes while the slide it called is still loading: it moves on from
    that slide once it is there, rather than being lost (or clicking the old slide's link again)."""
    visit = Visit(browser, f"{app_server}/?present=1&b3=0", width=1280, height=720)
    try:
        visit.presenting()
        page = visit.page
        page.keyboard.press("PageDown")
        page.keyboard.press("PageDown")
        page.wait_for_url(re.compile(r"/cross_entropy\?"), timeout=30_000)
        visit.idle()
        page.wait_for_timeout(1000)
        assert "/cross_entropy?" in page.url
        assert page.locator("h1").first.inner_text().strip() == TEXT["page_cross_entropy"][0]
    finally:
        visit.close()


def test_the_slide_fits_a_1280x720_projector(app_server, browser):
    visit = Visit(browser, f"{app_server}/gradient_flow?present=1", width=1280, height=720)
    try:
        visit.fitted_slide()
        page = visit.page
        box = page.evaluate(
            """() => { const r = (s) => document.querySelector(s).getBoundingClientRect();
                return {exit: r('.st-key-slide-exit button').bottom, height: innerHeight, width: innerWidth,
                        plot: r('.st-key-slide .js-plotly-plot svg.main-svg').right}; }"""
        )
        assert box["exit"] <= box["height"] and box["plot"] <= box["width"], box
    finally:
        visit.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", ["softmax", "gradient_flow"])  # slide 7: the longest neighbours' names
def test_the_slides_links_and_keys_read_from_the_back_of_the_room(app_server, browser, path, lang):
    """At 1280x720 the row under a slide (its links, position and keys, and the way out) is at least
    18 px on screen, each on one line and whole inside its column."""
    visit = Visit(browser, f"{app_server}/{path}?present=1&lang={lang}", width=1280, height=720)
    try:
        visit.fitted_slide()
        page = visit.page
        texts = page.evaluate(
            """() => { const slide = document.querySelector('.st-key-slide');
                const zoom = parseFloat(slide.style.zoom || '1');
                const row = '.st-key-slide-prev p, .st-key-slide-next p, .st-key-slide-exit button p, '
                          + '.st-key-slide [data-testid=stCaptionContainer]';
                return [...slide.querySelectorAll(row)].map((e) => {
                    const size = parseFloat(getComputedStyle(e).fontSize) * zoom;
                    const range = document.createRange(); range.selectNodeContents(e);
                    // a line's pieces (Latin and CJK fonts) sit a few px apart; a new line, a line's height
                    const tops = [...range.getClientRects()].map((r) => r.top).sort((a, b) => a - b);
                    const lines = 1 + tops.filter((top, i) => i > 0 && top - tops[i - 1] > size * 0.8).length;
                    const column = e.closest('[data-testid=stColumn]').getBoundingClientRect();
                    const whole = range.getBoundingClientRect().right <= column.right + 1;
                    return {text: e.innerText, size, lines, whole}; }); }"""
        )
        assert len(texts) == 4, texts
        for text in texts:
            assert text["size"] >= 18 and text["lines"] == 1 and text["whole"], text
    finally:
        visit.close()


# page 9: its rotated parameter names; pages 1, 5 and 7: the graph, drawn for its slide
@pytest.mark.parametrize("path", ["softmax", "beyond_b3", "", "chain_rule_vi", "gradient_flow"])
def test_a_charts_slide_reads_18_px_on_a_1280x720_projector_and_shows_each_label_whole(app_server, browser, path):
    visit = Visit(browser, f"{app_server}/{path}?present=1&lang=zh", width=1280, height=720)
    try:
        visit.fitted_slide()
        page = visit.page
        labels = page.evaluate(
            """() => { const svg = document.querySelector('.st-key-slide .main-svg');
                const frame = svg.getBoundingClientRect();
                const texts = [...svg.parentElement.querySelectorAll('svg text')];  // not the toolbar's
                const shown = (e) => parseFloat(getComputedStyle(e).fillOpacity) > 0;  // not a slider's hidden ticks
                return texts.filter((e) => e.textContent.trim() && !e.closest('.modebar') && shown(e))
                    .map((e) => { const box = e.getBoundingClientRect(); const m = e.getScreenCTM();
                        const size = parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b);
                        return {text: e.textContent, size,
                                whole: box.left >= frame.left - 1 && box.right <= frame.right + 1
                                       && box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1}; }); }"""
        )
        assert len(labels) > 10
        for label in labels:
            assert label["size"] >= 18 and label["whole"], label
    finally:
        visit.close()


@pytest.mark.parametrize("format", ["png", "svg"])
def test_the_chart_downloads_a_named_16_9_slide_without_animation_controls(app_server, browser, tmp_path, format):
    visit = Visit(browser, f"{app_server}/gradient_flow?flower=virginica&b3=-2", downloads=True)
    try:
        page = visit.page
        plot = page.locator(".js-plotly-plot").first
        plot.hover()
        button = "[data-softmax-svg]" if format == "svg" else '.modebar-btn[data-title="Download plot as a PNG"]'
        with page.expect_download(timeout=60_000) as download:
            page.locator(button).first.click()
        name = download.value.suggested_filename
        assert name == f"gradient_flow-flow_total-virginica-b3=-2-en.{format}"
        path = tmp_path / name
        download.value.save_as(path)
        if format == "png":
            data = path.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (3840, 2160)
        else:
            root = ElementTree.parse(path).getroot()
            assert (root.get("width"), root.get("height")) == ("1920", "1080")
            text = path.read_text()
            assert "updatemenu" not in text and "slider" not in text
            assert "Total CE" in text
        assert visit.errors == []
    finally:
        visit.close()


def test_page_8_keeps_the_students_answer_through_a_language_switch(app_server, browser):
    """A new language relabels page 8's own widgets: the chosen CE, step and answer stay."""
    visit = Visit(browser, f"{app_server}/check?flower=versicolor&lang=en", width=1280, height=720)
    try:
        page = visit.page
        page.locator('[data-testid="stMain"] button', has_text="CE_vi").click()
        visit.idle()
        answer = page.locator('[data-testid="stMain"] input[type="text"]').first
        answer.fill("P_se")
        answer.press("Enter")
        visit.idle()
        visit.to_chinese()
        visit.check()
        assert page.locator('[data-testid="stMain"] input[type="text"]').first.input_value() == "P_se"
        chosen = page.locator('[data-testid="stMain"] button[aria-checked="true"]').first.inner_text()
        assert chosen.startswith("CE_vi")
        assert page.locator('[data-testid="stAlert"]').count() >= 1, "the verdict is shown again"
    finally:
        visit.close()


def test_page_8_checks_an_answer_in_its_fragment_and_use_it_reruns_the_whole_app(app_server, browser):
    """Typing an answer reruns only the checker's fragment (the browser says which in its
    rerun_script); the 'use it' button in that fragment reruns the whole app (the server's call),
    so the sidebar and the link show the new flower."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    visit = Visit(browser, f"{app_server}/check?flower=setosa&lang=en", width=1280, height=720)
    reruns: list = []

    def sent(payload) -> None:
        message = BackMsg()
        if isinstance(payload, bytes) and message.ParseFromString(payload) and message.HasField("rerun_script"):
            reruns.append(message.rerun_script)

    visit.page.on("websocket", lambda socket: socket.on("framesent", sent))
    visit.page.reload()
    visit.idle()
    try:
        page = visit.page
        for choice in ("CE_vi", TEXT["check_result"][0]):
            page.locator('[data-testid="stMain"] button', has_text=choice).click()
            visit.idle()
        answer = page.locator('[data-testid="stMain"] input[type="text"]').first
        answer.fill("P_se")
        answer.press("Enter")
        visit.idle()
        assert reruns[-1].fragment_id, "the answer reran the fragment only"
        assert page.locator('[data-testid="stAlert"]', has_text="virginica").count() >= 1
        page.locator('[data-testid="stMain"] button', has_text=TEXT["use_it"][0]).click()
        page.wait_for_function("() => location.search.includes('flower=virginica')", timeout=30_000)
        visit.idle()
        shown = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.evaluate(
            "box => box.innerText + ' ' + Array.from(box.querySelectorAll('input')).map((i) => i.value).join(' ')"
        )
        assert TEXT["flower_virginica"][0] in shown, shown
        visit.check()
    finally:
        visit.close()
