"""Driving the app in Debian's chromium through Playwright: launch it, wait for the app to be idle,
read what it shows. Shared by the browser tests (tests/conftest.py's fixtures) and the benches. Only the Debian package
``chromium`` is used (``make test`` installs it); never ``playwright install``.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # playwright is imported lazily so that importing this module stays cheap
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = (
    f"{CHROMIUM_PATH} not found: the browser tests drive Debian's chromium package. "
    "`make test` installs it (its `chromium` target runs `apt-get install chromium`); "
    "do not use `playwright install`."
)
# A phone's browser: touch, and a User-Agent with "Mobi", which the app draws the graph top to bottom for.
PHONE = {
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0 Mobile Safari/537.36",
}
APP_READY_TIMEOUT = 30.0

APP_SELECTOR = '[data-testid="stApp"]'
STATUS_WIDGET_SELECTOR = '[data-testid="stStatusWidget"]'
EXCEPTION_SELECTOR = '[data-testid="stException"]'

# Script-run states (the `data-test-script-state` attribute of stApp) in which no script is running.
# "initial" means the first run has not even started, so it does not count as finished.
_IDLE_SCRIPT_STATES = {"notRunning", "compilationError"}

# Read in one round trip: stApp's run/connection state and whether a status widget is showing.
_APP_STATE_JS = """
([appSel, statusSel]) => {
    const app = document.querySelector(appSel);
    const visible = (el) => {
        if (!el || !el.isConnected) return false;
        const style = window.getComputedStyle(el);
        if (style.display === "none" || style.visibility === "hidden") return false;
        const rect = el.getBoundingClientRect();
        return rect.width > 0 && rect.height > 0;
    };
    return {
        app: app !== null,
        script: app ? app.getAttribute("data-test-script-state") : null,
        connection: app ? app.getAttribute("data-test-connection-state") : null,
        status: Array.from(document.querySelectorAll(statusSel)).some(visible),
        // an element whose frontend code is still loading (a grey placeholder bar)
        loading: document.querySelectorAll('[data-testid="stSkeleton"]').length > 0,
    };
}
"""


def launch_chromium(playwright: Playwright, headless: bool = True) -> Browser:
    """Launch Debian's chromium; raise FileNotFoundError with the install hint if it is missing."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        raise FileNotFoundError(CHROMIUM_MISSING)
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH,
        args=CHROMIUM_ARGS,
        headless=headless,
    )


def app_state(page: Page) -> dict:
    """stApp's script-run and connection state, and whether a status widget is visible."""
    return page.evaluate(_APP_STATE_JS, [APP_SELECTOR, STATUS_WIDGET_SELECTOR])


def _is_idle(state: dict) -> bool:
    if not state["app"] or state["status"] or state.get("loading"):
        return False
    if state["script"] is None:  # attribute gone in some future Streamlit: only the widget is left
        return True
    if state["connection"] not in (None, "CONNECTED", "STATIC_CONNECTED"):
        return False
    return state["script"] in _IDLE_SCRIPT_STATES


def wait_for_app(page: Page, timeout: float = APP_READY_TIMEOUT, settle: float = 1.0, network: bool = True) -> None:
    """Wait until Streamlit has finished running the script and the page has gone quiet.

    1. ``[data-testid="stApp"]`` is attached.
    2. For ``settle`` seconds in a row: stApp's ``data-test-script-state`` says no script is
       running (``notRunning``, or ``compilationError``), the websocket is ``CONNECTED``, and no
       ``[data-testid="stStatusWidget"]`` is visible (it shows "Running..." and reconnect notices).
       The script state alone is not enough just after load, and the status widget alone is not
       enough either: it appears only some time after a run starts and fades out over 200 ms.
       Nor is the server's side: no ``[data-testid="stSkeleton"]`` may be left, the grey bar an
       element shows while the browser still loads its code (seen on a busy machine for seconds).
    3. Best effort, unless `network` is False: network idle (the websocket does not count), at most 5 s.

    Raises TimeoutError, with the last seen state, if step 1 or 2 takes longer than ``timeout``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    deadline = time.monotonic() + timeout

    def ms_left() -> float:
        return max(0.0, deadline - time.monotonic()) * 1000

    try:
        page.wait_for_selector(APP_SELECTOR, state="attached", timeout=ms_left())
    except PlaywrightTimeoutError as error:
        raise TimeoutError(f"{APP_SELECTOR} did not appear within {timeout:.0f} s") from error

    idle_since: float | None = None
    state: dict = {}
    while True:
        state = app_state(page)
        now = time.monotonic()
        if _is_idle(state):
            idle_since = idle_since if idle_since is not None else now
            if now - idle_since >= settle:
                break
        else:
            idle_since = None
        if now > deadline:
            raise TimeoutError(f"Streamlit app still busy after {timeout:.0f} s; last state: {state}")
        page.wait_for_timeout(100)

    if not network:
        return
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=min(5000.0, max(ms_left(), 1.0)))


def exception_texts(page: Page) -> list[str]:
    """Text of every ``stException`` element: a Python exception the app showed.

    The project's .streamlit/config.toml has ``client.showErrorDetails = "none"``, so this text is
    Streamlit's redacted notice; the traceback itself is in the server log (AppServer.log_tail).
    """
    return [text.strip() for text in page.locator(EXCEPTION_SELECTOR).all_inner_texts()]
