"""Exceptions raised by :mod:`clearing`.

The tree::

    ClearingError
    ├── InputError (also ValueError)        bad argument: dtype, shape, NaN, negative quantity...
    ├── InfeasibleError (also ValueError)   the problem has no feasible solution
    ├── PolicyError (also ValueError)       a guard-rail policy is malformed or contradictory
    └── LedgerError
        ├── InsufficientFunds
        ├── DuplicateSettlement
        └── UnbalancedPosting

``InputError`` and ``InfeasibleError`` derive from :class:`ValueError`, so code written
against :func:`scipy.optimize.linear_sum_assignment` keeps catching what it caught before.
Every exception carries keyword-only context attributes: ``argument`` (the parameter name),
``index`` (the first offending position, or ``None``) and ``value`` (what was found there).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClearingError",
    "DuplicateSettlement",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "PolicyError",
    "UnbalancedPosting",
]


class ClearingError(Exception):
    """Base class of every error raised on purpose by :mod:`clearing`."""

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        index: Any = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.index = index
        self.value = value


class InputError(ClearingError, ValueError):
    """An argument has the wrong type, shape or dtype, or holds a forbidden value."""


class InfeasibleError(ClearingError, ValueError):
    """The problem is well formed but has no feasible solution."""


class PolicyError(ClearingError, ValueError):
    """A guard-rail policy is malformed, names something unknown, or contradicts itself."""


class LedgerError(ClearingError):
    """A ledger operation was refused; the ledger is left unchanged."""


class InsufficientFunds(LedgerError):
    """A debit would take an account below its allowed balance."""


class DuplicateSettlement(LedgerError):
    """The same settlement key was posted twice."""


class UnbalancedPosting(LedgerError):
    """A double-entry posting whose debits and credits differ."""
