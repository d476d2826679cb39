"""Shared fixtures. The browser ones live here; their logic is in harness/browser.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis' default 200 ms deadline per example is a timed assertion: under a loaded machine (two
# workers beside browsers and servers) a property that holds failed on time alone, once in a
# fresh clone's make test. Speed is measured in bench/, never asserted in a test.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `core` and `harness` import even under a bare `pytest`
    sys.path.insert(0, str(REPO_ROOT))

from harness import browser as browser_helpers  # noqa: E402
from harness.postgres import postgres_server  # noqa: E402
from harness.servers import streamlit_server  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives the running Streamlit app in Debian's chromium through Playwright",
    )


@pytest.fixture(scope="session")
def app_server():
    """Base URL (http://127.0.0.1:<port>) of `streamlit run app.py`, shared by the whole session."""
    with streamlit_server() as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium. Fails (does not skip) when /usr/bin/chromium is missing."""
    if not Path(browser_helpers.CHROMIUM_PATH).exists():
        pytest.fail(browser_helpers.CHROMIUM_MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser_helpers.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (no shared cookies or storage between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of a private PostgreSQL cluster on loopback, shared by the whole session."""
    with postgres_server() as url:
        yield url
