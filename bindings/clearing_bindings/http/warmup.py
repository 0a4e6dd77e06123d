"""Compile (or load from numba's cache) every kernel the service uses, before serving.

Each op of the schema runs once on a tiny input through a scratch
:class:`~clearing_bindings.ops.Engine`, so the service's own order books stay empty.
"""

from __future__ import annotations

import time

from clearing import MECHANISMS

from ..ops import Engine

__all__ = ["warm"]

_REQUESTS = {
    "request_id": ["r1", "r2", "r3"],
    "team": ["a", "b", "a"],
    "service": ["legal", "legal", "it"],
    "quantity": [2, 1, 1],
    "max_price": [100, 90, 50],
    "quality_weight": [0, 0, 2],
}
_OFFERS = {
    "offer_id": ["o1", "o2", "o3"],
    "provider": ["p", "q", "r"],
    "service": ["legal", "legal", "it"],
    "capacity": [2, 2, 1],
    "ask": [60, 70, 30],
    "quality": [4, 3, 5],
}


def warm() -> float:
    """Run every op once on a tiny input; return the seconds it took."""
    start = time.perf_counter()
    e = Engine()
    for mechanism in MECHANISMS:
        e.run(
            "auction",
            {
                "bid_prices": [10, 9, 8],
                "bid_quantities": [1, 1, 1],
                "ask_prices": [1, 2, 9],
                "ask_quantities": [1, 1, 1],
                "mechanism": mechanism,
                "rng": 0,
            },
        )
    value = [[9.0, 6.0], [8.0, 7.0], [5.0, 4.0]]
    for prices in ("min", "both"):
        e.run("assign", {"value": value, "cost": [1.0, 1.0], "prices": prices})
        e.run(
            "transport", {"value": value, "demand": [2, 1, 1], "capacity": [2, 1], "prices": prices}
        )
    for mechanism in ("uniform", "mcafee"):
        e.run(
            "clear", {"requests": dict(_REQUESTS), "offers": dict(_OFFERS), "mechanism": mechanism}
        )
    e.run("book.limit", {"market": "w", "side": "sell", "price": 10, "quantity": 2, "order_id": 1})
    e.run("book.limit", {"market": "w", "side": "buy", "price": 11, "quantity": 1})
    e.run("book.market", {"market": "w", "side": "buy", "quantity": 1})
    e.run("book.limit", {"market": "w", "side": "sell", "price": 12, "quantity": 2, "order_id": 3})
    e.run("book.reduce", {"market": "w", "order_id": 3, "quantity": 1})
    e.run("book.cancel", {"market": "w", "order_id": 3})
    e.run("book.depth", {"market": "w"})
    return time.perf_counter() - start
