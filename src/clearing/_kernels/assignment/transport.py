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

Outputs: ``flow`` (per entry), ``unserved`` (per row), ``u``, ``v``. Status 0 always (the
outside option makes every instance feasible); kept for the kernel calling convention.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit
from .heap import closest_open, heap_pop, heap_push_or_decrease

OK = 0
#: up to this many providers the searches run on the provider graph (see ``_ssp_columns``)
DENSE_COLUMNS = 512


@jit
def _link(e, j, head, nxt, prv):
    nxt[e] = head[j]
    prv[e] = -1
    if head[j] >= 0:
        prv[head[j]] = e
    head[j] = e


@jit
def _unlink(e, j, head, nxt, prv):
    if prv[e] >= 0:
        nxt[prv[e]] = nxt[e]
    else:
        head[j] = nxt[e]
    if nxt[e] >= 0:
        prv[nxt[e]] = prv[e]
    nxt[e] = -1
    prv[e] = -1


@jit
def transport_csr(indptr, indices, cost, demand, capacity, flow, unserved, u, v):
    """Solve the transportation problem; see the module docstring."""
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
    head = np.full(m, -1, np.int64)
    nxt = np.full(nnz, -1, np.int64)
    prv = np.full(nnz, -1, np.int64)
    resid = np.empty(n, np.int64)

    # greedy row reduction with v == 0
    for i in range(n):
        unserved[i] = 0
        resid[i] = demand[i]
        best = 0.0
        be = -1
        for e in range(indptr[i], indptr[i + 1]):
            if cost[e] < best:
                best = cost[e]
                be = e
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
            _link(be, j, head, nxt, prv)

    # successive shortest paths for the rest
    if m <= DENSE_COLUMNS:
        _ssp_columns(
            indptr,
            indices,
            cost,
            capacity,
            flow,
            unserved,
            u,
            v,
            rowof,
            load,
            head,
            nxt,
            prv,
            resid,
        )
        return OK
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
                    k = dr - ur
                    if k < dist[m]:
                        if dist[m] == np.inf:
                            touched[nt] = m
                            nt += 1
                        dist[m] = k
                        dummy_row = r
                        size = heap_push_or_decrease(heap, pos, dist, size, m)
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
                        _link(e, j, head, nxt, prv)
                    flow[e] += q
                if rr == f:
                    break
                e2 = row_pred[rr]
                flow[e2] -= q
                j = indices[e2]
                if flow[e2] == 0:
                    _unlink(e2, j, head, nxt, prv)
            resid[f] -= q
            # reset
            for t in range(nt):
                j = touched[t]
                dist[j] = np.inf
                done[j] = False
                pos[j] = -1
            for t in range(nr):
                row_seen[rows[t]] = False
    return OK


@jit
def _column_row(j, indptr, indices, cost, rowof, head, nxt, T, Tf, Tb):
    """Recompute ``T[j]``: cheapest move of one unit off column ``j`` to each column ``k``.

    ``T[j, k] = min(cost[r, k] - cost[r, j])`` over rows ``r`` shipping on ``j`` (column ``m``
    is the outside option, cost 0); with tight flows this plus ``v[j] - v[k]`` is the reduced
    length of the two-arc hop ``j -> r -> k``, whatever the duals. ``Tf``/``Tb`` keep the
    forward entry ``(r, k)`` (-1 for the outside) and the backward entry ``(r, j)``.
    """
    m1 = T.shape[1]
    for k in range(m1):
        T[j, k] = np.inf
    e = head[j]
    while e >= 0:
        r = rowof[e]
        base = -cost[e]
        for e2 in range(indptr[r], indptr[r + 1]):
            k = indices[e2]
            val = cost[e2] + base
            if k != j and val < T[j, k]:
                T[j, k] = val
                Tf[j, k] = e2
                Tb[j, k] = e
        if base < T[j, m1 - 1]:
            T[j, m1 - 1] = base
            Tf[j, m1 - 1] = -1
            Tb[j, m1 - 1] = e
        e = nxt[e]


@jit
def _ssp_columns(
    indptr, indices, cost, capacity, flow, unserved, u, v, rowof, load, head, nxt, prv, resid
):
    """Successive shortest paths on the provider graph (few providers, many requests).

    A search from a row with demand left runs Dijkstra over the ``m + 1`` columns with the
    dense hop table ``T`` (rows are implicit), so it costs ``O(m^2)`` however many rows
    ship to each column; after an augmentation only the table rows of the columns on the
    path are rebuilt.
    """
    n = resid.shape[0]
    m = capacity.shape[0]
    m1 = m + 1
    T = np.empty((m, m1), np.float64)
    Tf = np.full((m, m1), -1, np.int64)
    Tb = np.full((m, m1), -1, np.int64)
    for j in range(m):
        _column_row(j, indptr, indices, cost, rowof, head, nxt, T, Tf, Tb)
    dist = np.empty(m1, np.float64)
    done = np.zeros(m1, np.bool_)
    via = np.empty(m1, np.int64)  # previous column on the path, -1 from the start row
    fwd = np.empty(m1, np.int64)  # forward entry into the column (-1: the outside option)
    bwd = np.empty(m1, np.int64)  # backward entry leaving the previous column
    order = np.empty(m1, np.int64)
    row_seen = np.zeros(n, np.bool_)
    seen = np.empty(n, np.int64)
    on_path = np.zeros(m, np.bool_)
    for f in range(n):
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
                for k in range(m):
                    if not done[k]:
                        dk = best + T[j, k] + vj - v[k]
                        if dk < dist[k]:
                            dist[k] = dk
                            via[k] = j
                            fwd[k] = Tf[j, k]
                            bwd[k] = Tb[j, k]
                if not done[m]:
                    dk = best + T[j, m] + vj
                    if dk < dist[m]:
                        dist[m] = dk
                        via[m] = j
                        fwd[m] = -1
                        bwd[m] = Tb[j, m]
            big_d = dist[sink]
            # duals: the start row, every row shipping on a popped column, popped columns
            u[f] += big_d
            row_seen[f] = True
            nseen = 1
            seen[0] = f
            for t in range(npop):
                j = order[t]
                if j == sink:
                    continue
                e = head[j]
                while e >= 0:
                    r = rowof[e]
                    if not row_seen[r]:
                        row_seen[r] = True
                        seen[nseen] = r
                        nseen += 1
                        u[r] += big_d - dist[j]
                    e = nxt[e]
                v[j] -= big_d - dist[j]
            for t in range(nseen):
                row_seen[seen[t]] = False
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
                e = fwd[k]
                if k == m:
                    r = f if via[k] < 0 else rowof[bwd[k]]
                    unserved[r] += q
                else:
                    on_path[k] = True
                    if flow[e] == 0:
                        _link(e, k, head, nxt, prv)
                    flow[e] += q
                if via[k] < 0:
                    break
                e2 = bwd[k]
                j = via[k]
                on_path[j] = True
                flow[e2] -= q
                if flow[e2] == 0:
                    _unlink(e2, j, head, nxt, prv)
                k = j
            resid[f] -= q
            for j in range(m):
                if on_path[j]:
                    on_path[j] = False
                    _column_row(j, indptr, indices, cost, rowof, head, nxt, T, Tf, Tb)
