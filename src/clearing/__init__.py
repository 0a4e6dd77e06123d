"""clearing: fast, validated clearing of internal markets.

The public surface is what ``__all__`` lists; everything in a ``_module`` is private.

Names are loaded on first use (as in scientific Python's SPEC 1): ``import clearing`` costs
the errors module only, and ``clearing.double_auction`` then imports the auction layer
alone, so a short-lived process that clears one market does not pay for the order book or
the assignment solvers.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

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

if _typing.TYPE_CHECKING:  # what __getattr__ below loads, for type checkers and editors
    from ._warmup import warmup
    from .assignment import *  # noqa: F403
    from .auction import *  # noqa: F403
    from .market import *  # noqa: F403
    from .orderbook import *  # noqa: F403
    from .policy import Policy

__version__ = "0.1.0"

# the errors imported above carry the package's name; the ledger's own stay clearing.errors
for _error in [v for v in globals().values() if isinstance(v, type)]:
    _error.__module__ = "clearing"
del _error

# Where each name loaded on first use lives; the first use of one loads its whole module.
_LAZY = {
    "AssignmentBatchResult": ".assignment",
    "AssignmentResult": ".assignment",
    "TransportResult": ".assignment",
    "AssignmentReason": ".assignment",
    "assign": ".assignment",
    "assign_batch": ".assignment",
    "linear_sum_assignment": ".assignment",
    "transport": ".assignment",
    "MECHANISMS": ".auction",
    "AuctionResult": ".auction",
    "BatchAuctionResult": ".auction",
    "AuctionReason": ".auction",
    "double_auction": ".auction",
    "double_auction_batch": ".auction",
    "BatchReport": ".orderbook",
    "BookDepth": ".orderbook",
    "BookSnapshot": ".orderbook",
    "ExecutionReport": ".orderbook",
    "Fill": ".orderbook",
    "OrderBook": ".orderbook",
    "OrderReason": ".orderbook",
    "OrderState": ".orderbook",
    "RestingOrders": ".orderbook",
    "UncrossResult": ".orderbook",
    "Clearing": ".market",
    "MarketReason": ".market",
    "clear": ".market",
    "Policy": ".policy",
    "warmup": "._warmup",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clearing' has no attribute {name!r}")
    loaded = _importlib.import_module(module, __name__)
    for public, home in _LAZY.items():  # later lookups of these skip this function
        if home == module:
            globals()[public] = getattr(loaded, public)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "MECHANISMS",
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
    "ClearingError",
    "DuplicateSettlement",
    "ExecutionReport",
    "Fill",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "MarketReason",
    "OrderBook",
    "OrderReason",
    "OrderState",
    "Policy",
    "PolicyError",
    "RestingOrders",
    "TransportResult",
    "UnbalancedPosting",
    "UncrossResult",
    "__version__",
    "assign",
    "assign_batch",
    "clear",
    "double_auction",
    "double_auction_batch",
    "linear_sum_assignment",
    "transport",
    "warmup",
]
