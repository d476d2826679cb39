"""The app as a user meets it, through Streamlit's AppTest: every page, both languages, links."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies
from streamlit.testing.v1 import AppTest

import ui
from core import pages
from core.latex import fmt
from core.network import Params, forward
from core.softmax import SPECIES
from core.training import SAMPLES, descend, total_ce
from drawing.i18n import TEXT

APP = str(Path(__file__).parents[1] / "app.py")
PAGES = [page.file for page in pages.STEPS]


def open_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def equations(at: AppTest) -> list[str]:
    """Every element that displays equations: st.latex's, and markdown that holds display math under
    its heading or paragraph (ui.equations' `above`)."""
    return [e.value for e in at.get("latex")] + [e.value for e in at.markdown if "$$" in e.value]


def latex_text(at: AppTest) -> str:
    return "\n".join(equations(at))


def all_text(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.subheader]
    parts += [e.value for e in at.warning] + [e.value for e in at.success] + [e.value for e in at.error]
    return "\n".join(parts)


def page_title(at: AppTest) -> str:
    """The page's title: st.title's, or the level-1 heading a page's first markdown opens with
    (ui.heading: a title and its paragraph as one element)."""
    headings = [e.value for e in at.title] + [
        e.value.partition("\n")[0].removeprefix("# ") for e in at.markdown if e.value.startswith("# ")
    ]
    assert headings, "the page has a title"
    return headings[0]


def view_link(at: AppTest) -> str:
    """The link to this view the sidebar offers to copy: the code block closing its caption."""
    (caption,) = (e.value for e in at.sidebar.caption if "```" in e.value)
    return caption.partition("```\n")[2].partition("\n")[0]


def tables(at: AppTest) -> list[list[list[str]]]:
    """Every table a page shows (ui.table: markdown), each as rows of cell texts, the header first."""
    return [table_cells(e.value) for e in at.markdown if "\n|---" in e.value]


def table_cells(markdown: str) -> list[list[str]]:
    """A markdown table's rows as a reader sees them: cells split at each unescaped "|", each
    backslash escape read as the character it escapes; the alignment row left out."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    rows = [re.split(r"(?<!\\)\|", line.strip()[1:-1]) for line in lines]
    return [[re.sub(r"\\(.)", r"\1", cell.strip()) for cell in row] for i, row in enumerate(rows) if i != 1]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(page, lang):
    at = open_app(lang=lang)
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    title = page_title(at)
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title)


def test_page_6_reads_statquest_total_ce_and_follows_the_slider():
    at = open_app()
    at.switch_page("app_pages/6_gradient_descent.py").run()
    assert at.sidebar.slider(key="b3").value == -2.0
    assert "= 2.6659" in latex_text(at)
    texts = [t for fig in figures(at) for trace in fig["data"] for t in trace.get("text", []) or []]
    assert "b3 = -2: 2.67" in texts
    at.sidebar.slider(key="b3").set_value(0.5).run()
    assert f"= {fmt(float(total_ce(0.5)), 4)}" in latex_text(at)
    assert "= 2.6659" not in latex_text(at)


def test_page_6_lists_cores_descent_path_step_by_step():
    at = open_app(b3="-1.5", rate="0.5", steps="6")
    at.switch_page("app_pages/6_gradient_descent.py").run()
    ((header, *rows),) = tables(at)
    assert header == [TEXT["step"][0], "b3", TEXT["total_ce"][0], TEXT["gradient"][0]]
    path = descend(-1.5, 0.5, 6)
    assert rows == [[str(i), f"{s.b3:.4f}", fmt(s.total_ce, 4), fmt(s.gradient, 4)] for i, s in enumerate(path)]


@pytest.mark.parametrize("steps", ["0", "6"])
def test_page_6_names_the_next_step_whatever_the_steps_shown(steps):
    at = open_app(b3="-1.5", rate="0.5", steps=steps)
    at.switch_page("app_pages/6_gradient_descent.py").run()
    assert not at.exception
    assert f"= {fmt(descend(-1.5, 0.5, 1)[1].b3, 4)}" in latex_text(at)


@settings(max_examples=200)
@given(strategies.lists(strategies.text(alphabet=strategies.sampled_from("|\\`*_$<>[]():#-+. aZ0\n")), min_size=2))
def test_a_tables_cells_read_as_they_were_written(cells):
    """Whatever a cell holds (pipes, backslashes, markdown's marks), a reader finds it as it was
    (a newline, which no table cell can hold, as a space)."""
    rows = [{"a": cell, "b": "1.5"} for cell in cells]
    header, *read = table_cells(ui.table_text(rows))
    assert header == ["a", "b"]
    assert read == [[cell.replace("\n", " ").strip(), "1.5"] for cell in cells]
    assert ui.table_text(rows).splitlines()[1].endswith("|---:|"), "a column of numbers is aligned right"


def test_one_step_button_moves_b3_to_statquest_minus_1_23():
    at = open_app()
    at.switch_page("app_pages/6_gradient_descent.py").run()
    next(b for b in at.button if b.label == TEXT["one_step"][0]).click().run()
    assert round(at.sidebar.slider(key="b3").value, 2) == -1.23
    assert at.query_params["b3"] == f"{descend(-2.0, 1.0, 1)[1].b3:.4f}" == "-1.2268"  # as the page writes it
    assert r"b_3 \leftarrow -1.2268 - 1 \cdot" in latex_text(at)  # one b3, one number of decimals


def test_run_to_end_moves_b3_to_where_200_steps_of_descent_settle():
    at = open_app()
    at.switch_page("app_pages/6_gradient_descent.py").run()
    next(b for b in at.button if b.label == TEXT["run_to_end"][0]).click().run()
    end = descend(-2.0, 1.0, 200)[-1].b3
    assert at.sidebar.slider(key="b3").value == float(at.query_params["b3"]) == round(end, 4)


def test_page_4_shows_core_p_se_and_the_chain_product():
    at = open_app(b3="1.25")
    at.switch_page("app_pages/4_chain_rule_se.py").run()
    sample = SAMPLES[0]
    p_se = float(forward(sample.petal, sample.sepal, Params(b3=1.25)).probs[0])
    latex = latex_text(at)
    assert f"- \\frac{{1}}{{{p_se:.4f}}}" in latex
    assert f"= {fmt(p_se - 1, 4)}" in latex
    assert at.success, "the finite-difference check agrees"


def test_state_survives_a_page_switch_and_lives_in_the_url():
    at = open_app()
    at.sidebar.slider(key="b3").set_value(1.5).run()
    at.sidebar.selectbox(key="flower_kind").set_value("virginica").run()
    at.switch_page("app_pages/3_cross_entropy.py").run()
    assert at.sidebar.slider(key="b3").value == 1.5
    assert at.sidebar.selectbox(key="flower_kind").value == "virginica"
    assert at.query_params["b3"] == "1.5" and at.query_params["flower"] == "virginica"


def test_a_link_reproduces_the_view():
    at = open_app(b3="-0.5", flower="iris-120", lang="zh")
    assert at.sidebar.slider(key="b3").value == -0.5
    assert at.sidebar.selectbox(key="flower_kind").value == "iris"
    assert at.sidebar.number_input(key="iris_number").value == 120
    assert page_title(at) == TEXT["page_network"][1]
    assert not at.warning


@settings(max_examples=300)
@given(strategies.text(alphabet=strategies.sampled_from("`\n a:/?&<>$*_[]")))
def test_the_link_to_copy_is_shown_as_it_is_whatever_it_holds(text):
    """The sidebar's link sits in a markdown code block: no text in it can close the block early
    (CommonMark: only a fence at least as long as the opening one) and be read as markdown."""
    fence, *inside, closing = ui.code_block(text).split("\n")
    assert fence == closing and set(fence) == {"`"} and len(fence) >= 3
    assert "\n".join(inside) == text and fence not in text


@pytest.mark.parametrize(
    "query, note",
    [
        ({"b3": "abc"}, "note_b3"),
        ({"b3": "1e309"}, "note_b3"),
        ({"b3": "nan"}, "note_b3"),
        ({"flower": "rose"}, "note_flower"),
        ({"flower": "iris-999"}, "note_flower"),
        ({"lang": "<script>alert(1)</script>"}, "note_lang"),
        ({"flower": "custom", "petal": "-3", "sepal": "0.2"}, "note_petal"),
        ({"rate": "9"}, "note_rate"),
        ({"rate": "nan"}, "note_rate"),
        ({"steps": "2.5"}, "note_steps"),
        ({"steps": "-1"}, "note_steps"),
        ({"shift": "1e9"}, "note_shift"),
        ({"source": "<b>x</b>"}, "note_source"),
        ({"tab": "se"}, "note_tab"),
    ],
)
def test_a_bad_link_renders_with_a_note_and_defaults(query, note):
    at = open_app(**query)
    assert not at.exception
    assert [w.value for w in at.warning] == [TEXT[note][0]]
    assert at.sidebar.slider(key="b3").value == -2.0
    assert "<script>" not in all_text(at)
    field = note.removeprefix("note_")
    assert at.query_params.get(field) != query[field], "the link is rewritten without the bad value"


def test_switching_language_changes_titles_and_figure_labels():
    at = open_app(lang="zh")
    at.switch_page("app_pages/6_gradient_descent.py").run()
    names = [trace.get("name") for fig in figures(at) for trace in fig["data"]]
    assert TEXT["total_ce"][1] in names
    assert page_title(at) == TEXT["page_descent"][1]


def test_custom_flower_sliders():
    at = open_app(flower="custom", petal="0.3", sepal="0.8", observed="versicolor")
    assert at.sidebar.slider(key="petal").value == 0.3 and at.sidebar.slider(key="sepal").value == 0.8
    assert at.sidebar.selectbox(key="observed").value == "versicolor"
    assert not at.warning and not at.exception


def slide_numbers(name: str, view) -> list[float]:
    """The numbers a page's slide ends on, from core alone, and derivatives by finite differences:
    what the slide's equation must say, worked out without the code that wrote it."""
    from core.view import flower_for_species, flower_point

    point, h = flower_point(view), 1e-6
    fwd = forward(point.petal, point.sepal, Params(b3=view.b3))

    def d_ce(species: str) -> float:
        flower = flower_for_species(point, species)
        ce = [-np.log(forward(flower.petal, flower.sepal, Params(b3=view.b3 + d)).probs[SPECIES.index(species)])
              for d in (h, -h)]  # fmt: skip
        return (ce[0] - ce[1]) / (2 * h)

    total_slope = (float(total_ce(view.b3 + h)) - float(total_ce(view.b3 - h))) / (2 * h)
    return {
        "network": [fwd.raw[0]],
        "softmax": [fwd.probs[0]],
        "cross_entropy": [float(total_ce(view.b3))],
        "chain_rule_se": [d_ce("setosa")],
        "chain_rule_vi": [d_ce("virginica")],
        "gradient_descent": [total_slope],
        "gradient_flow": [total_slope],
        "check": [],
        "beyond_b3": list(fwd.probs - np.eye(3)[SPECIES.index(point.observed)]),
    }[name]


@pytest.mark.parametrize("page", PAGES)
def test_presentation_mode_shows_each_page_as_one_slide(page):
    """Title, key equation ending on the live numbers, the page's first figure and a way on and out.
    Page 7's animation writes its equation as it plays, its last frame ending on the total: the
    slide gives the room above to its graph."""
    at = open_app(present="1", flower="virginica", lang="zh", b3="-1.3")
    at.switch_page(page).run()
    assert not at.exception
    name = pages.named(page)
    assert at.title[0].value == TEXT[pages.BY_NAME[name].title][1]
    lines = [e.value for e in at.get("latex")]
    if name == "gradient_flow":
        assert lines == []
        flow = json.loads(at.get("plotly_chart")[0].proto.spec)
        lines = [flow["frames"][-1]["data"][-1]["text"][0].replace("<b>", "").replace("</b>", "")]
    assert len(lines) >= 1
    expected = slide_numbers(name, at.session_state.view)
    last = re.findall(r"-?\d+\.\d+", lines[-1])[-len(expected) :] if expected else []
    assert [float(n) for n in last] == pytest.approx(expected, abs=6e-4)
    page_figures = len(figures(at))
    assert page_figures <= 1
    exit_button = next(b for b in at.button if "Esc" in b.label)
    exit_button.click().run()
    assert "present" not in at.query_params and not at.session_state.view.present
    assert len(figures(at)) >= page_figures  # the page itself shows at least the slide's figure


def test_page_1_sends_its_3d_surfaces_after_the_rest_when_opened():
    """Opening page 1 sends the graph, the equations and the numbers; the 3D surfaces wait for the
    browser's report that it drew them (ui.report_paint), held in their room meanwhile. The next run
    (a b3 change, or the report's) sends all three charts."""
    at = open_app(flower="virginica", b3="0.5")
    names = [f["layout"].get("meta", {}) for f in figures(at)]
    assert len(names) == 1 and names[0].get("fixed_height"), "the graph alone"
    assert at.session_state.arrived
    at.run()
    assert not at.session_state.arrived
    sent = figures(at)
    assert len(sent) == 3
    assert [len(f["data"]) for f in sent[1:]] == [4, 2], "blue and orange's surfaces, then green's"
