"""Fixtures of the binding tests: a real ``clearing serve --http`` on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest


def _need(module: str) -> None:
    """Skip when ``module`` is missing, except under CI (``CLEARING_CI=1``): then fail."""
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CLEARING_CI") == "1":
            raise
        pytest.skip(f"{module} is not installed (the [service] extra)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each of schemathesis' tests its own node id.

    schemathesis names the test of each operation ``test[GET /path]``, but pytest 9 builds
    a node id from a test's parameters, which schemathesis does not declare, so all of them
    get the id of the undecorated function; pytest-xdist hands tests to its workers by node
    id, and would run one of them only.
    """
    for item in items:
        if item.parent is None or item.nodeid.rsplit("::", 1)[-1] == item.name:
            continue
        nodeid = f"{item.parent.nodeid}::{item.name}"
        if hasattr(item, "_id"):  # pytest 9: a structured id
            item._id = type(item._id).parse(nodeid)
        else:
            item._nodeid = nodeid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


def start_server(*extra: str) -> Server:
    """Start ``clearing serve --http`` on a free loopback port and wait for /healthz."""
    _need("uvicorn")
    _need("httpx")
    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "clearing_bindings", "serve", "--http", "--port", str(port)]
    proc = subprocess.Popen([*cmd, *extra], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a cold numba cache compiles every kernel first
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the server exited with {proc.returncode}: {err}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Server(url, proc)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(Server(url, proc))
    raise RuntimeError("the server did not answer /healthz within 120 s")


def stop_server(server: Server) -> str:
    """Stop the server; returns what it wrote on stderr."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    err = ""
    if server.process.stderr and not server.process.stderr.closed:  # stopped once already
        err = server.process.stderr.read().decode(errors="replace")
        server.process.stderr.close()
    return err


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    s = start_server()
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[object]:
    import httpx

    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture
def extra_server() -> Iterator[object]:
    """Start more servers with their own options: ``extra_server("--token", "x")``."""
    started: list[Server] = []

    def start(*extra: str) -> Server:
        started.append(start_server(*extra))
        return started[-1]

    yield start
    for s in started:
        stop_server(s)


@pytest.fixture(scope="session")
def launch() -> Iterator[object]:
    """``launch(*options)`` starts a server stopped at the end of the session."""
    started: list[Server] = []

    def start(*extra: str) -> Server:
        started.append(start_server(*extra))
        return started[-1]

    yield start
    for s in started:
        stop_server(s)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) under Selenium."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    if missing:
        if os.environ.get("CLEARING_CI") == "1":
            pytest.fail(f"browser tests need {missing} (Debian chromium, chromium-driver)")
        pytest.skip(f"no {missing}: install Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1600"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
