"""The ledger's rules on both backends: settlement, holds, failures, periods, bad input."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ledger_markets import TERMS, market, negotiated
from sqlalchemy import create_engine, text

from clearing.ledger import (
    CHARGEBACK_COLUMNS,
    DuplicateSettlement,
    HoldClosed,
    InsufficientFunds,
    InvalidAmount,
    Ledger,
    LedgerError,
    SchemaMismatch,
    UnbalancedPosting,
    UnknownAccount,
)

P = "2026-11"


class Clock:
    def __init__(self) -> None:
        self.ns = 1_790_000_000 * 10**9

    def __call__(self) -> int:
        self.ns += 1000
        return self.ns


@pytest.fixture
def ledger(ledger_url: str, open_ledger: Any) -> Ledger:
    led = open_ledger(ledger_url, clock=Clock())
    for team in ("ops", "care", "sales"):
        led.grant(team, 500_000, period=P, grant_id=f"g-{team}")
    led.check()
    return led


def snapshot(led: Ledger) -> tuple[list[tuple[object, ...]], int]:
    b = led.balances()
    return list(b.itertuples(index=False)), len(led.chargeback())


def test_settle_charges_each_team_its_exact_total_rounded_once(ledger: Ledger) -> None:
    c = market(1)
    s = ledger.settle(c, "s1", period=P)
    a = c.allocations
    for team in set(a["team"].tolist()):
        mine = a["team"] == team
        exact = math.fsum((a["quantity"][mine] * a["unit_price"][mine] * 100).tolist())
        assert s.teams[f"team:{team}"] == round(exact)
    b = ledger.balances().set_index("account")["balance"]
    for prov in set(a["provider"].tolist()):
        mine = a["provider"] == prov
        exact = math.fsum((a["quantity"][mine] * a["provider_price"][mine] * 100).tolist())
        acct = f"vendor:{prov}" if a["external"][mine][0] else f"provider:{prov}"
        paid = b[acct] if not acct.startswith("vendor") else -ledger.statement(acct)["amount"].min()
        assert paid == round(exact)
    # vendors' money left the organisation
    assert b["external"] == sum(
        round(math.fsum((a["quantity"][m] * a["provider_price"][m] * 100).tolist()))
        for m in [a["external"] & (a["provider"] == p) for p in set(a["provider"].tolist())]
        if m.any()
    )
    assert b["rounding"] == s.rounding and b["market"] == s.margin
    assert s.charged == s.paid_out + s.margin + s.rounding
    assert abs(s.rounding) <= (len(s.teams) + len(set(a["provider"].tolist())) + 1) / 2
    ledger.check()


def test_mcafee_margin_goes_to_the_market(ledger: Ledger) -> None:
    for seed in range(20):
        c = market(seed, mechanism="mcafee", n_requests=8, n_offers=6)
        a = c.allocations
        if len(a) and (a["unit_price"] > a["provider_price"]).any():
            break
    else:
        pytest.skip("no trade reduction with a margin in 20 seeds")
    s = ledger.settle(c, "s-mcafee", period=P)
    exact = math.fsum((a["quantity"] * (a["unit_price"] - a["provider_price"]) * 100).tolist())
    assert s.margin == round(exact) > 0
    assert ledger.balances().set_index("account")["balance"]["market"] == s.margin
    ledger.check()


def test_replay_and_conflicting_id(ledger: Ledger) -> None:
    c = market(2)
    first = ledger.settle(c, "s1", period=P)
    before = snapshot(ledger)
    again = ledger.settle(c, "s1", period=P)
    assert again.replayed and not first.replayed
    assert (again.charged, again.teams) == (first.charged, first.teams)
    assert snapshot(ledger) == before
    with pytest.raises(DuplicateSettlement, match="'s1'") as err:
        ledger.settle(market(3), "s1", period=P)
    assert err.value.value == "s1"
    with pytest.raises(DuplicateSettlement):
        ledger.settle(c, "s1", period="2026-12")  # same rows, another period: other content
    with pytest.raises(DuplicateSettlement):
        ledger.grant("ops", 5, period=P, grant_id="s1")  # an id is unique across operations
    assert snapshot(ledger) == before
    ledger.check()


def test_insufficient_funds_writes_nothing(ledger_url: str, open_ledger: Any) -> None:
    led = open_ledger(ledger_url)
    c = market(4)
    spend = c.spend()
    poor = min(spend, key=lambda t: -spend[t])
    for team in spend:
        led.grant(team, 10**9 if team != poor else 100, period=P, grant_id=f"g-{team}")
    before = snapshot(led)
    with pytest.raises(InsufficientFunds) as err:
        led.settle(c, "s1", period=P)
    e = err.value
    assert e.account == f"team:{poor}" and e.available == 100
    assert e.amount == round(math.fsum(np.asarray([spend[poor] * 100]).tolist()))
    assert f"team:{poor}" in str(e) and "'s1'" in str(e)
    assert snapshot(led) == before
    led.grant(poor, 10**9, period=P, grant_id="top-up")
    assert led.settle(c, "s1", period=P).charged > 0  # the id was not burnt
    led.check()


def test_unknown_team_and_bad_clearings(ledger: Ledger, ledger_url: str) -> None:
    before = snapshot(ledger)
    c = market(5, teams=("nobody",))
    with pytest.raises(UnknownAccount, match="team:nobody"):
        ledger.settle(c, "s-unknown", period=P)

    class Fake:
        def __init__(self, **cols: object) -> None:
            self.allocations = {**market(6).allocations.to_dict(), **cols}

    a = market(6).allocations
    bad_q = a["quantity"].copy()
    bad_q[1] = np.nan
    with pytest.raises(InvalidAmount, match=r"'s-nan'.*quantity'\]\[1\] is nan") as err:
        ledger.settle(Fake(quantity=bad_q), "s-nan", period=P)
    assert err.value.index == 1
    neg = a["unit_price"].copy()
    neg[0] = -1.0
    with pytest.raises(InvalidAmount, match="'s-neg'"):
        ledger.settle(Fake(unit_price=neg), "s-neg", period=P)
    with pytest.raises(InvalidAmount, match="64-bit"):
        ledger.settle(Fake(unit_price=a["unit_price"] * 1e17), "s-big", period=P)
    with pytest.raises(LedgerError, match="Clearing"):
        ledger.settle({"x": 1}, "s-dict", period=P)
    with pytest.raises(LedgerError, match="period"):
        ledger.settle(market(6), "s-per", period="Nov 2026")
    for amount in (-1, math.nan, math.inf, 1.5, True, "10", 2**63):
        with pytest.raises(InvalidAmount, match="'g-bad'"):
            ledger.grant("ops", amount, period=P, grant_id="g-bad")  # type: ignore[arg-type]
    with pytest.raises(UnbalancedPosting, match="sum to 1"):
        ledger.post("fix-1", {"team:ops": -10, "team:care": 11})
    with pytest.raises(UnknownAccount, match="team:ghost"):
        ledger.post("fix-2", {"team:ops": -10, "team:ghost": 10})
    with pytest.raises(InsufficientFunds, match="team:ops"):
        ledger.post("fix-3", {"team:ops": -(10**12), "team:care": 10**12})
    with pytest.raises(UnknownAccount):
        ledger.statement("provider:nobody")
    assert snapshot(ledger) == before
    ledger.check()


def test_corrections_are_new_transfers_and_the_past_is_reproducible(ledger: Ledger) -> None:
    t0 = ledger._store.now()
    s = ledger.settle(market(7), "s1", period=P)
    t1 = ledger._store.now()
    team = next(iter(s.teams))
    assert ledger.post("fix-1", {team: 250, "market": -250}) == 1
    assert ledger.balance_at(team, t0).balance == 500_000
    assert ledger.balance_at(team, t1).balance == 500_000 - s.teams[team]
    now = ledger.balance_at(team, dt.datetime.now(dt.UTC)).balance
    assert now == 500_000 - s.teams[team] + 250
    st = ledger.statement(team)
    assert st["balance"].iloc[-1] == now and st["code"].iloc[-1] == "adjustment"
    ledger.check()


def test_hold_agree_walk_away_expire(ledger: Ledger) -> None:
    clock: Clock = ledger._store.clock  # type: ignore[assignment]
    c = negotiated(1)
    rows = [c.negotiations.row(i) for i in range(len(c.negotiations))]
    held = [ledger.hold(r, hold_id=f"h{i}", timeout=60.0, period=P) for i, r in enumerate(rows)]
    assert held[0] == round(rows[0]["quantity"] * rows[0]["zopa_high"] * 100)
    b = ledger.balances().set_index("account")
    assert b.loc["team:ops", "pending"] == -sum(held)
    ledger.check()
    # post a smaller amount to one provider
    price = rows[0]["zopa_low"] + 1.005
    got = ledger.agree("h0", price, rows[0]["quantity"], provider="pay_int")
    assert got == round(price * rows[0]["quantity"] * 100)
    with pytest.raises(HoldClosed, match="'h0' is already posted"):
        ledger.agree("h0", price, rows[0]["quantity"], provider="pay_int")
    with pytest.raises(HoldClosed, match="'h0'"):
        ledger.agree("h0", price, 1.0, provider="pay_int")
    with pytest.raises(HoldClosed, match="'h0'"):
        ledger.walk_away("h0")
    k = ledger.contracts().iloc[0]
    assert (k["team"], k["provider"], k["rule"], k["amount"]) == (
        "team:ops",
        "provider:pay_int",
        "all payroll",
        got,
    )
    with pytest.raises(InvalidAmount, match="above the held"):
        ledger.agree("h1", rows[1]["zopa_high"] + 1, rows[1]["quantity"], provider="pay_ext")
    with pytest.raises(LedgerError, match="provider must be one of"):
        ledger.agree("h1", 1.0, 1.0)
    assert ledger.walk_away("h1") == held[1]
    with pytest.raises(HoldClosed):
        ledger.walk_away("h1")
    with pytest.raises(UnknownAccount):
        ledger.walk_away("h-none")
    clock.ns += 61 * 10**9
    with pytest.raises(HoldClosed, match="expired"):
        ledger.agree("h2", 1.0, 1.0, provider="pay_int")
    assert ledger.expire() == 1
    b = ledger.balances().set_index("account")
    assert b.loc["team:ops", "pending"] == 0
    assert b.loc["team:ops", "balance"] == 500_000 - got
    assert b.loc["provider:pay_int", "balance"] == got
    ledger.check()


def test_hold_reserves_budget(ledger_url: str, open_ledger: Any) -> None:
    led = open_ledger(ledger_url)
    c = negotiated(2, team="care")
    row = c.negotiations.row(0)
    need = round(row["quantity"] * row["zopa_high"] * 100)
    led.grant("care", need - 1, period=P, grant_id="g")
    with pytest.raises(InsufficientFunds, match="team:care"):
        led.hold(row, hold_id="h", period=P)
    led.grant("care", 1, period=P, grant_id="g2")
    assert led.hold(row["request_id"], clearing=c, hold_id="h", period=P) == need
    with pytest.raises(InsufficientFunds):
        led.post("spend", {"team:care": -1, "market": 1})
    led.check()


def test_failure_terms_once_per_incident(ledger: Ledger) -> None:
    c = market(8)
    ledger.settle(c, "s1", period=P)
    a = c.allocations.row(0)
    before = ledger.balances().set_index("account")["balance"]
    out = ledger.report_failure("s1", a["request_id"], a["offer_id"], incident_id="i1", share=0.5)
    usage = ledger.chargeback()
    charge = usage[(usage["x_RequestId"] == a["request_id"]) & (usage["ChargeCategory"] == "Usage")]
    charged = round(charge[charge["x_OfferId"] == a["offer_id"]]["BilledCost"].iloc[0] * 100)
    assert out["refund"] == round(round(TERMS["refund_share"] * charged) * 0.5)
    assert out["penalty"] == round(round(TERMS["penalty"] * a["quantity"] * 100) * 0.5)
    after = ledger.balances().set_index("account")["balance"]
    team = f"team:{a['team']}"
    assert after[team] - before[team] == out["refund"] + out["penalty"]
    assert (
        ledger.report_failure("s1", a["request_id"], a["offer_id"], incident_id="i1", share=0.5)
        == out
    )
    ledger.report_failure("s1", a["request_id"], a["offer_id"], incident_id="i2", share=0.5)
    with pytest.raises(InvalidAmount, match="too much"):
        ledger.report_failure("s1", a["request_id"], a["offer_id"], incident_id="i3", share=0.1)
    with pytest.raises(UnknownAccount, match="no allocation"):
        ledger.report_failure("s1", "r-none", a["offer_id"], incident_id="i4")
    r = ledger.ratings()
    assert r["incidents"].sum() == 2
    assert r["rating_change"].sum() == pytest.approx(2 * TERMS["rating_change"])
    ledger.check()


@pytest.mark.parametrize("rule,left", [("lapse", 0), ("carry", 500_000), ("cap", 1_000)])
def test_close_period_carry_over(ledger: Ledger, rule: str, left: int) -> None:
    returned = ledger.close_period(P, rule=rule, cap=1_000 if rule == "cap" else None)
    b = ledger.balances().set_index("account")["balance"]
    assert b["team:ops"] == left
    assert returned == 3 * (500_000 - left)
    assert ledger.close_period(P, rule=rule, cap=1_000 if rule == "cap" else None) == returned
    ledger.check()


def test_chargeback_exports(ledger: Ledger, tmp_path: object) -> None:
    import pathlib

    c = market(9)
    ledger.settle(c, "s1", period=P)
    df = ledger.chargeback(period=P)
    assert tuple(df.columns) == CHARGEBACK_COLUMNS
    assert len(df) == int(np.count_nonzero(c.allocations["amount"] > 0))
    assert df["BilledCost"].sum() == pytest.approx(sum(c.spend().values()), abs=0.01 * len(df))
    assert set(df["ChargeCategory"]) == {"Usage"}
    assert df["ChargePeriodStart"].iloc[0] == pd.Timestamp("2026-11-01", tz="UTC")
    assert df["ChargePeriodEnd"].iloc[0] == pd.Timestamp("2026-12-01", tz="UTC")
    assert len(ledger.chargeback(period="2026-10")) == 0
    base = pathlib.Path(str(tmp_path))
    assert ledger.export_chargeback(base / "c.csv") == len(df)
    assert ledger.export_chargeback(base / "c.parquet") == len(df)
    back = pd.read_parquet(base / "c.parquet")
    assert back["BilledCost"].tolist() == df["BilledCost"].tolist()
    assert pd.read_csv(base / "c.csv")["SubAccountId"].tolist() == df["SubAccountId"].tolist()
    with pytest.raises(LedgerError, match=r"csv or \.parquet"):
        ledger.export_chargeback(base / "c.xlsx")


def test_schema_version_newer_is_refused(ledger_url: str) -> None:
    Ledger(ledger_url).close()
    engine = create_engine(ledger_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="version 99, newer than this library's 1"):
        Ledger(ledger_url)


def test_import_clearing_does_not_import_sqlalchemy() -> None:
    import subprocess
    import sys

    code = "import sys, clearing; clearing.clear; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_empty_clearing_settles_to_nothing(ledger: Ledger) -> None:
    from clearing import clear

    c = clear(
        {"request_id": [], "team": [], "service": [], "quantity": [], "max_price": []},
        {"offer_id": [], "provider": [], "service": [], "capacity": [], "ask": []},
    )
    before = snapshot(ledger)
    s = ledger.settle(c, "s-empty", period=P)
    assert (s.transfers, s.charged, s.rounding) == (0, 0, 0)
    assert snapshot(ledger) == before
    assert ledger.settle(c, "s-empty", period=P).replayed
    ledger.check()


def test_a_second_resolution_names_the_hold_not_its_resolution() -> None:
    ledger = Ledger.example("held")
    assert ledger.walk_away("h1") == 24_000
    for again in (lambda: ledger.agree("h1", 50.0, 4.0), lambda: ledger.walk_away("h1")):
        with pytest.raises(HoldClosed, match="hold 'h1' is already voided") as err:
            again()
        assert (err.value.argument, err.value.value) == ("hold_id", "h1")
    ledger.close()
