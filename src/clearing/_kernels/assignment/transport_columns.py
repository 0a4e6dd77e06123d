"""Successive shortest paths on the provider graph: transport with few providers, many requests.

Called by :func:`clearing._kernels.assignment.transport.transport_csr` after its greedy
start when there are at most ``DENSE_COLUMNS`` providers. A search from a request with
demand left runs Dijkstra over the ``m + 1`` columns (the last one is the outside option);
the requests are implicit in the hop lengths ``T[j, k] = min(cost[r, k] - cost[r, j])`` over
the requests ``r`` shipping on column ``j``. With tight flows ``T[j, k] + v[j] - v[k]`` is the
reduced length of the two-arc hop ``j -> r -> k`` whatever the duals, so a search costs
``O(m^2)`` however many requests ship to each column.

The hop lengths of one column are kept in a segment tree over its shipping requests
(:mod:`~clearing._kernels.assignment.column_trees`), updated on the columns of each path
only. Equal lengths go to the entry that started shipping last (the order of the columns'
linked lists), so the path, and with it the flow and the duals, is the one the list scan
gives.

Row duals ``u`` are not moved for every request of a popped column (that costs ``O(n)`` a
search): a request that ships is tight, ``u[r] = min(0, min(cost[r, :] - v))``, and that is
what is written at the end. Only the requests still waiting with part of their demand served
(at most one per column, from the greedy start) are moved as the search goes, since their
dual starts their own search.

This search shares no code with the CSR searches of the transport, sparse and price
kernels: its nodes are the columns alone, its arcs come from the trees rather than from
entries, and the closest column is found by a linear scan (:func:`closest_open`), not a
heap.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit
from .column_trees import column_trees, tree_add, tree_drop
from .heap import closest_open
from .transport_links import link, unlink


@jit
def _entry_to(r, k, e, indptr, indices, cost):
    """Row ``r``'s entry on column ``k`` that gives the hop from entry ``e`` its length.

    Parameters
    ----------
    r, k, e : int
        The row, the column the hop leads to, and the row's entry the hop leaves.
    indptr, indices, cost : ndarray
        The CSR problem (int64 ``(n + 1,)``, int64 ``(nnz,)``, float64 ``(nnz,)``); read.

    Returns
    -------
    int
        The entry (the first of least cost), -1 if the row has none on ``k``.
    """
    best = np.inf
    out = -1
    base = -cost[e]
    for e2 in range(indptr[r], indptr[r + 1]):
        if indices[e2] == k and cost[e2] + base < best:
            best = cost[e2] + base
            out = e2
    return out


@jit
def _move_waiting(pend, p0, npend, sink, big_d, dist, order, popidx, indptr, indices, flow, u):
    """Dual update of the waiting requests: by the first popped column they ship on.

    Parameters
    ----------
    pend : ndarray of int64, shape (n,)
        The waiting requests; ``pend[p0:npend]`` are still waiting (read).
    p0, npend : int
        The range of ``pend`` to update.
    sink : int
        Where the search ended (its column is not popped for the update).
    big_d : float
        The distance of the sink.
    dist : ndarray of float64, shape (m + 1,)
        Distance of each column; read.
    order, popidx : ndarray of int64, shape (m + 1,)
        The popped columns in order, and each column's place in it (-1: not popped); read.
    indptr, indices : ndarray of int64
        The CSR problem; read.
    flow : ndarray of int64, shape (nnz,)
        Units per entry; read.
    u : ndarray of float64, shape (n,)
        Row duals; updated in place.
    """
    for p in range(p0, npend):
        r = pend[p]
        first = -1
        for e in range(indptr[r], indptr[r + 1]):
            j = indices[e]
            t = popidx[j]
            if flow[e] > 0 and j != sink and t >= 0 and (first < 0 or t < first):
                first = t
        if first >= 0:
            u[r] += big_d - dist[order[first]]


@jit
def ssp_columns(indptr, indices, cost, demand, capacity, flow, unserved, u, v, load, resid, lk):
    """Serve every row's ``resid`` by shortest paths over the columns (see the module docstring).

    Parameters
    ----------
    indptr, indices, cost : ndarray
        The CSR problem as in :func:`clearing._kernels.assignment.transport.transport_csr`.
    demand : ndarray, shape (n,), int64
        Units wanted per row (rows without demand keep their ``u``).
    capacity : ndarray, shape (m,), int64
        Units per column.
    flow : ndarray, shape (nnz,), int64
        Units per entry; in place.
    unserved : ndarray, shape (n,), int64
        Units per row left to the outside option; in place.
    u, v : ndarray, shape (n,) and (m,), float64
        Row and column duals (``cost - u - v >= 0``, equality on entries with flow); in place.
    load : ndarray, shape (m,), int64
        Units per column; in place.
    resid : ndarray, shape (n,), int64
        Units per row still to place; all 0 on return.
    lk : clearing._kernels.assignment.transport_links.Links
        The entries with flow; in place.
    """
    n = resid.shape[0]
    m = capacity.shape[0]
    m1 = m + 1
    rowof, head, nxt, prv, stamp = lk.rowof, lk.head, lk.nxt, lk.prv, lk.stamp
    tr = column_trees(indptr, indices, cost, capacity, rowof, head, nxt, stamp)
    key, arg, base = tr.key, tr.arg, tr.base
    dist = np.empty(m1, np.float64)
    done = np.zeros(m1, np.bool_)
    via = np.empty(m1, np.int64)  # previous column on the path, -1 from the start row
    fwd = np.empty(m1, np.int64)  # the start row's entry into the column (via == -1)
    bwd = np.empty(m1, np.int64)  # the entry leaving the previous column
    order = np.empty(m1, np.int64)
    popidx = np.full(m1, -1, np.int64)
    pend = np.empty(n, np.int64)  # rows waiting with part of their demand served
    npend = 0
    for r in range(n):
        if resid[r] > 0:
            for e in range(indptr[r], indptr[r + 1]):
                if flow[e] > 0:
                    pend[npend] = r
                    npend += 1
                    break
    p0 = 0
    for f in range(n):
        while p0 < npend and pend[p0] <= f:
            p0 += 1
        while resid[f] > 0:
            for k in range(m1):
                dist[k] = np.inf
                done[k] = False
            uf = u[f]
            for e in range(indptr[f], indptr[f + 1]):
                k = indices[e]
                dk = cost[e] - uf - v[k]
                if dk < dist[k]:
                    dist[k] = dk
                    via[k] = -1
                    fwd[k] = e
            if -uf < dist[m]:
                dist[m] = -uf
                via[m] = -1
                fwd[m] = -1
            npop = 0
            sink = -1
            while True:
                j, best = closest_open(dist, done, m1)
                if j < 0:
                    break
                done[j] = True
                order[npop] = j
                npop += 1
                if j == m or load[j] < capacity[j]:
                    sink = j
                    break
                vj = v[j]
                root = base[j] + 1
                for k in range(m):
                    if not done[k]:
                        dk = best + key[root, k] + vj - v[k]
                        if dk < dist[k]:
                            dist[k] = dk
                            via[k] = j
                            bwd[k] = arg[root, k]
                if not done[m]:
                    dk = best + key[root, m] + vj
                    if dk < dist[m]:
                        dist[m] = dk
                        via[m] = j
                        bwd[m] = arg[root, m]
            big_d = dist[sink]
            # duals: the start row, the popped columns, the waiting rows shipping on them
            u[f] += big_d
            for t in range(npop):
                j = order[t]
                if j != sink:
                    popidx[j] = t
                    v[j] -= big_d - dist[j]
            if p0 < npend:
                _move_waiting(
                    pend, p0, npend, sink, big_d, dist, order, popidx, indptr, indices, flow, u
                )
            for t in range(npop):
                popidx[order[t]] = -1
            # bottleneck along the path
            q = resid[f]
            if sink < m:
                q = min(q, capacity[sink] - load[sink])
            k = sink
            while via[k] >= 0:
                q = min(q, flow[bwd[k]])
                k = via[k]
            # augment
            if sink < m:
                load[sink] += q
            k = sink
            while True:
                if k == m:
                    r = f if via[k] < 0 else rowof[bwd[k]]
                    unserved[r] += q
                else:
                    if via[k] < 0:
                        e = fwd[k]
                    else:
                        e = _entry_to(rowof[bwd[k]], k, bwd[k], indptr, indices, cost)
                    if flow[e] == 0:
                        link(e, k, head, nxt, prv, stamp)
                        tree_add(e, k, indptr, indices, cost, rowof, stamp, tr)
                    flow[e] += q
                if via[k] < 0:
                    break
                e2 = bwd[k]
                j = via[k]
                flow[e2] -= q
                if flow[e2] == 0:
                    unlink(e2, j, head, nxt, prv)
                    tree_drop(e2, j, indptr, indices, cost, rowof, stamp, tr)
                k = j
            resid[f] -= q
    # every row with demand is tight on the entries it ships on (or on the outside option)
    for i in range(n):
        if demand[i] > 0:
            best = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                d = cost[e] - v[indices[e]]
                if d < best:
                    best = d
            u[i] = best
