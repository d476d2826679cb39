"""Screenshot every page of the app in every language, in Debian's chromium.

    python bench/screenshots.py --out shots/ [--pages network,softmax] [--langs en,zh] \
        [--sizes 1920,1280,phone] [--query "b3=-2&flower=setosa"] [--tag statquest] \
        [--base-url http://127.0.0.1:8501]

Starts its own `streamlit run server.py` on a free port unless --base-url is given. Writes
<out>/<page>_<lang>_<size>[_<tag>].png (the root page is "root"), then _2, _3... as the main area
scrolls, and, when it
started the server, <out>/streamlit.log. Prints browser console errors and the text of any
`stException` element (redacted by client.showErrorDetails = "none"; the traceback is in the log),
and exits 1 if any page showed an exception (or never finished running), 2 if the server or
chromium could not start, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from core import pages  # noqa: E402
from harness.browser import PHONE, exception_texts, launch_chromium, wait_for_app  # noqa: E402
from harness.servers import streamlit_server  # noqa: E402

# "" is page 1, at the root URL
DEFAULT_PAGES = ",".join("" if index == 0 else name for index, name in enumerate(pages.NAMES))
DEFAULT_LANGS = "en,zh"
VIEWPORTS = {"1920": (1920, 1080), "1280": (1280, 720), "phone": (390, 844)}
PLOTLY_SETTLE_MS = 1500


def page_url(base: str, page: str, lang: str, query: str) -> str:
    url = f"{base.rstrip('/')}/{page.strip('/')}?lang={lang}"
    query = query.lstrip("?&")
    return f"{url}&{query}" if query else url


def shot_name(page: str, lang: str, size: str = "1920", tag: str = "") -> str:
    stem = page.strip("/").replace("/", "_") or "root"
    return "_".join(part for part in (stem, lang, size, tag) if part) + ".png"


@contextlib.contextmanager
def server_url(base_url: str | None) -> Iterator[tuple[str, object | None]]:
    if base_url:
        yield base_url, None
        return
    with streamlit_server() as server:
        yield server.url, server


def shoot(browser, url: str, path: Path, size: tuple[int, int] = VIEWPORTS["1920"]) -> tuple[list[str], list[str]]:
    """Screenshot one URL; return (console errors, exception texts)."""
    from playwright.sync_api import Error as PlaywrightError

    phone = size[0] < 600
    device = PHONE if phone else {}
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, device_scale_factor=2 if phone else 1, **device
    )
    page = context.new_page()
    console_errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            source = message.location.get("url") or ""
            console_errors.append(f"{message.text} [{source}]" if source else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    exceptions: list[str] = []
    try:
        page.goto(url, wait_until="domcontentloaded")
        try:
            wait_for_app(page)
        except TimeoutError as error:
            exceptions.append(f"app did not finish running: {error}")
        with contextlib.suppress(PlaywrightError):  # widgets still loading show as grey skeletons
            page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=15_000)
        page.wait_for_timeout(PLOTLY_SETTLE_MS)
        exceptions.extend(exception_texts(page))
        page.screenshot(path=str(path), full_page=False)
        for part in range(2, MAX_PARTS + 1):  # the main area scrolls inside its own container
            moved = page.evaluate(SCROLL_MAIN)
            if not moved:
                break
            page.wait_for_timeout(600)
            page.screenshot(path=str(path.with_name(f"{path.stem}_{part}{path.suffix}")), full_page=False)
    except PlaywrightError as error:
        exceptions.append(f"playwright error: {error}")
    finally:
        context.close()
    return console_errors, exceptions


MAX_PARTS = 4
SCROLL_MAIN = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  const before = main.scrollTop;
  main.scrollBy(0, main.clientHeight - 120);
  return main.scrollTop > before;
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the PNGs")
    parser.add_argument("--pages", default=DEFAULT_PAGES, help='comma-separated url paths; "" is the root')
    parser.add_argument("--langs", default=DEFAULT_LANGS, help="comma-separated ?lang= values")
    parser.add_argument("--query", default="", help='extra query string, e.g. "b3=-2&flower=setosa"')
    parser.add_argument("--sizes", default="1920", help="comma-separated: " + ", ".join(VIEWPORTS))
    parser.add_argument("--tag", default="", help="added to each file name, e.g. the query's name")
    parser.add_argument("--base-url", default=None, help="use a running app instead of starting one")
    args = parser.parse_args(argv)

    pages = [page.strip() for page in args.pages.split(",")]
    langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()]
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    failed: list[str] = []
    try:
        with server_url(args.base_url) as (base, server), sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                for page, lang, size in itertools.product(pages, langs, args.sizes.split(",")):
                    url = page_url(base, page, lang, args.query)
                    path = args.out / shot_name(page, lang, size, args.tag)
                    path.unlink(missing_ok=True)  # so "saved" below never reports a stale file
                    console_errors, exceptions = shoot(browser, url, path, VIEWPORTS[size])
                    saved = "saved" if path.exists() else "NOT saved"
                    print(f"{url} -> {path} ({saved})", flush=True)
                    for message in console_errors:
                        print(f"  console error: {message}")
                    for text in exceptions:
                        print(f"  EXCEPTION: {text}")
                    if exceptions:
                        failed.append(url)
            finally:
                browser.close()
            if server is not None:
                log_copy = args.out / "streamlit.log"
                log_copy.write_text(server.log_path.read_text(errors="replace"))
                if failed:
                    print(f"\nend of the streamlit log (the page redacts tracebacks; all of it: {log_copy}):")
                    print(server.log_tail())
    except (FileNotFoundError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    if failed:
        print(f"\n{len(failed)} page(s) showed an exception:", *failed, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
