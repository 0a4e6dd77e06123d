"""clearing: fast, validated clearing of internal markets.

The public surface is what ``__all__`` lists; everything in a ``_module`` is private.
"""

from __future__ import annotations

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
    "ClearingError",
    "DuplicateSettlement",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "PolicyError",
    "UnbalancedPosting",
    "__version__",
]
