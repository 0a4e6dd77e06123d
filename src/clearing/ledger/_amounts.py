"""Money as integers: checking amounts, period labels, and rounding a clearing once.

Rounding rule (one rounding per party and settlement). The exact amounts of a settlement
are floats in minor units: ``b = quantity * unit_price * scale`` paid by the team and
``p = quantity * provider_price * scale`` earned by the provider. Each team is charged its
exact total rounded half-to-even, apportioned over its allocations by largest remainder (so
its lines add up to its total to the cent); each provider is paid its exact total rounded;
the market keeps its exact margin (``sum(b - p)``, zero under budget-balanced mechanisms)
rounded. What the independent roundings leave over, a few minor units at most (at most half
a unit per team and provider and for the market), is posted to the ``rounding`` account:
never lost, never invented.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np

from ..errors import InvalidAmount, LedgerError

__all__ = ["LIMIT", "apportion", "minor_units", "non_negative", "period_bounds", "rint_total"]

LIMIT = 2**62  # no total may reach this many minor units (int64 headroom)

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])))?$")


def minor_units(value: Any, argument: str, where: str) -> int:
    """A non-negative whole number of minor units (int, or a float with no fraction)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidAmount(
            f"{where}: {argument} must be a whole number of minor units, got "
            f"{type(value).__name__}",
            argument=argument,
            value=value,
        )
    v = float(value)
    if not math.isfinite(v) or v < 0 or v != math.floor(v) or v >= LIMIT:
        why = "not finite" if not math.isfinite(v) else "negative" if v < 0 else "fractional"
        if math.isfinite(v) and v >= LIMIT:
            why = "too large"
        raise InvalidAmount(
            f"{where}: {argument} is {value!r} ({why}); amounts are whole, non-negative "
            "numbers of minor units",
            argument=argument,
            value=value,
        )
    return int(value)


def non_negative(where: str, argument: str, **values: Any) -> tuple[float, ...]:
    """``values`` as floats, in order, each finite and non-negative; else one error naming all.

    For the factors of an amount (a quantity and a unit price), checked together so the
    message shows both.
    """
    try:
        floats = tuple(float(v) for v in values.values())
    except (TypeError, ValueError):
        floats = (math.nan,)
    if not all(math.isfinite(f) and f >= 0 for f in floats):
        named = " and ".join(f"{k} {v!r}" for k, v in values.items())
        raise InvalidAmount(
            f"{where}: {named} must be finite and non-negative",
            argument=argument,
            value=tuple(values.values()),
        )
    return floats


def rint_total(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per-group exact sums rounded half-to-even (``math.fsum`` per group: no drift)."""
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n + 1))
    out = np.zeros(n, dtype=np.int64)
    v = values[order]
    for g in range(n):
        out[g] = round(math.fsum(v[bounds[g] : bounds[g + 1]].tolist()))
    return out


def apportion(exact: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integer lines per group summing to ``totals``: floors plus largest remainders.

    Ties between equal remainders go to the earlier row.
    """
    base = np.floor(exact)
    frac = exact - base
    lines = base.astype(np.int64)
    extra = totals - np.bincount(groups, weights=base, minlength=len(totals)).astype(np.int64)
    order = np.lexsort((np.arange(len(exact)), -frac, groups))
    g_sorted = groups[order]
    first = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(order)) - first
    lines[order] += (rank < extra[g_sorted]).astype(np.int64)
    out: np.ndarray = lines
    return out


def period_bounds(label: str) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC of a period label: ``2026``, ``2026-Q3``, ``2026-07``, a day.

    Examples
    --------
    >>> [d.date().isoformat() for d in period_bounds("2026-Q4")]
    ['2026-10-01', '2027-01-01']
    """
    m = _PERIOD.match(label) if isinstance(label, str) else None
    if m is None:
        raise LedgerError(
            f"Ledger: period {label!r} is not a label like '2026', '2026-Q3', '2026-07' or "
            "'2026-07-14'",
            argument="period",
            value=label,
        )
    year, month, day, quarter = m.groups()
    y = int(year)
    utc = dt.UTC
    try:
        if day:
            start = dt.datetime(y, int(month), int(day), tzinfo=utc)
            return start, start + dt.timedelta(days=1)
        if month:
            start = dt.datetime(y, int(month), 1, tzinfo=utc)
            end_m = int(month) % 12 + 1
            return start, dt.datetime(y + (end_m == 1), end_m, 1, tzinfo=utc)
    except ValueError:
        raise LedgerError(
            f"Ledger: period {label!r} is not a calendar date", argument="period", value=label
        ) from None
    if quarter:
        q = int(quarter)
        start = dt.datetime(y, 3 * q - 2, 1, tzinfo=utc)
        return start, dt.datetime(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=utc)
    return dt.datetime(y, 1, 1, tzinfo=utc), dt.datetime(y + 1, 1, 1, tzinfo=utc)


def current_period(ns: int) -> str:
    """The calendar month of a timestamp in nanoseconds, as ``YYYY-MM``."""
    return dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC).strftime("%Y-%m")
