"""Slides: every figure of every page exports as a 16:9 slide named for what it shows, without
animation controls, with every label where it is on screen; `make slides` writes them."""

import json
import re
import struct
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

import export_slides
from core import pages
from core.view import TRAINING, View, parse_query
from drawing import slides
from tests.graph_layout import problems
from tests.test_app import open_app

VIEWS = [View(flower=f, b3=b3, lang=lang) for f in TRAINING for b3 in (-2.0, 0.0) for lang in ("en", "zh")]
NAME = re.compile(r"^[a-z_0-9]+-[a-z_0-9]+(-(first|middle|last))?-(setosa|versicolor|virginica|iris-\d+|custom)"
                  r"(-b3=-?\d+(\.\d+)?)?-(en|zh)$")  # fmt: skip


def as_json(figure) -> dict:
    return json.loads(json.dumps(figure if isinstance(figure, dict) else figure.to_plotly_json(), default=list))


def every_chart(view: View):
    for page in pages.NAMES:
        yield from slides.charts(page, view)


def test_the_file_name_says_what_the_figure_is():
    (chart,) = slides.charts("chain_rule_se", View(b3=-2.0))
    assert slides.file_name(chart, View(b3=-2.0)) == "chain_rule_se-graph-setosa-b3=-2-en"
    view = parse_query({"b3": "-0", "flower": "Iris-7", "lang": "zh", "tab": "ve"})[0]
    (chart,) = slides.charts("chain_rule_vi", view)
    assert slides.file_name(chart, view, "last") == "chain_rule_vi-graph_ve-last-iris-7-b3=0-zh"


@pytest.mark.parametrize("view", VIEWS[:4], ids=lambda v: f"{v.flower}-b3={v.b3:g}-{v.lang}")
def test_every_download_is_16_9_and_exactly_3840x2160_or_1920x1080(view):
    names = set()
    for chart in every_chart(view):
        options = slides.download_options(chart, view)
        assert NAME.match(options["filename"]), options["filename"]
        names.add(options["filename"])
        width, height = options["width"], options["height"]
        assert width * 9 == height * 16
        assert round(width * options["scale"], 6) == 3840 and round(height * options["scale"], 6) == 2160
        assert round(width * options["svgScale"], 6) == 1920 and round(height * options["svgScale"], 6) == 1080
    assert len(names) == 12, "each figure of each page has a name of its own"


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.flower}-b3={v.b3:g}-{v.lang}")
def test_the_graph_slides_keep_every_label_where_it_is_on_screen(view):
    """A slide of the graph keeps its plot height (labels are offset in data units for it) and its
    geometry passes the same checks as on screen, at the slide's own width."""
    for chart in every_chart(view):
        figure = as_json(chart.figure)
        if not figure["layout"].get("meta", {}).get("fixed_height"):
            continue
        still = as_json(slides.still(chart.figure))
        margin, screen = still["layout"]["margin"], figure["layout"]["margin"]
        plot = figure["layout"]["height"] - screen["t"] - screen["b"]
        assert still["layout"]["height"] - margin["t"] - margin["b"] == plot
        assert problems(still, still["layout"]["width"]) == [], chart.name


