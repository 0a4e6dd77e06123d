"""Helpers of the market board's tests: a board app on a thread, and reading the page."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn
from clearing_bindings.board import BoardState
from clearing_bindings.board._app import board_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A board app running in uvicorn on a thread of this process (a real socket server)."""

    def __init__(self, state: BoardState, **kwargs: Any) -> None:
        self.state = state
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            board_app(state, **kwargs),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,  # open event streams end at shutdown
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the board server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "the page did not reach the expected state"
        time.sleep(0.05)


def table(driver: Any, name: str) -> list[list[str]]:
    rows = driver.find_elements("css selector", f"#{name} tbody tr")
    return [[td.text for td in row.find_elements("css selector", "td")] for row in rows]


def version(driver: Any) -> int:
    """The snapshot version the page shows (0 before the first)."""
    return int(driver.find_element("css selector", "body").get_attribute("data-version") or 0)


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """Errors logged since the last call (reading the log empties it)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def events(url: str, count: int, timeout: float, **kwargs: Any) -> Iterator[dict[str, Any]]:
    with httpx.stream("GET", url, timeout=timeout, **kwargs) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "snapshot":
                yield json.loads(line[6:])
                count -= 1
                if count == 0:
                    return


def get_json(url: str, **kwargs: Any) -> Any:
    try:
        return httpx.get(url, timeout=2, **kwargs).json()
    except httpx.HTTPError:
        return None


def money(x: float | None) -> str:
    """A number as the page writes money."""
    return "–" if x is None else f"{x:.2f}"


def qty(x: float | None) -> str:
    """A quantity as the page writes it (up to three decimals, no trailing zeros)."""
    if x is None:
        return "–"
    r = round(x * 1000) / 1000
    return str(int(r)) if r == int(r) else repr(r)
