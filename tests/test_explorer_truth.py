"""What the explorer must not teach wrong, and the view a link carries: each test here failed on the
main of before (the graph's geometry has its own module, the browser's behaviour its own)."""

import json
import math

import pytest

from core import pages
from core.latex import fmt
from core.network import Params, forward
from core.training import SAMPLES, d_total_ce_d_b3, per_sample_ce, per_sample_gradient, total_ce
from core.view import View, flower_point
from drawing import explain, figures, graph
from drawing.i18n import TEXT
from guard import addresses
from tests.test_app import PAGES, equations, latex_text, open_app, page_title, view_link
from tests.test_app import figures as page_figures

FIGURE_PAGES = [page for page in PAGES if page != "app_pages/8_check.py"]  # page 8 is a form, not a figure
CE_AT_MINUS_2 = dict(zip((s.species for s in SAMPLES), per_sample_ce(-2.0), strict=True))
GRAD_AT_MINUS_2 = dict(zip((s.species for s in SAMPLES), per_sample_gradient(-2.0), strict=True))


def on_page(page: str, **query):
    at = open_app(**query)
    return at.switch_page(page).run()


def info_text(at) -> str:
    return "\n".join(e.value for e in at.info)


# 2. Each term of a sum under its own name


@pytest.mark.parametrize("page", ["app_pages/3_cross_entropy.py", "app_pages/6_gradient_descent.py"])
def test_total_ce_puts_each_flowers_ce_under_its_own_species(page):
    at = on_page(page, b3="-2")
    ce = CE_AT_MINUS_2
    expected = (
        f"CE_{{se}} + CE_{{ve}} + CE_{{vi}} = {fmt(ce['setosa'], 4)} + {fmt(ce['versicolor'], 4)}"
        f" + {fmt(ce['virginica'], 4)} = {fmt(float(total_ce(-2.0)), 4)}"
    )
    assert expected in latex_text(at)


def test_page_6_derivative_puts_each_flowers_gradient_under_its_own_species():
    at = on_page("app_pages/6_gradient_descent.py", b3="-2")
    g = GRAD_AT_MINUS_2
    latex = latex_text(at)
    assert r"\frac{d\,CE_{se}}{d\,b_3} + \frac{d\,CE_{ve}}{d\,b_3} + \frac{d\,CE_{vi}}{d\,b_3}" in latex
    assert "(P_{se} - 1) + P_{se} + P_{se}" in latex
    values = f"({fmt(g['setosa'], 4)}) + ({fmt(g['versicolor'], 4)}) + ({fmt(g['virginica'], 4)})"
    assert f"{values} = {fmt(float(d_total_ce_d_b3(-2.0)), 4)}" in latex


# 3. A page deriving CE_c uses a flower observed as c, and says so


def test_statquest_link_pages_5_6_and_7_agree_on_dce_vi():
    vi = GRAD_AT_MINUS_2["virginica"]
    assert fmt(vi, 4) == "0.0351"
    page5 = on_page("app_pages/5_chain_rule_vi.py", b3="-2", flower="setosa")
    assert r"\frac{d\,CE_{vi}}{d\,b_3} = " in latex_text(page5)
    assert "= 0.0351" in latex_text(page5)
    assert "0.1509" not in latex_text(page5), "the setosa flower's P_se is not dCE_vi/db3"
    assert TEXT["species_virginica"][0] in info_text(page5) and "setosa" in info_text(page5)
    graph_figure = next(f for f in page_figures(page5) if any(t.get("name") == "nodes" for t in f["data"]))
    observed = next(a["text"] for a in graph_figure["layout"]["annotations"] if a.get("name") == "observed")
    assert "virginica" in observed and "setosa" not in observed
    page6 = on_page("app_pages/6_gradient_descent.py", b3="-2", flower="setosa")
    assert "(0.0351)" in latex_text(page6)
    page7 = on_page("app_pages/7_gradient_flow.py", b3="-2", flower="setosa", source="vi")
    assert "= 0.0351" in latex_text(page7)


