"""Every address renders a page.

Streamlit answers any unknown path with its index.html, whose scripts are linked relative to the
path: at /softmax/extra the browser asks /softmax/static/js/..., gets HTML again, and shows a blank
page forever; a path starting with // gets a bare 400. KnownPages sends a browser that asks for
such a page (Accept: text/html) to the nearest real page instead (core.pages.redirect), adding
`notfound=1` when the path named no page, so the app shows a short note. Nothing of the requested
path is echoed back.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import cache
from pathlib import Path

from streamlit import file_util

from core import pages


class KnownPages:
    """ASGI middleware: browser page requests for unknown or malformed paths get a 302 to a page.
    `base()`: the server's base URL path, read per request (Streamlit's `server.baseUrlPath`)."""

    def __init__(self, app, base: Callable[[], str]):
        self.app, self.base = app, base

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _wants_html(scope):
            query = scope.get("query_string", b"").decode("latin-1")
            target = pages.redirect(scope["path"], query, self.base())
            if target is not None:
                headers = [(b"location", target.encode("latin-1")), (b"cache-control", b"no-cache")]
                await send({"type": "http.response.start", "status": 302, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def _wants_html(scope) -> bool:
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept


class ServerHere:
    """ASGI middleware: a page's HTML tells Streamlit's frontend where its server is.

    Without it, at /softmax the frontend first probes /softmax/_stcore/health and
    /softmax/_stcore/host-config (two 404s in every page's console, and a round trip before it
    connects), then the parent path. Streamlit reads `window.__streamlit.BACKEND_BASE_URL` (its
    documented hook for hosts) instead: the page's own address less its page name, so a proxy that
    strips a path prefix still works. Every other request goes on to Streamlit."""

    def __init__(self, app, base: Callable[[], str]):
        self.app, self.base = app, base
        self._pages: dict[tuple[int, bool], bytes] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _wants_html(scope):
            depth = _page_depth(scope["path"], self.base())
            if depth is not None:
                gzipped = b"gzip" in dict(scope.get("headers", [])).get(b"accept-encoding", b"")
                body = self._page(depth, gzipped)
                headers = [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-cache"),
                    (b"vary", b"Accept-Encoding"),
                ]
                if gzipped:
                    headers.append((b"content-encoding", b"gzip"))
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)

    def _page(self, depth: int, gzipped: bool) -> bytes:
        key = (depth, gzipped)
        if key not in self._pages:
            html = with_server_address(_streamlit_index(), depth).encode()
            self._pages[key] = gzip.compress(html, mtime=0) if gzipped else html
        return self._pages[key]


def with_server_address(index_html: str, depth: int) -> str:
    """Streamlit's index.html with a script, before its own, that sets the server's address: the
    page's URL less its last `depth` path segments (1 on a page's own address, 0 at the root)."""
    script = (
        "<script>(()=>{let p=location.pathname.replace(/\\/+$/,'').split('/');"
        f"p=p.slice(0,p.length-{depth});"
        "window.__streamlit={BACKEND_BASE_URL:location.origin+p.join('/')+'/'};})();</script>"
    )
    head, tag, rest = index_html.partition("<head>")
    if not tag:
        raise ValueError("Streamlit's index.html has no <head>")
    return head + tag + script + rest


def _page_depth(path: str, base: str) -> int | None:
    """1 for a page's own address, 0 for the app's root, None for anything else (Streamlit's)."""
    split = pages.under_base(path, base)
    if split is None:
        return None
    _, rest = split
    if rest in ("", "/"):
        return 0
    if rest[0] == "/" and rest[1:] in pages.PAGE_PATHS:
        return 1
    return None


@cache
def _streamlit_index() -> str:
    return (Path(file_util.get_static_dir()) / "index.html").read_text(encoding="utf-8")
