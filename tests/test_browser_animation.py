"""The gradient-flow animation plays in the browser, with no message to the server while it does."""

import pytest

from harness.browser import EXCEPTION_SELECTOR, exception_texts, wait_for_app

pytestmark = pytest.mark.browser


def slider_label(page) -> str:
    return page.locator(".js-plotly-plot .slider-container .slider-group > text.slider-label").first.text_content()


def status_line(page) -> str:
    # The last text trace of the graph: the running product or the phase being played.
    return page.locator(".js-plotly-plot g.textpoint").last.text_content()


def test_gradient_flow_plays_without_server_round_trips(app_server, page):
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(f"{app_server}/gradient_flow?b3=-2&flower=setosa&lang=en")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0, exception_texts(page)
    opened = (slider_label(page), status_line(page))
    assert "0.035" in opened[1] and "CE" in opened[1], "it opens on the virginica flower's gradient, every value shown"
    page.wait_for_timeout(500)
    assert sent, "the listener sees the app's own messages (the initial run request)"
    sent.clear()

    page.locator(".updatemenu-button", has_text="2×").first.click()
    # A frame is 350 ms at 2×; a busy machine draws them later, so look for up to 10 s.
    seen = []
    for _ in range(25):
        page.wait_for_timeout(400)
        seen.append((slider_label(page), status_line(page)))
        if len(set(seen) - {opened}) >= 4:
            break
    assert len(set(seen) - {opened}) >= 4, f"the figure should change while playing: {seen}"
    assert sent == [], f"{len(sent)} websocket messages were sent while the animation played"

    page.locator(".updatemenu-button", has_text="pause").first.click()
    page.wait_for_timeout(700)  # a frame already being drawn may still land
    paused = slider_label(page)
    page.wait_for_timeout(1400)
    assert slider_label(page) == paused, "pause stops the animation"
    assert sent == []