def test_page_4_with_a_virginica_flower_derives_ce_se_of_the_setosa_flower_and_offers_to_switch():
    at = on_page("app_pages/4_chain_rule_se.py", b3="-2", flower="virginica")
    setosa = SAMPLES[0]
    p_se = float(forward(setosa.petal, setosa.sepal, Params(b3=-2.0)).probs[0])
    assert f"= {fmt(p_se - 1, 4)}" in latex_text(at)
    assert "virginica" in info_text(at)
    next(b for b in at.button if b.label == TEXT["use_it"][0]).click().run()
    assert at.sidebar.selectbox(key="flower_kind").value == "setosa"
    assert at.query_params["flower"] == "setosa"
    assert not at.info, "no note once the sidebar's flower is a setosa"


def test_a_flower_of_the_right_species_is_used_as_it_is():
    at = on_page("app_pages/5_chain_rule_vi.py", b3="0.5", flower="iris-120")
    assert not at.info
    from core.data import flower

    f = flower(120)
    assert f.species == "virginica"
    numbers = explain.chain_numbers(f.petal, f.sepal, 0.5, "vi")
    assert f"= {fmt(numbers.product, 4)}" in latex_text(at)


# 4. Every URL renders a page


@pytest.mark.parametrize(
    "path, query, target",
    [
        ("/", "", None),
        ("/softmax", "lang=zh", None),
        ("/softmax/extra", "", "/softmax?notfound=1"),
        ("/pages/1_network", "b3=1", "/?b3=1&notfound=1"),
        ("//", "lang=zh", "/?lang=zh"),
        ("//softmax", "", "/softmax"),
        ("/nope", "", "/?notfound=1"),
        ("/network", "b3=1", "/?b3=1"),
        ("/softmax/", "", "/softmax"),
        ("/static/js/index.js", "", None),
        ("/_stcore/health", "", None),
        ("//evil.example/x", "", "/?notfound=1"),
    ],
)
def test_unknown_paths_are_sent_to_the_nearest_page(path, query, target):
    assert pages.redirect(path, query) == target


@pytest.mark.parametrize(
    "path, base, depth",
    [("/", "", 0), ("/softmax", "", 1), ("/class", "", 1), ("/_stcore/health", "", None),
     ("/softmax/_stcore/health", "", None), ("/explorer", "explorer", 0), ("/explorer/", "explorer", 0),
     ("/explorer/softmax", "explorer", 1), ("/softmax", "explorer", None)],
)  # fmt: skip
def test_a_page_names_its_server_so_the_frontend_does_not_probe_under_it(path, base, depth):
    assert addresses._page_depth(path, base) == depth


def test_the_servers_address_is_set_before_streamlits_own_script():
    html = addresses.with_server_address(addresses._streamlit_index(), 1)
    head = html.index("<head>")
    assert head < html.index("window.__streamlit={BACKEND_BASE_URL:") < html.index('<script type="module"')
    assert "p.slice(0,p.length-1)" in html


def test_a_redirect_never_leaves_the_site_and_respects_a_base_path():
    assert pages.redirect("/explorer/softmax/x", "", "explorer") == "/explorer/softmax?notfound=1"
    assert pages.redirect("/explorer", "", "explorer") is None
    assert pages.redirect("/other", "", "explorer") is None
    for path in ("//evil.example", "///evil.example/", "/\\evil.example"):
        target = pages.redirect(path, "")
        assert target is None or (target.startswith("/") and not target.startswith("//"))


def test_the_app_names_an_unknown_address():
    at = open_app(notfound="1")
    assert [w.value for w in at.warning] == [TEXT["note_page"][0]]


# 7. Page 6's chart always shows the point and its tangent


@pytest.mark.parametrize("b3", ["5", "-5", "4.2"])
def test_page_6_axis_shows_the_current_point_and_tangent(b3):
    at = on_page("app_pages/6_gradient_descent.py", b3=b3)
    figure = page_figures(at)[0]
    low, high = figure["layout"]["yaxis"]["range"]
    total = float(total_ce(float(b3)))
    assert low < total < high
    tangent = next(t for t in figure["data"] if t.get("line", {}).get("dash") == "dash")
    assert all(low <= y <= high for y in tangent["y"])


