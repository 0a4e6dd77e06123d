"""Dense linear sum assignment: Jonker-Volgenant shortest augmenting paths.

``lap_dense(C, x, y, u, v)`` minimises ``sum C[i, x[i]]`` over assignments of every row to a
distinct column of a dense ``n x m`` cost matrix with ``n <= m`` (callers transpose tall
problems). ``+inf`` marks a forbidden pair. On return ``x[i]`` is the column of row ``i``,
``y[j]`` the row of column ``j`` (``-1`` if none), and ``u``, ``v`` are optimal duals:
``u[i] + v[j] <= C[i, j]`` with equality on assigned pairs, ``v <= 0`` and ``v[j] == 0`` on
unassigned columns (so the duals are optimal for the rectangular problem too).

The phases follow Jonker and Volgenant (1987):

1. column reduction and reduction transfer (square problems only: with ``n < m`` the duals of
   unassigned columns must stay at 0, so the search starts from ``v = 0``);
2. augmenting row reduction, which settles most rows cheaply on spread-out costs; a pass
   stops early once it settles fewer than one row per ``STALL`` row scans (the price wars
   of tie-heavy costs: 0/1 or small integers), and after ``ARR_FACTOR * n`` scans at most;
3. a Dijkstra search with reduced costs from each row still free, as in scipy's
   ``rectangular_lsap.cpp`` (Crouse 2016), written so that each relaxation sweeps a whole
   contiguous cost row without branches (it vectorises). The columns at the least
   distance are settled together; an unassigned one among them ends the search at once
   (the lowest index among them); otherwise their rows are scanned first in, first out,
   and columns brought down to the same distance meanwhile form the next layer, settled
   in index order when the queue is empty; an unassigned column brought down to the
   level by a scan ends the search at once (as the ``SCAN``/``TODO`` lists of Jonker and
   Volgenant's own search; on integer costs the lowest-index-first order of scipy's
   search scans many more rows: see ``docs/bench/assignment.md``).

Status: 0 optimal, 1 infeasible (no assignment of finite cost).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit
from .lap_search import INFEASIBLE, OK, argmin_nonneg, argmin_nonneg_free, augment, flip_path

__all__ = [
    "INFEASIBLE",
    "OK",
    "LapWork",
    "argmin_nonneg",
    "argmin_nonneg_free",
    "flip_path",
    "lap_dense",
    "lap_dense_core",
]

ARR_PASSES = 1  # passes of augmenting row reduction (a second one gained nothing measurable)
ARR_FACTOR = 3  # and its budget: row scans per row
STALL = 4  # augmenting row reduction stops below one row settled per this many scans


@jit
def _column_reduction(C, x, y, v, free, imin, matches):
    """Square problems: v = column minima, rows take their minimum columns; return n free.

    Parameters
    ----------
    C : ndarray of float64, shape (n, n)
        Costs. Read only.
    x, y : ndarray of int64, shape (n,)
        Written: the column of each row and the row of each column (-1: none).
    v : ndarray of float64, shape (n,)
        Written: column duals (the column minima, less the reduction transfer).
    free : ndarray of int64, shape (n,)
        Written: the rows left free, first.
    imin, matches : ndarray of int64, shape (n,)
        Work arrays.

    Returns
    -------
    int
        The number of free rows, -1 if a column has no finite cost (infeasible).
    """
    n = C.shape[0]
    m = C.shape[1]
    for j in range(m):
        imin[j] = 0
        v[j] = C[0, j]
    for i in range(1, n):
        for j in range(m):
            c = C[i, j]
            if c < v[j]:
                v[j] = c
                imin[j] = i
    for j in range(m):
        if v[j] == np.inf:
            return -1
    for i in range(n):
        matches[i] = 0
    for j in range(m - 1, -1, -1):
        i = imin[j]
        matches[i] += 1
        if matches[i] == 1:
            x[i] = j
            y[j] = i
        elif v[j] < v[x[i]]:
            j1 = x[i]
            x[i] = j
            y[j] = i
            y[j1] = -1
        else:
            y[j] = -1
    nfree = 0
    for i in range(n):
        if matches[i] == 0:
            free[nfree] = i
            nfree += 1
        elif matches[i] == 1:
            j1 = x[i]
            best = np.inf
            for j in range(m):
                if j != j1:
                    h = C[i, j] - v[j]
                    if h < best:
                        best = h
            if best < np.inf:
                v[j1] -= best
    return nfree


@jit
def _augmenting_row_reduction(C, x, y, v, free, nfree, limit):
    """One pass of augmenting row reduction over ``free[:nfree]``; return the rows left free.

    Parameters
    ----------
    C, x, y, v : ndarray
        As in :func:`lap_dense` (``n x m``): the assignment is updated and ``v`` lowered in
        place.
    free : ndarray of int64, shape (n,)
        The free rows in ``free[:nfree]``; on return those still free, first.
    nfree : int
    limit : int
        The most row scans the pass may spend.

    Notes
    -----
    Invariant kept: every assigned row's column minimises ``C[i, j] - v[j]`` over ``j``.
    """
    m = C.shape[1]
    k = 0
    prev = nfree
    nfree = 0
    guard = 0
    while k < prev:
        # a price war (the budget spent, or fewer than one row settled per STALL scans
        # once past the first few): leave the rest to the shortest-path phase
        if guard >= limit or (guard >= 64 and (k - nfree) * STALL < guard):
            while k < prev:
                free[nfree] = free[k]
                nfree += 1
                k += 1
            break
        i = free[k]
        k += 1
        umin = np.inf
        usub = np.inf
        j1 = -1
        j2 = -1
        for j in range(m):
            h = C[i, j] - v[j]
            if h < usub:
                if h >= umin:
                    usub = h
                    j2 = j
                else:
                    usub = umin
                    umin = h
                    j2 = j1
                    j1 = j
        if j1 < 0:  # only forbidden pairs: the search phase reports infeasibility
            free[nfree] = i
            nfree += 1
            continue
        i0 = y[j1]
        guard += 1
        strict = umin < usub and usub < np.inf
        if strict:
            v[j1] -= usub - umin
        elif i0 >= 0 and j2 >= 0 and usub == umin:
            j1 = j2
            i0 = y[j2]
        x[i] = j1
        y[j1] = i
        if i0 >= 0:
            x[i0] = -1
            if strict:
                k -= 1
                free[k] = i0
            else:
                free[nfree] = i0
                nfree += 1
    return nfree


class LapWork(NamedTuple):
    """Work arrays of :func:`lap_dense_core` for an ``n x m`` problem (contents on entry do
    not matter).

    ``d``, ``dfin`` and ``vv`` (float64, ``m``): tentative and final distances, and the
    column duals that a search sweeps (``-inf`` once settled). ``free`` and ``matches``
    (int64, ``n``): the rows left free, the columns each row won in the column reduction.
    ``imin``, ``pred`` and ``scol`` (int64, ``m``): the row of each column's minimum (then
    the unassigned columns of a search), the predecessor row of each column in a search,
    and the queue of settled columns.
    """

    d: Any
    dfin: Any
    vv: Any
    free: Any
    matches: Any
    imin: Any
    pred: Any
    scol: Any


@jit
def lap_dense(C, x, y, u, v):
    """Solve the dense rectangular problem (``n <= m``); see the module docstring.

    Parameters
    ----------
    C : ndarray of float64, shape (n, m)
        Costs, ``n <= m``; ``+inf`` forbids a pair. Read only.
    x : ndarray of int64, shape (n,)
        Written: the column of each row.
    y : ndarray of int64, shape (m,)
        Written: the row of each column, -1 if none.
    u : ndarray of float64, shape (n,)
        Written: row duals.
    v : ndarray of float64, shape (m,)
        Written: column duals (``<= 0``, 0 on unassigned columns, when ``n < m``).

    Returns
    -------
    int
        ``OK`` (0) or ``INFEASIBLE`` (1).
    """
    n = C.shape[0]
    m = C.shape[1]
    iw = np.empty(2 * n + 3 * m, np.int64)
    fw = np.empty(3 * m, np.float64)
    ws = LapWork(
        fw[:m], fw[m : 2 * m], fw[2 * m :], iw[:n], iw[n : 2 * n],
        iw[2 * n : 2 * n + m], iw[2 * n + m : 2 * n + 2 * m], iw[2 * n + 2 * m :],
    )  # fmt: skip
    return lap_dense_core(C, x, y, u, v, ws)


@jit
def lap_dense_core(C, x, y, u, v, ws):
    """:func:`lap_dense` on caller-owned work arrays (no allocation).

    Parameters
    ----------
    C, x, y, u, v : ndarray
        As in :func:`lap_dense`.
    ws : LapWork
        Work arrays for ``C.shape`` (overwritten).

    Returns
    -------
    int
        As :func:`lap_dense`.
    """
    n, m = C.shape
    for i in range(n):
        x[i] = -1
        u[i] = 0.0
    for j in range(m):
        y[j] = -1
        v[j] = 0.0
    if n == 0:
        return OK
    free = ws.free
    if n == m:
        nfree = _column_reduction(C, x, y, v, free, ws.imin, ws.matches)
        if nfree < 0:
            return INFEASIBLE
    else:
        nfree = n
        for i in range(n):
            free[i] = i
    for _ in range(ARR_PASSES):
        if nfree == 0:
            break
        nfree = _augmenting_row_reduction(C, x, y, v, free, nfree, ARR_FACTOR * n + 16)
    # row duals of assigned rows: the reduced cost of their column is their row minimum
    for i in range(n):
        if x[i] >= 0:
            u[i] = C[i, x[i]] - v[x[i]]
    for k in range(nfree):
        f = free[k]
        umin = np.inf
        for j in range(m):
            h = C[f, j] - v[j]
            if h < umin:
                umin = h
        u[f] = umin if umin < np.inf else 0.0
        status = augment(C, x, y, u, v, f, ws)
        if status != OK:
            return status
    return OK
