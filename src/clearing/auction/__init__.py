"""Call-market double auctions: the mechanisms, one market or many at once, and their results."""

from __future__ import annotations

from .._public import export
from ._api import MECHANISMS, double_auction, double_auction_batch
from ._results import AuctionReason, AuctionResult, BatchAuctionResult

__all__ = [
    "MECHANISMS",
    "AuctionReason",
    "AuctionResult",
    "BatchAuctionResult",
    "double_auction",
    "double_auction_batch",
]

export("clearing", globals(), __all__)
