"""Both backends for every ledger test: SQLite files, and a throwaway PostgreSQL cluster.

The cluster is made once per session with the PostgreSQL binaries (``initdb``, ``pg_ctl``;
found on ``PATH``, in ``$CLEARING_PG_BIN`` or under ``/usr/lib/postgresql/*/bin``), listens on
127.0.0.1 at a free port, runs as the ``postgres`` system user when the tests run as root
(``initdb`` refuses root), and is stopped at the end. Each test gets a fresh database. When
the binaries are missing the PostgreSQL cases skip, except under ``CLEARING_CI=1``, where
they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")

_counter = itertools.count()


def _pg_bin() -> pathlib.Path | None:
    env = os.environ.get("CLEARING_PG_BIN")
    candidates = [env] if env else []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(str(pathlib.Path(found).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (pathlib.Path(c) / "initdb").exists() and (pathlib.Path(c) / "pg_ctl").exists():
            return pathlib.Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A running cluster; yields the base URL (without a database name)."""
    bindir = _pg_bin()
    if bindir is None:
        why = "PostgreSQL binaries (initdb, pg_ctl) not found; install the postgresql package"
        if os.environ.get("CLEARING_CI") == "1":
            pytest.fail(why)
        pytest.skip(why)
    root = pathlib.Path(tempfile.mkdtemp(prefix="clearing-pg-"))
    data = root / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, cwd=root)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger_url(backend: str, tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> str:
    """A URL of an empty database on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return new_pg_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def open_ledger() -> Iterator[Callable[..., Any]]:
    """``open_ledger(url, **options)``: a Ledger closed at the end of the test."""
    from clearing.ledger import Ledger

    opened: list[Ledger] = []

    def make(url: str, **options: Any) -> Ledger:
        led = Ledger(url, **options)
        opened.append(led)
        return led

    yield make
    for led in opened:
        led.close()


def new_pg_database(base: str) -> str:
    name = f"ledger_{os.getpid()}_{next(_counter)}"
    engine = sqlalchemy.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return f"{base}/{name}"
