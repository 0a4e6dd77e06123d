"""The market board's state: what it shows equals the engine's outcome, filtered as asked."""

from __future__ import annotations

import json
import pathlib
import threading

import numpy as np
import pytest
from clearing_bindings.board import BoardState, Budget
from clearing_bindings.board._app import demo_board
from clearing_bindings.board._state import HISTORY

from clearing import Clearing, OrderBook, clear, datasets


@pytest.fixture(scope="module")
def org() -> datasets.Organisation:
    return datasets.organisation()


@pytest.fixture(scope="module")
def result(org: datasets.Organisation) -> Clearing:
    return clear(org.requests, org.offers, org.policy)


def test_services_are_the_markets_table(org: datasets.Organisation, result: Clearing) -> None:
    board = BoardState()
    assert board.record_clearing(result, offers=org.offers, when=100.0) == 1
    snap = board.snapshot()
    markets = result.markets
    assert [s["service"] for s in snap["services"]] == markets["service"].tolist()
    for s, i in zip(snap["services"], range(len(markets)), strict=True):
        assert s["volume"] == markets["volume"][i]
        assert s["hhi"] == markets["hhi"][i]
        price = markets["price"][i]
        assert (s["price"] is None) == bool(np.isnan(price))  # NaN becomes null for JSON
        if s["price"] is not None:
            assert s["price"] == price
    json.dumps(snap, allow_nan=False)  # strict JSON: no NaN or inf anywhere


def test_providers_shares_and_ratings(org: datasets.Organisation, result: Clearing) -> None:
    board = BoardState()
    board.record_clearing(result, offers=org.offers)
    providers = board.snapshot()["providers"]
    # every offer's provider is listed, with the rating from the offers table
    assert len(providers) == len(org.offers["offer_id"])
    for service in set(org.offers["service"].tolist()):
        rows = [p for p in providers if p["service"] == service]
        sold = sum(p["volume"] for p in rows)
        alloc = result.allocations
        assert sold == pytest.approx(alloc["quantity"][alloc["service"] == service].sum())
        if sold:
            assert sum(p["share"] for p in rows) == pytest.approx(1.0)
    it_vendor = next(p for p in providers if p["provider"] == "it_vendor")
    assert (it_vendor["rating"], it_vendor["volume"]) == (2.5, 0.0)


def test_budgets_from_the_policy_then_from_the_ledger(
    org: datasets.Organisation, result: Clearing
) -> None:
    board = BoardState()
    board.record_clearing(result)
    budgets = {b["team"]: b for b in board.snapshot()["budgets"]}
    assert set(budgets) == set(org.policy.budgets)
    alloc = result.allocations
    for team, b in budgets.items():
        spent = alloc["amount"][alloc["team"] == team].sum()
        assert b["spent"] == pytest.approx(spent)
        assert b["left"] == pytest.approx(org.policy.budgets[team] - spent)
        assert b["left"] >= 0  # the policy's budgets hold
    board.record_budgets([Budget("care_team_b", 1500.0, 1000.0, pending=200.0)])
    (only,) = board.snapshot()["budgets"]
    assert (only["team"], only["left"]) == ("care_team_b", 300.0)


def test_team_and_service_filters(org: datasets.Organisation, result: Clearing) -> None:
    board = BoardState()
    board.record_clearing(result, offers=org.offers)
    snap = board.snapshot(team="finance", service="payroll")
    assert [s["service"] for s in snap["services"]] == ["payroll"]
    assert list(snap["history"]) == ["payroll"]
    assert [n["request_id"] for n in snap["negotiations"]] == ["R12"]
    assert snap["budgets"] == []  # finance has no budget in this policy
    assert snap["teams"] == ["finance"]
    for u in snap["unmatched"]:  # requests of other teams are not shown; offers are public
        assert u["service"] == "payroll"
        assert u["side"] == "offer" or u["party"] == "finance"
    other = board.snapshot(team="care_team_b")
    assert {u["party"] for u in other["unmatched"] if u["side"] == "request"} == {"care_team_b"}
    assert [b["team"] for b in other["budgets"]] == ["care_team_b"]


def test_history_grows_per_clearing_and_is_capped(result: Clearing) -> None:
    board = BoardState()
    for t in range(HISTORY + 5):
        board.record_clearing(result, when=float(t))
    h = board.snapshot()["history"]["legal"]
    assert len(h["t"]) == HISTORY
    assert h["t"][0] == 5.0 and h["t"][-1] == HISTORY + 4.0
    assert board.version == HISTORY + 5


