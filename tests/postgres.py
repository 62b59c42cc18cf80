"""A real PostgreSQL server for the store tests: Debian's postgresql, started as the postgres
user (it refuses root) in a temporary folder on a free port, stopped afterwards."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import free_port

SERVER_USER = "postgres"


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found or shutil.which("runuser") is None:
        pytest.fail("PostgreSQL is missing: install postgresql (bash tools/system-deps.sh)")
    return found[-1].parent


def _as_server_user(*command: str) -> None:
    subprocess.run(
        ["runuser", "-u", SERVER_USER, "--", *command],
        check=True,
        capture_output=True,
        timeout=120,
    )


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yields the URL of a fresh server's ``postgres`` database (trust sign-in on 127.0.0.1)."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="siem2graph-pg-"))
    shutil.chown(folder, SERVER_USER)
    data = folder / "data"
    port = free_port()
    _as_server_user(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", SERVER_USER)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    _as_server_user(
        pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"
    )
    try:
        yield f"postgresql://{SERVER_USER}@127.0.0.1:{port}/postgres"
    finally:
        _as_server_user(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """The URL of a new, empty database on the server."""
    import psycopg

    name = f"store_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
