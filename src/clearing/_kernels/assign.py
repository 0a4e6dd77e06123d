"""Market-form assignment (outside option 0) on dense surplus matrices, single and batched.

``W[i, j]`` is the surplus of request ``i`` at provider ``j`` on eligible pairs and ``-inf``
elsewhere (the wrapper marks forbidden pairs and negative surpluses). Maximising total
surplus with unmatched requests allowed equals a full rectangular assignment on
``C = min(-W, 0)``: ineligible pairs cost 0 and stand for "unmatched" (any partial matching
of eligible pairs extends to a full one with such zero-cost pairs). Pairs of cost 0 that are
not eligible are dropped from the answer afterwards. Tall problems are solved transposed.
"""

from __future__ import annotations

import numpy as np

from .._jit import jit
from .lap import lap_dense_core
from .prices import prices_dense_core


@jit
def _assign_one(
    W, C, x, want_max, pmin, pmax, row_dual, xr, yc, u, v, P,
    free, scanned, matches, imin, pred, scol, d, dfin, vv,
    py, pU, pB, prd, pb, done, WT,
):  # fmt: skip
    n = W.shape[0]
    m = W.shape[1]
    for i in range(n):
        x[i] = -1
    if n <= m:
        for i in range(n):
            for j in range(m):
                w = W[i, j]
                C[i, j] = -w if w > 0.0 else 0.0
    else:
        for i in range(n):
            for j in range(m):
                w = W[i, j]
                C[j, i] = -w if w > 0.0 else 0.0
    status = lap_dense_core(
        C, xr, yc, u, v, free, scanned, matches, imin, pred, scol, d, dfin, vv, 1, 3
    )
    if status != 0:
        return status
    if n <= m:
        for j in range(m):
            P[j] = -v[j]
        for i in range(n):
            j = xr[i]
            if j >= 0 and W[i, j] > -np.inf:
                x[i] = j
    else:
        for j in range(m):
            P[j] = -u[j]
        for j in range(m):
            i = xr[j]
            if i >= 0 and W[i, j] > -np.inf:
                x[i] = j
    prices_dense_core(W, x, P, True, want_max, pmin, pmax, py, pU, pB, prd, pb, done, WT)
    for i in range(n):
        j = x[i]
        row_dual[i] = W[i, j] - pmin[j] if j >= 0 else 0.0
        if row_dual[i] < 0.0:
            row_dual[i] = 0.0
    return 0


@jit
def assign_dense_batch(W, want_max, x, welfare, pmin, pmax, row_dual):
    """Solve ``W[b]`` for every ``b``; outputs are stacked along the first axis; status."""
    nb = W.shape[0]
    n = W.shape[1]
    m = W.shape[2]
    s = min(n, m)
    t = max(n, m)
    C = np.empty((s, t), np.float64)
    xr = np.empty(s, np.int64)
    yc = np.empty(t, np.int64)
    u = np.empty(s, np.float64)
    v = np.empty(t, np.float64)
    P = np.empty(m, np.float64)
    free = np.empty(s, np.int64)
    scanned = np.empty(s, np.int64)
    matches = np.empty(s, np.int64)
    imin = np.empty(t, np.int64)
    pred = np.empty(t, np.int64)
    scol = np.empty(t, np.int64)
    d = np.empty(t, np.float64)
    dfin = np.empty(t, np.float64)
    vv = np.empty(t, np.float64)
    py = np.empty(m, np.int64)
    pU = np.empty(n, np.float64)
    pB = np.empty(n, np.float64)
    prd = np.empty(m, np.float64)
    pb = np.empty(m, np.float64)
    done = np.empty(m, np.bool_)
    WT = np.empty((m, n) if want_max else (0, 0), np.float64)
    for b in range(nb):
        status = _assign_one(
            W[b], C, x[b], want_max, pmin[b], pmax[b], row_dual[b], xr, yc, u, v, P,
            free, scanned, matches, imin, pred, scol, d, dfin, vv,
            py, pU, pB, prd, pb, done, WT,
        )  # fmt: skip
        if status != 0:
            return status
        total = 0.0
        for i in range(n):
            if x[b, i] >= 0:
                total += W[b, i, x[b, i]]
        welfare[b] = total
    return 0
