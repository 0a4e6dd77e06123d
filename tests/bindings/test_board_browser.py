"""The market board served by a real uvicorn server on 127.0.0.1, read over HTTP and in a
real headless Chromium driven by Selenium.

The browser tests need Debian's ``chromium`` and ``chromium-driver``; without them they
skip, except under ``CLEARING_CI=1`` (set by ``.ci/run``, which installs both), where a
missing browser fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from board_pages import Served, console_errors, events, money, qty, table, version, wait_for
from clearing_bindings.board._app import demo_board

from clearing import clear, datasets


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
    assert snap == {**served.state.snapshot(service="legal"), "scope": None}


def test_tokens_scope_what_a_team_sees() -> None:
    tokens = {"t-admin": None, "t-finance": "finance"}
    with Served(demo_board(), tokens=tokens) as s:
        url = s.url + "/v1/board"
        refused = httpx.get(url)
        assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]
        for bad in ({"params": {"token": "nope"}}, {"headers": {"Authorization": "Bearer x"}}):
            r = httpx.get(url, **bad)  # type: ignore[arg-type]
            assert r.status_code == 401 and "invalid_token" in r.headers["www-authenticate"]
        auth = {"Authorization": "Bearer t-finance"}
        mine = httpx.get(url, headers=auth).json()
        assert mine["filters"]["team"] == "finance" and mine["teams"] == ["finance"]
        assert mine["scope"] == "finance"
        assert httpx.get(url, headers=auth, params={"team": "sales_east"}).status_code == 403
        everything = httpx.get(url, params={"token": "t-admin"}).json()
        assert len(everything["teams"]) == 6 and everything["scope"] is None
        assert httpx.get(s.url + "/v1/board/events").status_code == 401


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


def check_page_against(driver: Any, snap: dict[str, Any]) -> None:
    """Every part of the board on the page equals the API's snapshot ``snap``."""
    assert table(driver, "services") == [
        [s["service"], s["route"], money(s["price"]),
         f"{money(s['price_low'])} – {money(s['price_high'])}", money(s["paid"]),
         qty(s["volume"]), qty(s["requested"]), qty(s["negotiated"]),
         "–" if s["hhi"] is None else f"{s['hhi']:.3f}"]
        for s in snap["services"]
    ]  # fmt: skip
    charts = driver.find_elements("css selector", "#charts .chart")
    drawn = {c.get_attribute("data-service"): c for c in charts}
    assert sorted(drawn) == sorted(snap["history"])
    for service, h in snap["history"].items():
        chart = drawn[service]
        assert chart.find_elements("css selector", "canvas")
        assert chart.get_attribute("data-points") == str(len(h["t"]))
        assert chart.get_attribute("data-last-paid") == (
            "" if h["paid"][-1] is None else money(h["paid"][-1])
        )
    books = driver.find_elements("css selector", "#books .book")
    assert [b.get_attribute("data-market") for b in books] == list(snap["books"])
    for book, depth in zip(books, snap["books"].values(), strict=True):
        rows = [
            [td.text for td in tr.find_elements("css selector", "td")]
            for tr in book.find_elements("css selector", "tr")[1:]
        ]
        bids, asks = depth["bids"], depth["asks"]
        assert rows == [
            [qty(bids[i][1]) if i < len(bids) else "–", money(bids[i][0]) if i < len(bids) else "–",
             money(asks[i][0]) if i < len(asks) else "–", qty(asks[i][1]) if i < len(asks) else "–"]
            for i in range(max(len(bids), len(asks)))
        ]  # fmt: skip
    assert table(driver, "negotiations") == [
        [n["request_id"], n["team"], n["service"], qty(n["quantity"]),
         "none" if n["zopa_empty"] else f"{money(n['zopa_low'])} – {money(n['zopa_high'])}",
         n["rule"]]
        for n in snap["negotiations"]
    ] or [["none"]]  # fmt: skip
    assert [r[:5] for r in table(driver, "budgets")] == [
        [b["team"], money(b["granted"]), money(b["spent"]), money(b["pending"]), money(b["left"])]
        for b in snap["budgets"]
    ] or [["none"]]  # fmt: skip
    assert table(driver, "providers") == [
        [p["service"], p["provider"], "–" if p["rating"] is None else f"{p['rating']:.1f}",
         qty(p["volume"]), f"{100 * p['share']:.1f}%"]
        for p in snap["providers"]
    ]  # fmt: skip
    assert table(driver, "unmatched") == [
        [u["side"], u["party"], u["service"], qty(u["quantity"]), u["reason"], u["message"]]
        for u in snap["unmatched"]
    ] or [["none"]]  # fmt: skip


def test_the_page_shows_every_part_of_the_board(browser: Any, served: Served) -> None:
    console_errors(browser)  # what earlier pages logged
    browser.get(served.url + "/board")
    wait_for(lambda: version(browser) == served.state.version)
    snap = httpx.get(served.url + "/v1/board").json()
    check_page_against(browser, snap)
    # the demo organisation: four services, one IT book, R12 in negotiation, six teams
    assert [s["service"] for s in snap["services"]] == ["compliance", "it", "legal", "payroll"]
    assert list(snap["books"]) == ["it_hours"] and len(snap["negotiations"]) == 1
    assert {u["reason"] for u in snap["unmatched"]} >= {"budget", "priced_out", "min_quality"}
    assert browser.find_element("id", "status").text == "live"
    assert console_errors(browser) == []


def test_the_filters_keep_one_team_and_one_service(browser: Any, served: Served) -> None:
    browser.get(served.url + "/board?team=finance&service=payroll")
    wait_for(lambda: version(browser) == served.state.version)
    snap = httpx.get(served.url + "/v1/board", params={"team": "finance", "service": "payroll"})
    check_page_against(browser, snap.json())
    assert [r[0] for r in table(browser, "budgets")] == ["none"]  # no ledger, no budget set
    assert [r[0] for r in table(browser, "negotiations")] == ["R12"]
    assert {r[2] for r in table(browser, "unmatched")} <= {"payroll"}
    assert console_errors(browser) == []


def test_the_page_updates_after_a_clear(browser: Any, served: Served) -> None:
    browser.get(served.url + "/board?service=legal")
    before = wait_for(lambda: version(browser))
    org = datasets.organisation()
    requests = dict(org.requests)
    requests["max_price"] = np.asarray(requests["max_price"]) + 10.0  # demand rises
    result = clear(requests, org.offers, org.policy)
    start = time.monotonic()
    served.state.record_clearing(result, offers=org.offers)
    wait_for(lambda: version(browser) > before, timeout=5)
    assert time.monotonic() - start < 1.0
    legal = result.markets["price"][result.markets["service"] == "legal"][0]
    assert table(browser, "services")[0][2] == f"{legal:.2f}"
    check_page_against(browser, httpx.get(served.url + "/v1/board?service=legal").json())
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
        assert version(browser)
    # while the server was down the stream failed, and that is all that went wrong
    for e in console_errors(browser):
        assert "/v1/board/events" in e["message"], e
