"""The market board of a simulation: every round of :func:`clearing.sim.simulate`, shown."""

from __future__ import annotations

import time
from typing import Any

from ._state import BoardState, Budget

__all__ = ["SimulationBoard", "simulation_board"]


class SimulationBoard:
    """Each round of :func:`clearing.sim.simulate`, shown on a market board.

    Passed as ``simulate(..., on_round=SimulationBoard(board, config, rounds))``, it records
    each round's clearing on ``board`` (the round is the x of the price charts) with the
    providers' ratings from the round's offers, and every team's budget for the period (the
    config's budget, what the team spent since the period began), then waits ``pace``
    seconds, so that open pages can follow a run.

    Examples
    --------
    >>> from clearing.sim import preset, simulate
    >>> from clearing_bindings.board import BoardState
    >>> cfg = preset("open_market", teams=40, services=2)
    >>> board = BoardState(axis="round")
    >>> _ = simulate(cfg, 3, rng=1, on_round=SimulationBoard(board, cfg, 3), progress=False)
    >>> snap = board.snapshot()
    >>> snap["history"]["svc00"]["t"], snap["caption"]
    ([0.0, 1.0, 2.0], 'open_market, 40 teams: round 3 of 3')
    """

    def __init__(self, board: BoardState, config: Any, rounds: int, *, pace: float = 0.0):
        self.board = board
        self.config = config
        self.rounds = rounds
        self.pace = pace
        self._spent: dict[str, float] = {}

    def __call__(self, r: int, clearing: Any, offers: Any) -> None:
        """Show round ``r``: its clearing, and the ratings of the offers it cleared."""
        teams = self.config.teams
        if r % teams.budget_period == 0:  # a new budget period: budgets renewed
            self._spent = {}
        alloc = clearing.allocations
        for team, amount in zip(alloc["team"].tolist(), alloc["amount"].tolist(), strict=True):
            self._spent[str(team)] = self._spent.get(str(team), 0.0) + float(amount)
        self.board.record_clearing(clearing, offers=offers, at=r)
        all_teams = [str(t) for t in range(teams.count)]
        self.board.record_budgets(
            Budget(t, teams.budget, self._spent.get(t, 0.0)) for t in all_teams
        )
        self.board.record_caption(
            f"{self.config.name}, {teams.count} teams: round {r + 1} of {self.rounds}"
        )
        if self.pace > 0:
            time.sleep(self.pace)


def simulation_board(
    name: str,
    rounds: int,
    *,
    seed: int = 0,
    teams: int = 60,
    services: int = 4,
    pace: float = 0.0,
    board: BoardState | None = None,
) -> tuple[BoardState, Any]:
    """Simulate preset ``name`` for ``rounds`` rounds onto a board; returns it and the
    :func:`clearing.sim.simulate` table (the ``[sim]`` extra).

    With ``pace`` the call lasts ``rounds * pace`` seconds; pass a ``board`` that is
    already served to watch it fill.
    """
    from clearing import sim

    config = sim.preset(name, teams=teams, services=services)
    board = BoardState(axis="round") if board is None else board
    recorder = SimulationBoard(board, config, rounds, pace=pace)
    table = sim.simulate(config, rounds, rng=seed, on_round=recorder, progress=False)
    return board, table
