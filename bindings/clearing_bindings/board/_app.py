"""A stand-alone board server, and the demo organisation that fills a board at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from clearing import OrderBook, clear, datasets

from ._ledger import budgets_from_ledger
from ._routes import board_router
from ._state import BoardState
from ._tokens import Tokens

__all__ = ["board_app", "demo_board"]


DEMO_PERIOD = "2026-12"
DEMO_GRANT = 5_000.0  # budget of each team the policy sets none for, in currency units


def demo_board(*, ledger: Any = None, books: dict[str, OrderBook] | None = None) -> BoardState:
    """A board showing the bundled organisation cleared, and one continuous IT market.

    With a :class:`clearing.ledger.Ledger`, every team is granted its budget there (the
    policy's, else 5,000), the clearing is settled, the open negotiation holds its funds,
    and the board shows the budgets as the ledger holds them. With ``books`` (a service's
    order books, :attr:`clearing_bindings.ops.Engine.books`), the IT market's book is put
    there, so that orders sent to the service trade in it.

    Examples
    --------
    >>> board = demo_board()
    >>> sorted(s["service"] for s in board.snapshot()["services"])
    ['compliance', 'it', 'legal', 'payroll']
    """
    org = datasets.organisation()
    board = BoardState()
    result = clear(org.requests, org.offers, org.policy)
    board.record_clearing(result, offers=org.offers)
    if ledger is not None:
        scale = ledger.scale
        for team in sorted(set(org.requests["team"].tolist())):
            amount = org.policy.budgets.get(team, DEMO_GRANT)
            ledger.grant(team, round(amount * scale), period=DEMO_PERIOD, grant_id=f"demo/{team}")
        ledger.settle(result, "demo/1", period=DEMO_PERIOD)
        for i in range(len(result.negotiations)):
            row = result.negotiations.row(i)
            ledger.hold(row, hold_id=f"demo/hold/{row['request_id']}", period=DEMO_PERIOD)
        board.record_budgets(budgets_from_ledger(ledger))
    book = OrderBook(tick_size=0.5)
    for side, price, quantity in [
        ("buy", 48.0, 5), ("buy", 47.5, 8), ("buy", 46.0, 3),
        ("sell", 49.0, 4), ("sell", 50.5, 6), ("sell", 52.0, 10),
    ]:  # fmt: skip
        book.limit(side, price, quantity)
    board.record_book("it_hours", book.depth(10))
    if books is not None:
        books["it_hours"] = book
    return board


def board_app(state: BoardState, *, tokens: Mapping[str, str | None] | Tokens | None = None) -> Any:
    """A FastAPI application that serves ``state`` as the market board and nothing else."""
    app = FastAPI(title="clearing market board")
    app.include_router(board_router(state, tokens=tokens))
    return app
