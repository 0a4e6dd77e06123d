"""``clearing board``: the board of tables from files, and of a simulation, over HTTP and
in headless Chromium."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from board_pages import console_errors, free_port, get_json, money, version, wait_for
from test_board_browser import check_page_against

from clearing import clear, datasets


def board(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "clearing_bindings", "board", *args, "--port", str(port)]
    return subprocess.Popen(cmd, stderr=subprocess.PIPE), f"http://127.0.0.1:{port}"


@pytest.fixture
def started() -> Iterator[Any]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> str:
        proc, url = board(*args)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


def test_board_command_serves_files(tmp_path: Path, started: Any) -> None:
    data = resources.files("clearing").joinpath("data")
    files = []
    for name in ("org_requests.csv", "org_offers.csv", "org_policy.toml"):
        path = tmp_path / name
        path.write_text(data.joinpath(name).read_text())
        files.append(str(path))
    url = started(files[0], files[1], "--policy", files[2])
    snap = wait_for(lambda: get_json(url + "/v1/board"), timeout=60)
    org = datasets.organisation()
    expected = clear(org.requests, org.offers, org.policy).markets
    assert [s["service"] for s in snap["services"]] == expected["service"].tolist()
    assert [s["volume"] for s in snap["services"]] == expected["volume"].tolist()


def test_board_command_reports_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from clearing_bindings.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("request_id,team,service,quantity,max_price\nR1,a,s,-3,10\n")
    offers = resources.files("clearing").joinpath("data", "org_offers.csv")
    assert main(["board", str(bad), str(offers), "--port", "1"]) == 1
    assert "bad.csv, line 2" in capsys.readouterr().err


def test_board_of_a_simulation(browser: Any, started: Any) -> None:
    pytest.importorskip("pandas")
    from clearing import sim

    url = started("--simulate", "open_market", "--rounds", "12", "--seed", "5", "--teams", "40")
    snap = wait_for(lambda: get_json(url + "/v1/board"), timeout=60)
    config = sim.preset("open_market", teams=40, services=4)
    table = sim.simulate(config, 12, rng=5, progress=False)
    assert snap["axis"] == "round" and snap["caption"] == "open_market, 40 teams: round 12 of 12"
    assert sorted(snap["history"]) == sorted(set(table["service"]))
    for service, h in snap["history"].items():
        rows = table[table["service"] == service]
        assert h["t"] == rows["round"].astype(float).tolist()  # one point per round
        assert h["paid"] == pytest.approx(rows["price"].tolist(), nan_ok=True)  # mean paid
        assert h["volume"] == rows["volume"].tolist()
    last = table[table["round"] == 11].set_index("service")
    for s in snap["services"]:
        assert s["hhi"] == pytest.approx(last.loc[s["service"], "hhi"])
    assert len(snap["budgets"]) == 40 and snap["budgets"][0]["granted"] == config.teams.budget
    # every provider that offered in the last round shows its rating (0-5) from the offers
    ratings = [p["rating"] for p in snap["providers"]]
    assert ratings and all(r is not None and 0.0 <= r <= 5.0 for r in ratings)
    assert {p["service"] for p in snap["providers"]} == set(snap["history"])
    console_errors(browser)
    browser.get(url + "/board")
    wait_for(lambda: version(browser) == snap["version"], timeout=15)
    check_page_against(browser, snap)
    first = browser.find_element("css selector", "#charts .chart")
    assert first.get_attribute("data-points") == "12"
    assert "round 12 of 12" in browser.find_element("id", "updated").text
    assert console_errors(browser) == []


def test_a_paced_simulation_fills_the_open_page(browser: Any, started: Any) -> None:
    pytest.importorskip("pandas")
    url = started("--simulate", "internal_competition", "--rounds", "6", "--pace", "0.4",
                  "--teams", "20")  # fmt: skip
    wait_for(lambda: get_json(url + "/v1/board"), timeout=60)
    browser.get(url + "/board")
    chart = wait_for(lambda: browser.find_elements("css selector", "#charts .chart"), timeout=15)
    seen = {int(chart[0].get_attribute("data-points"))}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and 6 not in seen:
        seen.add(int(browser.find_element("css selector", "#charts .chart").get_attribute(
            "data-points")))  # fmt: skip
        time.sleep(0.1)
    assert 6 in seen and len(seen) >= 3, seen  # the page drew the rounds as they came
    snap = get_json(url + "/v1/board")
    assert browser.find_element("css selector", "#charts .chart").get_attribute(
        "data-last-paid"
    ) == money(snap["history"][snap["service_names"][0]]["paid"][-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--simulate", "anarchy"], "unknown preset name 'anarchy'"),
        (["--simulate", "open_market", "--rounds", "0"], "--rounds must be >= 1"),
        (["--simulate", "open_market", "--pace", "-1"], "--pace must be >= 0"),
        (["--simulate", "open_market", "--teams", "0"], "teams.count"),
        (["--simulate", "open_market", "--teams", "5000"], "--teams is at most 2000"),
        (["a.csv", "b.csv", "--simulate", "open_market"], "takes no REQUESTS"),
        ([], "give REQUESTS and OFFERS"),
    ],
)
def test_bad_simulation_options(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from clearing_bindings.cli import main

    assert main(["board", *args, "--port", "1"]) == 1  # refused before anything is served
    assert message in capsys.readouterr().err
