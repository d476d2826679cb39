"""The server: Streamlit serving app.py, plus one middleware so that every address renders a page.

    streamlit run server.py        (what `make run` does; `streamlit run app.py` serves the same app)

Streamlit answers any unknown path with its index.html, whose scripts are linked relative to the
path: at /softmax/extra the browser asks /softmax/static/js/..., gets HTML again, and shows a blank
page forever; a path starting with // gets a bare 400. The middleware sends a browser that asks
for such a page (Accept: text/html) to the nearest real page instead, adding `notfound=1` when the
path named no page, so the app shows a short note. Nothing of the requested path is echoed back.

The other middleware, from guard.py: each browser gets the id that class mode counts a student by
(BrowserIds), and what one tab can make the server do over the websocket is bounded (StreamGuard).
First of all, behind a proxy the client's address is the one the proxy forwards (uvicorn's
ProxyHeadersMiddleware), trusted only from the addresses in SOFTMAX_TRUSTED_PROXIES (default: this
machine, where deploy/nginx.conf runs); class mode's limits per network count that address.
"""

from __future__ import annotations

import gc
import os

import streamlit as st
from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import classroom
from core import pages, slides
from core.view import LANGS, SOURCES, TABS, View
from guard import BrowserIds, StreamGuard


class KnownPages:
    """ASGI middleware: browser page requests for unknown or malformed paths get a 302 to a page."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _wants_html(scope):
            base = st.get_option("server.baseUrlPath")
            target = pages.redirect(scope["path"], scope.get("query_string", b"").decode("latin-1"), base)
            if target is not None:
                headers = [(b"location", target.encode("latin-1")), (b"cache-control", b"no-cache")]
                await send({"type": "http.response.start", "status": 302, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def _wants_html(scope) -> bool:
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept


def warm_and_freeze() -> None:
    """Build what every session shares before the first student comes: sympy's derivation, each
    figure's skeleton and each page's equations in both languages. Then hand everything alive to
    the collector's permanent generation (gc.freeze): a full collection then walks only what the
    sessions made since, not the hundreds of thousands of objects of Streamlit, plotly, sympy and
    pandas. Measured under a class of 40: 30 collections of 5 ms or more a minute, up to 306 ms,
    every render in flight stopped meanwhile."""
    for lang in LANGS:
        for view in (View(lang=lang), *(View(lang=lang, tab=tab) for tab in TABS),
                     *(View(lang=lang, source=source) for source in SOURCES)):  # fmt: skip
            for page in pages.NAMES:
                slides.charts(page, view)
                slides.equations(page, view)
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)  # the young less often (fewer, larger pauses measured better here)


warm_and_freeze()
TRUSTED_PROXIES = os.environ.get("SOFTMAX_TRUSTED_PROXIES", "127.0.0.1,::1")
app = st.App("app.py", middleware=[
    Middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES),
    Middleware(KnownPages), Middleware(BrowserIds, secret=classroom.browser_secret), Middleware(StreamGuard),
])  # fmt: skip
