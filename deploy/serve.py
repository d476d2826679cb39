"""Host the app for a class on every core: n replicas of `streamlit run server.py` behind nginx
(deploy/nginx.conf), one port, sticky sessions, one class store. What `make serve` and the Docker
image run:

    python -m deploy.serve [--workers N] [--port 8501] [--address 0.0.0.0]     (make serve WORKERS=N PORT=8501)

A Streamlit process runs its scripts on one core, so a class of 100 needs one replica per core.
Every replica inherits this environment, so the same class store: SOFTMAX_DATABASE_URL when set (a
PostgreSQL URL for replicas on several hosts), else the app's default SQLite file, which replicas
on one machine share safely (store.py: WAL, one writer at a time). A replica that dies is started
again on its port; its browsers meanwhile go to a live one (nginx), and come back to it after.
Ctrl-C or SIGTERM stops nginx and every replica, and waits for them.

Standard library only, so it runs in the app's own environment and image.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
NGINX_MISSING = "nginx not found: install it (`make nginx`, or Debian's `apt-get install nginx`)."
START_TIMEOUT = 90.0  # s for a replica to answer its health check (two starting on two cores: about 10)
STOP_GRACE = 10.0  # s between asking a process to stop and killing it
RESTART_PAUSE = 2.0  # s at least between two starts of one replica, so a replica that cannot start does not spin

# nginx's main file around the rendered deploy/nginx.conf (which is `http` context): everything
# nginx writes stays in one folder (`-p`), and it stays in the foreground, stopped by its supervisor.
MAIN_CONF = """\
{user}daemon off;
worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {access_log};
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    include softmax.conf;
}}
"""


def render_conf(listen: str, replica_ports: list[int]) -> str:
    """deploy/nginx.conf listening on `listen` (an address:port) in front of replicas on these loopback ports."""
    text = NGINX_CONF.read_text()
    text, listens = re.subn(r"^(\s*)listen\s+[^;]+;", rf"\g<1>listen {listen};", text, flags=re.M)
    text = re.sub(r"^\s*server\s+127\.0\.0\.1:\d+[^;]*;\n", "", text, flags=re.M)
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in replica_ports)
    text, upstreams = re.subn(r"(\n\s*hash \$softmax_route consistent;\n)", rf"\g<1>{servers}", text)
    assert (listens, upstreams) == (1, 1), "deploy/nginx.conf: one listen, one upstream hashed by route"
    return text


def main_conf(access_log: str = "off", user: str = "") -> str:
    return MAIN_CONF.format(access_log=access_log, user=user)


def nginx_binary() -> str:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(binary, os.X_OK):
        raise RuntimeError(NGINX_MISSING)
    return binary


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (whoever needs it binds it right after)."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200 and reply.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen, how: int = signal.SIGTERM, grace: float = STOP_GRACE) -> None:
    """Ask the process's group to stop, then kill it if it has not within `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, how)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):  # what the group's leader left behind, or a leader that would not go
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass
class Replica:
    port: int
    process: subprocess.Popen | None = None
    started: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Deployment:
    """The replicas and nginx of one `serve`: start(), then watch() until stop()."""

    workers: int
    listen: str  # nginx's address:port
    folder: Path  # nginx's prefix: its config, pid, logs and temporary files
    log: Callable[[str], None] = print
    output: Path | None = None  # a folder for each replica's output (replica-<port>.log); None: this process's
    replicas: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        binary = nginx_binary()
        self.replicas = [Replica(free_port()) for _ in range(self.workers)]
        for replica in self.replicas:  # all at once: each warms its caches on its own core
            self._start(replica)
        for replica in self.replicas:
            self._wait_healthy(replica)
        if self.stopping.is_set():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "softmax.conf").write_text(render_conf(self.listen, [r.port for r in self.replicas]))
        # As root nginx runs its workers as another user, who must be able to enter the folder;
        # a folder of pytest's or mkdtemp's is its owner's alone, so root's workers stay root there.
        user = "user root;\n" if os.geteuid() == 0 and self.folder.stat().st_mode & 0o005 != 0o005 else ""
        (self.folder / "nginx.conf").write_text(main_conf(user=user))
        self.nginx = subprocess.Popen(
            [binary, "-p", f"{self.folder}/", "-e", "error.log", "-c", str(self.folder / "nginx.conf")],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not healthy(f"http://{self._local(self.listen)}"):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: see {self.folder / 'error.log'}")
            time.sleep(0.1)
        where = f"http://{self.listen} (nginx's files in {self.folder})"
        self.log(f"serve: {self.workers} replicas behind nginx on {where}")

    def watch(self, every: float = 0.5) -> int:
        """Start again every replica that died, until stop() (0) or until nginx dies (1)."""
        while not self.stopping.wait(every):
            if self.nginx.poll() is not None:
                self.log(f"serve: nginx exited with code {self.nginx.returncode}; stopping")
                return 1
            for replica in self.replicas:
                if replica.process.poll() is not None and time.monotonic() - replica.started >= RESTART_PAUSE:
                    self.log(f"serve: replica {replica.address} exited with code {replica.process.returncode}; "
                             "starting it again")  # fmt: skip
                    self._start(replica)
        return 0

    def stop(self) -> None:
        """nginx first (no new requests), then every replica; waits for all of them."""
        self.stopping.set()
        if self.nginx is not None:
            stop(self.nginx, signal.SIGQUIT)  # graceful: stop accepting, close, exit
        threads = [threading.Thread(target=stop, args=(r.process,)) for r in self.replicas if r.process]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.log("serve: stopped")

    def _start(self, replica: Replica) -> None:
        command = [
            sys.executable, "-m", "streamlit", "run", "server.py",
            "--server.port", str(replica.port), "--server.address", "127.0.0.1", "--server.headless", "true",
        ]  # fmt: skip
        with contextlib.ExitStack() as files:
            out = files.enter_context(open(self.log_file(replica), "ab")) if self.output else None
            replica.process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT if out else None,
                start_new_session=True,
            )  # fmt: skip
        replica.started = time.monotonic()
        self.log(f"serve: replica {replica.address} pid {replica.process.pid}")

    def log_file(self, replica: Replica) -> Path | None:
        return self.output / f"replica-{replica.port}.log" if self.output else None

    def _wait_healthy(self, replica: Replica) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(replica.url) and not self.stopping.is_set():
            if replica.process.poll() is not None:
                raise RuntimeError(f"replica {replica.address} exited with code {replica.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"replica {replica.address} did not answer within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)

    @staticmethod
    def _local(listen: str) -> str:
        """Where this machine reaches nginx's `listen`."""
        host, port = listen.rsplit(":", 1)
        return f"127.0.0.1:{port}" if host in ("0.0.0.0", "[::]", "*") else listen


def cores() -> int:
    return len(os.sched_getaffinity(0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="python -m deploy.serve")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or cores()),
                        help="replicas (default: $WORKERS, else this machine's cores)")  # fmt: skip
    parser.add_argument("--port", type=int, default=8501, help="where browsers connect (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="nginx's address (default: every interface)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    sys.stdout.reconfigure(line_buffering=True)
    folder = Path(tempfile.mkdtemp(prefix="softmax-serve-"))
    folder.chmod(0o755)  # nginx's workers (as root: its unprivileged user) make their temporary files in it
    deployment = Deployment(args.workers, f"{args.address}:{args.port}", folder)
    for sign in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sign, lambda *_: deployment.stopping.set())
    try:
        deployment.start()
        return 0 if deployment.stopping.is_set() else deployment.watch()
    except RuntimeError as failed:
        print(f"serve: {failed}", file=sys.stderr)
        return 1
    finally:
        deployment.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