def test_book_depth() -> None:
    book = OrderBook(tick_size=1)
    book.limit("buy", 9, 2)
    book.limit("buy", 9, 1)
    book.limit("sell", 12, 4)
    board = BoardState()
    board.record_book("it_hours", book.depth(5))
    assert board.snapshot()["books"] == {"it_hours": {"bids": [[9.0, 3.0]], "asks": [[12.0, 4.0]]}}


def test_wait_returns_when_another_thread_updates(result: Clearing) -> None:
    board = BoardState()
    seen: list[int] = []
    waiter = threading.Thread(target=lambda: seen.append(board.wait(0, timeout=30)))
    waiter.start()
    board.record_clearing(result)
    waiter.join(timeout=30)
    assert seen == [1]
    assert board.wait(1, timeout=0.01) == 1  # nothing new: returns the current version


def test_demo_board_is_populated() -> None:
    snap = demo_board().snapshot()
    assert len(snap["services"]) == 4
    assert snap["books"]["it_hours"]["bids"][0] == [48.0, 5.0]
    assert snap["negotiations"] and snap["budgets"] and snap["providers"]


def test_demo_board_with_a_ledger(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from clearing.ledger import Ledger

    ledger = Ledger(f"sqlite:///{tmp_path / 'demo.db'}")
    snap = demo_board(ledger=ledger).snapshot()
    budgets = {b["team"]: b for b in snap["budgets"]}
    assert len(budgets) == 6  # every team has an account
    balances = ledger.balances().set_index("account")
    for team, b in budgets.items():
        row = balances.loc[f"team:{team}"]
        assert b["left"] == pytest.approx((row["balance"] + row["pending"]) / ledger.scale)
        assert b["left"] >= 0
    # the negotiation of finance holds the zone's upper end: 60 runs at 30
    assert budgets["finance"]["pending"] == 1800.0
    ledger.check()  # raises if an invariant of the store is broken
    ledger.close()


def test_mean_paid_is_amount_over_units(result: Clearing) -> None:
    board = BoardState()
    board.record_clearing(result)
    alloc = result.allocations
    for s in board.snapshot()["services"]:
        mine = alloc["service"] == s["service"]
        units = float(np.sum(alloc["quantity"][mine]))
        expected = float(np.sum(alloc["amount"][mine])) / units if units else None
        assert s["paid"] == pytest.approx(expected)
    it = next(s for s in board.snapshot()["services"] if s["service"] == "it")
    assert it["price"] is None and it["paid"] is not None  # transport: no single price


def test_round_axis_caption_and_integer_names() -> None:
    with pytest.raises(ValueError, match="axis"):
        BoardState(axis="week")
    board = BoardState(axis="round")
    requests = {"request_id": [0, 1], "team": [10, 2], "service": ["s", "s"],
                "quantity": [1.0, 1.0], "max_price": [9.0, 8.0]}  # fmt: skip
    offers = {"offer_id": [0], "provider": [7], "service": ["s"], "capacity": [2.0],
              "ask": [1.0]}  # fmt: skip
    for r in range(3):
        board.record_clearing(clear(requests, offers), at=r)
    board.record_caption("run: round 3 of 3")
    snap = board.snapshot()
    assert snap["axis"] == "round" and snap["caption"] == "run: round 3 of 3"
    assert snap["history"]["s"]["t"] == [0.0, 1.0, 2.0]
    assert snap["teams"] == ["2", "10"]  # names, in natural order
    assert snap["providers"][0]["provider"] == "7"
    assert board.snapshot(team="10")["teams"] == ["10"]


def test_close_ends_event_streams() -> None:
    board = BoardState()
    assert not board.closed
    board.close()
    assert board.closed


def test_tokens(tmp_path: pathlib.Path) -> None:
    from clearing_bindings.board._tokens import TokenError, Tokens, merge, read_tokens

    tokens = Tokens({"a-1": None, "b-2": "finance"})
    assert tokens.scope(" b-2 ") == (True, "finance") and tokens.scope("b-") == (False, None)
    assert len(tokens) == 2 and tokens.admins == 1
    for bad in ({"": None}, {"a b": None}, {"ok": ""}, {"ok": "*"}):
        with pytest.raises(TokenError):
            Tokens(bad)  # type: ignore[arg-type]
    with pytest.raises(TokenError, match="twice"):
        merge([("t", "a"), ("t", "b")])
    with pytest.raises(TokenError, match=r"[Nn]o such file"):
        read_tokens(tmp_path / "none.toml")
    file = tmp_path / "t.json"
    file.write_text('{"tokens": {"x-1": "*", "y-2": "ops"}}')
    assert read_tokens(file) == {"x-1": None, "y-2": "ops"}
