"""Public home of every result class; each is defined next to the function that returns it."""

from __future__ import annotations

from ._assignment_results import (
    AssignmentBatchResult,
    AssignmentResult,
    TransportResult,
    UnmatchedReason,
)
from ._auction_results import AuctionResult, BatchAuctionResult, Reason
from ._clear import Clearing
from ._orderbook_reports import (
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
    "AssignmentBatchResult",
    "AssignmentResult",
    "AuctionResult",
    "BatchAuctionResult",
    "BatchReport",
    "BookDepth",
    "BookSnapshot",
    "Clearing",
    "ExecutionReport",
    "Fill",
    "OrderReason",
    "OrderState",
    "Reason",
    "RestingOrders",
    "TransportResult",
    "UncrossResult",
    "UnmatchedReason",
]
