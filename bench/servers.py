"""What the benchmarks read of a server process, and which scripts they serve. Servers are
started with tests/browser.py's `streamlit_server` (the browser tests' own)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "server.py"
REFERENCE = "bench/reference.py"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all its threads, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
