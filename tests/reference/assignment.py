"""Reference twins of the assignment, transportation and price kernels.

* ``brute_lsap`` tries every injective map of the short side into the long side.
* ``brute_market`` tries every partial matching (each request: some free provider or none).
* ``vcg_min_prices`` re-solves the market with each matched request removed: the minimum
  competitive price of its provider is the externality the request imposes (its VCG payment).
* ``max_prices_by_removal`` re-solves with each provider removed: the maximum competitive
  price is the provider's marginal contribution (Shapley and Shubik 1971; Leonard 1983).
* ``transport_lp`` and ``price_bounds_lp`` solve the transportation LP and the least /
  greatest price vectors on its dual optimal face with :func:`scipy.optimize.linprog`.
* ``check_competitive`` tests the competitive (Walrasian) conditions directly.

Surplus matrices here use ``-inf`` for pairs that may not be served (forbidden or surplus
``<= 0``), like the kernels.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np
from scipy.optimize import linprog

NEG = -np.inf


def brute_lsap(cost: np.ndarray, maximize: bool = False) -> float | None:
    """Optimal total of a full rectangular assignment, or None when infeasible."""
    c = -np.asarray(cost, float) if maximize else np.asarray(cost, float)
    n, m = c.shape
    if n > m:
        c, n, m = c.T, m, n
    best = None
    for cols in itertools.permutations(range(m), n):
        total = sum(c[i, j] for i, j in enumerate(cols))
        if total < np.inf and (best is None or total < best):
            best = total
    if best is None:
        return None
    return -best if maximize else best


def brute_market(w: np.ndarray) -> float:
    """Best total surplus of any partial matching using only finite (allowed) entries."""
    w = np.asarray(w, float)
    n, m = w.shape

    @cache
    def best(i: int, used: int) -> float:
        if i == n:
            return 0.0
        out = best(i + 1, used)  # request i unmatched
        for j in range(m):
            if not used >> j & 1 and w[i, j] > NEG:
                out = max(out, w[i, j] + best(i + 1, used | 1 << j))
        return out

    return best(0, 0)


def eligible_surplus(value: np.ndarray, cost: Any = None, forbidden: Any = None) -> np.ndarray:
    """Surplus with ``-inf`` wherever a pair may not be served."""
    v = np.asarray(value, float)
    c = np.zeros(v.shape[-1]) if cost is None else np.asarray(cost, float)
    with np.errstate(invalid="ignore"):
        w = v - c
    ok = np.isfinite(v) & np.isfinite(c) & (w > 0)
    if forbidden is not None:
        ok &= ~np.asarray(forbidden, bool)
    return np.where(ok, w, NEG)


def first_bad_entry(
    value: np.ndarray, cost: np.ndarray, forbidden: np.ndarray
) -> tuple[str, tuple[int, int]] | None:
    """The entry ``assign`` must name when it rejects ``value``, and why; None if valid.

    ``cost`` has one entry per provider. The first NaN of ``value``, else its first ``+inf``,
    else the first pair (row by row), neither forbidden by the mask nor by an infinity,
    whose ``value - cost`` is above 1e300.
    """
    for bad, kind in ((np.isnan(value), "nan"), (value == np.inf, "inf")):
        if bad.any():
            i, j = np.argwhere(bad)[0]
            return kind, (int(i), int(j))
    for (i, j), x in np.ndenumerate(value):
        if x > -np.inf and cost[j] < np.inf and not forbidden[i, j]:
            with np.errstate(over="ignore"):
                if x - cost[j] > 1e300:
                    return "above", (i, j)
    return None


def vcg_min_prices(w: np.ndarray, row_ind: np.ndarray, col_ind: np.ndarray) -> np.ndarray:
    """p[j] = W(N minus i) - (W(N) - w[i, j]) for each matched pair, 0 elsewhere."""
    total = brute_market(w)
    p = np.zeros(w.shape[1])
    for i, j in zip(row_ind, col_ind, strict=True):
        without = brute_market(np.delete(w, i, axis=0))
        p[j] = without - (total - w[i, j])
    return p


def max_prices_by_removal(w: np.ndarray, col_ind: np.ndarray) -> np.ndarray:
    """p[j] = W(N) - W(N minus provider j) for matched providers, 0 elsewhere."""
    total = brute_market(w)
    p = np.zeros(w.shape[1])
    for j in col_ind:
        p[j] = total - brute_market(np.delete(w, j, axis=1))
    return p


def transport_lp(w: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> float:
    """Optimal welfare of the transportation LP (HiGHS); flows only on finite entries."""
    n, m = w.shape
    ok = np.isfinite(w)
    if not ok.any():
        return 0.0
    idx = np.argwhere(ok)
    c = -w[ok]
    a = np.zeros((n + m, len(idx)))
    for k, (i, j) in enumerate(idx):
        a[i, k] = 1.0
        a[n + j, k] = 1.0
    b = np.concatenate([demand, capacity]).astype(float)
    res = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    assert res.status == 0, res.message
    return float(-res.fun)


def price_bounds_lp(
    w: np.ndarray, demand: np.ndarray, capacity: np.ndarray, welfare: float
) -> tuple[np.ndarray, np.ndarray]:
    """Least and greatest provider prices over the optimal dual face (lattice ends).

    Dual: ``u[i] + p[j] >= w[i, j]`` on finite entries, ``u, p >= 0``, and
    ``demand @ u + capacity @ p == welfare``; minimise / maximise ``sum(p)``.
    """
    n, m = w.shape
    idx = np.argwhere(np.isfinite(w) & (np.asarray(capacity)[None, :] > 0))
    a_ub = np.zeros((len(idx), n + m))
    b_ub = np.zeros(len(idx))
    for k, (i, j) in enumerate(idx):
        a_ub[k, i] = -1.0
        a_ub[k, n + j] = -1.0
        b_ub[k] = -w[i, j]
    a_eq = np.concatenate([demand, capacity]).astype(float)[None, :]
    scale = max(1.0, abs(welfare))
    out = []
    for sign in (1.0, -1.0):
        c = np.concatenate([np.zeros(n), sign * np.ones(m)])
        # providers with no capacity have no price; pin them at 0
        bounds = [(0, None)] * n + [(0, 0) if capacity[j] == 0 else (0, None) for j in range(m)]
        res = linprog(
            c,
            A_ub=np.vstack([a_ub, a_eq]) if len(idx) else a_eq,
            b_ub=np.concatenate([b_ub, [welfare + 1e-9 * scale]]),
            bounds=bounds,
            method="highs",
        )
        assert res.status == 0, res.message
        out.append(res.x[n:])
    return out[0], out[1]


def check_competitive(
    w: np.ndarray,
    flow: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    p: np.ndarray,
    tol: float = 1e-7,
) -> None:
    """Assert the competitive conditions for prices ``p`` and an integral ``flow``.

    Every served unit goes to a provider maximising ``w - p`` with a non-negative result;
    requests with unserved demand have ``w - p <= 0`` everywhere; providers with spare
    capacity have price 0; prices are non-negative. Providers without capacity are absent.
    """
    n, _m = w.shape
    scale = tol * max(1.0, float(np.abs(w[np.isfinite(w)]).max(initial=0.0)))
    assert (p >= -scale).all()
    load = flow.sum(axis=0)
    assert (p[load < capacity] <= scale).all(), "a provider with spare capacity has a price"
    usable = np.isfinite(w) & (np.asarray(capacity)[None, :] > 0)
    gain = np.where(usable, w - p[None, :], NEG)
    best = np.maximum(gain.max(axis=1, initial=NEG), 0.0)
    for i in range(n):
        served = flow[i].sum()
        for j in np.flatnonzero(flow[i]):
            assert gain[i, j] >= best[i] - scale, (i, j, gain[i, j], best[i])
        if served < demand[i]:
            assert best[i] <= scale, (i, best[i])


def flow_from_pairs(shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Unit flow matrix of a matching."""
    f = np.zeros(shape, np.int64)
    f[rows, cols] = 1
    return f


def market_optimum_lsap(w: np.ndarray) -> float:
    """Best total surplus of a partial matching (``-inf``: not allowed), as one
    :func:`scipy.optimize.linear_sum_assignment` on the matrix padded with a private
    outside option of surplus 0 per row (for sizes beyond :func:`brute_market`)."""
    from scipy.optimize import linear_sum_assignment

    w = np.asarray(w, float)
    n, m = w.shape
    if n == 0:
        return 0.0
    big = np.full((n, m + n), -1e12)
    fin = np.isfinite(w)
    big[:, :m][fin] = w[fin]
    big[np.arange(n), m + np.arange(n)] = 0.0
    r, c = linear_sum_assignment(big, maximize=True)
    return float(big[r, c].sum())
