"""All input checking for the public API.

Each converter takes any array-like, returns a C-contiguous array of the dtype the kernels
expect (float64 for prices and quantities, int64 for ids) and raises :class:`InputError`
whose message names the function, the argument, the first offending index and how many
entries are bad.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_NUMERIC_KINDS = "biuf"
_REAL_SCALARS = (int, float, np.bool_, np.integer, np.floating)  # bool is an int

#: The largest magnitude of a price, and of a side's total quantity and total value
#: (``sum |price| * quantity``), that the call markets accept: every figure they compute
#: (welfare, surplus, midpoints, clearing ranges) then stays finite.
TOTAL_LIMIT = 1e300


def is_real(x: Any) -> bool:
    """True for a real number: bool, int or float of any width (numpy's too), never a
    str, complex, datetime or timedelta (numpy's ``timedelta64`` is an integer subclass)."""
    return isinstance(x, _REAL_SCALARS) and not isinstance(x, np.timedelta64)


def real_objects(arr: np.ndarray, *, allow_none: bool = False) -> bool:
    """True if every entry of the object array ``arr`` is a real number (or ``None``)."""
    return all(is_real(x) or (allow_none and x is None) for x in arr.ravel().tolist())


def _index_repr(index: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in index)


def first_bad(fn: str, name: str, values: np.ndarray, bad: np.ndarray, what: str) -> None:
    """Raise :class:`InputError` at the first ``True`` of ``bad`` (same shape as ``values``)."""
    count = int(np.count_nonzero(bad))
    if count == 0:
        return
    flat = int(np.flatnonzero(bad.ravel())[0])
    index = tuple(int(i) for i in np.unravel_index(flat, bad.shape))
    value = values[index] if values.ndim else values[()]
    if isinstance(value, np.generic):  # an object array holds Python objects already
        value = value.item()
    plural = "entry" if count == 1 else "entries"
    raise InputError(
        f"{fn}: {name}[{_index_repr(index)}] is {value!r}; {what} ({count} bad {plural})",
        argument=name,
        index=index[0] if len(index) == 1 else index,
        value=value,
    )


def as_numeric(x: Any, name: str, fn: str, ndim: int | None) -> np.ndarray:
    """Convert ``x`` to a numeric array of exactly ``ndim`` dimensions (any when ``None``).

    The dtype is kept, except that an object array whose entries are all real numbers
    becomes float64; any other entry (a string, a date, ``None``, a complex number) is an
    error, as it is in a list.
    """
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"{fn}: {name} is not array-like ({exc})", argument=name) from None
    if arr.dtype.kind == "O":
        if not real_objects(arr):
            bad = next(e for e in arr.ravel().tolist() if not is_real(e))
            raise InputError(
                f"{fn}: {name} must hold numbers (bool, int or float), got dtype object "
                f"holding {type(bad).__name__} {bad!r}",
                argument=name,
                value=bad,
            )
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InputError(
                f"{fn}: {name} must hold numbers that fit in float64", argument=name
            ) from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise InputError(
            f"{fn}: {name} must hold numbers (bool, int or float), got dtype {arr.dtype}",
            argument=name,
        )
    if ndim is not None and arr.ndim != ndim:
        raise InputError(
            f"{fn}: {name} must be {ndim}-D, got {arr.ndim}-D array of shape {arr.shape}",
            argument=name,
        )
    return arr


def _all_finite(arr: np.ndarray) -> bool:
    """True if ``arr`` holds no NaN and no infinity, in one pass without temporaries.

    A NaN or an infinity makes the sum non-finite, so a finite sum proves there is none. A
    sum that overflows (or meets both infinities) says nothing and gives ``False``: the
    caller's exact checks decide then. Those cases warn in numpy; the warning is not the
    user's business, so it is silenced.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.add.reduce(arr, axis=None)))


def as_float(
    x: Any,
    name: str,
    fn: str,
    *,
    ndim: int = 1,
    allow_posinf: bool = False,
    allow_neginf: bool = False,
) -> FloatArray:
    """A C-contiguous float64 array; NaN is always an error, infinities only when allowed."""
    arr = np.ascontiguousarray(as_numeric(x, name, fn, ndim), dtype=np.float64)
    if arr.size and not _all_finite(arr):
        first_bad(fn, name, arr, np.isnan(arr), "NaN is not allowed")
        if not allow_posinf:
            first_bad(fn, name, arr, np.isposinf(arr), "+inf is not allowed")
        if not allow_neginf:
            first_bad(fn, name, arr, np.isneginf(arr), "-inf is not allowed")
    return arr


def as_quantity(x: Any, name: str, fn: str, *, whole: bool = False, ndim: int = 1) -> FloatArray:
    """Finite, non-negative quantities as float64; ``whole=True`` also requires integers."""
    arr = as_float(x, name, fn, ndim=ndim)
    if arr.size:
        if arr.min() < 0:
            first_bad(fn, name, arr, arr < 0, "quantities must be >= 0")
        if whole:
            first_bad(fn, name, arr, arr != np.floor(arr), "this mechanism trades whole units only")
    return arr


def as_int(x: Any, name: str, fn: str, *, ndim: int = 1) -> IntArray:
    """Integer ids as int64; floats are accepted only when they hold whole numbers."""
    arr = as_numeric(x, name, fn, ndim)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64, copy=False)  # float16 cannot even hold the bound 2**62
        if arr.size:
            first_bad(fn, name, arr, ~np.isfinite(arr), "ids must be finite integers")
            first_bad(fn, name, arr, arr != np.floor(arr), "ids must be integers")
            first_bad(fn, name, arr, np.abs(arr) > 2**62, "ids must fit in int64")
    elif arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        first_bad(fn, name, arr, arr > np.iinfo(np.int64).max, "ids must fit in int64")
    return np.ascontiguousarray(arr, dtype=np.int64)


def same_length(fn: str, arrays: Sequence[tuple[str, np.ndarray]]) -> int:
    """Check that all 1-D ``arrays`` have the length of the first one; return it."""
    first_name, first = arrays[0]
    n = len(first)
    for name, arr in arrays[1:]:
        if len(arr) != n:
            raise InputError(
                f"{fn}: {name} has length {len(arr)} but {first_name} has length {n}",
                argument=name,
            )
    return n


def choice(fn: str, name: str, value: Any, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of ``choices``; the message lists the valid ones."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise InputError(
            f"{fn}: unknown {name} {value!r}; expected one of {', '.join(map(repr, options))}",
            argument=name,
            value=value,
        )
    return value


def in_unit_interval(fn: str, name: str, value: Any) -> float:
    """A real number in [0, 1]."""
    if not is_real(value):
        raise InputError(
            f"{fn}: {name} must be a number in [0, 1], got {value!r}", argument=name, value=value
        )
    if not 0 <= value <= 1:  # compared before float(): a huge int is out of range, not an error
        raise InputError(
            f"{fn}: {name} must be in [0, 1], got {value!r}", argument=name, value=value
        )
    return float(value)


def as_rng(rng: Any, fn: str) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``None``, an int seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (
        isinstance(rng, int | np.integer) and not isinstance(rng, bool | np.timedelta64)
    ):
        if rng is not None and rng < 0:
            raise InputError(f"{fn}: rng seed must be >= 0, got {rng!r}", argument="rng", value=rng)
        return np.random.default_rng(None if rng is None else int(rng))
    raise InputError(
        f"{fn}: rng must be None, an int seed or a numpy.random.Generator, got {type(rng)}",
        argument="rng",
    )


def check_totals(fn: str, price_name: str, qty_name: str, prices: Any, quantities: Any) -> None:
    """Raise :class:`InputError` unless one side of a market stays within
    :data:`TOTAL_LIMIT`: every ``|price|``, the total quantity and the total value
    ``sum |price| * quantity``. Both arrays are finite float64 of the same length."""
    if not prices.size:
        return
    top = max(-float(prices.min()), float(prices.max()))
    if top > TOTAL_LIMIT:
        first_bad(
            fn, price_name, prices, np.abs(prices) > TOTAL_LIMIT,
            f"prices must lie within +-{TOTAL_LIMIT:g}",
        )  # fmt: skip
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.add.reduce(quantities))
        value = top * total
        if value > TOTAL_LIMIT:  # the bound is not enough: the exact sum decides
            value = float(np.abs(prices) @ quantities)
    if not total <= TOTAL_LIMIT:
        raise InputError(
            f"{fn}: the total of {qty_name} is {total!r}, above {TOTAL_LIMIT:g} (so that "
            "volumes and welfare stay finite); scale the quantities down",
            argument=qty_name,
            value=total,
        )
    if not value <= TOTAL_LIMIT:
        raise InputError(
            f"{fn}: the total value of {qty_name} at {price_name} (sum of |price| * quantity) "
            f"is {value!r}, above {TOTAL_LIMIT:g} (so that welfare and payments stay finite); "
            "scale prices or quantities down",
            argument=qty_name,
            value=value,
        )
