"""Hostile inputs for every public entry point, and the contract every outcome must meet.

The contract (``docs/api/errors.md``): a call either raises a documented error of the
:class:`~clearing.ClearingError` tree whose ``argument`` names the parameter, or returns a
result that passes the entry point's invariants. Anything else -- a bare ``ValueError``,
``TypeError``, ``OverflowError``, a numpy warning (warnings are errors in this suite), a NaN
or an infinity where a number is promised -- fails the test that drew the input.

A hostile *value* is one of the numbers that break careless code: NaN, +-inf, subnormals,
1e308 and others whose sums overflow, the int64 extremes, -0.0. A hostile *form* carries
valid or hostile values in an unusual container: a list, float32, a big-endian, read-only or
non-contiguous array, an object array, a pandas Series with an odd index; or in a form that
is no array of numbers at all: strings, dates, complex numbers, 0-d and 3-D arrays, ragged
lists, ``None``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import clearing
from clearing import ClearingError

#: examples per property test and weight; ``CLEARING_HOSTILE_EXAMPLES`` scales them all
EXAMPLES = int(os.environ.get("CLEARING_HOSTILE_EXAMPLES", "150"))
#: how many times more examples the ``slow`` run of each property test draws
SLOW_FACTOR = 2


def hostile_settings(factor: float = 1.0) -> Any:
    """Seeded settings with ``factor * EXAMPLES`` examples (the suite's profile is kept)."""
    return settings(
        max_examples=max(1, int(EXAMPLES * factor)),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )


def property_test(weight: float, **strategies: Any) -> Callable[[Callable[..., None]], Any]:
    """Turn ``body`` into a pytest test run twice: with ``weight * EXAMPLES`` examples, and
    (marked ``slow``) with ``SLOW_FACTOR`` times as many, under its own seed."""

    def decorate(body: Callable[..., None]) -> Any:
        @pytest.mark.parametrize(
            "factor", [1, pytest.param(SLOW_FACTOR, marks=pytest.mark.slow, id="slow")]
        )
        def test(factor: int) -> None:
            hostile_settings(weight * factor)(given(**strategies)(body))()

        test.__name__ = test.__qualname__ = body.__name__
        test.__doc__, test.__module__ = body.__doc__, body.__module__
        return test

    return decorate


I64 = np.iinfo(np.int64)
NASTY = [
    np.nan,
    np.inf,
    -np.inf,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e308,
    -1e308,
    1.7976931348623157e308,
    1e300,
    -0.0,
    float(I64.max),
    float(I64.min),
    2.0**53 + 1,
]
INTS = [I64.max, I64.min, 2**63, -(2**63) - 1, 2**62, -1, 0]
PLAIN = st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 100.0])


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], p: float = 0.9) -> Any:
    """``good`` with probability about ``p``, else ``bad`` (hypothesis explores the branches
    of ``one_of`` far from evenly inside larger tests)."""
    return st.integers(0, 999).flatmap(lambda u: good if u < p * 1000 else bad)


def values(plain: float = 0.97) -> st.SearchStrategy[float]:
    """An ordinary number with probability about ``plain`` (so that valid results are
    common), else a nasty one."""
    nasty = st.one_of(
        st.sampled_from(NASTY),
        st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    )
    ordinary = st.one_of(PLAIN, st.floats(-50, 50, allow_nan=False, width=32))
    return mostly(ordinary, nasty, plain)


def arrays(
    n: st.SearchStrategy[int], plain: float = 0.97, units: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """1-D float64 arrays of ``n`` values (``units``: mostly small whole numbers >= 0)."""
    v = (
        mostly(st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0]), values(plain), 0.8)
        if units
        else values(plain)
    )
    return n.flatmap(lambda k: st.lists(v, min_size=k, max_size=k)).map(
        lambda xs: np.array(xs, dtype=np.float64)
    )


def _odd_index(a: np.ndarray, how: int) -> pd.Series:
    n = a.shape[0]
    index: Any = [
        np.arange(n)[::-1],
        [f"r{i}" for i in range(n)],
        np.zeros(n, dtype=np.int64),  # every label the same
        np.arange(n) * 7 + 3,
    ][how]
    return pd.Series(a, index=index)


def _noncontiguous(a: np.ndarray) -> np.ndarray:
    wide = np.repeat(a, 2, axis=-1) if a.ndim else a
    return wide[..., ::2] if a.ndim else a


