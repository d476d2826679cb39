"""Starting the app's server the way `make run` does, on a free port, for the tests and the benches
alike (`streamlit_server`), and what they read of a server process (`cpu_seconds`). A free port,
the health check and stopping a process group are `make serve`'s own (deploy/serve.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.serve import free_port, healthy, stop

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = "server.py"
REFERENCE = "bench/reference.py"
SERVER_START_TIMEOUT = 60.0


@dataclass
class AppServer:
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's combined stdout/stderr (Python tracebacks end up here)."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextlib.contextmanager
def streamlit_server(
    app: str = APP,
    port: int | None = None,
    timeout: float = SERVER_START_TIMEOUT,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[AppServer]:
    """Run ``streamlit run <app>`` from the repo root; yield once /_stcore/health answers ``ok``.

    The server gets its own process group (``start_new_session``), and the whole group is
    terminated on exit. Its output goes to a temporary log file, not a pipe, so a chatty
    server can never block on a full pipe buffer.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", app,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        *extra_args,
    ]  # fmt: skip
    log_fd, log_name = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
    log_path = Path(log_name)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    try:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    finally:
        os.close(log_fd)  # the child has its own copy
    server = AppServer(url=url, port=port, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + timeout
        while not healthy(url):
            if process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {process.returncode} before answering "
                    f"{url}/_stcore/health:\n{server.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit did not answer {url}/_stcore/health with 'ok' within {timeout:.0f} s:\n"
                    f"{server.log_tail()}"
                )
            time.sleep(0.25)
        yield server
    finally:
        stop(process)
        with contextlib.suppress(OSError):
            log_path.unlink()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all its threads, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
