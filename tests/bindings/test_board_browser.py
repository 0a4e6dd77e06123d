"""The market board served by a real uvicorn server on 127.0.0.1, read over HTTP and in a
real headless Chromium driven by Selenium.

The browser tests need Debian's ``chromium`` and ``chromium-driver``; without them they
skip, except under ``CLEARING_CI=1`` (set by ``.ci/run``, which installs both), where a
missing browser fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn
from clearing_bindings.board import BoardState
from clearing_bindings.board._app import board_app, demo_board

from clearing import clear, datasets

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


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


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with Served(demo_board()) as s:
        yield s


def test_page_and_static_files(served: Served) -> None:
    page = httpx.get(served.url + "/board")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for path in ("/board/static/board.js", "/board/static/vendor/uPlot.iife.min.js"):
        r = httpx.get(served.url + path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    for bad in ("/board/static/../_state.py", "/board/static/%2e%2e/_state.py", "/board/static/x"):
        assert httpx.get(served.url + bad).status_code == 404


def test_snapshot_over_http(served: Served) -> None:
    snap = httpx.get(served.url + "/v1/board", params={"service": "legal"}).json()
    assert snap == served.state.snapshot(service="legal")


def test_tokens_scope_what_a_team_sees() -> None:
    tokens = {"t-admin": None, "t-finance": "finance"}
    with Served(demo_board(), tokens=tokens) as s:
        url = s.url + "/v1/board"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, params={"token": "nope"}).status_code == 403
        auth = {"Authorization": "Bearer t-finance"}
        mine = httpx.get(url, headers=auth).json()
        assert mine["filters"]["team"] == "finance" and mine["teams"] == ["finance"]
        assert httpx.get(url, headers=auth, params={"team": "sales_east"}).status_code == 403
        everything = httpx.get(url, params={"token": "t-admin"}).json()
        assert len(everything["teams"]) == 6
        assert httpx.get(s.url + "/v1/board/events").status_code == 401


def events(url: str, count: int, timeout: float) -> Iterator[dict[str, Any]]:
    with httpx.stream("GET", url, timeout=timeout) as r:
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


def test_event_stream_follows_updates(served: Served) -> None:
    stream = events(served.url + "/v1/board/events?service=legal", count=2, timeout=10)
    first = next(stream)
    assert first["version"] == served.state.version
    start = time.monotonic()
    org = datasets.organisation()
    served.state.record_clearing(clear(org.requests, org.offers, org.policy))
    second = next(stream)
    assert second["version"] == first["version"] + 1
    assert time.monotonic() - start < 1.0
    assert len(second["history"]["legal"]["t"]) == len(first["history"]["legal"]["t"]) + 1


# ---------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
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


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """Errors logged since the last call (reading the log empties it)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_the_page_shows_the_organisation(browser: Any, served: Served) -> None:
    browser.get(served.url + "/board")
    wait_for(lambda: browser.find_element("css selector", "body").get_attribute("data-version"))
    snap = httpx.get(served.url + "/v1/board").json()
    shown = table(browser, "services")
    assert [row[0] for row in shown] == [s["service"] for s in snap["services"]]
    for row, s in zip(shown, snap["services"], strict=True):
        expected = "–" if s["price"] is None else f"{s['price']:.2f}"
        assert row[2] == expected
        assert row[7] == f"{s['hhi']:.3f}"
    budgets = {row[0]: row[4] for row in table(browser, "budgets")}
    assert budgets == {b["team"]: f"{b['left']:.2f}" for b in snap["budgets"]}
    (negotiation,) = table(browser, "negotiations")
    n = snap["negotiations"][0]
    assert negotiation[0] == n["request_id"]
    assert negotiation[4] == f"{n['zopa_low']:.2f} – {n['zopa_high']:.2f}"
    assert len(browser.find_elements("css selector", "#charts .chart canvas")) == 4
    assert browser.find_element("id", "status").text == "live"
    assert console_errors(browser) == []


def test_the_page_updates_after_a_clear(browser: Any, served: Served) -> None:
    browser.get(served.url + "/board?service=legal")
    body = browser.find_element("css selector", "body")
    before = int(wait_for(lambda: body.get_attribute("data-version")))
    org = datasets.organisation()
    requests = dict(org.requests)
    requests["max_price"] = np.asarray(requests["max_price"]) + 10.0  # demand rises
    result = clear(requests, org.offers, org.policy)
    start = time.monotonic()
    served.state.record_clearing(result, offers=org.offers)
    wait_for(lambda: int(body.get_attribute("data-version") or 0) > before, timeout=5)
    assert time.monotonic() - start < 1.5
    legal = result.markets["price"][result.markets["service"] == "legal"][0]
    assert table(browser, "services")[0][2] == f"{legal:.2f}"
    assert console_errors(browser) == []


