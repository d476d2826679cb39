"""The app's pages, once, for every layer: the navigation and the presentation mode (ui/), the
slides (drawing/slides.py), where a teacher may point a class (store.py), the server's addresses
(guard/addresses.py) and the tests. A page's name is its file's, without the number, and its address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlencode


@dataclass(frozen=True)
class Page:
    file: str  # the script st.navigation runs
    title: str  # its title's key in drawing.i18n
    step: bool = True  # a step of the explanation, with its slides; class mode is neither
    controls: bool = False  # has controls of its own in the sidebar, above the shared ones (ui.page_sidebar)

    @property
    def name(self) -> str:
        return named(self.file)


def named(file: str) -> str:
    """A page's name from its file: "app_pages/9_beyond_b3.py" -> "beyond_b3" (its address, and
    its name in file names)."""
    return PurePosixPath(file).stem.partition("_")[2]


# In the folder app_pages/, not pages/: Streamlit would run a pages/ folder in its legacy mode
# beside st.navigation (a first visit to / then reset the sidebar's widgets after one change).
ALL = (
    Page("app_pages/1_network.py", "page_network"),
    Page("app_pages/2_softmax.py", "page_softmax"),
    Page("app_pages/3_cross_entropy.py", "page_cross_entropy"),
    Page("app_pages/4_chain_rule_se.py", "page_chain_se"),
    Page("app_pages/5_chain_rule_vi.py", "page_chain_vi"),
    Page("app_pages/6_gradient_descent.py", "page_descent"),
    Page("app_pages/7_gradient_flow.py", "page_flow"),
    Page("app_pages/8_check.py", "page_check"),
    Page("app_pages/9_beyond_b3.py", "page_beyond"),
    Page("app_pages/10_class.py", "page_class", step=False, controls=True),
)
STEPS = tuple(page for page in ALL if page.step)
NAMES = tuple(page.name for page in STEPS)  # the steps' names, in order
BY_NAME = {page.name: page for page in ALL}
WITH_SIDEBAR = frozenset(page.name for page in ALL if page.controls)

# A page's address is its file name without the number; page 1 lives at the root.
PAGE_ONE, *OTHERS = (page.name for page in ALL)
PAGE_PATHS = tuple(OTHERS)
PAGE_ONE_ALIASES = (PAGE_ONE,)
# Streamlit's own prefixes: assets, websocket, health, media, components, auth.
RESERVED = ("_stcore", "static", "media", "component", "app", "auth", "oauth2callback", "favicon.png")


def under_base(path: str, base: str = "") -> tuple[str, str] | None:
    """The base's prefix ("" for none) and the rest of `path` under it, or None when the path is
    outside the base (Streamlit's server.baseUrlPath)."""
    if not base:
        return "", path
    prefix = "/" + base.strip("/")
    if path != prefix and not path.startswith(prefix + "/"):
        return None
    return prefix, path[len(prefix) :]


def redirect(path: str, query: str, base: str = "") -> str | None:
    """Where to send a browser that asked for this page path, or None to serve it as it is
    (guard.addresses.KnownPages; `base`: Streamlit's server.baseUrlPath)."""
    split = under_base(path, base)
    if split is None:
        return None
    prefix, path = split
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in RESERVED:
        return None
    if not segments:
        if path in ("", "/"):
            return None
        target, known = "", True  # "//" and the like: the root
    elif len(segments) == 1 and segments[0] in PAGE_PATHS:
        if path == "/" + segments[0]:
            return None
        target, known = segments[0], True
    elif len(segments) == 1 and segments[0] in PAGE_ONE_ALIASES:
        target, known = "", True
    else:
        target, known = (segments[0] if segments[0] in PAGE_PATHS else ""), False
    extra = "" if known else urlencode({"notfound": "1"})
    joined = "&".join(part for part in (query, extra) if part)
    location = f"{prefix}/{target}"
    return f"{location}?{joined}" if joined else location
