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
    """Base class of every error raised on purpose by :mod:`clearing`.

    Examples
    --------
    >>> import clearing
    >>> try:
    ...     clearing.double_auction([10.0, float("nan")], [1, 1], [5.0], [1])
    ... except clearing.ClearingError as error:
    ...     print(type(error).__name__, error.argument, error.index)
    InputError bid_prices 1
    """

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
    """An argument has the wrong type, shape or dtype, or holds a forbidden value.

    Examples
    --------
    >>> import clearing
    >>> try:
    ...     clearing.assign([[1.0, 2.0]], cost=[1.0, 2.0, 3.0])
    ... except ValueError as error:  # an InputError is also a ValueError
    ...     print(error.argument)
    cost
    """


class InfeasibleError(ClearingError, ValueError):
    """The problem is well formed but has no feasible solution.

    Examples
    --------
    >>> import numpy as np
    >>> import clearing
    >>> try:
    ...     clearing.linear_sum_assignment([[1.0, np.inf], [2.0, np.inf]])
    ... except clearing.InfeasibleError as error:
    ...     print(error.argument)
    cost_matrix
    """


class PolicyError(ClearingError, ValueError):
    """A guard-rail policy is malformed, names something unknown, or contradicts itself.

    Examples
    --------
    >>> import clearing
    >>> try:
    ...     clearing.Policy(budgets={"sales": -5.0})
    ... except clearing.PolicyError as error:
    ...     print(error.argument)
    budgets.sales
    """


class LedgerError(ClearingError):
    """A ledger operation was refused; the ledger is left unchanged.

    Examples
    --------
    >>> from clearing.ledger import Ledger, LedgerError
    >>> ledger = Ledger.example("empty")
    >>> try:
    ...     ledger.open_account("x", kind="bank")
    ... except LedgerError as error:
    ...     print(error.argument)
    kind
    """


class InsufficientFunds(LedgerError):
    """A debit would take an account below its allowed balance.

    ``account``, ``amount`` and ``available`` (minor units) say which account, how much it
    would be debited and what it has.

    Examples
    --------
    >>> from clearing.ledger import InsufficientFunds, Ledger
    >>> ledger = Ledger.example("funded")  # team 'ops' has 100,000
    >>> try:
    ...     ledger.post("p1", {"team:ops": -500_000, "market": 500_000})
    ... except InsufficientFunds as error:
    ...     print(error.account, error.amount, error.available)
    team:ops 500000 100000
    """

    account: Any = None
    amount: Any = None
    available: Any = None


class DuplicateSettlement(LedgerError):
    """An id (settlement, grant, hold, incident) was used before for different content.

    Examples
    --------
    >>> from clearing.ledger import DuplicateSettlement, Ledger
    >>> ledger = Ledger.example("empty")
    >>> ledger.grant("sales", 100, grant_id="g1")
    'g1'
    >>> ledger.grant("sales", 100, grant_id="g1")  # the same content: a replay
    'g1'
    >>> try:
    ...     ledger.grant("sales", 999, grant_id="g1")
    ... except DuplicateSettlement as error:
    ...     print(error.argument)
    grant_id
    """


class UnbalancedPosting(LedgerError):
    """A double-entry posting whose debits and credits differ.

    Examples
    --------
    >>> from clearing.ledger import Ledger, UnbalancedPosting
    >>> ledger = Ledger.example("empty")
    >>> try:
    ...     ledger.post("p1", {"treasury": -5, "market": 4})
    ... except UnbalancedPosting as error:
    ...     print(error.value)
    -1
    """


class UnknownAccount(LedgerError):
    """No account, settlement, hold or allocation has the given name or id.

    Examples
    --------
    >>> from clearing.ledger import Ledger, UnknownAccount
    >>> ledger = Ledger.example("empty")
    >>> try:
    ...     ledger.statement("team:nobody")
    ... except UnknownAccount as error:
    ...     print(error.argument)
    account
    """


class InvalidAmount(LedgerError, ValueError):
    """An amount is NaN, infinite, negative, fractional in minor units, or too large.

    Examples
    --------
    >>> from clearing.ledger import InvalidAmount, Ledger
    >>> ledger = Ledger.example("empty")
    >>> try:
    ...     ledger.grant("sales", -1)
    ... except InvalidAmount as error:
    ...     print(error.argument, error.value)
    amount -1
    """


class HoldClosed(LedgerError):
    """A hold was already posted, voided or expired: it can be resolved at most once.

    Examples
    --------
    >>> from clearing.ledger import HoldClosed, Ledger
    >>> ledger = Ledger.example("held")  # hold 'h1' is pending
    >>> ledger.walk_away("h1")
    24000
    >>> try:
    ...     ledger.agree("h1", 50.0, 4.0)
    ... except HoldClosed as error:
    ...     print(error.argument, error.value)
    hold_id h1
    """


class SchemaMismatch(LedgerError):
    """The database holds a schema version this library does not read.

    Examples
    --------
    >>> from clearing.errors import LedgerError, SchemaMismatch
    >>> from clearing.ledger import SCHEMA_VERSION
    >>> issubclass(SchemaMismatch, LedgerError), SCHEMA_VERSION >= 1
    (True, True)
    """
