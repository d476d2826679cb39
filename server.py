"""The server: Streamlit serving app.py behind the guard's middleware.

    streamlit run server.py        (what `make run` does; `streamlit run app.py` serves the same app)

In front of Streamlit, in this order:
- behind a proxy the client's address is the one the proxy forwards (uvicorn's
  ProxyHeadersMiddleware), trusted only from the addresses in SOFTMAX_TRUSTED_PROXIES (default:
  this machine, where deploy/nginx.conf runs); class mode's limits per network count that address;
- every address renders a page (guard.addresses.KnownPages), whose HTML names its server
  (guard.addresses.ServerHere: no probing of /<page>/_stcore/...);
- each browser gets the id class mode counts a student by (guard.ids.BrowserIds);
- what one tab can make the server do over the websocket is bounded (guard.stream.StreamGuard).

Importing this module builds nothing: the server warms its caches when it starts (`lifespan`).
"""

from __future__ import annotations

import gc
import os
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core import pages
from core.view import LANGS, SOURCES, TABS, View
from drawing import slides
from guard.addresses import KnownPages, ServerHere
from guard.ids import BrowserIds
from guard.stream import StreamGuard
from ui import classroom


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


@asynccontextmanager
async def lifespan(app):
    warm_and_freeze()  # before the server takes its first request; nothing else runs yet
    yield


app = st.App("app.py", lifespan=lifespan, middleware=[
    Middleware(ProxyHeadersMiddleware, trusted_hosts=os.environ.get("SOFTMAX_TRUSTED_PROXIES", "127.0.0.1,::1")),
    Middleware(KnownPages, base=lambda: st.get_option("server.baseUrlPath")),
    Middleware(BrowserIds, secret=classroom.browser_secret),
    Middleware(ServerHere, base=lambda: st.get_option("server.baseUrlPath")),
    Middleware(StreamGuard),
])  # fmt: skip