def test_the_page_reconnects_after_a_restart(browser: Any) -> None:
    first = Served(demo_board())
    port = first.port
    with first:
        browser.get(first.url + "/board")
        wait_for(lambda: browser.find_element("id", "status").text == "live")
    wait_for(lambda: browser.find_element("id", "status").text == "reconnecting")
    second = Served(demo_board())
    second.port, second.url = port, first.url
    second.server.config.port = port
    with second:
        wait_for(lambda: browser.find_element("id", "status").text == "live", timeout=15)
        assert browser.find_element("css selector", "body").get_attribute("data-version")
    # while the server was down the stream failed, and that is all that went wrong
    for e in console_errors(browser):
        assert "/v1/board/events" in e["message"], e


# ------------------------------------------------- the board of `clearing serve --http --demo`


@pytest.fixture
def demo_service(extra_server: Any) -> Any:
    return extra_server("--demo")  # `clearing serve --http --demo`, stopped after the test


def organisation_body(raise_by: float = 0.0) -> dict[str, Any]:
    org = datasets.organisation()

    def column(v: Any) -> list[Any]:
        return [x.item() if hasattr(x, "item") else x for x in v]

    requests = {k: column(v) for k, v in org.requests.items()}
    requests["max_price"] = [p + raise_by for p in requests["max_price"]]
    return {
        "requests": requests,
        "offers": {k: column(v) for k, v in org.offers.items()},
        "policy": tomllib.loads(
            resources.files("clearing").joinpath("data", "org_policy.toml").read_text()
        ),
    }


def test_the_service_board_shows_the_demo_and_follows_the_api(
    browser: Any, demo_service: Any
) -> None:
    url = demo_service.url
    snap = httpx.get(url + "/v1/board").json()
    # the demo ledger holds every team's budget and the open negotiation's funds
    assert len(snap["budgets"]) == 6
    assert {b["team"]: b["pending"] for b in snap["budgets"]}["finance"] == 1800.0
    console_errors(browser)  # what earlier pages logged
    browser.get(url + "/board")
    body = browser.find_element("css selector", "body")
    version = int(wait_for(lambda: body.get_attribute("data-version"), timeout=15))
    assert [r[0] for r in table(browser, "budgets")] == [b["team"] for b in snap["budgets"]]
    assert [r[4] for r in table(browser, "budgets")] == [
        f"{b['left']:.2f}" for b in snap["budgets"]
    ]

    posted = httpx.post(url + "/v1/clear", json=organisation_body(raise_by=20.0), timeout=60)
    assert posted.status_code == 200, posted.text
    start = time.monotonic()
    wait_for(lambda: int(body.get_attribute("data-version") or 0) > version, timeout=5)
    assert time.monotonic() - start < 1.5
    markets = posted.json()["markets"]
    prices = dict(zip(markets["service"], markets["price"], strict=True))
    shown = {row[0]: row[2] for row in table(browser, "services")}
    assert shown["legal"] == f"{prices['legal']:.2f}"
    assert console_errors(browser) == []


def test_board_command_serves_files(tmp_path: Any) -> None:
    import subprocess
    import sys

    data = resources.files("clearing").joinpath("data")
    files = []
    for name in ("org_requests.csv", "org_offers.csv", "org_policy.toml"):
        path = tmp_path / name
        path.write_text(data.joinpath(name).read_text())
        files.append(str(path))
    port = free_port()
    cmd = [sys.executable, "-m", "clearing_bindings", "board", files[0], files[1],
           "--policy", files[2], "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    try:
        snap = wait_for(lambda: _get_json(f"http://127.0.0.1:{port}/v1/board"), timeout=60)
        org = datasets.organisation()
        expected = clear(org.requests, org.offers, org.policy).markets
        assert [s["service"] for s in snap["services"]] == expected["service"].tolist()
        assert [s["volume"] for s in snap["services"]] == expected["volume"].tolist()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()
    bad = tmp_path / "bad.csv"
    bad.write_text("request_id,team,service,quantity,max_price\nR1,a,s,-3,10\n")
    out = subprocess.run([*cmd[:4], str(bad), files[1]], capture_output=True, text=True)
    assert out.returncode == 1 and "bad.csv, line 2" in out.stderr


def _get_json(url: str) -> Any:
    try:
        return httpx.get(url, timeout=2).json()
    except httpx.HTTPError:
        return None
