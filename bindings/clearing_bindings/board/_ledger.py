"""Budgets on the board as the ledger holds them, followed as the ledger changes."""

from __future__ import annotations

import sys
import threading
from typing import Any

from ._state import Budget

__all__ = ["LedgerFollower", "budgets_from_ledger"]


def budgets_from_ledger(ledger: Any, *, period: str | None = None) -> list[Budget]:
    """Each team's budget from a :class:`clearing.ledger.Ledger`, in currency units.

    ``granted`` is what the treasury gave the team (in ``period``, or ever), ``pending``
    what negotiations hold, ``spent`` the rest of what left the budget.

    Examples
    --------
    >>> import os, tempfile
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger("sqlite:///" + os.path.join(tempfile.mkdtemp(), "board.db"))
    >>> ledger.grant("ops", 50_000, period="2026-12", grant_id="g1")
    'g1'
    >>> budgets_from_ledger(ledger)
    [Budget(team='ops', granted=500.0, spent=0.0, pending=0.0)]
    >>> ledger.close()
    """
    balances = ledger.balances()
    out = []
    for row in balances[balances["kind"] == "team"].itertuples():
        lines = ledger.statement(row.account, period=period)
        posted = lines[lines["status"] == "posted"]
        granted = posted["amount"][posted["code"] == "grant"].sum()
        held = lines["amount"][lines["status"] == "pending"].sum()
        spent = -posted["amount"][posted["code"] != "grant"].sum()
        team = row.account.split(":", 1)[1]
        s = ledger.scale
        out.append(Budget(team, float(granted / s), float(spent / s), pending=float(-held / s)))
    return out


class LedgerFollower:
    """Keeps a board's budgets equal to a ledger's, whoever writes to the ledger.

    A thread reads the ledger's balances every ``interval`` seconds (one small query) and,
    when any balance or pending amount moved (a settlement, a hold, an agreement, a
    failure, a grant, from this process or another), records the budgets on the board:
    open pages show a settlement within a second.

    Examples
    --------
    >>> import os, tempfile
    >>> from clearing.ledger import Ledger
    >>> from clearing_bindings.board import BoardState
    >>> ledger = Ledger("sqlite:///" + os.path.join(tempfile.mkdtemp(), "follow.db"))
    >>> board = BoardState()
    >>> follower = LedgerFollower(board, ledger)
    >>> follower.poll(), follower.poll()  # the first look records, the second sees no change
    (True, False)
    >>> _ = ledger.grant("ops", 50_000, period="2026-12", grant_id="g1")
    >>> follower.poll(), board.snapshot()["budgets"][0]["granted"]
    (True, 500.0)
    >>> ledger.close()
    """

    def __init__(
        self, board: Any, ledger: Any, *, period: str | None = None, interval: float = 0.2
    ) -> None:
        self.board = board
        self.ledger = ledger
        self.period = period
        self.interval = interval
        self._seen: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Look once; record the budgets and return True when the ledger changed."""
        b = self.ledger.balances()
        seen = tuple(zip(b["account"], b["balance"], b["pending"], strict=True))
        if seen == self._seen:
            return False
        self.board.record_budgets(budgets_from_ledger(self.ledger, period=self.period))
        self._seen = seen
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception as exc:  # a ledger briefly unreachable: say so, keep looking
                sys.stderr.write(f"clearing: board: reading the ledger failed: {exc}\n")
                self._stop.wait(5 * self.interval)

    def start(self) -> LedgerFollower:
        """Look now, then follow in a daemon thread until :meth:`stop`."""
        self.poll()
        self._thread = threading.Thread(target=self._run, name="board-ledger", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following (waits for the thread)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
