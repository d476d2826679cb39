"""The Streamlit side shared by every page: the view kept in session state and in the URL, the
sidebar that edits it, navigation, the presentation slide and a few layout helpers. The math
stays in core/, the figures and words in drawing/.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

# Imported here, whole, before any figure is sent: plotly imports pandas lazily when it encodes a
# figure and returns a module another thread is still importing, so a class of first sessions on
# a fresh server raced into "partially initialized module 'pandas'" (seen by bench/load.py --cold).
import pandas  # noqa: F401
import streamlit as st

from core import derivation, pages
from core.data import iris
from core.latex import fmt
from core.softmax import SPECIES
from core.view import (
    B3_RANGE,
    CUSTOM,
    LANGS,
    TRAINING,
    View,
    flower_for_species,
    flower_point,
    parse_query,
    to_query,
    with_values,
)
from drawing import explain, slides
from drawing.graph import observed_short
from drawing.i18n import t
from ui import checking, classroom  # checking reads ui's helpers at run time, not on import

FLOWER_KINDS = (*TRAINING, "iris", CUSTOM)
B3_DECIMALS = 4  # of a b3 a button sets (page 6's steps): as the pages write it
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def _widget_values(view: View) -> dict:
    values = {"lang": view.lang, "b3": view.b3, "petal": view.petal, "sepal": view.sepal}
    values |= {"observed": view.observed, "present": view.present}
    if view.flower.startswith("iris-"):
        return values | {"flower_kind": "iris", "iris_number": int(view.flower.partition("-")[2])}
    return values | {"flower_kind": view.flower}


def _restore_widgets() -> None:
    """Give every sidebar widget its value from the saved view (the link's, on a session's first run).

    The view, not the widgets, holds the state: Streamlit forgets a widget's value on a run that
    does not draw it (a hidden slider). Callbacks keep the view current.
    """
    state = st.session_state
    for key, value in _widget_values(state.view).items():
        _restore(key, value)


def _restore(key: str, value) -> None:
    """Set a widget's value from the view, only where it differs: writing a widget's key on every run
    would send the value back to the browser and undo keypresses made while the run was in flight."""
    state = st.session_state
    if key not in state or state[key] != value:
        state[key] = value


def _view_from_widgets() -> View:
    """The view the sidebar's widgets show. A widget that has no value in this run (not drawn, or
    not yet registered by a run that fast keypresses interrupted) keeps the view's value."""
    s = st.session_state
    saved = {"iris_number": 1} | _widget_values(s.view)

    def read(key: str):
        value = s.get(key)
        return saved[key] if value is None else value

    kind = read("flower_kind")
    return with_values(
        s.view,
        flower=f"iris-{read('iris_number')}" if kind == "iris" else kind,
        **{key: read(key) for key in ("b3", "lang", "petal", "sepal", "observed", "present")},
    )


def _on_change() -> None:
    st.session_state.view = _view_from_widgets()
    st.session_state.notes = ()


def start() -> str:
    """A run's first steps: the view (from the link, on a session's first run), the page's config
    and assets. Returns the view's language, which the widgets' callbacks, run before the script,
    have already set."""
    state = st.session_state
    if "view" not in state:
        state.view, state.notes = parse_query(st.query_params.to_dict())
        classroom.take_teacher_key(st.query_params.to_dict())
    state.charts_drawn = 0
    lang = state.view.lang
    if state.get("page_config_lang") != lang:
        st.set_page_config(page_title=t("app_title", lang), page_icon="🌸", layout="wide")
        state.page_config_lang = lang  # the browser keeps it: sent again only for a new language
    page_assets(lang, state.view.present)
    return lang


