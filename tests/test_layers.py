"""The house's layers, and which may import which. Each arrow points down: a layer imports only
those below it, so the math runs in a notebook, the drawing without Streamlit, the store without
either, and tests and benches share a harness instead of each other.

    python tests/test_layers.py      prints every arrow between the layers
    pytest tests/test_layers.py      fails on an arrow back up (and on what else a layer may not load)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ("app", "server", "export_slides")  # what `streamlit run` and `make slides` start
# Each layer, and the layers it may import. The order is the README's folder map, bottom up.
MAY_IMPORT = {
    "core": set(),
    "drawing": {"core"},
    "guard": {"core"},
    "store": {"core", "guard"},
    "ui": {"core", "drawing", "guard", "store"},
    "app_pages": {"core", "drawing", "ui"},
    "entry points": {"core", "drawing", "guard", "store", "ui"},
    "harness": set(),
    "tests": {"core", "drawing", "guard", "store", "ui", "harness", "entry points", "tests"},
    "bench": {"core", "drawing", "guard", "store", "ui", "harness", "bench"},
}
# Outside packages a layer may load beyond Python's own: core is numpy and sympy only.
THIRD_PARTY = {"core": {"numpy", "sympy"}}


def layer_of(path: Path) -> str:
    relative = path.relative_to(REPO_ROOT)
    if len(relative.parts) == 1:
        return "store" if relative.stem == "store" else "entry points"
    return relative.parts[0]


def module_layer(name: str) -> str | None:
    """The layer a module of this repo belongs to, None for one from elsewhere."""
    top = name.split(".")[0]
    if top in ENTRY_POINTS:
        return "entry points"
    return top if top in MAY_IMPORT else None


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def sources() -> list[Path]:
    folders = [REPO_ROOT, *(REPO_ROOT / name for name in MAY_IMPORT if (REPO_ROOT / name).is_dir())]
    return sorted(path for folder in folders for path in folder.glob("*.py"))


def arrows() -> dict[tuple[str, str], list[str]]:
    """(importing layer, imported layer) -> the files that make that arrow."""
    found = defaultdict(list)
    for path in sources():
        for name in imported(path):
            target = module_layer(name)
            if target is not None:
                found[layer_of(path), target].append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    return found


def test_every_source_file_is_in_a_layer():
    assert {layer_of(path) for path in sources()} == set(MAY_IMPORT)


def test_no_import_points_back_up():
    wrong = [line for (source, target), lines in arrows().items()
             if target != source and target not in MAY_IMPORT[source] for line in lines]  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_a_layer_loads_only_the_outside_packages_it_may():
    outside = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sources()
        if layer_of(path) in THIRD_PARTY
        for name in imported(path)
        if module_layer(name) is None
        and name.split(".")[0] not in sys.stdlib_module_names | THIRD_PARTY[layer_of(path)]
    }
    assert not outside, "\n".join(sorted(outside))


@pytest.mark.parametrize("module", [*(f"core.{p.stem}" for p in sorted((REPO_ROOT / "core").glob("*.py"))), "store"])
def test_the_math_and_the_store_load_neither_plotly_nor_streamlit(module):
    """What a module loads, all the way down (the static check above sees only its own lines)."""
    probe = f"import sys, {module}; print(sorted({{'plotly', 'streamlit'}} & {{m.split('.')[0] for m in sys.modules}}))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", f"{module} loads {loaded.stdout.strip()}"


def test_importing_the_server_builds_nothing():
    """server.py warms every figure and freezes the collector when the server starts, not when it is
    imported: a test process that imported it for one function once ran frozen."""
    probe = "import gc, server, drawing.slides as s; print(gc.get_freeze_count(), s.charts.cache_info().currsize)"
    built = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert built.stdout.split() == ["0", "0"]


def test_no_test_module_freezes_the_collector():
    probe = (
        "import gc, glob, importlib; "
        "[importlib.import_module('tests.' + f[6:-3]) for f in glob.glob('tests/test_*.py')]; "
        "print(gc.get_freeze_count())"
    )
    frozen = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert frozen.stdout.strip() == "0"


if __name__ == "__main__":
    for (source, target), lines in sorted(arrows().items()):
        if source != target:
            print(f"{source:>12} -> {target:<12} {len(lines)} imports")
