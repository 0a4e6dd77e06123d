"""The market board: prices, volumes, depth, negotiations, budgets and ratings, live.

:class:`BoardState` holds what the board shows; :func:`board_router` serves it as a page
(``GET /board``), a snapshot (``GET /v1/board``) and a Server-Sent Events stream
(``GET /v1/board/events``) from any FastAPI application.
"""

from ._state import BoardState, Budget

__all__ = ["BoardState", "Budget", "board_router"]


def __getattr__(name: str) -> object:
    if name == "board_router":  # needs FastAPI (the [service] extra)
        from ._routes import board_router

        return board_router
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
