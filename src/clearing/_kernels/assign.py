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
from .lap import lap_dense_ws
from .prices import prices_dense_ws


@jit
def assign_dense(W, C, x, want_max, pmin, pmax, row_dual, iw, fw, done):
    """Solve one problem into ``x`` (column per row or -1), prices and row duals; status.

    ``C`` is a scratch buffer of shape ``(min(n, m), max(n, m))``; ``iw``, ``fw`` and
    ``done`` are work arrays sized by :func:`work_sizes`.
    """
    n = W.shape[0]
    m = W.shape[1]
    s = min(n, m)
    t = max(n, m)
    xr = iw[:s]
    yc = iw[s : s + t]
    liw = iw[s + t : 4 * s + 5 * t]
    piw = iw[4 * s + 5 * t :]
    u = fw[:s]
    v = fw[s : s + t]
    P = fw[s + t : s + t + m]
    lfw = fw[s + t + m : s + 4 * t + m]
    pfw = fw[s + 4 * t + m :]
    for i in range(n):
        x[i] = -1
    if n <= m:
        for i in range(n):
            for j in range(m):
                w = W[i, j]
                C[i, j] = -w if w > 0.0 else 0.0
        status = lap_dense_ws(C, xr, yc, u, v, liw, lfw)
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
        status = lap_dense_ws(C, xr, yc, u, v, liw, lfw)
        if status != 0:
            return status
        for j in range(m):
            P[j] = -u[j]
        for j in range(m):
            i = xr[j]
            if i >= 0 and W[i, j] > -np.inf:
                x[i] = j
    prices_dense_ws(W, x, P, True, want_max, pmin, pmax, piw, pfw, done)
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
    iw = np.empty(4 * s + 5 * t + m, np.int64)
    fw = np.empty(s + 4 * t + m + 2 * n + 2 * m, np.float64)
    done = np.empty(m, np.bool_)
    for b in range(nb):
        status = assign_dense(W[b], C, x[b], want_max, pmin[b], pmax[b], row_dual[b], iw, fw, done)
        if status != 0:
            return status
        total = 0.0
        for i in range(n):
            if x[b, i] >= 0:
                total += W[b, i, x[b, i]]
        welfare[b] = total
    return 0
