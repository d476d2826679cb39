"""Which layer may load what: the storage and the math of core/ run without plotly or Streamlit
(a notebook, a test, a migration script), so nothing of theirs may import the drawing."""

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

MATH = ("core.network", "core.softmax", "core.training", "core.derivation", "core.checker",
        "core.gradients", "core.data", "core.view", "core.pages", "core.latex")  # fmt: skip


@pytest.mark.parametrize("module", [*MATH, "store"])
def test_the_math_and_the_store_load_neither_plotly_nor_streamlit(module):
    probe = f"import sys, {module}; print(sorted({{'plotly', 'streamlit'}} & {{m.split('.')[0] for m in sys.modules}}))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", f"{module} loads {loaded.stdout.strip()}"


def test_no_test_module_runs_the_servers_start_up():
    """server.py warms every figure and freezes the collector when imported: a test process that
    imported it for one pure function ran frozen (the page addresses now live in core.pages)."""
    probe = (
        "import gc, glob, importlib; "
        "[importlib.import_module('tests.' + f[6:-3]) for f in glob.glob('tests/test_*.py')]; "
        "print(gc.get_freeze_count())"
    )
    frozen = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert frozen.stdout.strip() == "0"
