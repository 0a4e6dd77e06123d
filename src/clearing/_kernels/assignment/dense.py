"""Market-form assignment (outside option 0) on dense inputs, single and batched.

Each problem goes from ``(value, cost, forbidden)`` to its eligible surplus ``W`` (the pass
of :func:`surplus_rows`, which also checks the input: ``-inf`` off the eligible pairs), then
to :func:`lap_outside_core`, which reads ``W`` in place (every request may stay unmatched,
so no pair of ``W`` needs a stand-in). Tall problems are solved on a transposed copy:
providers are the rows and may stay unserved; the duals are those of the same market LP
either way. The solver's duals are optimal as they stand; with prices requested, the
minimum competitive prices replace them (:func:`prices_dense_core`).

Problems are independent and write disjoint slots, so solving chunks of them in threads
(``assign_batch(parallel=True)``) gives the serial results bit for bit.

The batch body :func:`_solve_batch` is compiled as the kernels of
:mod:`clearing._kernels.assignment.dense_batch`, one per combination of its flags.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit, jit_inline
from .lap_outside import SHORT_ROW, lap_outside_core, lap_outside_workspace
from .prices import PriceWork, prices_dense_core
from .surplus import surplus_rows


class DenseProblems(NamedTuple):
    """Checked dense inputs of :func:`_solve_batch` (``nb`` problems of ``n x m``).

    ``value`` (float64, ``(nb, n, m)``); ``c1`` (float64, ``(m,)`` cost per provider, or
    ``(0,)``); ``c2`` (float64, ``(nb, n, m)`` cost per pair, or ``(1, 0, m)``); ``forb``
    (bool, ``(nb, n, m)`` forbidden pairs, or ``(1, 0, m)``). Read only.
    """

    value: Any
    c1: Any
    c2: Any
    forb: Any


class BatchOut(NamedTuple):
    """Outputs of :func:`_solve_batch`, stacked along the first axis (all written).

    ``x`` (int64, ``(nb, n)``) the provider of each request, -1 if none; ``welfare``
    (float64, ``(nb,)``); ``col`` (float64, ``(nb, m)``) column duals, the minimum prices
    when prices are asked for; ``pmax`` (float64, ``(nb, m)``, or ``(nb, 0)`` without
    prices) the maximum prices; ``rdual`` (float64, ``(nb, n)``) row duals (utilities);
    ``reason`` (int8, ``(nb, n)``) why each request is unmatched (0 when matched).
    """

    x: Any
    welfare: Any
    col: Any
    pmax: Any
    rdual: Any
    reason: Any


@jit_inline
def _prices_one(W, b, want_max, out, pw):
    """Replace problem ``b``'s solver duals in ``out`` by the minimum prices (and fill
    ``out.pmax``).

    Parameters
    ----------
    W : ndarray of float64, shape (n, m)
        Problem ``b``'s surplus; it may be left transposed (square problems, maximum
        prices).
    b : int
        The problem.
    want_max : bool
        Compute the maximum prices too (a constant of the kernel this is spliced into).
    out : BatchOut
        Row ``b`` of ``x`` and ``col`` (the solver's duals) is read; ``col``, ``pmax`` and
        ``rdual`` are written at ``b``.
    pw : PriceWork
        The work arrays of :func:`prices_dense_core` (``WT`` ``m x n`` or empty).
    """
    n = W.shape[0]
    m = W.shape[1]
    px = pw.x
    for i in range(n):
        px[i] = out.x[b, i]
        out.rdual[b, i] = W[i, px[i]] if px[i] >= 0 else 0.0  # W may come back transposed
    for j in range(m):
        pw.P[j] = out.col[b, j]
    prices_dense_core(W, pw, True, want_max)
    for j in range(m):
        out.col[b, j] = pw.pmin[j]
        out.pmax[b, j] = pw.pmax[j]
    for i in range(n):
        j = px[i]
        out.rdual[b, i] = max(out.rdual[b, i] - pw.pmin[j], 0.0) if j >= 0 else 0.0


@jit_inline
def _solve_batch(problems, out, small, with_prices, want_max):
    """Check and solve ``problems.value[b]`` for every ``b``.

    Parameters
    ----------
    problems : DenseProblems
        Values, costs and forbidden pairs (read only).
    out : BatchOut
        Written: every field, for every problem.
    small : bool
        The longer side has at most ``SHORT_ROW`` entries.
    with_prices, want_max : bool
        Replace the solver's duals by the minimum prices; also compute the maximum ones.
        The three flags are constants of the kernel this body is spliced into.

    Returns
    -------
    tuple of int
        ``(code, flat index)`` of the first bad entry as :func:`surplus_rows` gives it,
        ``(0, -1)`` when all is well. The surplus is built for blocks of problems at a
        time, then each problem is solved.
    """
    v3, c1, c2, forb = problems
    x, welfare, col = out.x, out.welfare, out.col
    rdual, reason = out.rdual, out.reason
    nb = v3.shape[0]
    n = v3.shape[1]
    m = v3.shape[2]
    s = min(n, m)
    t = max(n, m)
    tall = n > m
    block = max(1, min(nb, 4096 // (n * m)))
    Wb = np.empty((block * n, m), np.float64)
    ws = lap_outside_workspace(s, t)
    xr, yc, u, v = ws.x, ws.y, ws.u, ws.v
    # the transposed surplus of tall problems, and the prices' work array for the maximum
    # (square problems are transposed in place instead)
    WT = np.empty((m, n) if tall or (want_max and n < m) else (0, 0), np.float64)
    pw = PriceWork(
        np.empty(n, np.int64),
        np.empty(m, np.float64),
        np.empty(m, np.float64),
        np.empty(m, np.float64),
        np.empty(m, np.int64),
        np.empty(n, np.float64),
        np.empty(n, np.float64),
        np.empty(m, np.float64),
        np.empty(m, np.float64),
        WT,
    )
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
            if small:
                lap_outside_core(Wp, ws, True)
            else:
                lap_outside_core(Wp, ws, False)
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
                _prices_one(Wb[off : off + n], b, want_max, out, pw)
    return 0, -1


@jit
def _solve_csr_dense(indptr, indices, w, W, tall, xe, u, p):
    """:func:`assign_csr_dense` once ``W`` is allocated.

    Parameters
    ----------
    indptr, indices, w, xe, u, p : ndarray
        As in :func:`assign_csr_dense`.
    W : ndarray of float64, shape (m, n) when ``tall`` else (n, m)
        When ``tall``, ``-inf`` everywhere on entry; otherwise uninitialised and each row
        set to ``-inf`` here just before its entries (while it is in cache). The surplus
        is scattered into it.
    tall : bool
        More rows than columns: ``W`` holds the transposed problem.
    """
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
    ws = lap_outside_workspace(s, t)
    xr, yc, us, vt = ws.x, ws.y, ws.u, ws.v
    if t <= SHORT_ROW:
        lap_outside_core(W, ws, True)
    else:
        lap_outside_core(W, ws, False)
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
