"""deploy/nginx.conf for real, in front of replicas on loopback ports: Debian's nginx with the
repo's config, everything it writes kept in one folder. For the replicas test and the benches."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from deploy import serve


def render_conf(listen: int, replica_ports: list[int]) -> str:
    """deploy/nginx.conf on a loopback port in front of these replicas, as `make serve` renders it."""
    return serve.render_conf(f"127.0.0.1:{listen}", replica_ports)


@contextlib.contextmanager
def nginx(folder: Path, listen: int, replica_ports: list[int]) -> Iterator[subprocess.Popen]:
    binary = serve.nginx_binary()
    (folder / "softmax.conf").write_text(render_conf(listen, replica_ports))
    # As root nginx would run its workers as nobody, who cannot enter pytest's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(serve.main_conf(access_log="access.log", user=user))
    with open(folder / "nginx.out", "wb") as out:
        process = subprocess.Popen(
            [binary, "-p", f"{folder}/", "-c", str(folder / "nginx.conf")],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 10
        while not serve.healthy(f"http://127.0.0.1:{listen}"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{(folder / 'nginx.out').read_text(errors='replace')}")
            time.sleep(0.1)
        yield process
    finally:
        serve.stop(process, signal.SIGQUIT, grace=5)  # graceful: finish, then exit