# 8. Page controls survive page switches and live in the link


def test_page_controls_survive_page_switches_and_live_in_the_link():
    at = on_page("app_pages/6_gradient_descent.py")
    at.slider(key="rate").set_value(0.5).run()
    at.slider(key="steps").set_value(3).run()
    at.switch_page("app_pages/2_softmax.py").run()
    at.slider(key="shift").set_value(100.0).run()
    at.switch_page("app_pages/7_gradient_flow.py").run()
    at.button_group(key="source").set_value("vi").run()
    at.switch_page("app_pages/5_chain_rule_vi.py").run()
    at.button_group(key="tab").set_value("ve").run()
    at.switch_page("app_pages/6_gradient_descent.py").run()
    assert at.slider(key="rate").value == 0.5 and at.slider(key="steps").value == 3
    query = dict(at.query_params)
    assert {k: query[k] for k in ("rate", "steps", "shift", "source", "tab")} == {
        "rate": "0.5",
        "steps": "3",
        "shift": "100",
        "source": "vi",
        "tab": "ve",
    }
    at.switch_page("app_pages/5_chain_rule_vi.py").run()
    assert at.button_group(key="tab").value == "ve"
    assert "CE_{ve}" in latex_text(at)


def test_a_link_sets_every_page_control():
    at = on_page("app_pages/6_gradient_descent.py", rate="0.5", steps="3", shift="100", source="VI", tab="ve")
    assert not at.warning
    assert at.slider(key="rate").value == 0.5 and at.slider(key="steps").value == 3
    assert at.switch_page("app_pages/2_softmax.py").run().slider(key="shift").value == 100.0
    assert at.switch_page("app_pages/7_gradient_flow.py").run().button_group(key="source").value == "vi"


def test_case_is_treated_the_same_everywhere():
    at = open_app(lang="ZH", flower="IRIS-007", source="Total")
    assert not at.warning
    assert page_title(at) == TEXT["page_network"][1]
    assert at.query_params["flower"] == "iris-7" and at.query_params["lang"] == "zh"
    custom = open_app(flower="Custom", petal="0.3", sepal="0.4", observed="VIRGINICA")
    assert not custom.warning and custom.sidebar.selectbox(key="observed").value == "virginica"


# Could be better: every page has its equation, a figure and live numbers; words a student knows


@pytest.mark.parametrize(
    "page",
    FIGURE_PAGES,
)
def test_every_page_shows_an_equation_and_a_figure(page):
    at = on_page(page, b3="-2")
    assert equations(at), "an equation"
    assert at.get("plotly_chart"), "a figure"


def test_page_1_lets_a_student_recompute_the_hidden_nodes():
    latex = latex_text(on_page("app_pages/1_network.py", b3="-2"))
    assert r"\text{top ReLU} = \text{ReLU}(-2.5 \times 0.040 + 0.6 \times 0.420 + 1.6) = 1.752" in latex


def test_english_text_is_english_and_has_no_jargon():
    for key, (en, _) in TEXT.items():
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), key
        assert "seed" not in en.lower(), key


def test_the_chinese_graph_speaks_chinese():
    values = graph.node_values(forward(0.04, 0.42), "setosa")
    figure = json.loads(json.dumps(figures.graph_figure(values, "setosa", "zh"), default=list))
    labels = " ".join(next(t for t in figure["data"] if t["name"] == "labels")["text"])
    for word in ("花瓣", "花萼", "上 ReLU", "下 ReLU"):
        assert word in labels
    # blue, orange and green are names, written as the Chinese equations write them
    for name in ("<b>blue</b>", "<b>orange</b>", "<b>green = Raw<sub>se</sub></b>"):
        assert name in labels
    assert not any(word in labels for word in ("蓝", "橙", "绿"))
    observed = next(a["text"] for a in figure["layout"]["annotations"] if a.get("name") == "observed")
    assert "观察" in observed


