"""clearing: fast, validated clearing of internal markets.

The public surface is what ``__all__`` lists; everything in a ``_module`` is private.
"""

from __future__ import annotations

from ._auction_results import AuctionResult, BatchAuctionResult, Reason
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

__version__ = "0.1.0"

__all__ = [
    "MECHANISMS",
    "AssignmentBatchResult",
    "AssignmentResult",
    "AuctionResult",
    "BatchAuctionResult",
    "ClearingError",
    "DuplicateSettlement",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "PolicyError",
    "Reason",
    "TransportResult",
    "UnbalancedPosting",
    "UnmatchedReason",
    "__version__",
    "assign",
    "assign_batch",
    "double_auction",
    "double_auction_batch",
    "linear_sum_assignment",
    "transport",
]
