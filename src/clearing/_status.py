"""Kernel codes, one registry per domain, and the one table that maps each to an outcome.

Kernels never raise on user data: they return a status or write a code per order, and the
wrapper turns each code into an exception or into a status field of the result. Every code
a kernel can produce is a member of one of the :class:`~enum.IntEnum` registries below, and
:data:`OUTCOMES` says what becomes of it: an exception class from :mod:`clearing.errors`, or
the name of the result status it is reported as (a member of the public enum named there).

A domain may have several channels (a returned status and a per-order code, say) whose
integer values overlap; each channel is its own enum, so the table is keyed by the enum
member itself, class included.

=====================  ==========================================================
registry               produced by
=====================  ==========================================================
:class:`AuctionCode`   the call-market kernels, per order (``_kernels.auction``)
:class:`AssignStatus`  ``lap_dense`` (returned)
:class:`SurplusCheck`  ``surplus_rows``, ``surplus_csr``, the ``assign_batch_*`` kernels
:class:`AssignReason`  the surplus kernels and the ``assign_batch_*`` kernels, per request
:class:`BookStateCode`     the order book's ``process_event`` (first field returned)
:class:`BookReason`    the order book's ``process_event`` (second field returned)
:class:`MarketCode`  the façade's routes, per unserved row of ``Clearing.unmatched``
=====================  ==========================================================

``tests/test_status.py`` checks that the registries agree with the kernels' constants,
that every member has an outcome, and that every code is produced by some input.

Examples
--------
>>> from clearing._status import SurplusCheck, outcome
>>> outcome(SurplusCheck.SURPLUS_TOO_LARGE).__name__
'InputError'
>>> from clearing._status import BookReason
>>> outcome(BookReason.DUPLICATE_ID)
'OrderReason.DUPLICATE_ID'
"""

from __future__ import annotations

import enum

from .errors import ClearingError, InfeasibleError, InputError

Outcome = type[ClearingError] | str | None


class AuctionCode(enum.IntEnum):
    """Why an order of a call market is not, or only partly, filled (per order)."""

    FILLED = 0
    PRICED_OUT = 1
    TRADE_REDUCTION = 2
    LOTTERY = 3
    PRICE_SETTER = 4
    RATIONED = 5
    ZERO_QUANTITY = 6


class AssignStatus(enum.IntEnum):
    """What the dense assignment solver returns (the sparse and transport kernels return
    none: every instance of theirs is feasible)."""

    OK = 0
    INFEASIBLE = 1  #: no complete assignment over the allowed pairs (``lap_dense``)


class SurplusCheck(enum.IntEnum):
    """The first invalid entry the surplus pass met (returned with its flat index)."""

    OK = 0
    NAN_VALUE = 1
    POSINF_VALUE = 2
    NAN_COST = 3  #: cost entries are checked when converted; the pass checks again
    NEGINF_COST = 4
    SURPLUS_TOO_LARGE = 5  #: an allowed pair's ``value - cost`` above ``SURPLUS_LIMIT``


class AssignReason(enum.IntEnum):
    """Why a request stays unmatched (per request; 0 once it is matched)."""

    MATCHED = 0
    NO_ELIGIBLE_PROVIDER = 1
    NEGATIVE_SURPLUS = 2
    LOST_TO_COMPETITION = 3


class BookStateCode(enum.IntEnum):
    """The state of an order after an event, as the book kernel returns it."""

    NEED_SPACE = -1  #: internal: the wrapper grows the book's arrays and sends the event again
    RESTING = 0
    FILLED = 1
    CANCELLED = 2
    EXPIRED = 3
    REJECTED = 4


class BookReason(enum.IntEnum):
    """Why an order ended in its state, as the book kernel returns it."""

    NONE = 0
    DUPLICATE_ID = 1
    UNKNOWN_ID = 2
    BAD_QUANTITY = 3  #: internal: the wrapper raises (a reduce by 0, say)
    BAD_EVENT = 4  #: internal: an unknown kind, side or time in force; the wrapper raises
    SELF_TRADE = 5
    NOT_FILLABLE = 6
    # 7 (``UNCROSS`` in the kernel and in OrderReason) is produced by no kernel: the
    # remainders uncross cancels are listed in UncrossResult.cancelled_order instead
    CALL_PHASE = 8
    BAD_PRICE = 9  #: internal: off the tick grid or out of range; the wrapper raises


