"""Geometry of the computational graph as drawn on screen, read from the plotly figure itself.

Not a test module: `tests/test_graph_layout.py` asserts that `problems(figure, width)` is empty.
Everything is measured in screen pixels for a chart of the given width and the figure's height,
because plotly keeps markers and text at a fixed pixel size while the axes stretch with the width.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

CLEARANCE = 3.0  # px between an edge and a node or label it does not belong to


@dataclass(frozen=True)
class Box:
    name: str
    owner: str  # the node or edge the text belongs to
    x0: float
    y0: float
    x1: float
    y1: float


def text_size(text: str, size: float) -> tuple[float, float]:
    """A generous estimate of rendered text's width and height in px (plotly rich text)."""
    lines = re.split(r"<br\s*/?>", text)
    width = 0.0
    for line in lines:
        line_width = 0.0
        for part, sub in re.findall(r"<sub>(.*?)</sub>|([^<]+|<[^>]*>)", line):
            chunk, scale = (part, 0.72) if part else (sub, 1.0)
            if chunk.startswith("<"):
                continue
            for ch in chunk:
                line_width += scale * size * (1.0 if ord(ch) > 0x2E80 else 0.6)
        width = max(width, line_width)
    return width, 1.3 * size * len(lines)


class Screen:
    def __init__(self, figure: dict, width: float):
        layout = figure["layout"]
        margin = layout["margin"]
        self.width, self.height = width, layout["height"]
        self.left, self.top = margin["l"], margin["t"]
        self.plot_w = width - margin["l"] - margin["r"]
        self.plot_h = self.height - margin["t"] - margin["b"]
        self.xr, self.yr = layout["xaxis"]["range"], layout["yaxis"]["range"]

    def px(self, x: float, y: float) -> tuple[float, float]:
        sx = self.left + (x - self.xr[0]) / (self.xr[1] - self.xr[0]) * self.plot_w
        sy = self.top + (self.yr[1] - y) / (self.yr[1] - self.yr[0]) * self.plot_h
        return sx, sy


def _segment_point_distance(a, b, p) -> float:
    (ax, ay), (bx, by), (px, py) = a, b, p
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    f = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(ax + f * dx - px, ay + f * dy - py)


def _segments_cross(a, b, c, d) -> bool:
    def orient(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def segment_box_distance(a, b, box: Box) -> float:
    """0 when the segment enters the box, else the shortest distance between them."""
    corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    inside = any(box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1 for x, y in (a, b))
    sides = list(zip(corners, corners[1:] + corners[:1], strict=True))
    if inside or any(_segments_cross(a, b, c, d) for c, d in sides):
        return 0.0
    return min(
        [_segment_point_distance(a, b, c) for c in corners]
        + [_segment_point_distance(c, d, p) for c, d in sides for p in (a, b)]
    )


def circle_box_distance(centre, radius: float, box: Box) -> float:
    x, y = centre
    dx = max(box.x0 - x, 0.0, x - box.x1)
    dy = max(box.y0 - y, 0.0, y - box.y1)
    return math.hypot(dx, dy) - radius


def _boxes_overlap(a: Box, b: Box) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _named(items, prefix):
    return [item for item in items if str(item.get("name", "")).startswith(prefix)]


def problems(figure: dict, width: float) -> list[str]:
    """Every way the drawn graph misleads at this chart width; empty when it tells the truth."""
    screen = Screen(figure, width)
    traces = figure["data"]
    annotations = figure["layout"].get("annotations", [])
    node_trace = _named(traces, "nodes")[0]
    ids = node_trace["customdata"]
    sizes = node_trace["marker"]["size"]
    ring = node_trace["marker"]["line"]["width"]
    nodes = {
        i: (screen.px(x, y), size / 2 + ring / 2)
        for i, x, y, size in zip(ids, node_trace["x"], node_trace["y"], sizes, strict=True)
    }
    shape = next(s for s in figure["layout"]["shapes"] if s.get("name") == "softmax")
    (bx0, by0), (bx1, by1) = screen.px(shape["x0"], shape["y1"]), screen.px(shape["x1"], shape["y0"])
    softmax = Box("SoftMax box", "softmax", bx0, by0, bx1, by1)

    edges = {}
    for trace in _named(traces, "edge:"):
        _, source, target = trace["name"].split(":")
        points = [screen.px(x, y) for x, y in zip(trace["x"], trace["y"], strict=True)]
        segments = list(zip(points, points[1:], strict=False))
        through = source.startswith("raw_") and target.startswith("p_")
        if through:  # the middle segment runs inside the (opaque) SoftMax box
            segments = [segments[0], segments[-1]]
        edges[(source, target)] = (segments, trace["line"]["width"] / 2, through)

    boxes = []

    def add_box(name, owner, centre, text, size, angle=0):
        w, h = text_size(text, size)
        if angle:
            w, h = h, w
        x, y = centre
        boxes.append(Box(name, owner, x - w / 2, y - h / 2, x + w / 2, y + h / 2))

    label_trace = _named(traces, "labels")[0]
    for node_id, x, y, text in zip(
        label_trace["customdata"], label_trace["x"], label_trace["y"], label_trace["text"], strict=True
    ):
        add_box(f"label of {node_id}", node_id, screen.px(x, y), text, label_trace["textfont"]["size"])
    for trace in _named(traces, "factors") + _named(traces, "status"):
        for x, y, text in zip(trace["x"], trace["y"], trace["text"], strict=True):
            add_box(trace["name"], trace["name"], screen.px(x, y), text, trace["textfont"]["size"])
    for a in annotations:
        name = str(a.get("name", ""))
        owner = name.split(":", 1)[1] if ":" in name else name
        add_box(
            name or a["text"], owner, screen.px(a["x"], a["y"]), a["text"], a["font"]["size"], a.get("textangle", 0)
        )

    found = []
    for (source, target), (segments, half_width, through) in edges.items():
        for node_id, (centre, radius) in nodes.items():
            if node_id in (source, target):
                continue
            gap = min(_segment_point_distance(a, b, centre) for a, b in segments) - radius - half_width
            if gap < CLEARANCE:
                found.append(f"edge {source}->{target} passes {gap:.0f}px from node {node_id}")
        if not through and any(segment_box_distance(a, b, softmax) < CLEARANCE for a, b in segments):
            found.append(f"edge {source}->{target} crosses the SoftMax box")

    for box in boxes:
        if box.x0 < 0 or box.y0 < 0 or box.x1 > screen.width or box.y1 > screen.height:
            found.append(f"{box.name} is cut off at the figure's edge")
        for node_id, (centre, radius) in nodes.items():
            if circle_box_distance(centre, radius, box) < 1:
                found.append(f"{box.name} touches node {node_id}")
        if box.owner == "softmax":
            continue
        if _boxes_overlap(box, softmax):
            found.append(f"{box.name} sits on the SoftMax box")
        for (source, target), (segments, half_width, _) in edges.items():
            if box.name.startswith("weight:") and box.owner == f"{source}:{target}":
                continue
            gap = min(segment_box_distance(a, b, box) for a, b in segments) - half_width
            if gap < 1:
                found.append(f"{box.name} sits on edge {source}->{target}")
        if box.name.startswith(("label of", "bias:")):
            own = nodes[box.owner][0]
            centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
            nearest = min(nodes, key=lambda n: math.dist(nodes[n][0], centre))
            if math.dist(own, centre) > math.dist(nodes[nearest][0], centre) + 1:
                found.append(f"{box.name} is nearer node {nearest} than its own node")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if _boxes_overlap(a, b):
                found.append(f"{a.name} overlaps {b.name}")
    return found
