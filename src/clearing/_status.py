"""Kernel status codes and the one table that maps each to an outcome.

Kernels never raise on user data; they return one of these integers and the wrapper turns it
into an exception (or, for :data:`OK`, into a result). ``tests/test_status.py`` checks that
every code defined here is mapped.
"""

from __future__ import annotations

from .errors import ClearingError, InfeasibleError, InputError

OK = 0
INFEASIBLE = 1
INVALID = 2
CAPACITY_EXCEEDED = 3

STATUS_ERRORS: dict[int, type[ClearingError] | None] = {
    OK: None,
    INFEASIBLE: InfeasibleError,
    INVALID: InputError,
    CAPACITY_EXCEEDED: InputError,
}


def raise_for_status(status: int, function: str, message: str = "") -> None:
    """Raise the exception mapped to a kernel ``status`` (nothing for :data:`OK`)."""
    try:
        error = STATUS_ERRORS[status]
    except KeyError:
        raise RuntimeError(f"{function}: kernel returned unknown status {status}") from None
    if error is not None:
        raise error(f"{function}: {message or 'kernel reported status ' + str(status)}")
