"""Market-form assignment (outside option 0) on dense inputs, single and batched.

Each problem goes from ``(value, cost, forbidden)`` to its eligible surplus ``W`` (the pass
of :func:`surplus_rows`, which also checks the input: ``-inf`` off the eligible pairs), then
to :func:`lap_outside_core`, which reads ``W`` in place (every request may stay unmatched,
so no pair of ``W`` needs a stand-in). Tall problems are solved on a transposed copy:
providers are the rows and may stay unserved; the duals are those of the same market LP
either way. The solver's duals are optimal as they stand; with prices requested, the
minimum competitive prices replace them (:func:`prices_dense_core`).

Problems are independent and write disjoint slots, so the parallel kernel (chunks of
problems on all threads) gives the serial kernel's results bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np

from ..._jit import jit, jit_parallel
from .lap_outside import SHORT_ROW, lap_outside_core, lap_outside_workspace
from .prices import prices_dense_core
from .surplus import surplus_rows


@jit
def _prices_one(W, b, want_max, x, col, pmax, rdual, px, P, pmin, pmx, py, pU, pB, prd, pb, WT):
    """Replace problem ``b``'s solver duals by the minimum prices (and fill ``pmax``).

    ``W`` (n x m surplus), ``x``, ``col``, ``pmax``, ``rdual``: as in
    :func:`assign_dense_batch` (rows ``b`` updated); the others are the work arrays of
    :func:`prices_dense_core` (``px`` n ints, ``P``, ``pmin``, ``pmx``, ``prd``, ``pb`` m
    floats, ``py`` m ints, ``pU``, ``pB`` n floats, ``WT`` m x n or empty). The surplus
    block ``W`` may be left transposed (square problems, maximum prices).
    """
    n = W.shape[0]
    m = W.shape[1]
    for i in range(n):
        px[i] = x[b, i]
        rdual[b, i] = W[i, px[i]] if px[i] >= 0 else 0.0  # W may come back transposed
    for j in range(m):
        P[j] = col[b, j]
    prices_dense_core(W, px, P, True, want_max, pmin, pmx, py, pU, pB, prd, pb, WT)
    for j in range(m):
        col[b, j] = pmin[j]
        pmax[b, j] = pmx[j]
    for i in range(n):
        j = px[i]
        rdual[b, i] = max(rdual[b, i] - pmin[j], 0.0) if j >= 0 else 0.0


@jit
def assign_dense_batch(
    v3, c1, c2, forb, with_prices, want_max, x, welfare, col, pmax, rdual, reason
):
    """Check and solve ``v3[b]`` for every ``b``; outputs are stacked along the first axis.

    Parameters
    ----------
    v3 : ndarray of float64, shape (nb, n, m)
        Values.
    c1 : ndarray of float64, shape (m,) or (0,)
        Cost per provider, or empty.
    c2 : ndarray of float64, shape (nb, n, m) or (1, 0, m)
        Cost per pair, or empty.
    forb : ndarray of bool, shape (nb, n, m) or (1, 0, m)
        Forbidden pairs, or empty.
    with_prices, want_max : bool
        Replace the solver's duals by the minimum prices; also compute the maximum ones.
    x : ndarray of int64, shape (nb, n)
        Written: provider of each request, -1 if none.
    welfare : ndarray of float64, shape (nb,)
        Written.
    col : ndarray of float64, shape (nb, m)
        Written: column duals (the minimum prices with ``with_prices``).
    pmax : ndarray of float64, shape (nb, m) or (nb, 0)
        Written with ``want_max``: the maximum prices.
    rdual : ndarray of float64, shape (nb, n)
        Written: row duals (utilities).
    reason : ndarray of int8, shape (nb, n)
        Written: why each request is unmatched (0 when matched).

    Returns
    -------
    tuple of int
        ``(code, flat index)`` of the first bad entry as :func:`surplus_rows` gives it,
        ``(0, -1)`` when all is well. The surplus is built for blocks of problems at a
        time, then each problem is solved.
    """
    nb = v3.shape[0]
    n = v3.shape[1]
    m = v3.shape[2]
    s = min(n, m)
    t = max(n, m)
    tall = n > m
    block = max(1, min(nb, 4096 // (n * m)))
    Wb = np.empty((block * n, m), np.float64)
    xr, yc, u, v, scanned, pred, scol, d, dfin, vv = lap_outside_workspace(s, t)
    px = np.empty(n, np.int64)
    P = np.empty(m, np.float64)
    pmin = np.empty(m, np.float64)
    pmx = np.empty(m, np.float64)
    py = np.empty(m, np.int64)
    pU = np.empty(n, np.float64)
    pB = np.empty(n, np.float64)
    prd = np.empty(m, np.float64)
    pb = np.empty(m, np.float64)
    # the transposed surplus of tall problems, and the prices' work array for the maximum
    # (square problems are transposed in place instead)
    WT = np.empty((m, n) if tall or (want_max and n < m) else (0, 0), np.float64)
    for lo in range(0, nb, block):
        hi = min(lo + block, nb)
        rows = (hi - lo) * n
        code, k = surplus_rows(
            v3[lo:hi].reshape(rows, m),
            c1,
            c2[lo:hi].reshape(rows, m) if c2.shape[1] > 0 else c2[0],
            forb[lo:hi].reshape(rows, m) if forb.shape[1] > 0 else forb[0],
            Wb[:rows],
            reason[lo:hi].reshape(rows),
        )
        if code != 0:
            return code, lo * n * m + k
        for b in range(lo, hi):
            # the loop body stays inline: a call passing all the work arrays costs more
            # than the solve of a small problem
            off = (b - lo) * n
            Wp = Wb[off : off + n]
            if tall:
                for i in range(n):
                    for j in range(m):
                        WT[j, i] = Wp[i, j]
                Wp = WT
            if t <= SHORT_ROW:
                lap_outside_core(Wp, xr, yc, u, v, scanned, pred, scol, d, dfin, vv, True)
            else:
                lap_outside_core(Wp, xr, yc, u, v, scanned, pred, scol, d, dfin, vv, False)
            # duals: r = -(request side), p = -(provider side), clipped at 0
            total = 0.0
            for i in range(n):
                j = yc[i] if tall else xr[i]
                x[b, i] = j
                if j >= 0:
                    reason[b, i] = 0  # MATCHED
                r = v[i] if tall else u[i]
                rdual[b, i] = -r if r < 0.0 and j >= 0 else 0.0  # exact 0 when unmatched
                if j >= 0:
                    total += Wb[off + i, j]
            welfare[b] = total
            for j in range(m):
                p = u[j] if tall else v[j]
                col[b, j] = -p if p < 0.0 else 0.0
            if with_prices:
                _prices_one(
                    Wb[off : off + n], b, want_max, x, col, pmax, rdual, px, P, pmin, pmx, py,
                    pU, pB, prd, pb, WT,
                )  # fmt: skip
    return 0, -1


@jit_parallel
def assign_dense_batch_parallel(
    v3, c1, c2, forb, with_prices, want_max, x, welfare, col, pmax, rdual, reason, n_chunks
):
    """:func:`assign_dense_batch` on ``n_chunks`` contiguous chunks of problems, in threads.

    Takes the arguments of :func:`assign_dense_batch` plus ``n_chunks`` (int, at most the
    number of problems) and writes the same outputs.

    The first bad entry is that of the first chunk reporting one, so the answer is the
    serial kernel's.
    """
    nb = v3.shape[0]
    size = v3.shape[1] * v3.shape[2]
    codes = np.zeros(n_chunks, np.int64)
    where = np.full(n_chunks, -1, np.int64)
    per_pair = c2.shape[1] > 0
    masked = forb.shape[1] > 0
    for c in numba.prange(n_chunks):
        lo = c * nb // n_chunks
        hi = (c + 1) * nb // n_chunks
        code, k = assign_dense_batch(
            v3[lo:hi], c1, c2[lo:hi] if per_pair else c2, forb[lo:hi] if masked else forb,
            with_prices, want_max, x[lo:hi], welfare[lo:hi], col[lo:hi], pmax[lo:hi],
            rdual[lo:hi], reason[lo:hi],
        )  # fmt: skip
        codes[c] = code
        where[c] = lo * size + k
    for c in range(n_chunks):
        if codes[c] != 0:
            return codes[c], where[c]
    return 0, -1


@jit
def _solve_csr_dense(indptr, indices, w, W, tall, xe, u, p):
    """:func:`assign_csr_dense` once ``W`` (float64, ``m x n`` and ``-inf`` everywhere when
    ``tall``, else ``n x m`` and filled here row by row) is allocated; the other arguments
    are those of :func:`assign_csr_dense`."""
    n = indptr.shape[0] - 1
    for i in range(n):
        if not tall:  # the row is still in cache for its entries
            W[i, :] = -np.inf
        for e in range(indptr[i], indptr[i + 1]):
            if tall:
                W[indices[e], i] = w[e]
            else:
                W[i, indices[e]] = w[e]
    s = W.shape[0]
    t = W.shape[1]
    xr, yc, us, vt, scanned, pred, scol, d, dfin, vv = lap_outside_workspace(s, t)
    if t <= SHORT_ROW:
        lap_outside_core(W, xr, yc, us, vt, scanned, pred, scol, d, dfin, vv, True)
    else:
        lap_outside_core(W, xr, yc, us, vt, scanned, pred, scol, d, dfin, vv, False)
    for i in range(n):
        j = yc[i] if tall else xr[i]
        r = vt[i] if tall else us[i]
        xe[i] = -1
        u[i] = -r if r < 0.0 and j >= 0 else 0.0
        if j >= 0:
            for e in range(indptr[i], indptr[i + 1]):
                if indices[e] == j:
                    xe[i] = e
                    break
    for j in range(p.shape[0]):
        q = us[j] if tall else vt[j]
        p[j] = -q if q < 0.0 else 0.0


@jit
def assign_csr_dense(indptr, indices, w, xe, u, p):
    """Solve a sparse market assignment densely: the CSR surplus goes into a dense matrix
    (absent entries ``-inf``), which :func:`lap_outside_core` solves as dense ``assign``
    does (tall problems transposed).

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
        Column of each eligible entry.
    w : ndarray of float64, shape (nnz,)
        Surplus of each eligible entry (``> 0``).
    xe : ndarray of int64, shape (n,)
        Written: the entry matched to each row, -1 if none.
    u : ndarray of float64, shape (n,)
        Written: row duals (``0`` on unmatched rows).
    p : ndarray of float64, shape (m,)
        Written: column duals (prices, ``>= 0``).
    """
    n = indptr.shape[0] - 1
    m = p.shape[0]
    tall = n > m
    W = np.full((m, n), -np.inf) if tall else np.empty((n, m), np.float64)
    _solve_csr_dense(indptr, indices, w, W, tall, xe, u, p)
