"""Closing a period: the carry-over rule applied to every team's remaining budget."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import LedgerError
from ._amounts import minor_units
from ._context import LedgerContext
from ._schema import accounts
from ._store import Posting, digest
from ._store import row as _row

__all__ = ["close_period"]

_RULES = ("lapse", "carry", "cap")


def close_period(
    self: LedgerContext, period: str, *, rule: str = "lapse", cap: int | None = None
) -> int:
    """Apply the carry-over rule to every team at the end of ``period``.

    ``"lapse"``: each team's available balance (posted minus held) goes back to the
    treasury; ``"carry"``: it stays for the next period; ``"cap"``: at most ``cap`` minor
    units stay and the excess goes back. Returns the total returned. Closing the same
    period again with the same rule is a replay.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> Ledger.example("funded").close_period("2026-11", rule="cap", cap=1_000)
    99000
    """
    if rule not in _RULES:
        raise LedgerError(f"close_period: rule must be one of {_RULES}", argument="rule")
    keep = minor_units(cap, "cap", "close_period") if rule == "cap" else None
    label = self._period(period)
    store = self._store

    def body(conn: Any, ts: int) -> dict[str, Any]:
        treasury = store.account_ids(conn, ["treasury"], "period")["treasury"]
        rows = []
        if rule != "carry":
            q = select(accounts).where(accounts.c.kind == "team").order_by(accounts.c.id)
            for acc in conn.execute(q):
                avail = acc.credits_posted - acc.debits_posted - acc.debits_pending
                back = avail - min(avail, keep) if keep is not None else avail
                if back > 0:
                    tid = f"close:{label}/{acc.name}"
                    rows.append(
                        _row(tid, f"close:{label}", acc.id, treasury, back, "lapse", label, ts)
                    )
        store.apply(conn, Posting.of(rows), argument="period", op_id=f"close:{label}")
        return {"returned": sum(r["amount"] for r in rows)}

    result, _ = store.run(f"close:{label}", "close", digest(rule, keep), body, argument="period")
    return int(result["returned"])
