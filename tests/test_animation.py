"""The animation frames carry core's numbers, to the digit."""

import json

import pytest

from core.latex import fmt
from core.training import d_total_ce_d_b3
from drawing import animation, explain

B3_VALUES = [-2.0, -1.2268, 0.0, 1.5]


def status(frame) -> dict:
    return frame["data"][-1]


def labels(frame) -> list[str]:
    return frame["data"][-2]["text"]


@pytest.mark.parametrize("b3", B3_VALUES)
@pytest.mark.parametrize("short", ["se", "vi", "ve"])
def test_each_edge_label_and_running_product_equal_core(b3, short):
    figure = animation.gradient_flow_figure(b3, short, "en")
    sample = animation.training_sample(short)
    core = explain.chain_numbers(sample.petal, sample.sepal, b3, short)
    finished = [f for f in figure["frames"] if status(f)["customdata"][0]]
    assert len(finished) == 3, "one frame after each edge of the chain"
    running = 1.0
    for frame, factor in zip(finished, core.factors, strict=True):
        running *= factor
        value, shown_running = status(frame)["customdata"][0]
        assert value == pytest.approx(factor, abs=1e-12)
        assert shown_running == pytest.approx(running, abs=1e-12)
        if factor != 1:
            assert labels(frame)[-1].endswith(f"= {fmt(factor)}")
    assert status(finished[-1])["customdata"][0][1] == pytest.approx(core.product, abs=1e-12)
    assert f"<b>{fmt(core.product)}</b>" in status(finished[-1])["text"][0]


@pytest.mark.parametrize("b3", B3_VALUES)
def test_last_frame_sums_to_the_total_gradient(b3):
    figure = animation.gradient_flow_figure(b3, "total", "en")
    *contributions, total = status(figure["frames"][-1])["customdata"][0]
    assert total == pytest.approx(float(d_total_ce_d_b3(b3)), abs=1e-12)
    assert sum(contributions) == pytest.approx(total, abs=1e-15)
    assert f"<b>{fmt(total)}</b>" in status(figure["frames"][-1])["text"][0]


def test_seed_slip_is_not_what_the_animation_shows():
    b3 = -2.0
    vi = animation.backward_steps(b3, "vi")
    assert vi[1].name.startswith("dP<sub>vi</sub>/dRaw<sub>se</sub> = -P<sub>se</sub>·P<sub>vi</sub>")
    assert vi[-1].running > 0  # +P_se, not the seed's -P_se


@pytest.mark.parametrize("source", ["total", "se", "vi"])
def test_figure_is_small_cached_and_opens_on_the_last_frame_with_every_value(source):
    figure = animation.gradient_flow_figure(-2.0, source, "zh")
    assert animation.gradient_flow_figure(-2.0, source, "zh") is figure
    assert len(json.dumps(figure)) < 150_000
    nodes = figure["data"][[trace.get("name") for trace in figure["data"]].index("nodes")]
    filled = [i for i, f in enumerate(figure["frames"]) if all(f["data"][nodes_at(figure)]["text"])]
    opening = figure["layout"]["sliders"][0]["active"]
    assert opening == filled[-1] == len(figure["frames"]) - (2 if source == "total" else 1)
    assert all(nodes["text"]), "no node is blank when the page opens"
    assert [b["method"] for b in figure["layout"]["updatemenus"][0]["buttons"]] == ["animate"] * 4
    with pytest.raises(ValueError):
        animation.gradient_flow_figure(-2.0, "everything", "en")


def nodes_at(figure) -> int:
    """Where a frame of the flow figure updates the node values."""
    return len(animation.PATH_EDGES) + 1


@pytest.mark.parametrize("rate", [0.5, 1.0])
def test_descent_frames_follow_core_descend(rate):
    from core.training import descend

    figure = animation.descent_figure(rate, "en")
    path = descend(-2.0, rate, len(figure["frames"]) - 1)
    assert abs(path[-1].b3 - path[-2].b3) < animation.SETTLED, "the animation plays until the descent settles"
    assert abs(path[-2].b3 - path[-3].b3) >= animation.SETTLED, "and no frame longer"
    steps = [s["label"] for s in figure["layout"]["sliders"][0]["steps"]]
    assert steps[:2] == ["0", "1"], "step 0 is the start, as in page 6's table"
    for frame, step in zip(figure["frames"], path, strict=True):
        point = frame["data"][2]
        assert point["customdata"][0] == [step.b3, step.gradient]
        assert point["y"] == [step.total_ce]
        tangent = frame["data"][0]
        slope = (tangent["y"][1] - tangent["y"][0]) / (tangent["x"][1] - tangent["x"][0])
        assert slope == pytest.approx(step.gradient, abs=1e-9)
    assert round(figure["frames"][1]["data"][2]["customdata"][0][0], 2) == (-1.23 if rate == 1.0 else -1.61)


def test_the_pulse_passes_under_the_nodes_so_their_values_stay_readable():
    figure = animation.gradient_flow_figure(-2.0, "vi", "en")
    names = [trace.get("name") for trace in figure["data"]]
    assert names.index("pulse") < names.index("nodes") < names.index("labels")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_total_ends_on_total_ce_not_on_one_flowers_ce(lang):
    from core.training import total_ce
    from drawing.i18n import t

    figure = animation.gradient_flow_figure(-2.0, "total", lang)
    names = [trace.get("name") for trace in figure["data"]]
    last = figure["frames"][-1]
    nodes = animation.merged(figure["data"][names.index("nodes")], last["data"][nodes_at(figure)])
    labels = animation.merged(figure["data"][names.index("labels")], last["data"][nodes_at(figure) + 1])
    ce = nodes["customdata"].index("ce")
    assert nodes["text"][ce] == f"<b>{fmt(float(total_ce(-2.0)))}</b>"
    assert labels["text"][ce] == f"<b>{t('total_ce', lang)}</b>"
    shown = [text for node, text in zip(nodes["customdata"], nodes["text"], strict=True) if text]
    assert len(shown) == 2, "only b3 and Total CE: every other node's value belongs to one flower"


def test_the_total_plays_the_flowers_in_the_order_of_the_sums():
    figure = animation.gradient_flow_figure(-2.0, "total", "en")
    assert "(-0.849) + (0.041) + (0.035)" in status(figure["frames"][-1])["text"][0]