class MarketCode(enum.IntEnum):
    """Why units stay unserved in :func:`clearing.clear` (the ``reason`` column's codes)."""

    FORBIDDEN = 1
    MANDATORY_PROVIDER = 2
    EXTERNAL_NOT_ALLOWED = 3
    MIN_QUALITY = 4
    PRICE_CAP = 5
    PRICE_FLOOR = 6
    NO_ELIGIBLE_OFFER = 7
    NO_OFFER = 8
    NO_DEMAND = 9
    BUDGET = 10
    CONCENTRATION_CAP = 11
    PRICED_OUT = 12
    TRADE_REDUCTION = 13
    LOTTERY = 14
    PRICE_SETTER = 15
    RATIONED = 16
    OUTCOMPETED = 17
    # 18 (``no_eligible_request`` in clearing.policy's table of sentences) is produced by
    # no route: an offer no request may use is reported as priced out
    MARGINAL = 19


Key = tuple[type[enum.IntEnum], int]


def _key(member: enum.IntEnum) -> Key:
    # IntEnum members of different registries compare (and hash) equal when their values
    # do, so the table is keyed by (registry, value)
    return type(member), int(member)


def _reported(enum_name: str, codes: type[enum.IntEnum]) -> dict[Key, Outcome]:
    """Each member reported as the member of the same name of the public enum ``enum_name``."""
    return {_key(member): f"{enum_name}.{member.name}" for member in codes}


def _raised(error: type[ClearingError] | None, *members: enum.IntEnum) -> dict[Key, Outcome]:
    return {_key(member): error for member in members}


# The one table. A string names the public status a code is reported as (checked against
# the public enums by tests/test_status.py); ``None`` is success with nothing to report,
# or an internal code the wrapper acts on (it grows the book and sends the event again).
OUTCOMES: dict[Key, Outcome] = {
    **_reported("AuctionReason", AuctionCode),
    **_raised(None, AssignStatus.OK),
    **_raised(InfeasibleError, AssignStatus.INFEASIBLE),
    **_raised(None, SurplusCheck.OK),
    **_raised(InputError, *list(SurplusCheck)[1:]),
    **_reported("AssignmentReason", AssignReason),
    **_reported("OrderState", BookStateCode),
    **_raised(None, BookStateCode.NEED_SPACE),
    **_reported("OrderReason", BookReason),
    # the wrappers check these events again and raise the converters' own message
    **_raised(InputError, BookReason.BAD_QUANTITY, BookReason.BAD_EVENT, BookReason.BAD_PRICE),
    **{_key(member): f"reason:{member.name.lower()}" for member in MarketCode},
}


def outcome(member: enum.IntEnum) -> Outcome:
    """What becomes of a kernel code: an exception class, a status name, or ``None``.

    Parameters
    ----------
    member : IntEnum
        A member of one of the registries of this module.

    Returns
    -------
    type or str or None
        The exception class the wrapper raises, the name of the result status the code
        is reported as, or ``None`` (success, or an internal code the wrapper handles).

    Examples
    --------
    >>> from clearing._status import AssignStatus, outcome
    >>> outcome(AssignStatus.INFEASIBLE).__name__
    'InfeasibleError'
    """
    return OUTCOMES[_key(member)]


def raise_for_status(
    status: int,
    function: str,
    message: str = "",
    *,
    codes: type[enum.IntEnum] = AssignStatus,
    argument: str | None = None,
) -> None:
    """Raise the exception mapped to a kernel ``status`` of registry ``codes``.

    Parameters
    ----------
    status : int
        What the kernel returned.
    function : str
        The public function's name, the start of the message.
    message : str, optional
        The rest of the message (default: the code's name).
    codes : IntEnum subclass, optional
        The registry ``status`` belongs to (default :class:`AssignStatus`).
    argument : str, optional
        The argument the error is about.

    Raises
    ------
    ClearingError
        The subclass :data:`OUTCOMES` maps the code to.
    RuntimeError
        For a code outside the registry (a bug in a kernel, not in the input).

    Examples
    --------
    >>> from clearing._status import AssignStatus, raise_for_status
    >>> raise_for_status(AssignStatus.OK, "transport")
    >>> raise_for_status(1, "assign", "no complete assignment", argument="value")
    Traceback (most recent call last):
    ...
    clearing.InfeasibleError: assign: no complete assignment
    """
    try:
        error = outcome(codes(status))
    except (KeyError, ValueError):
        raise RuntimeError(f"{function}: kernel returned unknown status {status}") from None
    if isinstance(error, type):
        text = message or f"kernel reported {codes(status).name}"
        raise error(f"{function}: {text}", argument=argument)
