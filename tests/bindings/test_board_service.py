"""The board of a real ``clearing serve --http --demo`` process, in headless Chromium: it
shows the demo organisation as the API does and follows a clear, a trade and a settlement
within a second; and the service stops promptly on a signal with a board connected."""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from board_pages import console_errors, events, money, table, version, wait_for
from conftest import start_server
from test_board_browser import check_page_against

from clearing import clear, datasets


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


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    pytest.importorskip("sqlalchemy")
    return f"sqlite:///{tmp_path / 'org.db'}"


def test_the_demo_board_follows_a_clear_a_trade_and_a_settlement(
    browser: Any, extra_server: Any, ledger_url: str
) -> None:
    from clearing.ledger import Ledger

    url = extra_server("--demo", "--ledger", ledger_url).url
    snap = httpx.get(url + "/v1/board").json()
    # the demo ledger holds every team's budget and the open negotiation's funds
    assert len(snap["budgets"]) == 6
    assert {b["team"]: b["pending"] for b in snap["budgets"]}["finance"] == 1800.0
    console_errors(browser)  # what earlier pages logged
    browser.get(url + "/board")
    wait_for(lambda: version(browser) == snap["version"], timeout=15)
    check_page_against(browser, snap)

    def after(action: Any) -> dict[str, Any]:
        """Run ``action``; the page shows its outcome within a second; the new snapshot."""
        seen = version(browser)
        action()
        start = time.monotonic()
        wait_for(lambda: version(browser) > seen, timeout=5)
        assert time.monotonic() - start < 1.0
        time.sleep(0.3)  # a second update of the same action (a book's depth after a trade)
        now = httpx.get(url + "/v1/board").json()
        wait_for(lambda: version(browser) == now["version"])
        check_page_against(browser, now)
        return now

    # a clear posted to the API
    posted: dict[str, Any] = {}

    def post_clear() -> None:
        r = httpx.post(url + "/v1/clear", json=organisation_body(raise_by=20.0), timeout=60)
        assert r.status_code == 200, r.text
        posted.update(r.json()["markets"])

    now = after(post_clear)
    prices = dict(zip(posted["service"], posted["price"], strict=True))
    assert {r[0]: r[2] for r in table(browser, "services")}["legal"] == money(prices["legal"])

    # a trade: a buy order crossing the best ask of the demo's IT book
    def trade() -> None:
        r = httpx.post(url + "/v1/books/it_hours/orders",
                       json={"side": "buy", "price": 49.0, "quantity": 4})  # fmt: skip
        assert r.status_code == 200, r.text
        assert sum(f["quantity"] for f in r.json()["fills"]) == 4

    now = after(trade)
    assert now["books"]["it_hours"]["asks"][0] == [50.5, 6.0]

    # a settlement written to the ledger by another process (here: this test)
    org = datasets.organisation()
    ledger = Ledger(ledger_url)
    try:
        left = {b["team"]: b["left"] for b in now["budgets"]}
        within = dataclasses.replace(org.policy, budgets=left)  # what the ledger still holds
        result = clear(org.requests, org.offers, within)
        now = after(lambda: ledger.settle(result, "week-50", period="2026-12"))
    finally:
        ledger.close()
    spent = {}
    for team, amount in zip(result.allocations["team"], result.allocations["amount"], strict=True):
        spent[team] = spent.get(team, 0.0) + float(amount)
    assert {b["team"]: b["left"] for b in now["budgets"]} == pytest.approx(
        {t: v - spent.get(t, 0.0) for t, v in left.items()},
        abs=0.01,  # cents
    )
    assert console_errors(browser) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_promptly_with_a_board_open(browser: Any, sig: signal.Signals) -> None:
    server = start_server("--demo", "--no-warmup")
    try:
        browser.get(server.url + "/board")
        wait_for(lambda: browser.find_element("id", "status").text == "live", timeout=15)
        streams = threading.Thread(  # one more open event stream, from another client
            target=lambda: list(events(server.url + "/v1/board/events", count=99, timeout=30)),
            daemon=True,
        )
        streams.start()
        time.sleep(0.5)
        start = time.monotonic()
        server.process.send_signal(sig)
        code = server.process.wait(timeout=10)
        took = time.monotonic() - start
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
        assert server.process.stderr is not None
        err = server.process.stderr.read().decode()
        server.process.stderr.close()
    # the streams end at the signal, and the process exits without its last garbage
    # collections: about half a second on a loaded two-core machine
    assert took < 3.0, f"took {took:.1f} s to stop"
    # SIGINT is a normal stop; after SIGTERM uvicorn lets the signal end the process
    assert code == (0 if sig == signal.SIGINT else -signal.SIGTERM), err
    assert "Traceback" not in err and "ERROR" not in err, err
    wait_for(lambda: browser.find_element("id", "status").text == "reconnecting")
    console_errors(browser)


def test_serve_rejects_board_options_without_http(capsys: pytest.CaptureFixture[str]) -> None:
    from clearing_bindings.cli import main

    for extra in (["--demo"], ["--ledger", "sqlite://"], ["--team-token", "a=b"]):
        with pytest.raises(SystemExit) as exit:
            main(["serve", "--stdio", *extra])
        assert exit.value.code == 2 and "is for --http" in capsys.readouterr().err
