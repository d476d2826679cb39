"""A private PostgreSQL server on loopback for the tests: Debian's `postgresql` binaries (the
Makefile's `postgresql` target installs them), a fresh cluster in a temporary folder, trust
authentication on 127.0.0.1 only, stopped and removed afterwards. The class store and the replicas
share it as a deployment would share its database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from harness.servers import free_port

MISSING = "PostgreSQL not found: `make test` installs Debian's postgresql (the Makefile's `postgresql` target)."


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail(MISSING, pytrace=False)
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; Debian's package made the `postgres` user for it.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty PostgreSQL cluster's `postgres` database."""
    binaries = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="softmax-pg-"))
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    run = {"check": True, "stdin": subprocess.DEVNULL, "capture_output": True}
    try:
        subprocess.run(
            _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            **run,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_owner(
                [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"]
            ),  # fmt: skip
            **run,
        )
        try:
            deadline = time.monotonic() + 30
            while subprocess.run([str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                                 capture_output=True).returncode != 0:  # fmt: skip
                if time.monotonic() > deadline:
                    pytest.fail(f"PostgreSQL did not start:\n{(folder / 'log').read_text(errors='replace')[-3000:]}")
                time.sleep(0.1)
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                           capture_output=True)  # fmt: skip
    except subprocess.CalledProcessError as failed:
        pytest.fail(f"PostgreSQL could not be set up: {failed.cmd}\n{failed.stderr.decode(errors='replace')}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new empty database `name` on the server of `url` (dropped first if it exists); its URL."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"
