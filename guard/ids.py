"""Each browser's id, the one class mode counts a student by: a random id in a signed cookie that
a page load gives (BrowserIds), and the check of one a request carries (browser_id)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from starlette.requests import cookie_parser

BROWSER_COOKIE = "softmax_browser"
BROWSER_ID = re.compile(r"[0-9a-f]{16}")  # store.STUDENT_PATTERN: the id a class counts a student by
BROWSER_AGE = 180 * 24 * 3600  # s: a school term
issuing_browser_ids = False  # whether this server's pages give each browser its id (BrowserIds below)


class BrowserIds:
    """ASGI middleware: a page load without a valid `softmax_browser` cookie gets one: a random id
    the browser keeps across reloads, reconnects, tabs and server restarts, signed with the
    servers' shared secret (`secret()`, None while it cannot be read: no cookie then). Class mode
    counts a student by it, so a reconnect is the same student, and a client must load a page, as
    a browser does, for each student it would add: an id it makes up is not signed. Not readable
    by scripts; sent only to this site."""

    def __init__(self, app, secret: Callable[[], bytes | None]):
        global issuing_browser_ids
        issuing_browser_ids = True
        self.app, self.secret = app, secret

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie")
        key = await asyncio.to_thread(self.secret)  # once a process, from the database: not on the loop
        if key is None or browser_id(cookie_parser(cookies.decode("latin-1")), key) is not None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message):
            if message["type"] == "http.response.start" and _is_html(message):
                cookie = f"{BROWSER_COOKIE}={signed(secrets.token_hex(8), key)}; Path=/; Max-Age={BROWSER_AGE}; "
                cookie += "HttpOnly; SameSite=Lax"
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, with_cookie)


def signed(browser: str, key: bytes) -> str:
    return f"{browser}.{hmac.new(key, browser.encode(), hashlib.sha256).hexdigest()[:32]}"


def browser_id(cookies, key: bytes) -> str | None:
    """The id a browser's cookies carry, if this server's secret signed it."""
    value = cookies.get(BROWSER_COOKIE)
    if not isinstance(value, str):
        return None
    browser, _, _ = value.partition(".")
    if BROWSER_ID.fullmatch(browser) and hmac.compare_digest(value, signed(browser, key)):
        return browser
    return None


def _is_html(message) -> bool:
    headers = message.get("headers", [])
    return any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
