"""Who sees what on the board of ``clearing serve --http`` with team tokens: over HTTP and
in headless Chromium; a token never shows in the page, its address or the server's log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from board_pages import console_errors, table, version, wait_for
from conftest import start_server, stop_server

ADMIN = "adm-Q8v2-kP4x"
FINANCE = "fin-7Hw3-Lz9c"
SALES = "sal-2Bn6-Tq1m"
TOKENS = (ADMIN, FINANCE, SALES, "adm2-X5r8")


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``serve --http --demo`` with an administrator and two team tokens (one from a file)."""
    folder = tmp_path_factory.mktemp("tokens")
    file = folder / "tokens.toml"
    file.write_text(f'[tokens]\n"{SALES}" = "sales_east"\n"adm2-X5r8" = "*"\n')
    server = start_server("--demo", "--token", ADMIN, "--team-token", f"finance={FINANCE}",
                          "--tokens", str(file))  # fmt: skip
    yield server
    stop_server(server)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_team_token_reads_its_own_view_only(locked: Any) -> None:
    url = locked.url
    everything = httpx.get(url + "/v1/board", headers=bearer(ADMIN)).json()
    assert len(everything["budgets"]) == 6 and everything["scope"] is None
    mine = httpx.get(url + "/v1/board", headers=bearer(FINANCE)).json()
    assert mine["scope"] == "finance" and mine["teams"] == ["finance"]
    assert [b["team"] for b in mine["budgets"]] == ["finance"]
    assert mine["budgets"] == [b for b in everything["budgets"] if b["team"] == "finance"]
    assert [n["request_id"] for n in mine["negotiations"]] == ["R12"]  # finance's
    assert {u["party"] for u in mine["unmatched"] if u["side"] == "request"} == {"finance"}
    assert mine["services"] == everything["services"]  # market prices are public
    sales = httpx.get(url + "/v1/board", params={"token": SALES}).json()
    assert [b["team"] for b in sales["budgets"]] == ["sales_east"] and sales["negotiations"] == []
    other = httpx.get(url + "/v1/board", headers=bearer(FINANCE), params={"team": "sales_east"})
    assert other.status_code == 403 and FINANCE not in other.text
    assert httpx.get(url + "/v1/board", params={"token": "adm2-X5r8"}).json()["scope"] is None


@pytest.mark.parametrize("route", ["/v1/board", "/v1/board/events", "/metrics"])
def test_no_token_or_a_bad_one_is_401(locked: Any, route: str) -> None:
    url = locked.url + route
    for kwargs in ({}, {"headers": bearer("wrong-token")}, {"params": {"token": "wrong"}}):
        r = httpx.get(url, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 401, (route, kwargs, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "wrong" not in r.text


def test_a_team_token_may_not_use_the_operations(locked: Any) -> None:
    url = locked.url
    order = {"side": "buy", "price": 40.0, "quantity": 1}
    r = httpx.post(url + "/v1/books/it_hours/orders", json=order, headers=bearer(FINANCE))
    assert r.status_code == 403 and "insufficient_scope" in r.headers["www-authenticate"]
    assert httpx.get(url + "/metrics", headers=bearer(FINANCE)).status_code == 403
    r = httpx.post(url + "/v1/books/it_hours/orders", json=order, headers=bearer(ADMIN))
    assert r.status_code == 200, r.text
    assert httpx.get(url + "/healthz").status_code == 200  # needs no token


def test_the_page_of_a_team_token(browser: Any, locked: Any) -> None:
    url = locked.url
    console_errors(browser)
    browser.get(f"{url}/board#token={FINANCE}")
    wait_for(lambda: version(browser), timeout=15)
    assert [r[0] for r in table(browser, "budgets")] == ["finance"]
    assert [r[0] for r in table(browser, "negotiations")] == ["R12"]
    team = browser.find_element("id", "team")
    assert team.get_attribute("value") == "finance" and not team.is_enabled()
    # the token is in neither the address nor the page
    assert FINANCE not in browser.current_url and FINANCE not in browser.page_source
    # a reload keeps the tab's token; the service filter still works
    browser.get(f"{url}/board?service=payroll")
    wait_for(lambda: {r[2] for r in table(browser, "negotiations")} == {"payroll"})
    assert [r[0] for r in table(browser, "budgets")] == ["finance"]
    # an administrator's token in the same tab sees every team
    browser.get(f"{url}/board#token={ADMIN}")
    wait_for(lambda: len(table(browser, "budgets")) == 6)
    assert browser.find_element("id", "team").is_enabled()
    assert ADMIN not in browser.current_url and ADMIN not in browser.page_source
    assert console_errors(browser) == []
    browser.execute_script("sessionStorage.clear()")


def test_the_page_without_a_valid_token(browser: Any, locked: Any) -> None:
    url = locked.url
    for address in (f"{url}/board", f"{url}/board?token=not-a-token"):
        browser.get(f"{url}/healthz")  # the board's origin: forget a token stored there
        browser.execute_script("sessionStorage.clear()")
        browser.get(address)
        status = browser.find_element("id", "status")
        wait_for(lambda: status.text == "token needed")  # noqa: B023
        assert table(browser, "budgets") == [] and version(browser) == 0
        assert "not-a-token" not in browser.current_url
    console_errors(browser)  # the refused snapshot request logs its 401


def test_no_token_in_the_server_log(locked: Any) -> None:
    """Runs last in this module: stops the server and reads everything it wrote."""
    text = stop_server(locked)
    assert "serving http://" in text and "3 administrator" not in text
    assert "2 administrator and 2 team tokens" in text
    for token in TOKENS:
        assert token not in text


def test_bad_token_options_are_refused_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clearing_bindings.cli import main

    def refused(*extra: str) -> str:
        """``serve --http`` exits with 1 before it serves; what it wrote on stderr."""
        assert main(["serve", "--http", "--port", "1", *extra]) == 1
        return capsys.readouterr().err

    bad = tmp_path / "bad.toml"
    for content in ("[tokens]\n", "tokens = 3\n", '[tokens]\n"a b" = "x"\n', "[tokens\n"):
        bad.write_text(content)
        assert "clearing serve: error" in refused("--tokens", str(bad)), content
    js = tmp_path / "t.json"
    js.write_text('{"tokens": {"ok-token": 5}}')
    assert "team name or '*'" in refused("--tokens", str(js))
    assert "TEAM=TOKEN" in refused("--team-token", "finance")
    twice = refused("--team-token", "a=tok1", "--team-token", "b=tok1")
    assert "twice" in twice and "tok1" not in twice
    assert "twice" in refused("--token", "tok1", "--team-token", "a=tok1")
    assert "RFC 6750" in refused("--token", "bad token")
    assert "no such file" in refused("--tokens", str(tmp_path / "none.toml")).lower()
