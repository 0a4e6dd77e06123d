"""The shortest augmenting path search of the dense solver (:mod:`.lap`) and its scans.

Phase 3 of :mod:`clearing._kernels.assignment.lap` (see its docstring for the tie rule), with
the vectorised minimum scans that the outside-option solver
(:mod:`clearing._kernels.assignment.lap_outside`) and the dense prices
(:mod:`clearing._kernels.assignment.prices`) share.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline

OK = 0
INFEASIBLE = 1
_INF_BITS = np.int64(0x7FF0000000000000)  # the bits of +inf as float64


@jit
def argmin_nonneg(d):
    """Index of the least entry of ``d`` (the first on ties), -1 if all are ``inf``.

    Parameters
    ----------
    d : ndarray of float64, shape (m,)
        Distances, ``>= 0`` up to rounding. Read only.

    Notes
    -----
    The distances are ``>= 0`` (up to rounding), and for non-negative doubles the IEEE bit
    patterns order like the values, so the minimum is an integer reduction (it vectorises
    without fast-math) followed by a search for the first match. A stray ``-0.0`` or
    rounding-negative entry sorts first, which is at most a rounding-level choice.
    """
    di = d.view(np.int64)
    m = di.shape[0]
    low = di[0]
    for k in range(1, m):
        b = di[k]
        low = b if b < low else low
    if low == _INF_BITS:
        return -1
    # find the first match 16 entries at a time (a fixed-length test vectorises; a plain
    # early-exit scan does not)
    k = 0
    while k + 16 <= m:
        hit = False
        for t in range(16):
            hit |= di[k + t] == low
        if hit:
            break
        k += 16
    while di[k] != low:
        k += 1
    return k


@jit
def argmin_nonneg_free(d, y):
    """:func:`argmin_nonneg` with a free column first on ties.

    Parameters
    ----------
    d : ndarray of float64, shape (m,)
        Distances, ``>= 0`` up to rounding. Read only.
    y : ndarray of int64, shape (m,)
        The row of each column, ``< 0`` when unassigned. Read only.

    Notes
    -----
    Among the entries at the least distance, the first column with ``y[j] < 0`` (not
    assigned: the search ends there) wins; without one, the first column. This is the rule
    of scipy's ``rectangular_lsap.cpp``: on integer or 0/1 costs many columns tie at the
    minimum, and taking an assigned one first grows the search tree needlessly (by orders
    of magnitude on integer costs). -1 if all are ``inf``.
    """
    k = argmin_nonneg(d)
    if k < 0 or y[k] < 0:
        return k
    di = d.view(np.int64)
    low = di[k]
    m = di.shape[0]
    j = k + 1
    # a free column at the same distance, 16 entries at a time; the test counts: or-ing two
    # comparisons (hit |= a & b) may compile to a branch per entry (see _first_free_at)
    while j + 16 <= m:
        hits = 0
        for t in range(16):
            hits += (di[j + t] == low) & (y[j + t] < 0)
        if hits:
            break
        j += 16
    while j < m:
        if di[j] == low and y[j] < 0:
            return j
        j += 1
    return k


@jit
def _first_free_at(d, y, lo, level):
    """The first unassigned column ``j >= lo`` with ``d[j] <= level``, -1 if none.

    Parameters
    ----------
    d : ndarray of float64, shape (m,)
    y : ndarray of int64, shape (m,)
        Distances and the row of each column (``< 0``: unassigned). Read only.
    lo : int
    level : float
    """
    m = d.shape[0]
    j = lo
    # 16 entries at a time (a fixed-length test vectorises; an early-exit scan does not).
    # The test counts: LLVM compiled ``hit |= (d <= level) & (y < 0)`` into a branch per
    # entry in some builds, which made whole dense solves 1.3-1.4x slower.
    while j + 16 <= m:
        hits = 0
        for t in range(16):
            hits += (d[j + t] <= level) & (y[j + t] < 0)
        if hits:
            break
        j += 16
    while j < m:
        if d[j] <= level and y[j] < 0:
            return j
        j += 1
    return -1


@jit
def _settle_level(d, vv, dfin, y, lo, level, queue, tail):
    """Settle the columns of ``d`` at distance ``<= level`` from index ``lo`` on.

    Parameters
    ----------
    d, vv, dfin : ndarray of float64, shape (m,)
        Tentative distances, swept column duals and final distances, updated in place.
    y : ndarray of int64, shape (m,)
        The row of each column (``< 0``: unassigned). Read only.
    lo : int
        No column below ``lo`` is at the level.
    level : float
        The least tentative distance.
    queue : ndarray of int64, shape (m,)
        Settled columns, appended from ``tail`` on.
    tail : int

    Notes
    -----
    If one of them is unassigned, the search ends there: the first such column is
    returned (columns before it may have been settled already: their dual does not move).
    Otherwise each is queued and settled (``dfin`` keeps the level, ``d = inf`` and
    ``vv = -inf`` take it out of later sweeps): nothing can reach it closer. Return the new
    ``tail`` and the unassigned column (-1 if none).

    One pass over blocks of 16 (the skip test vectorises). The first block with several
    columns at the level triggers a look-ahead for an unassigned one over the rest (also
    vectorised), so that tie-heavy rows do not settle many columns one by one only to meet
    a free one later; without one, the rest is settled by :func:`_settle_all`. On rows with
    few ties that look-ahead never runs.
    """
    m = d.shape[0]
    j = lo
    while j < m:
        j = _block_at(d, j, level)
        end = min(j + 16, m)
        n_at = 0
        for k in range(j, end):
            n_at += d[k] <= level
        if n_at > 1:
            k = _first_free_at(d, y, j, level)
            if k >= 0:
                return tail, k
            return _settle_all(d, vv, dfin, j, level, queue, tail), -1  # none free from j on
        for k in range(j, end):
            if d[k] <= level and y[k] < 0:
                return tail, k
        tail = _settle_block(d, vv, dfin, j, end, level, queue, tail)
        j = end
    return tail, -1


@jit
def _settle_all(d, vv, dfin, lo, level, queue, tail):
    """:func:`_settle_level` when no column at the level is unassigned (known already).

    Parameters
    ----------
    d, vv, dfin, lo, level, queue, tail
        As in :func:`_settle_level`.

    Returns
    -------
    int
        The new ``tail``.
    """
    m = d.shape[0]
    j = lo
    while j < m:
        j = _block_at(d, j, level)
        end = min(j + 16, m)
        tail = _settle_block(d, vv, dfin, j, end, level, queue, tail)
        j = end
    return tail


@jit_inline
def _block_at(d, j, level):
    """The first ``j' >= j`` (in steps of 16) whose 16 entries hold one ``<= level``, or the
    start of the last, shorter block.

    Parameters
    ----------
    d : ndarray of float64, shape (m,)
        Tentative distances. Read only.
    j : int
    level : float
    """
    m = d.shape[0]
    while j + 16 <= m:
        hit = False
        for t in range(16):  # a fixed-length test vectorises; an early-exit scan does not
            hit |= d[j + t] <= level
        if hit:
            break
        j += 16
    return j


@jit_inline
def _settle_block(d, vv, dfin, j, end, level, queue, tail):
    """Settle the columns ``j <= k < end`` at distance ``<= level``; return the new ``tail``.

    Parameters
    ----------
    d, vv, dfin, level, queue, tail
        As in :func:`_settle_level`; a settled column gets ``dfin`` = the level, and
        ``d = inf``, ``vv = -inf`` take it out of later sweeps.
    j, end : int
        The block.
    """
    for k in range(j, end):
        if d[k] <= level:
            dfin[k] = level  # (a rounding below the level is not a new level)
            d[k] = np.inf
            vv[k] = -np.inf
            queue[tail] = k
            tail += 1
    return tail


@jit
def augment(C, x, y, u, v, f, ws):
    """Shortest augmenting path from free row ``f``; update duals; return status.

    Parameters
    ----------
    C, x, y, u, v : ndarray
        As in :func:`~clearing._kernels.assignment.lap.lap_dense`: the assignment is
        augmented and the duals (feasible and tight on entry, ``u[f]`` the row minimum of
        ``f``) are updated in place.
    f : int
        A free row.
    ws : LapWork
        Work arrays (:class:`clearing._kernels.assignment.lap.LapWork`).

    Returns
    -------
    int
        ``OK``, or ``INFEASIBLE`` when no free column is reachable at a finite cost.

    Notes
    -----
    When no settled column waits to be scanned, the columns at the least distance are
    settled together (an unassigned one among them ends the search: the lowest index) and
    queued; their rows are then scanned first in, first out (``scol`` is that queue, in
    settling order). Columns that a scan brings down to the same distance wait for the
    next settling, when the queue is empty: the search goes breadth first through the
    columns of one distance, in layers, each layer in index order; but while rows wait, a
    scan that brings an unassigned column down to the level ends the search there (the
    lowest index among those), checked on the list of unassigned columns only.

    How a layer is found adapts to the search; the columns chosen are the same either way.
    The first layer, where most searches on tie-heavy costs end, takes the vectorised
    :func:`argmin_nonneg_free` (the minimum, then the first unassigned column at it) and,
    only when there is none, one pass that settles the layer. Later layers, one column
    each on spread-out costs, are settled in the pass that looks for an unassigned column
    (:func:`_settle_level`): one pass instead of two. Settled columns get ``vv = -inf`` and
    ``d = inf``, so every relaxation runs over the whole contiguous row without branches on
    the settled set (the loop vectorises); their final distance is kept in ``dfin``.
    """
    m = C.shape[1]
    d = ws.d
    dfin = ws.dfin
    vv = ws.vv
    pred = ws.pred
    scol = ws.scol
    for j in range(m):
        d[j] = np.inf
        vv[j] = v[j]
    fcols = ws.imin  # the unassigned columns, listed once the queue first waits
    nfc = -1
    head = 0
    tail = 0
    i = f
    level = 0.0
    min_val = 0.0
    sink = -1
    deep = False
    while True:
        base = min_val - u[i]
        for j in range(m):
            r = base + C[i, j] - vv[j]
            dj = d[j]
            better = r < dj
            d[j] = r if better else dj
            pred[j] = i if better else pred[j]
        if head < tail:
            # rows wait at this level: a free column this row brought down to it ends the
            # search now (a look at the free columns only, not a pass over all of them)
            if nfc < 0:
                nfc = 0
                for j in range(m):
                    if y[j] < 0:
                        fcols[nfc] = j
                        nfc += 1
            for t in range(nfc):
                if d[fcols[t]] <= level:
                    sink = fcols[t]
                    break
            if sink >= 0:
                break
        else:  # nothing left at this level: settle the next one
            if deep:  # later layers: settle and look for a free column in one pass
                k = argmin_nonneg(d)
                if k < 0:
                    return INFEASIBLE
                level = d[k]
                tail, sink = _settle_level(d, vv, dfin, y, k, level, scol, tail)
                if sink >= 0:
                    break
            else:  # the first layer: its free column (most searches end there), then settle
                k = argmin_nonneg_free(d, y)
                if k < 0:
                    return INFEASIBLE
                level = d[k]
                if y[k] < 0:
                    sink = k
                    break
                tail = _settle_all(d, vv, dfin, k, level, scol, tail)
                deep = True
        j = scol[head]
        head += 1
        min_val = dfin[j]
        i = y[j]
    # dual update: every settled column but the sink and the row it holds (scanned or not)
    u[f] += level
    for k in range(tail):
        j = scol[k]
        delta = level - dfin[j]
        v[j] -= delta
        u[y[j]] += delta
    flip_path(x, y, pred, f, sink)
    return OK


@jit_inline
def flip_path(x, y, pred, f, j):
    """Flip the alternating path that ends in column ``j`` (none when ``j < 0``) back to ``f``.

    Parameters
    ----------
    x, y : ndarray of int64
        The assignment (row to column, column to row), flipped in place along the path.
    pred : ndarray of int64, shape (m,)
        The predecessor row of each column in the search. Read only.
    f : int
        The row the search started from.
    j : int
        The column the path ends in.
    """
    while j >= 0:
        i = pred[j]
        y[j] = i
        j_next = x[i]
        x[i] = j
        if i == f:
            break
        j = j_next
