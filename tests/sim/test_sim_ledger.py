"""The simulator settling every round through the real :class:`clearing.ledger.Ledger` (SQLite).

Budgets bind, no team is ever charged more than its budget in a period (the ledger itself
refuses an overdraft), and every team's balance is its grant minus the simulated spend.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections import defaultdict
from typing import Any

import pytest

from clearing import Clearing
from clearing.sim import preset, simulate

pytest.importorskip("sqlalchemy")

SCALE = 100  # the ledger's minor units per currency unit


class BudgetedLedger:
    """A :class:`clearing.ledger.Ledger` run on the simulator's budget periods.

    Each budget period is one day label; when it starts every team is granted its budget and
    the previous period is closed (unspent budget lapses back to the treasury, as the
    simulator resets spend). Each round's clearing is then settled by the ledger itself,
    which refuses any transfer that would overdraw a team.
    """

    def __init__(self, url: str, teams: int, budget: float, period_rounds: int) -> None:
        from clearing.ledger import Ledger

        self.ledger = Ledger(url, scale=SCALE)
        self.teams = teams
        self.budget = budget
        self.period_rounds = period_rounds
        self.settled: list[tuple[str, str, Clearing, dict[str, int]]] = []

    @staticmethod
    def label(period: int) -> str:
        return f"2026-01-{period + 1:02d}"

    def settle(self, clearing: Clearing, settlement_id: str) -> Any:
        r = int(settlement_id.rsplit("-", 1)[1])
        period = r // self.period_rounds
        if r % self.period_rounds == 0:
            if period:
                self.ledger.close_period(self.label(period - 1), rule="lapse")
            amount = round(self.budget * SCALE)
            for t in range(self.teams):
                self.ledger.grant(
                    str(t), amount, period=self.label(period), grant_id=f"{period}/{t}"
                )
        done = self.ledger.settle(clearing, settlement_id, period=self.label(period))
        self.settled.append((settlement_id, self.label(period), clearing, dict(done.teams)))
        return done


@pytest.mark.parametrize("name", ["internal_monopoly", "open_market", "perfect_competition"])
def test_rounds_settle_through_the_ledger(name: str, tmp_path: pathlib.Path) -> None:
    teams, budget, period_rounds, rounds = 60, 250.0, 3, 9
    cfg = preset(name, teams=teams, services=3)
    cfg = dataclasses.replace(
        cfg, teams=dataclasses.replace(cfg.teams, budget=budget, budget_period=period_rounds)
    )
    ledger = BudgetedLedger(f"sqlite:///{tmp_path / 'ledger.db'}", teams, budget, period_rounds)
    try:
        simulate(cfg, rounds, rng=5, progress=False, ledger=ledger)
        led = ledger.ledger
        assert [sid for sid, *_ in ledger.settled] == [f"{name}/round-{r}" for r in range(rounds)]
        # the simulated spend per team and period, in the ledger's minor units
        spend: dict[tuple[str, str], float] = defaultdict(float)
        charged: dict[tuple[str, str], int] = defaultdict(int)
        cut = 0
        for _, label, clearing, teams_charged in ledger.settled:
            cut += int((clearing.unmatched["reason"] == "budget").sum())
            a = clearing.allocations
            for team, amount in zip(a["team"].tolist(), a["amount"].tolist(), strict=True):
                spend[(f"team:{team}", label)] += amount * SCALE
            for account, cents in teams_charged.items():
                charged[(account, label)] += cents
        assert cut > 0  # the budgets did bind
        assert spend and set(spend) == set(charged)
        # each settlement rounds a team's total once: at most half a minor unit a round
        for key, cents in charged.items():
            assert abs(cents - spend[key]) <= 0.5 * period_rounds + 1e-6
            assert cents <= round(budget * SCALE)  # never overspent
        # the last period is still open: each balance is the grant minus that period's charges
        last = ledger.label((rounds - 1) // period_rounds)
        bal = led.balances().set_index("account")["balance"]
        for t in range(teams):
            account = f"team:{t}"
            expected = round(budget * SCALE) - charged.get((account, last), 0)
            assert int(bal[account]) == expected
        led.check()  # raises if any invariant of the books is broken
    finally:
        ledger.ledger.close()
