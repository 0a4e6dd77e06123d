"""Call-market double auctions: the mechanisms, one market or many at once, and their results."""

from __future__ import annotations

from ._api import MECHANISMS, double_auction, double_auction_batch
from ._results import AuctionResult, BatchAuctionResult, Reason

__all__ = [
    "MECHANISMS",
    "AuctionResult",
    "BatchAuctionResult",
    "Reason",
    "double_auction",
    "double_auction_batch",
]