def sidebar(page: st.Page) -> View:
    """Render the shared sidebar (after `start` and `navigation`): the view's widgets, its numbers
    and a link to this exact view to copy. Keep the URL in step, and return the current view."""
    _restore_widgets()
    s = st.session_state
    lang = s.view.lang
    with st.sidebar:
        st.segmented_control(
            t("sidebar_lang", lang),
            LANGS,
            key="lang",
            format_func={"en": "English", "zh": "中文"}.get,
            on_change=_on_change,
            required=True,
        )
        st.toggle(t("sidebar_present", lang), key="present", on_change=_on_change)
        st.selectbox(
            t("sidebar_flower", lang),
            FLOWER_KINDS,
            key="flower_kind",
            on_change=_on_change,
            format_func=lambda k: t("flower_iris" if k == "iris" else f"flower_{k}", lang),
        )
        if s.flower_kind == "iris":
            st.number_input(
                t("sidebar_iris_number", lang), 1, len(iris()), step=1, key="iris_number", on_change=_on_change
            )
        elif s.flower_kind == CUSTOM:
            st.slider(t("sidebar_petal", lang), 0.0, 1.0, step=0.01, key="petal", on_change=_on_change)
            st.slider(t("sidebar_sepal", lang), 0.0, 1.0, step=0.01, key="sepal", on_change=_on_change)
            st.selectbox(
                t("sidebar_observed", lang),
                SPECIES,
                key="observed",
                on_change=_on_change,
                format_func=lambda k: t(f"species_{k}", lang),
            )
        st.slider(t("sidebar_b3", lang), *B3_RANGE, step=0.01, key="b3", on_change=_on_change)
    view = classroom.membership(s.view)
    query = to_query(view)
    point = flower_point(view)
    with st.sidebar:
        st.caption(  # the flower's numbers and the link to copy: one element (each costs every rerun)
            f"{t('scaled_petal', lang)} = {point.petal:.2f} · {t('scaled_sepal', lang)} = {point.sepal:.2f}"
            f" · {t('observed_as', lang, species=t('short_' + point.observed, lang))}\n\n{t('sidebar_link', lang)}"
            f"\n\n{code_block(view_link(page.url_path, query))}"
        )
        classroom.badge(view)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    for note in s.notes:
        st.warning(t(note.key, lang), icon=":material/link_off:")
    return replace(view, phone=on_phone())


def code_block(text: str) -> str:
    """`text` as a markdown code block, drawn as st.code is (a copy button on it) and wrapped
    (app.css): nothing in it is read as markdown or HTML, its fence longer than any run of
    backticks in it (the link's host is the browser's)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def on_phone() -> bool:
    """Whether the browser says it is a phone's ("Mobi" in its User-Agent, as every phone browser's
    is): the graph is then drawn top to bottom, to fit a narrow screen. A tablet's is not."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


ASSETS = Path(__file__).parents[1] / "assets"
STYLE = (ASSETS / "app.css").read_text()
PRESENT_STYLE = (ASSETS / "present.css").read_text()
SCRIPT = "\n".join((ASSETS / name).read_text() for name in ("keyboard.js", "export.js", "present.js"))
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def page_assets(lang: str, present: bool) -> None:
    """The app's CSS (and in presentation mode the slide's), and its scripts: <html lang>, plotly's
    controls opened to the keyboard, the chart's slide downloads, and the presentation's keys.

    Only fixed text from assets/ and a language tag from HTML_LANG reach the page: no user text.
    """
    st.html(_ASSETS[lang, present], unsafe_allow_javascript=True)  # one element: each costs every rerun


