"""The crossing found by partitioning (large markets) and by trying every price (small
markets) equals a brute force over every quoted price.

The crossing is ``(p1, S(p1), p2, D(p2))``: the largest price where demand covers supply and
the next one above it. The brute force works in exact integer tenths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from clearing._kernels.auction import margin

EDGE_CASES = [
    # (bid prices, bid quantities, ask prices, ask quantities)
    ([], [], [], []),
    ([5.0, 4.0], [1.0, 2.0], [], []),
    ([], [], [1.0, 2.0], [3.0, 1.0]),
    ([3.0, 3.0, 3.0], [1.0, 2.0, 0.0], [3.0, 3.0], [2.0, 2.0]),
    ([1.0], [0.0], [0.5], [0.0]),
    ([2.0], [1.0], [3.0], [1.0]),
    ([9.3], [2.2], [4.4, 2.0], [0.1, 0.8]),
    ([6.6], [1.7], [0.0, 1.4], [0.4, 2.5]),
    ([8.3, 8.3, 3.5], [2.5, 2.9, 1.7], [8.3], [2.8]),
    ([10.0, 8.0], [1.0, 2.0], [3.0, 5.0, 9.0], [1.0, 1.0, 1.0]),
]


def _arrays(bp, bq, ap, aq):  # type: ignore[no-untyped-def]
    return tuple(np.ascontiguousarray(x, dtype=np.float64) for x in (bp, bq, ap, aq))


PATHS = ["partition", "small"]


def _crossing(bp, bq, ap, aq, path):  # type: ignore[no-untyped-def]
    if path == "small":
        crossing = margin.crossing_small(bp, bq, ap, aq, np.empty(3 * (bp.size + ap.size)))
    else:
        buffers = (np.empty(bp.size), np.empty(bp.size), np.empty(ap.size), np.empty(ap.size))
        crossing = margin.crossing_partition(bp, bq, ap, aq, *buffers)
    return crossing, margin.margin_levels(bp, bq, ap, aq, *crossing)


def _same(a: float, b: float, exact: bool) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if exact else math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _check(bp, bq, ap, aq, exact: bool, path: str) -> None:  # type: ignore[no-untyped-def]
    c_part, m_part = _crossing(bp, bq, ap, aq, path)
    # the crossing by brute force over every quoted price, in exact integer tenths
    tb, ta = np.rint(bq * 10).astype(np.int64), np.rint(aq * 10).astype(np.int64)
    prices = np.concatenate([bp[tb > 0], ap[ta > 0]])
    gap = {
        float(x): int(tb[(tb > 0) & (bp >= x)].sum() - ta[(ta > 0) & (ap <= x)].sum())
        for x in prices
    }
    p1 = max((x for x, g in gap.items() if g >= 0), default=-np.inf)
    p2 = min((x for x, g in gap.items() if g < 0), default=np.inf)
    if exact:
        assert (c_part[0], c_part[2]) == (p1, p2)
    else:
        # summed in float, tenths may round either way where demand == supply exactly
        for found, want in ((c_part[0], p1), (c_part[2], p2)):
            assert found == want or gap.get(found) == 0 or gap.get(want) == 0
    # both give the efficient volume
    q = max(
        0,
        max(
            (
                min(int(tb[(tb > 0) & (bp >= x)].sum()), int(ta[(ta > 0) & (ap <= x)].sum()))
                for x in prices
            ),
            default=0,
        ),
    )
    assert _same(m_part[0], q / 10, False)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_cases(case: tuple[list[float], ...], path: str) -> None:
    _check(*_arrays(*case), exact=True, path=path)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("decimal", [False, True])
def test_random_small_markets(decimal: bool, path: str) -> None:
    rng = np.random.default_rng(7 + decimal)
    for _ in range(3000):
        nb, na = rng.integers(0, 12, size=2)
        bp, ap = (rng.integers(0, 8, size=n).astype(np.float64) for n in (nb, na))
        if decimal:
            bq, aq = (rng.integers(0, 40, size=n) / 10.0 for n in (nb, na))
        else:
            bq, aq = (rng.integers(0, 5, size=n).astype(np.float64) for n in (nb, na))
        # with tenths, float sums may round either way where demand and supply tie
        _check(bp, bq, ap, aq, exact=not decimal, path=path)


def test_market_size_picks_the_path() -> None:
    """Both paths give the same crossing on integer quantities, on either side of the cut."""
    rng = np.random.default_rng(11)
    for n in (margin.SMALL_MARKET // 2, margin.SMALL_MARKET // 2 + 1, 3 * margin.SMALL_MARKET):
        bp, ap = rng.integers(0, 50, size=(2, n)).astype(np.float64)
        bq, aq = rng.integers(0, 6, size=(2, n)).astype(np.float64)
        small, part = (_crossing(bp, bq, ap, aq, path) for path in PATHS)
        assert small == part
        work = np.empty(3 * 2 * n)
        found = margin.search_crossing(bp, bq, ap, aq, work, np.empty(n), np.empty(n), np.empty(n))
        assert margin.margin_levels(bp, bq, ap, aq, *found) == small[1]
