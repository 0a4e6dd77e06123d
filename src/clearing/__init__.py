"""clearing: fast, validated clearing of internal markets.

The public surface is what ``__all__`` lists; everything in a ``_module`` is private.
"""

from __future__ import annotations

from ._auction_results import AuctionResult, BatchAuctionResult, Reason
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
from .assignment import (
    AssignmentBatchResult,
    AssignmentResult,
    TransportResult,
    UnmatchedReason,
    assign,
    assign_batch,
    linear_sum_assignment,
    transport,
)
from .auction import MECHANISMS, double_auction, double_auction_batch
from .clear import Clearing, clear
from .errors import (
    ClearingError,
    DuplicateSettlement,
    InfeasibleError,
    InputError,
    InsufficientFunds,
    LedgerError,
    PolicyError,
    UnbalancedPosting,
)
from .orderbook import OrderBook
from .policy import Policy

__version__ = "0.1.0"

__all__ = [
    "MECHANISMS",
    "AssignmentBatchResult",
    "AssignmentResult",
    "AuctionResult",
    "BatchAuctionResult",
    "BatchReport",
    "BookDepth",
    "BookSnapshot",
    "Clearing",
    "ClearingError",
    "DuplicateSettlement",
    "ExecutionReport",
    "Fill",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "OrderBook",
    "OrderReason",
    "OrderState",
    "Policy",
    "PolicyError",
    "Reason",
    "RestingOrders",
    "TransportResult",
    "UnbalancedPosting",
    "UncrossResult",
    "UnmatchedReason",
    "__version__",
    "assign",
    "assign_batch",
    "clear",
    "double_auction",
    "double_auction_batch",
    "linear_sum_assignment",
    "transport",
]
