"""Every address renders a page.

Streamlit answers any unknown path with its index.html, whose scripts are linked relative to the
path: at /softmax/extra the browser asks /softmax/static/js/..., gets HTML again, and shows a blank
page forever; a path starting with // gets a bare 400. KnownPages sends a browser that asks for
such a page (Accept: text/html) to the nearest real page instead (core.pages.redirect), adding
`notfound=1` when the path named no page, so the app shows a short note. Nothing of the requested
path is echoed back.
"""

from __future__ import annotations

from collections.abc import Callable

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