def _readonly(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


def _whole(a: np.ndarray) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(
            np.all(np.isfinite(a)) and np.all(a == np.floor(a)) and np.all(np.abs(a) < 2**62)
        )


#: forms that keep the numbers: (name, transform); the result must equal the float64 one's
SAME_NUMBERS: list[tuple[str, Callable[[np.ndarray], Any]]] = [
    ("ndarray", lambda a: a),
    ("list", lambda a: a.tolist()),
    ("tuple", lambda a: tuple(a.tolist()) if a.ndim == 1 else a.tolist()),
    ("noncontiguous", _noncontiguous),
    ("readonly", _readonly),
    ("bigendian", lambda a: a.astype(">f8")),
    ("object", lambda a: a.astype(object)),
    ("fortran", lambda a: np.asfortranarray(a)),
]
SERIES = [(f"series{how}", lambda a, how=how: _odd_index(a, how)) for how in range(4)]

#: forms that are no array of numbers of the right shape: always an InputError
NOT_NUMBERS: list[tuple[str, Callable[[np.ndarray], Any]]] = [
    ("str", lambda a: a.astype(str)),
    ("object_with_str", lambda a: np.array([*a.ravel().tolist()[:-1], "1"], dtype=object)),
    ("datetime", lambda a: np.full(a.shape, np.datetime64("2020-01-01"))),
    ("timedelta", lambda a: np.full(a.shape, np.timedelta64(3, "D"))),
    ("object_datetime", lambda a: np.full(a.shape, np.datetime64("2020-01-01"), dtype=object)),
    ("object_timedelta", lambda a: np.full(a.shape, np.timedelta64(3, "D"), dtype=object)),
    ("complex", lambda a: a.astype(complex)),
    ("object_none", lambda a: np.full(a.shape, None, dtype=object)),
    ("series_datetime", lambda a: pd.Series(pd.to_datetime(["2020-01-01"] * a.shape[0]))),
    (
        "series_object_dates",
        lambda a: pd.Series([np.datetime64("1995-01-05")] * a.shape[0], dtype=object),
    ),
    ("dict", lambda a: {"a": 1}),
]
#: forms of the wrong shape; with ``n >= 1`` always an error
WRONG_SHAPE: list[tuple[str, Callable[[np.ndarray], Any]]] = [
    ("0d", lambda a: np.float64(a.ravel()[0])),
    ("add_dim", lambda a: a[None, ...]),
    # the second row is one longer than the first, so the nesting is ragged for every size
    ("ragged", lambda a: [a.tolist(), [1.0] * ((a.shape[0] if a.ndim else 0) + 1)]),
    ("longer", lambda a: np.append(a, 1.0)),
]


def numeric_forms(a: np.ndarray) -> list[tuple[str, Callable[[np.ndarray], Any]]]:
    """The forms that keep ``a``'s numbers, including integer and bool dtypes when exact."""
    out = list(SAME_NUMBERS) + (SERIES if a.ndim == 1 else [])
    if not a.size:
        return out
    with np.errstate(over="ignore", invalid="ignore"):
        if _whole(a):
            out.append(("int64", lambda x: x.astype(np.int64)))
            if np.abs(a).max() < 128:
                out.append(("int8", lambda x: x.astype(np.int8)))
            if a.min() >= 0:
                out.append(("uint64_bigendian", lambda x: x.astype(">u8")))
        if np.isin(a, (0.0, 1.0)).all():
            out.append(("bool", lambda x: x.astype(bool)))
        if np.all(a.astype(np.float32) == a):
            out.append(("float32", lambda x: x.astype(np.float32)))
        if np.all(a.astype(np.float16) == a):
            out.append(("float16", lambda x: x.astype(np.float16)))
    return out


def forms(a: np.ndarray, *, shape_errors: bool = True) -> st.SearchStrategy[tuple[str, Any, bool]]:
    """``(form name, the input in that form, whether its numbers equal a's)``; forms that
    are no array of numbers (and, with ``shape_errors``, of the wrong shape) come with
    ``False`` and must raise."""
    keep = numeric_forms(a)
    bad = NOT_NUMBERS + (WRONG_SHAPE if a.size and shape_errors else [])
    if not a.size:  # an empty object array holds no non-number: it is an empty input
        bad = [f for f in bad if "object" not in f[0]]
    good = st.sampled_from(keep).map(lambda f: (f[0], f[1](a), True))
    return mostly(good, st.sampled_from(bad).map(lambda f: (f[0], f[1](a), False)), 0.75)


def check_error(exc: ClearingError, names: set[str] | None = None) -> None:
    """A documented error: a :class:`ClearingError` whose ``argument`` is set (and, with
    ``names``, one of the parameters of the entry point)."""
    assert isinstance(exc, ClearingError), type(exc)
    assert isinstance(exc.argument, str) and exc.argument, f"argument not set: {exc!r}"
    if names is not None:
        head = exc.argument.split(".")[0].split("[")[0]
        assert exc.argument in names or head in names, (exc.argument, names)
    assert str(exc)


#: outcomes of every checked call, by kind (how much of the input was accepted)
OUTCOMES: Counter[str] = Counter()


def outcome(call: Callable[[], Any], names: set[str] | None = None) -> Any:
    """The result of ``call()``, or ``None`` after checking the documented error it raised.

    Every other exception propagates and fails the test.
    """
    try:
        result = call()
    except ClearingError as exc:
        check_error(exc, names)
        event(f"{type(exc).__name__} on {exc.argument}")
        OUTCOMES["error"] += 1
        return None
    event("result")
    OUTCOMES["result"] += 1
    return result


def finite(*xs: Any) -> bool:
    return all(bool(np.all(np.isfinite(np.asarray(x, dtype=np.float64)))) for x in xs)


def same(a: Any, b: Any) -> bool:
    """Equal arrays, NaN equal to NaN (results compared bit for bit, not approximately)."""
    return bool(
        np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f")
    )


def fields_equal(r1: Any, r2: Any, names: tuple[str, ...]) -> None:
    for name in names:
        a, b = getattr(r1, name), getattr(r2, name)
        if a is None or b is None:
            assert a is None and b is None, name
            continue
        assert same(a, b), (name, a, b)


PUBLIC = sorted(n for n in clearing.__all__ if callable(getattr(clearing, n, None)))
