"""What the ledger's operation modules need of a :class:`~clearing.ledger.Ledger`.

The operations (reading, holds, failures, chargeback) are written as functions of this
protocol and bound as the ledger's methods, so they import the store, never the class that
binds them (no import cycle, not even a type-only one).
"""

from __future__ import annotations

from typing import Protocol

from ._store import Store


class LedgerContext(Protocol):
    """The state an operation reads: the store, the minor-unit scale and the currency."""

    _store: Store
    scale: int
    currency: str

    def _period(self, period: str | None) -> str:
        """The period label for ``period`` (the current one for ``None``), checked."""
        ...
