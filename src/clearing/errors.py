"""Exceptions raised by :mod:`clearing`.

The tree::

    ClearingError
    ├── InputError (also ValueError)        bad argument: dtype, shape, NaN, negative quantity...
    ├── InfeasibleError (also ValueError)   the problem has no feasible solution
    ├── PolicyError (also ValueError)       a guard-rail policy is malformed or contradictory
    └── LedgerError
        ├── InsufficientFunds
        ├── DuplicateSettlement              an id reused for different content
        ├── UnbalancedPosting
        ├── UnknownAccount                   no such account (or settlement, hold, allocation)
        ├── InvalidAmount (also ValueError)  NaN, infinite, negative or too large an amount
        ├── HoldClosed                       a hold already posted, voided or expired
        └── SchemaMismatch                   the database was written by another schema version

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
    "HoldClosed",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "InvalidAmount",
    "LedgerError",
    "PolicyError",
    "SchemaMismatch",
    "UnbalancedPosting",
    "UnknownAccount",
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
    """A debit would take an account below its allowed balance.

    ``account``, ``amount`` and ``available`` (minor units) say which account, how much it
    would be debited and what it has.
    """

    account: Any = None
    amount: Any = None
    available: Any = None


class DuplicateSettlement(LedgerError):
    """An id (settlement, grant, hold, incident) was used before for different content."""


class UnbalancedPosting(LedgerError):
    """A double-entry posting whose debits and credits differ."""


class UnknownAccount(LedgerError):
    """No account, settlement, hold or allocation has the given name or id."""


class InvalidAmount(LedgerError, ValueError):
    """An amount is NaN, infinite, negative, fractional in minor units, or too large."""


class HoldClosed(LedgerError):
    """A hold was already posted, voided or expired: it can be resolved at most once."""


class SchemaMismatch(LedgerError):
    """The database holds a schema version this library does not read."""


# the errors :mod:`clearing` exports carry its name; the ledger's own ones stay here
_EXPORTED: tuple[type[ClearingError], ...] = (
    ClearingError,
    DuplicateSettlement,
    InfeasibleError,
    InputError,
    InsufficientFunds,
    LedgerError,
    PolicyError,
    UnbalancedPosting,
)
for _cls in _EXPORTED:
    _cls.__module__ = "clearing"
