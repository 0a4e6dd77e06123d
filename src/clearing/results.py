"""Public home of the result classes (defined next to the functions that return them)."""

from __future__ import annotations

from ._auction_results import AuctionResult, BatchAuctionResult, Reason

__all__ = ["AuctionResult", "BatchAuctionResult", "Reason"]
