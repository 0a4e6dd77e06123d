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
from .lap import lap_dense
from .prices import prices_dense


@jit
def assign_dense(W, C, x, want_max, pmin, pmax, row_dual):
    """Solve one problem into ``x`` (column per row or -1), prices and row duals; status.

    ``C`` is a scratch buffer of shape ``(min(n, m), max(n, m))``.
    """
    n = W.shape[0]
    m = W.shape[1]
    P = np.empty(m, np.float64)
    for i in range(n):
        x[i] = -1
    if n <= m:
        for i in range(n):
            for j in range(m):
                w = W[i, j]
                C[i, j] = -w if w > 0.0 else 0.0
        xr = np.empty(n, np.int64)
        yc = np.empty(m, np.int64)
        u = np.empty(n, np.float64)
        v = np.empty(m, np.float64)
        status = lap_dense(C, xr, yc, u, v)
        if status != 0:
            return status
        for j in range(m):
            P[j] = -v[j]
        for i in range(n):
            j = xr[i]
            if j >= 0 and W[i, j] > -np.inf:
                x[i] = j
    else:
        for i in range(n):
            for j in range(m):
                w = W[i, j]
                C[j, i] = -w if w > 0.0 else 0.0
        xr = np.empty(m, np.int64)
        yc = np.empty(n, np.int64)
        u = np.empty(m, np.float64)
        v = np.empty(n, np.float64)
        status = lap_dense(C, xr, yc, u, v)
        if status != 0:
            return status
        for j in range(m):
            P[j] = -u[j]
        for j in range(m):
            i = xr[j]
            if i >= 0 and W[i, j] > -np.inf:
                x[i] = j
    prices_dense(W, x, P, True, want_max, pmin, pmax)
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
    C = np.empty((min(n, m), max(n, m)), np.float64)
    for b in range(nb):
        status = assign_dense(W[b], C, x[b], want_max, pmin[b], pmax[b], row_dual[b])
        if status != 0:
            return status
        total = 0.0
        for i in range(n):
            if x[b, i] >= 0:
                total += W[b, i, x[b, i]]
        welfare[b] = total
    return 0
