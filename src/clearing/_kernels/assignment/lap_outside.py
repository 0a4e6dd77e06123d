"""Assignment with an outside option: every row takes a distinct column or stays alone.

The market form of :mod:`clearing._kernels.assignment.dense`: a request may stay unmatched at
surplus 0. The search is that of :mod:`clearing._kernels.assignment.lap` (shortest augmenting
paths with reduced costs), with one implicit extra column per row that is never stored.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from ..._jit import jit
from .lap_search import argmin_nonneg_free, flip_path

SHORT_ROW = 32  # rows up to this length take a plain argmin scan (no bit view)


@jit
def _argmin_small(d):
    """Index of the least entry of ``d`` (the first on ties), -1 if all are ``inf``.

    Parameters
    ----------
    d : ndarray of float64, shape (m,)
        Read only; negative entries are allowed.

    Notes
    -----
    A plain scan for short rows: it needs no integer view. It keeps the lowest-index tie
    rule: a search on a short row is short whatever the ties, and preferring free columns
    there does not pay on small batches.
    """
    j = -1
    low = np.inf
    for k in range(d.shape[0]):
        lt = d[k] < low
        low = d[k] if lt else low
        j = k if lt else j
    return j


class OutsideWork(NamedTuple):
    """Outputs and work arrays of :func:`lap_outside_core` for an ``s x t`` problem.

    Outputs (written): ``x`` (int64, ``s``) the column of each row, -1 if none; ``y``
    (int64, ``t``) the row of each column, -1 if none; ``u`` (float64, ``s``) and ``v``
    (float64, ``t``) the row and column duals (cost form, ``<= 0``). Work arrays (contents
    on entry do not matter): ``scanned`` (int64, ``s``) the rows of a search in scan order;
    ``pred`` and ``scol`` (int64, ``t``) the predecessor row of each column and the
    settled columns in order; ``d``, ``dfin`` and ``vv`` (float64, ``t``) tentative and
    final distances, and the duals of settled columns.
    """

    x: Any
    y: Any
    u: Any
    v: Any
    scanned: Any
    pred: Any
    scol: Any
    d: Any
    dfin: Any
    vv: Any


@jit
def lap_outside_workspace(s, t):
    """An :class:`OutsideWork` for an ``s x t`` problem.

    Parameters
    ----------
    s, t : int
        The problem's shape (rows, columns).
    """
    return OutsideWork(
        np.empty(s, np.int64),
        np.empty(t, np.int64),
        np.empty(s, np.float64),
        np.empty(t, np.float64),
        np.empty(s, np.int64),
        np.empty(t, np.int64),
        np.empty(t, np.int64),
        np.empty(t, np.float64),
        np.empty(t, np.float64),
        np.empty(t, np.float64),
    )


@jit
def lap_outside_core(W, ws, small):
    """Assignment with an outside option: each row takes a distinct column or none.

    Parameters
    ----------
    W : ndarray of float64, shape (n, m)
        Surplus, ``-inf`` off the eligible pairs; read only.
    ws : OutsideWork
        For ``s, t = n, m``: the outputs ``x``, ``y``, ``u``, ``v`` (written) and the work
        arrays (see :class:`OutsideWork`).
    small : bool
        A literal: ``m <= SHORT_ROW``.

    Notes
    -----
    Maximises ``sum W[i, x[i]]`` over the rows with ``x[i] >= 0``; any shape, ``-inf``
    forbids a pair. This is the minimum-cost problem on ``C = -W`` with one extra column
    per row, of cost 0 for that row only, and its duals are optimal for the market LP as
    they stand: ``u <= 0``, ``v <= 0``, ``u[i] + v[j] <= C[i, j]``, equality on assigned
    pairs, ``u[i] == 0`` on unassigned rows and ``v[j] == 0`` on unassigned columns.

    Pass ``small`` as a literal ``True`` when ``m <= SHORT_ROW`` (rows are then scanned by
    :func:`_argmin_small`), else ``False`` (rows start from their minimum, for
    :func:`argmin_nonneg_free`). Each value compiles its own specialisation, so that the
    selection is not a choice made in the loop (see ``docs/bench/assignment.md``). Call it
    directly: a wrapper adds a call per problem.

    Column reduction does not apply (the extended problem is never square) and augmenting
    row reduction costs more than it saves on small problems. A greedy pass
    comes first instead: with ``v == 0``, each row in index order takes its best column
    (the first on ties) at ``u[i] = -W[i, j]`` if that column is still free. Those duals
    are feasible and tight. A row with no eligible column stays alone for good; the others
    left over (``x == -2`` until their turn: a search reaches matched rows only) search, in
    index order, for a shortest augmenting path. On random small problems the pass settles
    most rows.

    The extra columns are never stored: while row ``i`` is not on its own, that column's
    dual is 0 and its distance is ``delta - u[i]`` when ``i`` is scanned at distance
    ``delta``, so a search keeps the closest one (``dbest``, of row ``drow``) and ends there
    if no real column is closer; ``drow`` then leaves the matching for good. On long rows
    ties in distance go to an unassigned real column (the lowest index among them), then to
    the outside column, then to the lowest-index assigned column: on integer data many
    columns tie, and ending the search where it can keeps it short. Short rows
    (``small``) take the lowest index and a real column over the outside one.

    A settled column ``c`` keeps its dual in ``vv[c]`` while ``v[c]`` is ``-inf``, so that
    the distance sweep passes over it. The code is shaped for the small problems of a
    batch, where the overhead around a search counts:

    - every array dies at the same point, so numba emits no reference counting for the work
      arrays (a final loop over ``x`` after the last use of the others brings back atomic
      reference-count calls in every problem);
    - a settled column is marked after the sweep, not just before it (the sweep's vector
      loads would wait for those scalar stores);
    - the sweep stores with ``np.minimum`` (a select there becomes a masked store, which the
      next scan cannot read back without a stall);
    - the outside-option candidate and the greedy claims are selects, not branches.
    """
    numba.literally(small)
    x, y, u, v = ws.x, ws.y, ws.u, ws.v
    scanned, pred, scol = ws.scanned, ws.pred, ws.scol
    d, dfin, vv = ws.d, ws.dfin, ws.vv
    n = W.shape[0]
    m = W.shape[1]
    for j in range(m):
        y[j] = -1
        v[j] = 0.0
    for i in range(n):  # the greedy pass: each row's best eligible column, -1 if none
        best = 0.0
        jbest = -1
        for j in range(m):
            w = W[i, j]
            gt = w > best
            best = w if gt else best
            jbest = j if gt else jbest
        x[i] = jbest
        u[i] = -best
    for i in range(n):  # claims in index order, without branches (-2: lost, to search)
        jb = x[i]
        if jb >= 0:
            own = y[jb]
            take = own < 0
            y[jb] = i if take else own
            x[i] = jb if take else -2
            u[i] = u[i] if take else 0.0
        else:
            u[i] = 0.0
    for f in range(n):
        if x[f] != -2:
            continue
        x[f] = -1
        # u[f]: long rows start from their minimum so that d >= 0 for argmin_nonneg_free
        start = 0.0
        if not small:
            start = np.inf
            for j in range(m):
                h = -W[f, j] - v[j]
                start = h if h < start else start
            if start > 0.0:
                continue
        u[f] = start
        for j in range(m):
            d[j] = -W[f, j] - v[j] - start
            pred[j] = f
        jb = _argmin_small(d) if small else argmin_nonneg_free(d, y)
        dbest = -start
        drow = f
        nscan = 1
        scanned[0] = f
        ncol = 0
        while True:
            # drow leaves for its outside column if it is closer, or (long rows) as close
            # as an assigned column: a free column at the same distance goes first
            tie_out = False if small or jb < 0 else dbest == d[jb] and y[jb] >= 0
            if jb < 0 or dbest < d[jb] or tie_out:
                delta = dbest
                sink = -1
                break
            delta = d[jb]
            if y[jb] < 0:
                sink = jb
                break
            dfin[jb] = delta
            scol[ncol] = jb
            ncol += 1
            i = y[jb]
            scanned[nscan] = i
            nscan += 1
            base = delta - u[i]
            closer = base < dbest
            dbest = base if closer else dbest
            drow = i if closer else drow
            pj = pred[jb]
            for j in range(m):
                r = base - W[i, j] - v[j]
                dj = d[j]
                pred[j] = i if r < dj else pred[j]
                d[j] = np.minimum(r, dj)
            pred[jb] = pj  # settle jb now (see the docstring)
            vv[jb] = v[jb]
            v[jb] = -np.inf
            d[jb] = np.inf
            jb = _argmin_small(d) if small else argmin_nonneg_free(d, y)
        # duals: row scanned[k + 1] was reached through column scol[k]
        u[f] += delta
        for k in range(ncol):
            c = scol[k]
            u[scanned[k + 1]] += delta - dfin[c]
            v[c] = vv[c] - (delta - dfin[c])
        if sink < 0:
            sink = x[drow]
            x[drow] = -1
            u[drow] = 0.0
        flip_path(x, y, pred, f, sink)
