"""The example ledger the docstrings share: one small market, settled step by step.

:meth:`Ledger.example` (which documents the stages) builds a ledger in a temporary SQLite
file and advances it through ``STAGES``; :meth:`Ledger.example_clearing` is the market
it settles. An example of any method starts where that method is used, instead of building
the ledger, the clearing, the grant and the settlement again.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ..errors import LedgerError

__all__ = ["STAGES", "build", "example_clearing"]

STAGES = ("empty", "funded", "settled", "held")


class _Steps(Protocol):
    """What building an example needs of the ledger class it builds."""

    _owned_directory: Callable[[], object] | None

    def __init__(self, url: str) -> None: ...
    def grant(self, team: str, amount: int, *, period: str | None, grant_id: str | None) -> str: ...
    def settle(self, clearing: Any, settlement_id: str, *, period: str | None) -> Any: ...
    def hold(
        self, negotiation: Any, *, hold_id: str, timeout: float | None, period: str | None
    ) -> int: ...


L = TypeVar("L", bound=_Steps)


def example_clearing() -> Any:
    """The market of :meth:`Ledger.example_clearing` (which describes it)."""
    from .. import clear

    return clear(
        {
            "request_id": ["r1", "n1"],
            "team": ["ops", "ops"],
            "service": ["it", "pay"],
            "quantity": [2.0, 4.0],
            "max_price": [50.0, 60.0],
        },
        {
            "offer_id": ["o1", "p1"],
            "provider": ["desk", "payroll"],
            "service": ["it", "pay"],
            "capacity": [5.0, 10.0],
            "ask": [40.0, 45.0],
        },
        {
            "services": {"it": {"failure": {"refund_share": 0.5, "rating_change": -1.0}}},
            "negotiate": [{"service": "pay", "name": "big runs"}],
        },
    )


def build(cls: type[L], stage: str) -> L:
    """A ledger of class ``cls`` in a fresh temporary directory, advanced to ``stage``."""
    if stage not in STAGES:
        raise LedgerError(
            f"Ledger.example: stage must be one of {STAGES}, got {stage!r}", argument="stage"
        )
    directory = tempfile.mkdtemp(prefix="clearing-ledger-")
    ledger = cls(f"sqlite:///{directory}/example.db")
    # the directory goes with the ledger: at close(), or when the ledger is collected
    ledger._owned_directory = weakref.finalize(ledger, shutil.rmtree, directory, True)
    steps = STAGES.index(stage)
    if steps >= 1:
        ledger.grant("ops", 100_000, period="2026-11", grant_id="g1")
    if steps >= 2:
        market = example_clearing()
        ledger.settle(market, "week-1", period="2026-11")
    if steps >= 3:
        ledger.hold(market.negotiations.row(0), hold_id="h1", timeout=3600, period="2026-11")
    return ledger
