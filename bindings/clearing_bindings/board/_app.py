"""A stand-alone board server, and the demo organisation that fills a board at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from clearing import OrderBook, clear, datasets

from ._routes import board_router
from ._state import BoardState

__all__ = ["board_app", "demo_board"]


def demo_board() -> BoardState:
    """A board showing the bundled organisation cleared, and one continuous IT market.

    Examples
    --------
    >>> board = demo_board()
    >>> sorted(s["service"] for s in board.snapshot()["services"])
    ['compliance', 'it', 'legal', 'payroll']
    """
    org = datasets.organisation()
    board = BoardState()
    board.record_clearing(clear(org.requests, org.offers, org.policy), offers=org.offers)
    book = OrderBook(tick_size=0.5)
    for side, price, quantity in [
        ("buy", 48.0, 5), ("buy", 47.5, 8), ("buy", 46.0, 3),
        ("sell", 49.0, 4), ("sell", 50.5, 6), ("sell", 52.0, 10),
    ]:  # fmt: skip
        book.limit(side, price, quantity)
    board.record_book("it_hours", book.depth(10))
    return board


def board_app(state: BoardState, *, tokens: Mapping[str, str | None] | None = None) -> Any:
    """A FastAPI application that serves ``state`` as the market board and nothing else."""
    app = FastAPI(title="clearing market board")
    app.include_router(board_router(state, tokens=tokens))
    return app
