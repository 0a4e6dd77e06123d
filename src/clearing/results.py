"""Public home of every result class and reason enum; each is defined next to its function."""

from __future__ import annotations

from .assignment._results import (
    AssignmentBatchResult,
    AssignmentReason,
    AssignmentResult,
    TransportResult,
)
from .auction._results import AuctionReason, AuctionResult, BatchAuctionResult
from .market._clear import Clearing
from .orderbook._reports import (
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
from .policy._explain import MarketReason

__all__ = [
    "AssignmentBatchResult",
    "AssignmentReason",
    "AssignmentResult",
    "AuctionReason",
    "AuctionResult",
    "BatchAuctionResult",
    "BatchReport",
    "BookDepth",
    "BookSnapshot",
    "Clearing",
    "ExecutionReport",
    "Fill",
    "MarketReason",
    "OrderReason",
    "OrderState",
    "RestingOrders",
    "TransportResult",
    "UncrossResult",
]
