"""The continuous limit order book: price-time priority, batches, queries and the uncross."""

from __future__ import annotations

from .._public import export
from ._book import OrderBook
from ._reports import (
    BatchReport,
    BookDepth,
    BookSnapshot,
    ExecutionReport,
    Fill,
    OrderReason,
    OrderState,
    RestingOrders,
    UncrossResult,
)

__all__ = [
    "BatchReport",
    "BookDepth",
    "BookSnapshot",
    "ExecutionReport",
    "Fill",
    "OrderBook",
    "OrderReason",
    "OrderState",
    "RestingOrders",
    "UncrossResult",
]

export("clearing", globals(), __all__)
