"""Transportation on a dense surplus matrix as an assignment of unit copies.

A request with demand ``d`` becomes ``d`` identical rows and a provider with capacity ``k``
becomes ``k`` identical columns; the assignment with an outside option of that expanded
matrix (:func:`~clearing._kernels.assignment.lap_outside.lap_outside_core`, the solver of
dense ``assign``) is an optimal integral flow of the transportation problem. Copies beyond
what the other side can take are left out (``min(d, total capacity)`` rows, ``min(k,
total demand)`` columns): they could only stay unserved. The caller takes this route when
the expanded matrix is at most a few times the original (unit demands and capacities:
the matrix itself, read in place); the dense solver sweeps whole rows in vector loads,
where the CSR searches of :mod:`~clearing._kernels.assignment.transport` follow entries
one by one.

Duals: the copies of a request may end with different duals. The least of them is a dual
of the request: the copy holding it is dual feasible against every provider's copies,
and no copy of a shipping pair can be tighter than equality (the same holds for the
providers' copies). An unmatched copy has dual 0, so a request with demand left and a
provider with capacity left get 0, as the contract asks. A request without demand gets the
least feasible dual, ``max(0, max(w - p))`` over the providers with capacity.

Ties: those of the dense solver on the expanded matrix (copies in index order).

Two kernels, :func:`transport_dense_short` and :func:`transport_dense_long`, one per
variant of the solver (rows of the expanded matrix of at most ``SHORT_ROW`` entries, or
longer: the longer side of the copies, ``max(sum(min(demand, total capacity)),
sum(min(capacity, total demand)))``), so that a call compiles one.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline
from .lap_outside import lap_outside_core, lap_outside_workspace


@jit
def unit_copies(units, other_total):
    """Original index of each unit copy: ``min(units[i], other_total)`` copies of ``i``.

    Parameters
    ----------
    units : ndarray, shape (n,), int64
        Units per row (or per column), ``>= 0``.
    other_total : int
        Total units of the other side (no more copies than that can trade).

    Returns
    -------
    ndarray, shape (copies,), int64
        The row (column) of each copy, in index order.
    """
    total = 0
    for i in range(units.shape[0]):
        total += min(units[i], other_total)
    src = np.empty(total, np.int64)
    c = 0
    for i in range(units.shape[0]):
        for _ in range(min(units[i], other_total)):
            src[c] = i
            c += 1
    return src


@jit
def _expanded(w, rsrc, csrc, tall):
    """The surplus of the copies: ``w[rsrc[a], csrc[b]]`` at ``(a, b)``, or at ``(b, a)``
    when ``tall`` (the solver runs on the wide orientation).

    Parameters
    ----------
    w : ndarray, shape (n, m), float64
        The surplus; read only.
    rsrc, csrc : ndarray of int64
        The original row of each row copy and column of each column copy.
    tall : bool
        More row copies than column copies.

    Returns
    -------
    ndarray of float64
        ``w`` itself when every row and column is one copy of itself and the matrix is not
        tall (no copy is made), else a new matrix.
    """
    n, m = w.shape
    na = rsrc.shape[0]
    nb = csrc.shape[0]
    if not tall and na == n and nb == m:
        same = True
        for i in range(n):
            same &= rsrc[i] == i
        for j in range(m):
            same &= csrc[j] == j
        if same:
            return w
    W = np.empty((nb, na) if tall else (na, nb), np.float64)
    for a in range(na):
        row = w[rsrc[a]]
        for b in range(nb):
            if tall:
                W[b, a] = row[csrc[b]]
            else:
                W[a, b] = row[csrc[b]]
    return W


@jit
def _least_copy_duals(src, partner, dual, count):
    """The least market-form dual over the copies of each of ``count`` originals.

    Parameters
    ----------
    src : ndarray, shape (copies,), int64
        The original of each copy.
    partner : ndarray, shape (copies,), int64
        The copy matched to each copy on the other side (-1: none).
    dual : ndarray, shape (copies,), float64
        The solver's cost-form dual of each copy (``<= 0``); an unmatched copy counts 0.
    count : int
        Number of originals.

    Returns
    -------
    ndarray, shape (count,), float64
        ``min(-dual)`` over the copies of each original (clipped at 0), ``inf`` for an
        original without copies.
    """
    out = np.full(count, np.inf)
    for c in range(src.shape[0]):
        d = -dual[c] if partner[c] >= 0 and dual[c] < 0.0 else 0.0
        out[src[c]] = min(out[src[c]], d)
    return out


@jit_inline
def _transport_dense(w, demand, capacity, flow, unserved, load, u, v, small):
    """Solve the transportation problem on a dense surplus; see the module docstring.

    Parameters
    ----------
    w : ndarray, shape (n, m), float64
        Surplus per unit of each pair, ``-inf`` where the pair may not trade; read only.
    demand : ndarray, shape (n,), int64
        Units wanted per request (``>= 0``).
    capacity : ndarray, shape (m,), int64
        Units per provider (``>= 0``).
    flow : ndarray, shape (n, m), int64
        Output, written in place: units on each pair.
    unserved : ndarray, shape (n,), int64
        Output, written in place: units of each request left unserved.
    load : ndarray, shape (m,), int64
        Output, written in place: units served by each provider.
    u : ndarray, shape (n,), float64
        Output, written in place: request duals in cost form (``<= 0``; ``-w - u - v >= 0``
        on every eligible pair with capacity, equality where units flow, 0 where demand is
        left).
    v : ndarray, shape (m,), float64
        Output, written in place: provider duals in cost form (``<= 0``; 0 where capacity
        is left or there is none).
    small : bool
        A constant: the rows of the expanded matrix (in the solver's orientation) have at
        most ``SHORT_ROW`` entries.

    Returns
    -------
    float
        The total surplus of the flow, ``sum(w * flow)`` over the pairs that carry units.
    """
    n, m = w.shape
    total_d = 0
    total_k = 0
    for i in range(n):
        total_d += demand[i]
    for j in range(m):
        total_k += capacity[j]
    rsrc = unit_copies(demand, total_k)
    csrc = unit_copies(capacity, total_d)
    na = rsrc.shape[0]
    nb = csrc.shape[0]
    tall = na > nb
    W = _expanded(w, rsrc, csrc, tall)
    s, t = W.shape
    ws = lap_outside_workspace(s, t)
    x, y, us, vs = ws.x, ws.y, ws.u, ws.v
    if s > 0 and t > 0:
        if small:
            lap_outside_core(W, ws, True)
        else:
            lap_outside_core(W, ws, False)
    else:  # no copies on one side: nothing trades
        x[:] = -1
        y[:] = -1
    # the flow, then the market-form duals of the copies: the least per request and provider
    for j in range(m):
        load[j] = 0
    for i in range(n):
        unserved[i] = demand[i]
    welfare = 0.0
    for a in range(na):
        b = y[a] if tall else x[a]
        if b >= 0:
            i = rsrc[a]
            j = csrc[b]
            flow[i, j] += 1
            unserved[i] -= 1
            load[j] += 1
            welfare += w[i, j]
    U = _least_copy_duals(rsrc, y if tall else x, vs if tall else us, n)
    P = _least_copy_duals(csrc, x if tall else y, us if tall else vs, m)
    for j in range(m):
        if capacity[j] == 0:
            P[j] = 0.0
    for j in range(m):
        v[j] = -P[j] if P[j] < np.inf else 0.0
    for i in range(n):
        if U[i] == np.inf:  # no copy: the least feasible dual
            best = 0.0
            for j in range(m):
                if capacity[j] > 0:
                    best = max(best, w[i, j] + v[j])
            U[i] = best
        u[i] = -U[i]
    return welfare


@jit
def transport_dense_short(w, demand, capacity, flow, unserved, load, u, v):
    """:func:`_transport_dense` when the longer side of the copies is at most ``SHORT_ROW``."""
    return _transport_dense(w, demand, capacity, flow, unserved, load, u, v, True)


@jit
def transport_dense_long(w, demand, capacity, flow, unserved, load, u, v):
    """:func:`_transport_dense` when the longer side of the copies is above ``SHORT_ROW``."""
    return _transport_dense(w, demand, capacity, flow, unserved, load, u, v, False)
