"""Export every figure of every page as 16:9 slides: `make slides OUT=folder`.

For each training flower, b3 = -2 and b3 = 0, and both languages: every page's figures (page 5 for
both of its CEs) as PNG (3840x2160, scale 2) and SVG (1920x1080), named
`<page>-<figure>-<flower>-b3=<b3>-<lang>`, plus each animation's first, middle and last frame
(`<page>-<figure>-first-...`). The figures are the pages' own (drawing.slides). Kaleido renders them
in the system's Chromium (BROWSER_PATH); a figure that several names share is rendered once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import kaleido
import plotly.io as pio

from core import pages
from core.view import LANGS, TABS, TRAINING, View
from drawing import slides

B3_VALUES = (-2.0, 0.0)
# A 3D figure's PNG is 1920x1080: WebGL runs in software here (about 4 s a figure at any scale).
SCALES = {"png": slides.PNG_SCALE, "svg": 1, "png3d": 1}


@dataclass
class Job:
    figure: dict
    format: str  # png or svg
    paths: list[Path] = field(default_factory=list)

    @property
    def is_3d(self) -> bool:
        return "scene" in self.figure["layout"]


class Renderer(kaleido.Kaleido):
    """Kaleido reloads its tab (and with it plotly.js) after every figure, which costs more than a
    2D figure's render here; these small figures free their own memory, so the tab is reused."""

    async def _return_kaleido_tab(self, tab) -> None:
        await self.tabs_ready.put(tab)


def views() -> list[View]:
    return [View(flower=f, b3=b3, lang=lang) for lang in LANGS for b3 in B3_VALUES for f in TRAINING]


def stills(view: View, pages: tuple[str, ...]) -> list[tuple[str, dict]]:
    """(file name, figure dict) for every figure of these pages in `view`, and the animations' frames."""
    found = []
    for page in pages:
        variants = [replace(view, tab=tab) for tab in TABS] if page == "chain_rule_vi" else [view]
        for variant in variants:
            for chart in slides.charts(page, variant):
                found.append((slides.file_name(chart, variant), slides.still(chart.figure)))
                count = slides.frame_count(chart.figure)
                for label, index in (("first", 0), ("middle", count // 2), ("last", count - 1)) if count else ():
                    found.append((slides.file_name(chart, variant, label), slides.still(chart.figure, index)))
    return found


def plan(out: Path, pages: tuple[str, ...], seen: set[str]) -> list[Job]:
    """One job per figure and format not in `seen` (keys of those already planned), 3D ones first."""
    jobs: dict[str, Job] = {}
    for view in views():
        for name, figure in stills(view, pages):
            spec = pio.to_json(figure, validate=False)
            for extension in ("png", "svg"):
                key = hashlib.sha256(f"{extension}\n{spec}".encode()).hexdigest()
                path = out / f"{name}.{extension}"
                if key not in seen and path not in (job := jobs.setdefault(key, Job(figure, extension))).paths:
                    job.paths.append(path)  # a figure without b3 (page 1's blue and orange) comes once per b3
    seen.update(jobs)
    # A 3D figure's SVG is its PNG in an SVG frame: plotly's own SVG of a 3D scene is a raster too.
    return sorted((j for j in jobs.values() if not (j.is_3d and j.format == "svg")), key=lambda j: not j.is_3d)


def svg_frame(png: bytes) -> str:
    width, height = slides.SLIDE
    data = base64.b64encode(png).decode()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}"><image width="{width}" height="{height}"'
        f' xlink:href="data:image/png;base64,{data}"/></svg>'
    )


def spec(job: Job) -> dict:
    box = slides.box(job.figure)
    scale = SCALES["png3d" if job.is_3d else job.format] * slides.SLIDE[1] / box.height
    opts = {"format": job.format, "width": box.width, "height": box.height, "scale": scale}
    return {"fig": job.figure, "path": job.paths[0], "opts": opts}


async def render(renderer: Renderer, jobs: list[Job], started: float, written: list[int]) -> None:
    """Render the jobs (8 a tab at a time), adding the files written to `written[0]` as it goes."""
    batch_size = 8 * renderer._n
    for start in range(0, len(jobs), batch_size):
        batch = jobs[start : start + batch_size]
        await renderer.write_fig_from_object([spec(job) for job in batch], cancel_on_error=True)
        for job in batch:
            first, *others = job.paths
            for path in others:
                shutil.copyfile(first, path)
            if job.is_3d:
                for path in job.paths:
                    path.with_suffix(".svg").write_text(svg_frame(path.read_bytes()))
            written[0] += len(job.paths) * (2 if job.is_3d else 1)
        print(f"  {written[0]} files, {time.monotonic() - started:.0f} s", flush=True)


async def export(out: Path, tabs: int, started: float) -> int:
    """Page 1 (with the slow 3D figures) starts rendering while the other pages' figures are built,
    and those render beside it: WebGL waits on one software GPU process, the rest do not."""
    seen: set[str] = set()
    written = [0]
    first = asyncio.create_task(asyncio.to_thread(plan, out, pages.NAMES[:1], seen))
    async with Renderer(n=tabs, mathjax=False) as renderer:
        jobs = await first
        rest = asyncio.create_task(asyncio.to_thread(plan, out, pages.NAMES[1:], seen))
        page_one = asyncio.create_task(render(renderer, jobs, started, written))
        await render(renderer, await rest, started, written)
        await page_one
    return written[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write the slides into (created if missing)")
    parser.add_argument("--tabs", type=int, default=2, help="Chromium tabs rendering at once (default 2)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    files = asyncio.run(export(args.out, args.tabs, started))
    print(f"Wrote {files} files to {args.out} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
