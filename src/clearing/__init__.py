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

_HOME = {
    ".assignment": [
        "AssignmentBatchResult",
        "AssignmentResult",
        "TransportResult",
        "AssignmentReason",
        "assign",
        "assign_batch",
        "linear_sum_assignment",
        "transport",
    ],
    ".auction": [
        "MECHANISMS",
        "AuctionResult",
        "BatchAuctionResult",
        "AuctionReason",
        "double_auction",
        "double_auction_batch",
    ],
    ".orderbook": [
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
    ],
    ".market": ["Clearing", "MarketReason", "clear"],
    ".policy": ["Policy"],
    "._warmup": ["warmup"],
}
_LAZY = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clearing' has no attribute {name!r}")
    loaded = _importlib.import_module(module, __name__)
    for public in _HOME[module]:  # later lookups skip this function
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