def test_chinese_chart_categories():
    at = on_page("app_pages/2_softmax.py", lang="zh")
    bars = page_figures(at)[0]["data"][0]["x"]
    assert bars == ["山鸢尾", "变色鸢尾", "维吉尼亚鸢尾"]


def test_a_page_switch_keeps_the_view_and_a_link_can_be_copied():
    at = open_app(b3="-1.5", lang="zh", rate="0.5")
    assert view_link(at) == "http://localhost:8501/?flower=setosa&b3=-1.5&lang=zh&rate=0.5"
    at.query_params.clear()  # the sidebar's page menu links to a page's bare address
    at.switch_page("app_pages/6_gradient_descent.py").run()
    assert not at.exception
    assert {key: at.query_params[key] for key in at.query_params} == {
        "flower": "setosa", "b3": "-1.5", "lang": "zh", "rate": "0.5"}  # fmt: skip
    assert at.sidebar.slider(key="b3").value == -1.5 and at.slider(key="rate").value == 0.5
    assert view_link(at) == "http://localhost:8501/gradient_descent?flower=setosa&b3=-1.5&lang=zh&rate=0.5"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "page",
    FIGURE_PAGES,
)
def test_every_figure_has_a_description_for_screen_readers(page, lang):
    at = on_page(page, b3="-2", lang=lang)
    alts = [chart.proto.alt for chart in at.get("plotly_chart")]
    assert alts and all(len(alt) > 30 for alt in alts), alts
    if lang == "zh":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in alt) for alt in alts)


def test_the_graphs_description_reads_its_live_values():
    at = on_page("app_pages/1_network.py", b3="-2")
    alt = at.get("plotly_chart")[0].proto.alt
    assert "top ReLU 1.752" in alt and "b_3 -2.000" in alt and "CE_se 1.891" in alt


def test_equations_one_under_another_are_one_element_each_line_in_order():
    at = on_page("app_pages/6_gradient_descent.py", b3="-2")
    opening = at.markdown[0].value  # the title and intro, then the page's first equations: "$$\n...\n$$"
    first = opening.split("\n\n$$\n", 1)[1].removesuffix("\n$$")
    lines = [explain.total_ce_latex(explain.ce_table(-2.0), float(total_ce(-2.0))),
             *explain.total_gradient_latex(explain.ce_table(-2.0), float(d_total_ce_d_b3(-2.0)))]  # fmt: skip
    assert first == r"\begin{gathered}" + r" \\[1.5em] ".join(lines) + r"\end{gathered}"


def test_the_chain_rules_factors_are_one_element_in_order_each_with_its_value():
    at = on_page("app_pages/4_chain_rule_se.py", b3="-2", flower="setosa")
    setosa = SAMPLES[0]
    numbers = explain.chain_numbers(setosa.petal, setosa.sepal, -2.0, "setosa")
    lines = explain.factor_lines(numbers)
    (block,) = [e.value for e in at.get("latex") if r"\begin{array}" in e.value]
    position = 0
    for number, formula, value in lines:
        for part in (number, formula, value):
            position = block.index(part, position)
    assert [value.rsplit("= ", 1)[-1] for _, _, value in lines] == [fmt(f, 4) for f in numbers.factors[:2]] + [""]


def test_page_1_writes_the_flowers_probabilities_and_its_ce_under_the_hidden_nodes():
    at = on_page("app_pages/1_network.py", b3="-1.5", flower="versicolor")
    point = flower_point(View(flower="versicolor"))
    probs = forward(point.petal, point.sepal, Params(b3=-1.5)).probs
    text = latex_text(at)
    for short, p in zip(("se", "ve", "vi"), probs, strict=True):
        assert f"{{P_{{{short}}} = {fmt(float(p), 4)}}}" in text
    assert f"{{CE_{{ve}} = {fmt(-math.log(float(probs[1])), 4)}}}" in text
