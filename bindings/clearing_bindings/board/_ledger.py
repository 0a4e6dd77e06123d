"""Budgets on the board as the ledger holds them."""

from __future__ import annotations

from typing import Any

from ._state import Budget

__all__ = ["budgets_from_ledger"]


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
