"""deploy/nginx.conf for real, in front of replicas on loopback ports: Debian's nginx with the
repo's config, everything it writes kept in one folder. For the replicas test and the benches."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from harness.servers import REPO_ROOT

NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
NGINX_MISSING = "nginx not found: `make test` installs Debian's nginx (the Makefile's `nginx` target)."

# nginx's main file around the rendered deploy/nginx.conf (which is `http` context): everything
# nginx writes stays in the given folder (`-p`).
MAIN_CONF = """\
{user}daemon off;
worker_processes 1;
pid nginx.pid;
error_log error.log info;
events {{ worker_connections 512; }}
http {{
    access_log access.log;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    include softmax.conf;
}}
"""


def render_conf(listen: int, replica_ports: list[int]) -> str:
    """deploy/nginx.conf with these ports: nginx on a loopback port, the replicas' upstream."""
    text = NGINX_CONF.read_text()
    text, listens = re.subn(r"^(\s*)listen\s+[^;]+;", rf"\g<1>listen 127.0.0.1:{listen};", text, flags=re.M)
    ports = iter(replica_ports)
    text, servers = re.subn(
        r"^(\s*server\s+)127\.0\.0\.1:\d+", lambda m: f"{m.group(1)}127.0.0.1:{next(ports)}", text, flags=re.M
    )
    assert (listens, servers) == (1, len(replica_ports)), "deploy/nginx.conf: one listen, one server per replica"
    return text


@contextlib.contextmanager
def nginx(folder: Path, listen: int, replica_ports: list[int]) -> Iterator[subprocess.Popen]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(binary, os.X_OK):
        raise RuntimeError(NGINX_MISSING)
    (folder / "softmax.conf").write_text(render_conf(listen, replica_ports))
    # As root nginx would run its workers as nobody, who cannot enter pytest's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN_CONF.format(user=user))
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
        while not (_listening(listen) and _healthy(f"http://127.0.0.1:{listen}/_stcore/health")):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{(folder / 'nginx.out').read_text(errors='replace')}")
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGQUIT)  # graceful: finish, then exit
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