@dataclass(frozen=True)
class _Prebuilt:
    """HTML st.html takes as it is (by `_repr_html_`): given a string, it dedents the app's 30 KB of
    CSS and scripts at every rerun (a sixteenth of a page's rerun, in py-spy)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


_ASSETS = {
    (lang, present): _Prebuilt(
        f"<style>{STYLE}{PRESENT_STYLE if present else ''}</style>"
        f'<span hidden data-softmax-lang="{HTML_LANG[lang]}"></span><script>{SCRIPT}</script>'
    )
    for lang in HTML_LANG
    for present in (False, True)
}


def navigation(lang: str) -> st.Page:
    """Declare the pages to Streamlit, which lists them in its menu at the top of the sidebar (one
    message a rerun; ten page links were ten elements), and return the chosen page. A page switch
    keeps the view: it lives in the session, and the sidebar writes it back into the address."""
    return st.navigation(_pages(lang), position="sidebar")


def _pages(lang: str) -> list[st.Page]:
    """The pages in `lang`, made once per session: st.Page checks its file on disk and infers its
    icon (1.6 ms for the ten, an eighth of a page's rerun). Not shared between sessions:
    st.navigation marks the page it returns as callable once and page.run() unmarks it, so a
    second session's run could find its page already run; one session's runs never overlap."""
    made = st.session_state.setdefault("pages_made", {})
    if lang not in made:
        made[lang] = [st.Page(p.file, title=t(p.title, lang), default=(i == 0)) for i, p in enumerate(pages.ALL)]
    return made[lang]


def table(rows: list[dict], above: str = "", below: str = "") -> None:
    """Rows of text (the same keys in each) as a table: a markdown one, a cheap element, where
    st.dataframe's Arrow table cost 0.7 ms a rerun; its text as large as the page's. `above` and
    `below`, markdown (its section's heading, the next one's), go in its element."""
    st.markdown(markdown_text(above, table_text(rows), below))


def markdown_text(*parts: str) -> str:
    """Markdown blocks (a heading, a paragraph, a table, an equation) one after another in one
    element's text; an empty part is left out."""
    return "\n\n".join(part for part in parts if part)


def equation_text(line: str) -> str:
    """A display equation in markdown, drawn as st.latex draws it."""
    return f"$$\n{line}\n$$"


def caption_text(text: str) -> str:
    """Markdown for `text` drawn small and grey as st.caption's, to go in another element."""
    escaped = text.replace("[", r"\[").replace("]", r"\]")
    return f":gray[:small[{escaped}]]"


def table_text(rows: list[dict]) -> str:
    """`rows` as a markdown table, each cell's text as it is (markdown's punctuation escaped), a
    column of numbers aligned right."""
    columns = list(rows[0])
    align = ("---:" if all(_is_number(row[column]) for row in rows) else "---" for column in columns)
    lines = [columns, *([row[column] for column in columns] for row in rows)]
    text = ["| " + " | ".join(_escaped(str(cell)) for cell in line) + " |" for line in lines]
    return "\n".join((text[0], "|" + "|".join(align) + "|", *text[1:]))


_MARKDOWN_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def _escaped(text: str) -> str:
    """Every ASCII punctuation character backslash-escaped (CommonMark reads each as itself)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text.replace("\n", " "))


def _is_number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def view_link(url_path: str, query: dict) -> str:
    """The full address of this page with this view, from the address the browser used."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    base = "/" + st.get_option("server.baseUrlPath").strip("/")
    path = f"{base.rstrip('/')}/{url_path}"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def current(page_file: str):
    """The view, its flower's inputs and the language, for the page in `page_file` (its __file__).
    app.py hands the view over each run. In presentation mode the page is drawn as its slide."""
    view = st.session_state.pop("current_view")
    name = pages.named(page_file)
    if view.present and name in pages.NAMES:
        presentation(view, name)
        st.stop()
    return view, flower_point(view), view.lang


def page_sidebar():
    """The sidebar's place for a page's own controls, right under the page links and above the
    shared ones, so a teacher's class controls are in view at 1920x1080 (app.py makes it, on the
    pages in pages.WITH_SIDEBAR: on every page it was a message more a rerun)."""
    return st.session_state.page_sidebar


def presentation(view: View, page: str) -> None:
    """The page as a 16:9 slide: its title, its key equation and its figure, scaled to fill the
    screen (assets/present.js), with links to the pages before and after it, the keys, and a way out."""
    lang, index = view.lang, pages.NAMES.index(page)
    query = to_query(view)
    lines = slides.slide_equations(page, view)
    charts = slides.charts(page, view)
    figure = slides.for_slide(charts[0], slides.figure_room(lines)) if charts else None
    if figure:  # present.js keeps the figure at this height (a number: no user text)
        st.html(f"<style>.st-key-slide {{ --figure-height: {int(slides.figure_height(figure.figure))}; }}</style>")
    with st.container(key="slide"):
        st.title(t(pages.STEPS[index].title, lang))
        for line in lines:  # apart: the slide's figure is sized for this many display lines (slides.figure_room)
            st.latex(line)
        if figure:
            chart(figure, view)
        else:  # page 8 has no figure: its checker, for the teacher to answer in front of the class
            checking.panel(view, flower_point(view), lang)
        before, middle, after, leave = st.columns([4.2, 3.6, 3.6, 1.6], vertical_alignment="center")
        if index > 0:
            with before.container(key="slide-prev"):
                before_ = pages.STEPS[index - 1]
                st.page_link(before_.file, label=f"← {t(before_.title, lang)}", query_params=query)
        total = len(pages.STEPS)
        middle.caption(f"{t('present_position', lang, n=index + 1, total=total)} · {t('present_keys', lang)}")
        if index + 1 < total:
            with after.container(key="slide-next"):
                next_ = pages.STEPS[index + 1]
                st.page_link(next_.file, label=f"{t(next_.title, lang)} →", query_params=query)
        with leave.container(key="slide-exit"):
            st.button(t("present_exit", lang), on_click=_leave_presentation, icon=":material/close_fullscreen:")


def _leave_presentation() -> None:
    st.session_state.present = False
    _on_change()


def heading(title: str, text: str, level: int = 1) -> None:
    """A heading and the paragraph under it as one element (each element costs every rerun): a
    markdown heading, drawn as st.title's (level 1) or st.subheader's (level 3) is."""
    st.markdown(heading_text(title, text, level))


def heading_text(title: str, text: str = "", level: int = 1) -> str:
    """`heading`'s markdown, to go above equations in their element (`equations`' `above`)."""
    return markdown_text(f"{'#' * level} {title}", text)


def equations(*lines: str, above: str = "", below: str = "") -> None:
    """Display equations one under another: on a computer as one element (each element costs every
    rerun), on a phone each apart, so that a long one may wrap (app.css), which one of several
    cannot. `above`, markdown (a "### heading" or a paragraph), goes in the first one's element;
    `below`, markdown (the next section's heading, or a paragraph and its equation), in the last one's."""
    if len(lines) > 1 and not on_phone():
        lines = (r"\begin{gathered}" + r" \\[1.5em] ".join(lines) + r"\end{gathered}",)
    last = len(lines) - 1
    for number, line in enumerate(lines):
        before, after = above if number == 0 else "", below if number == last else ""
        if before or after:
            st.markdown(markdown_text(before, equation_text(line), after))
        else:
            st.latex(line)


def chart(item: slides.Chart, view: View, width: int | str = "stretch") -> None:
    """A figure in a box of its own that keeps a minimum width (app.css, by kind: the graph never
    narrower than the layout its geometry test checks) and scrolls sideways on a narrower screen,
    so a phone shows the figure whole rather than squeezed. Its download buttons make a slide."""
    count = st.session_state.get("charts_drawn", 0)
    st.session_state.charts_drawn = count + 1
    config = PLOTLY_CONFIG | {"toImageButtonOptions": slides.download_options(item, view)}
    if view.phone:  # a touch screen shows plotly's toolbar all the time, over the figure's titles
        config |= {"displayModeBar": False}
    st.plotly_chart(item.sealed, width=width, config=config, theme=None, alt=item.alt, key=f"{item.kind}-{count}")


FIRST_PAINT_PAUSE = 0.04  # s: measured (bench/browser.py): with 20 ms, 3 key presses in 10 still drew both at once


def note_page(name: str) -> None:
    """Record the page this run shows: `arrived()` is true on its first run after another page or
    a fresh open (app.py calls this every run; a fragment's run leaves it as it was)."""
    state = st.session_state
    state.arrived = state.get("page_shown") != name
    state.page_shown = name


def arrived() -> bool:
    return st.session_state.get("arrived", True)


def pause_for_first_paint() -> None:
    """Let the browser draw what the page has sent so far before a 3D figure follows.

    Streamlit's frontend draws the deltas that arrive together in one React commit, and a commit
    with a WebGL scene is painted only once the scene is drawn (about 0.25 s in software GL): a
    short pause sends page 1's graph, equation and numbers apart, so a b3 key shows them at once
    and green's surface follows. A sleep holds the script's thread, not a core."""
    time.sleep(FIRST_PAINT_PAUSE)


_painted = st.components.v2.component("softmax_painted", js=(ASSETS / "painted.js").read_text())


def report_paint(token: str) -> None:
    """Have the browser report once it has drawn what this run sent (once per `token` and page
    opening): the report reruns the app, and that run, no longer the page's opening, sends what
    waited. Last on the page, so that on the runs after, where it is gone, nothing moves up (a moved
    chart is drawn anew). The pause above is too short for a page's opening, when the browser is
    busy for a second: there, three WebGL scenes held the graph back by 2 s in software GL."""
    _painted(data=token, key="painted", on_painted_change=_ignore, height=0)


def _ignore() -> None:
    pass


def page_control(widget, field: str, label: str, **kwargs):
    """A page's own widget bound to the view's `field`: kept across page switches and in the link."""
    _restore(field, getattr(st.session_state.view, field))
    return widget(label, key=field, on_change=_on_page_control, args=(field,), **kwargs)


def _on_page_control(field: str) -> None:
    st.session_state.view = with_values(st.session_state.view, **{field: st.session_state[field]})
    st.session_state.notes = ()


def use_flower(flower: str) -> None:
    """Point the sidebar at another flower (from a button's callback). The whole app reruns, also
    when the button is in a fragment (page 8), so the sidebar shows the new flower."""
    st.session_state.flower_kind = flower
    _on_change()
    st.rerun()


def flower_for(species: str, point, lang: str):
    """The flower a page deriving CE_species uses; when it is not the sidebar's, say so in one line
    and offer to switch the sidebar to it."""
    flower = flower_for_species(point, species)
    if flower is not point:
        st.info(
            t(
                "other_flower",
                lang,
                chosen=t(f"short_{point.observed}", lang),
                ce=f"CE_{observed_short(species)}",
                needed=t(f"short_{species}", lang),
            ),
            icon=":material/swap_horiz:",
        )
        st.button(
            t("use_it", lang), key=f"use_{species}", on_click=use_flower, args=(species,), icon=":material/swap_horiz:"
        )
    return flower


def set_b3(value: float) -> None:
    """Move the shared b3 (from a button's callback), kept inside the slider's range, to the 4
    decimals the pages show it with: the link and the equations then name the same b3."""
    low, high = B3_RANGE
    st.session_state.b3 = round(min(max(value, low), high), B3_DECIMALS)
    _on_change()


def factor_latex(lines: tuple[tuple[str, str, str], ...], phone: bool) -> tuple[str, ...]:
    """The chain rule's factors, one a row: number, formula, value. On a computer one KaTeX array in
    three aligned columns (three rows of st.columns were twenty messages a rerun, a seventh of the
    page's server time); on a phone each formula and each value a line of its own, so that a long
    one wraps."""
    if phone:
        return tuple(
            line for number, formula, value in lines for line in (rf"{{\large {number}}}\quad {formula}", value) if line
        )
    rows = r" \\[2em] ".join(
        rf"\large {number} \qquad & \displaystyle {formula} \qquad & \displaystyle {value}"
        for number, formula, value in lines
    )
    return (r"\begin{array}{lll}" + rows + r"\end{array}",)


def chain_rule(point, b3: float, observed: str, lang: str) -> None:
    """The chain rule of the hand derivation for CE_observed -> b3: the three factors, their product,
    and a check. The equations are one element on a computer (each element costs every rerun)."""
    rule = derivation.chain_rule(observed)
    numbers = explain.chain_numbers(point.petal, point.sepal, b3, observed)
    product = r" \cdot ".join(f"({fmt(v, 4)})" for v in numbers.factors)
    equations(
        explain.chain_rule_latex(observed),
        *factor_latex(explain.factor_lines(numbers), on_phone()),
        rf"\Rightarrow {rule.result.label} = {rule.result.latex}",
        rf"= {product} = {fmt(numbers.product, 4)}",
    )
    agree = abs(numbers.product - numbers.finite_difference) < 1e-6
    message = t(
        "fd_check",
        lang,
        ce=f"CE_{observed}",
        fd=f"{numbers.finite_difference:.6f}",
        chain=f"{numbers.product:.6f}",
        verdict=t("agrees" if agree else "disagrees", lang),
    )
    (st.success if agree else st.error)(message, icon=":material/check_circle:" if agree else None)
