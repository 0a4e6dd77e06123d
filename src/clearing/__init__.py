"""clearing: fast, validated clearing of internal markets.

The public surface is what ``__all__`` lists; everything in a ``_module`` is private.
"""

from __future__ import annotations

from .assignment import assign, assign_batch, linear_sum_assignment, transport
from .auction import MECHANISMS, double_auction, double_auction_batch
from .clear import clear
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
from .results import (
    AssignmentBatchResult,
    AssignmentResult,
    AuctionResult,
    BatchAuctionResult,
    BatchReport,
    BookDepth,
    BookSnapshot,
    Clearing,
    ExecutionReport,
    Fill,
    OrderReason,
    OrderState,
    Reason,
    RestingOrders,
    TransportResult,
    UncrossResult,
    UnmatchedReason,
)

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
