"""Transportation with an outside option: successive shortest paths over a CSR cost matrix.

Rows (requests) have integer ``demand``, columns (providers) integer ``capacity``; entry ``e``
of row ``i`` (``indptr[i] <= e < indptr[i + 1]``) allows units from row ``i`` to column
``indices[e]`` at cost ``cost[e]``. Every row may also leave units unserved at cost 0 (a
virtual column ``m`` of unbounded capacity), so the problem is always feasible and the
result maximises ``-sum(cost * flow)``: units are served only where that lowers the cost.

Method: a greedy row reduction (each row sends what it can to its cheapest column), then
for every row with demand left, a Dijkstra search on reduced costs ``cost - u - v`` over the
residual graph (row -> any column of the row; column -> the rows that already ship to it)
until a column with spare capacity (or the outside option) is reached; the bottleneck amount
is sent along the path and the duals move as in the Jonker-Volgenant search. Columns with
spare capacity keep ``v == 0`` and saturated columns ``v <= 0``, so ``(u, v)`` are optimal
duals on return. With unit demands and capacities this is a sparse assignment solver.

With at most ``DENSE_COLUMNS`` providers the searches run on the provider graph instead
(:mod:`clearing._kernels.assignment.transport_columns`): requests are implicit there, so a
search costs ``O(m^2)`` however many requests there are (the simulator's 15,000 x 50 shape).
Dense inputs with few units per request and provider do not come here: they are solved as
an assignment of unit copies (:mod:`clearing._kernels.assignment.transport_dense`).

Outputs: ``flow`` (per entry), ``unserved`` (per row), ``u``, ``v``; nothing is returned
(the outside option makes every instance feasible, so there is no status to report).

Why this module keeps its own search rather than a CSR shortest-path helper shared with
:mod:`~clearing._kernels.assignment.sparse` and :mod:`~clearing._kernels.assignment.prices`:
its residual graph has backward arcs (column -> the rows shipping to it, kept in linked
lists that change with every augmentation) and a virtual outside column, a path carries a
bottleneck amount rather than one unit, and the dual update covers rows reached through
columns. The sparse solver is an auction with no residual graph, and the price searches
run once on a fixed flow; a helper general enough for all three would pass the union of
their arrays into the innermost loop, which is where the time goes.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit
from .heap import heap_pop, heap_push_or_decrease
from .transport_columns import ssp_columns
from .transport_links import Links, link, unlink

#: up to this many providers the searches run on the provider graph (``ssp_columns``)
DENSE_COLUMNS = 512


@jit
def transport_csr(indptr, indices, cost, demand, capacity, flow, unserved, u, v):
    """Solve the transportation problem; see the module docstring.

    Parameters
    ----------
    indptr : ndarray, shape (n + 1,), int64
        Row pointers of the CSR matrix of allowed pairs.
    indices : ndarray, shape (nnz,), int64
        Column of each entry (unique within a row, any order).
    cost : ndarray, shape (nnz,), float64
        Finite cost per unit of each entry (a negative cost is a gain).
    demand : ndarray, shape (n,), int64
        Units wanted per row (>= 0).
    capacity : ndarray, shape (m,), int64
        Units per column (>= 0).
    flow : ndarray, shape (nnz,), int64
        Output, written in place: units on each entry.
    unserved : ndarray, shape (n,), int64
        Output, written in place: units of each row left to the outside option.
    u : ndarray, shape (n,), float64
        Output, written in place: row duals (``cost - u - v >= 0`` on every entry, ``u <= 0``,
        equality where units flow).
    v : ndarray, shape (m,), float64
        Output, written in place: column duals (``v <= 0``; 0 where capacity is left).
    """
    n = demand.shape[0]
    m = capacity.shape[0]
    nnz = indices.shape[0]
    rowof = np.empty(nnz, np.int64)
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            rowof[e] = i
    for e in range(nnz):
        flow[e] = 0
    for j in range(m):
        v[j] = 0.0
    load = np.zeros(m, np.int64)
    lk = Links(
        rowof,
        np.full(m, -1, np.int64),
        np.full(nnz, -1, np.int64),
        np.full(nnz, -1, np.int64),
        np.zeros(nnz + 1, np.int64),
    )
    rowof, head, nxt, prv, stamp = lk
    resid = np.empty(n, np.int64)

    # greedy row reduction with v == 0
    for i in range(n):
        unserved[i] = 0
        resid[i] = demand[i]
        best = 0.0
        be = -1
        free_e = -1  # the first entry at the best cost whose column has capacity left
        for e in range(indptr[i], indptr[i + 1]):
            c = cost[e]
            if c < best:
                best = c
                be = e
                free_e = e if load[indices[e]] < capacity[indices[e]] else -1
            elif c == best and be >= 0 and free_e < 0 and load[indices[e]] < capacity[indices[e]]:
                free_e = e
        if free_e >= 0:
            be = free_e
        u[i] = best
        if resid[i] == 0:
            continue
        if be < 0:
            unserved[i] = resid[i]
            resid[i] = 0
            continue
        j = indices[be]
        spare = capacity[j] - load[j]
        if spare > 0:
            q = min(spare, resid[i])
            flow[be] = q
            load[j] += q
            resid[i] -= q
            link(be, j, head, nxt, prv, stamp)

    # successive shortest paths for the rest
    if m <= DENSE_COLUMNS:
        ssp_columns(indptr, indices, cost, demand, capacity, flow, unserved, u, v, load, resid, lk)
        return
    dist = np.full(m + 1, np.inf)
    done = np.zeros(m + 1, np.bool_)
    pred_e = np.full(m + 1, -1, np.int64)
    heap = np.empty(m + 1, np.int64)
    pos = np.full(m + 1, -1, np.int64)
    row_seen = np.zeros(n, np.bool_)
    row_dist = np.zeros(n, np.float64)
    row_pred = np.full(n, -1, np.int64)
    touched = np.empty(m + 1, np.int64)
    rows = np.empty(n, np.int64)
    for f in range(n):
        while resid[f] > 0:
            nt = 0
            nr = 0
            size = 0
            dummy_row = -1
            row_seen[f] = True
            row_dist[f] = 0.0
            row_pred[f] = -1
            rows[nr] = f
            nr += 1
            qi = 0
            sink = m
            d_sink = 0.0
            # the closest column with capacity left (or the outside option) reached so far:
            # once no open column is closer the search ends there, rather than expanding
            # saturated columns at the same distance first (ties are common on integer costs)
            f_dist = np.inf
            f_col = -1
            while True:
                while qi < nr:
                    r = rows[qi]
                    qi += 1
                    dr = row_dist[r]
                    ur = u[r]
                    for e in range(indptr[r], indptr[r + 1]):
                        j = indices[e]
                        if done[j]:
                            continue
                        k = dr + cost[e] - ur - v[j]
                        if k < dist[j]:
                            if dist[j] == np.inf:
                                touched[nt] = j
                                nt += 1
                            dist[j] = k
                            pred_e[j] = e
                            size = heap_push_or_decrease(heap, pos, dist, size, j)
                            if load[j] < capacity[j] and (
                                k < f_dist or (k == f_dist and j < f_col)
                            ):
                                f_dist = k
                                f_col = j
                                if k <= dr:  # no column can be closer: stop scanning
                                    break
                    if f_col >= 0 and f_dist <= dr:
                        break
                    k = dr - ur
                    if k < dist[m]:
                        if dist[m] == np.inf:
                            touched[nt] = m
                            nt += 1
                        dist[m] = k
                        dummy_row = r
                        size = heap_push_or_decrease(heap, pos, dist, size, m)
                        if k < f_dist or (k == f_dist and m < f_col):
                            f_dist = k
                            f_col = m
                if f_col >= 0 and (size == 0 or f_dist <= dist[heap[0]]):
                    sink = f_col
                    d_sink = f_dist
                    break
                j, size = heap_pop(heap, pos, dist, size)
                done[j] = True
                if j == m or load[j] < capacity[j]:
                    sink = j
                    d_sink = dist[j]
                    break
                dj = dist[j]
                e = head[j]
                while e >= 0:
                    rr = rowof[e]
                    if not row_seen[rr]:
                        row_seen[rr] = True
                        row_dist[rr] = dj
                        row_pred[rr] = e
                        rows[nr] = rr
                        nr += 1
                    e = nxt[e]
            # dual update
            for t in range(nr):
                rr = rows[t]
                u[rr] += d_sink - row_dist[rr]
            for t in range(nt):
                j = touched[t]
                if done[j] and j != sink and j < m:
                    v[j] -= d_sink - dist[j]
            # bottleneck
            q = resid[f]
            if sink < m:
                q = min(q, capacity[sink] - load[sink])
            j = sink
            while True:
                rr = dummy_row if j == m else rowof[pred_e[j]]
                if rr == f:
                    break
                e2 = row_pred[rr]
                q = min(q, flow[e2])
                j = indices[e2]
            # augment
            j = sink
            if sink < m:
                load[sink] += q
            while True:
                if j == m:
                    rr = dummy_row
                    unserved[rr] += q
                else:
                    e = pred_e[j]
                    rr = rowof[e]
                    if flow[e] == 0:
                        link(e, j, head, nxt, prv, stamp)
                    flow[e] += q
                if rr == f:
                    break
                e2 = row_pred[rr]
                flow[e2] -= q
                j = indices[e2]
                if flow[e2] == 0:
                    unlink(e2, j, head, nxt, prv)
            resid[f] -= q
            # reset
            for t in range(nt):
                j = touched[t]
                dist[j] = np.inf
                done[j] = False
                pos[j] = -1
            for t in range(nr):
                row_seen[rows[t]] = False
