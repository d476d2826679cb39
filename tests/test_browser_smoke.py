import pytest

from tests.browser import EXCEPTION_SELECTOR, exception_texts, wait_for_app

pytestmark = pytest.mark.browser


def test_app_loads_without_exception(app_server, page):
    page.goto(app_server)
    wait_for_app(page)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0, exception_texts(page)
    assert page.title().strip(), "document title is empty"
