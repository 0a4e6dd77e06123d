"""The two ways of finding a market's crossing agree: sorting (small markets) and partitioning.

Markets in the other auction tests are small, so they run the sorting path; here both finders
are called directly on the same inputs and must give the same crossing and margin.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from clearing._kernels import margin

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


def _both(bp, bq, ap, aq):  # type: ignore[no-untyped-def]
    out = []
    for finder in (margin._crossing_sorted, margin._crossing_partition):
        buffers = (np.empty(bp.size), np.empty(bp.size), np.empty(ap.size), np.empty(ap.size))
        crossing = finder(bp, bq, ap, aq, buffers[0], buffers[1], buffers[2], buffers[3])
        out.append((crossing, margin.margin_levels(bp, bq, ap, aq, *crossing)))
    return out


def _same(a: float, b: float, exact: bool) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if exact else math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _check(bp, bq, ap, aq, exact: bool) -> None:  # type: ignore[no-untyped-def]
    (c_sort, m_sort), (c_part, m_part) = _both(bp, bq, ap, aq)
    # the crossing by brute force over every quoted price, in exact integer tenths
    tb, ta = np.rint(bq * 10).astype(np.int64), np.rint(aq * 10).astype(np.int64)
    prices = np.concatenate([bp[tb > 0], ap[ta > 0]])
    gap = {
        float(x): int(tb[(tb > 0) & (bp >= x)].sum() - ta[(ta > 0) & (ap <= x)].sum())
        for x in prices
    }
    p1 = max((x for x, g in gap.items() if g >= 0), default=-np.inf)
    p2 = min((x for x, g in gap.items() if g < 0), default=np.inf)
    for crossing in (c_sort, c_part):
        if exact:
            assert (crossing[0], crossing[2]) == (p1, p2)
        else:
            # summed in another order, tenths may round either way where demand == supply
            for found, want in ((crossing[0], p1), (crossing[2], p2)):
                assert found == want or gap.get(found) == 0 or gap.get(want) == 0
    if exact:
        assert c_sort == c_part
        assert m_sort[3:] == m_part[3:]
        assert all(_same(a, b, True) for a, b in zip(m_sort[:3], m_part[:3], strict=True))
    elif (c_sort[0], c_sort[2]) == (c_part[0], c_part[2]):
        assert _same(c_sort[1], c_part[1], False) and _same(c_sort[3], c_part[3], False)
        assert _same(m_sort[0], m_part[0], False)
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
    assert _same(m_sort[0], q / 10, False) and _same(m_part[0], q / 10, False)


@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_cases(case: tuple[list[float], ...]) -> None:
    _check(*_arrays(*case), exact=True)


@pytest.mark.parametrize("decimal", [False, True])
def test_random_small_markets(decimal: bool) -> None:
    rng = np.random.default_rng(7 + decimal)
    for _ in range(3000):
        nb, na = rng.integers(0, 12, size=2)
        bp, ap = (rng.integers(0, 8, size=n).astype(np.float64) for n in (nb, na))
        if decimal:
            bq, aq = (rng.integers(0, 40, size=n) / 10.0 for n in (nb, na))
        else:
            bq, aq = (rng.integers(0, 5, size=n).astype(np.float64) for n in (nb, na))
        # with tenths, sums round differently in the two orders of summation: the crossing
        # prices still agree except where demand and supply tie within rounding
        _check(bp, bq, ap, aq, exact=not decimal)


def test_threshold_selects_the_sorting_path_only_for_small_markets() -> None:
    assert margin.SMALL >= 8
    rng = np.random.default_rng(3)
    n = margin.SMALL + 1
    bp, ap = rng.integers(0, 20, size=n).astype(np.float64), rng.integers(0, 20, size=n) * 1.0
    bq, aq = rng.integers(0, 5, size=n) * 1.0, rng.integers(0, 5, size=n) * 1.0
    buffers = [np.empty(n) for _ in range(4)]
    got = margin.efficient_volume(bp, bq, ap, aq, *buffers)
    want = margin.margin_levels(
        bp, bq, ap, aq, *margin._crossing_partition(bp, bq, ap, aq, *buffers)
    )
    assert all(_same(a, b, True) for a, b in zip(got, want, strict=True))