def test_an_animation_slide_has_no_controls_and_shows_the_frame_asked_for():
    (chart,) = slides.charts("gradient_flow", View(source="se"))
    figure = chart.figure
    last = len(figure["frames"]) - 1
    for index in (0, last // 2, last):
        still = slides.still(figure, index)
        assert "updatemenus" not in still["layout"] and "sliders" not in still["layout"]
        frame = figure["frames"][index]
        for trace, update in zip(frame["traces"], frame["data"], strict=True):
            for key, value in update.items():
                if not isinstance(value, dict):
                    assert still["data"][trace][key] == value
    assert slides.still(figure)["data"] == slides.still(figure, last)["data"], "one flower: it opens on its last frame"


def test_the_pages_send_these_figures_with_their_download_options():
    at = open_app(flower="virginica", b3=0.5, lang="zh")
    at.switch_page("app_pages/1_network.py").run()
    sent = [(json.loads(c.proto.spec), json.loads(c.proto.config)) for c in at.get("plotly_chart")]
    view = View(flower="virginica", b3=0.5, lang="zh")
    expected = slides.charts("network", view)
    assert len(sent) == len(expected) == 3
    for _, config in sent:  # a 16:9 PNG that comes out 3840x2160, and an SVG of 1920x1080
        options = config["toImageButtonOptions"]
        assert options["format"] == "png" and options["width"] * 9 == options["height"] * 16
        assert options["height"] * options["scale"] == 2160 and options["height"] * options["svgScale"] == 1080
    assert [c["toImageButtonOptions"]["filename"] for _, c in sent] == [
        "network-graph-virginica-b3=0.5-zh",
        "network-surfaces-virginica-zh",  # blue and orange do not depend on b3
        "network-green-virginica-b3=0.5-zh",
    ]


def test_make_slides_plans_every_figure_for_every_flower_b3_and_language(tmp_path):
    """On three pages (the 3D surfaces, page 5's two CEs, an animation); the others alike."""
    pages = ("network", "chain_rule_vi", "gradient_flow")
    jobs = export_slides.plan(tmp_path, pages, set())
    names = [path.name for job in jobs for path in job.paths]
    names += [path.with_suffix(".svg").name for job in jobs if job.is_3d for path in job.paths]
    paths = set(names)
    for view in VIEWS:
        for page in pages:
            for chart in slides.charts(page, view) + slides.charts(page, replace(view, tab="ve")):
                for extension in ("png", "svg"):
                    assert f"{slides.file_name(chart, view)}.{extension}" in paths
    frames = [p for p in paths if "-first-" in p or "-middle-" in p or "-last-" in p]
    assert len(frames) == len(VIEWS) * 3 * 2, "the animation's first, middle and last frame, PNG and SVG"
    assert len(names) == len(paths), "no name twice"
    assert jobs[0].is_3d, "the slowest renders go first"


@pytest.mark.timeout(180)
def test_kaleido_writes_a_sharp_png_and_an_svg(tmp_path):
    """One graph and one chart through the real export path (kaleido in the system's chromium)."""
    import asyncio
    import os

    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    view = View(flower="versicolor", b3=0.0)
    charts = [*slides.charts("network", view)[:1], *slides.charts("cross_entropy", view)]
    jobs = [
        export_slides.Job(
            slides.still(chart.figure), extension, [tmp_path / f"{slides.file_name(chart, view)}.{extension}"]
        )
        for chart in charts
        for extension in ("png", "svg")
    ]

    written = [0]

    async def run():
        async with export_slides.Renderer(n=1, mathjax=False) as renderer:
            await export_slides.render(renderer, jobs, 0.0, written)

    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    assert written == [4]
    for chart in charts:
        name = slides.file_name(chart, view)
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (3840, 2160)
        svg = (tmp_path / f"{name}.svg").read_text()
        assert re.search(r'<svg[^>]* width="1920" height="1080"', svg)
        assert "updatemenu" not in svg and "slider" not in svg
    assert Path(tmp_path / "network-graph-versicolor-b3=0-en.svg").read_text().count("Raw") >= 2


def test_a_presentation_slide_enlarges_a_chart_but_never_the_graph():
    view = View()
    graph_chart, *_ = slides.charts("network", view)
    assert slides.for_slide(graph_chart, 900) is graph_chart, "the graph's labels are placed for its height"
    (total, descent) = slides.charts("gradient_descent", view)
    before = {chart.name: json.dumps(chart.figure, default=str) for chart in (total, descent)}
    bigger = slides.for_slide(total, 700).figure["layout"]
    assert bigger["height"] == 700 and bigger["font"]["size"] == slides.SLIDE_FONT
    assert slides.for_slide(descent, 700).figure["layout"]["height"] == 700
    for chart in (total, descent):
        assert json.dumps(chart.figure, default=str) == before[chart.name], "the shared figure is not changed"


def _font_sizes(item) -> list[float]:
    if isinstance(item, list):
        return [size for value in item for size in _font_sizes(value)]
    if not isinstance(item, dict):
        return []
    sizes = [v["size"] for k, v in item.items() if k.endswith("font") and isinstance(v, dict) and "size" in v]
    return sizes + [size for value in item.values() for size in _font_sizes(value)]


@pytest.mark.parametrize("page", ["softmax", "cross_entropy", "gradient_descent", "beyond_b3"])
def test_every_text_of_a_charts_slide_reads_18_px_at_1280x720(page):
    """A slide laid out at 1920 px shows at 1280 px: 2/3 of SLIDE_FONT is 18 px or more. The page's
    own figure keeps its sizes, and its axes make room for the larger tick labels."""
    chart = slides.charts(page, View(lang="zh"))[0]
    on_page = sorted(_font_sizes(chart.figure))
    slide = slides.for_slide(chart, 700).figure
    assert slides.SLIDE_FONT * 1280 / 1920 >= 18
    assert min(_font_sizes(slide)) >= slides.SLIDE_FONT and min(on_page) < slides.SLIDE_FONT
    assert sorted(_font_sizes(chart.figure)) == on_page
    axes = [axis for key, axis in slide["layout"].items() if key.startswith(("xaxis", "yaxis"))]
    assert axes and all(axis["automargin"] for axis in axes)
