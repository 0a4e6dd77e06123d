"""Successive shortest paths on the provider graph: transport with few providers, many requests.

Called by :func:`clearing._kernels.assignment.transport.transport_csr` after its greedy
start when there are at most ``DENSE_COLUMNS`` providers. A search from a request with
demand left runs Dijkstra over the ``m + 1`` columns (the last one is the outside option);
the requests are implicit in the hop lengths ``T[j, k] = min(cost[r, k] - cost[r, j])`` over
the requests ``r`` shipping on column ``j``. With tight flows ``T[j, k] + v[j] - v[k]`` is the
reduced length of the two-arc hop ``j -> r -> k`` whatever the duals, so a search costs
``O(m^2)`` however many requests ship to each column.

The hop lengths of one column are kept in a segment tree over its shipping requests (a
:class:`ColumnTrees`): the leaves are blocks of ``BLOCK`` slots, one slot per entry carrying
flow, and every node holds the ``m + 1`` minima of its subtree. An augmentation changes the
set of shipping entries on the columns of its path only, so it updates ``O(path * m * log
n)`` values, not every request of those columns. Equal lengths go to the entry that started
shipping last (the order of the columns' linked lists), so the path, and with it the flow
and the duals, is the one the list scan gives.

Row duals ``u`` are not moved for every request of a popped column (that costs ``O(n)`` a
search): a request that ships is tight, ``u[r] = min(0, min(cost[r, :] - v))``, and that is
what is written at the end. Only the requests still waiting with part of their demand served
(at most one per column, from the greedy start) are moved as the search goes, since their
dual starts their own search.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..._jit import jit
from .heap import closest_open

#: entries per leaf of a column's segment tree
BLOCK = 8


class Links(NamedTuple):
    """The entries carrying flow, one doubly linked list per column.

    ``rowof`` (nnz,) int64: the row of each entry; ``head`` (m,) int64: the entry linked
    last on each column, -1 for none; ``nxt``/``prv`` (nnz,) int64: the list order (most
    recent first), -1 at the ends and for entries without flow; ``stamp`` (nnz,) int64: when
    each entry was linked (a counter, ``stamp[nnz]`` is the next value; shape (nnz + 1,)).
    """

    rowof: np.ndarray
    head: np.ndarray
    nxt: np.ndarray
    prv: np.ndarray
    stamp: np.ndarray


class ColumnTrees(NamedTuple):
    """One segment tree of hop lengths per column (see the module docstring).

    ``key`` (nodes, m + 1) float64 and ``arg`` (nodes, m + 1) int64: the minimum over the
    subtree and the entry on the column attaining it (-1: none); column ``j``'s nodes are
    ``base[j] + 1 .. base[j] + 2 * leaves[j] - 1`` (root first, leaf ``b`` at ``base[j] +
    leaves[j] + b``). ``slot_e`` (slots,) int64: the entry in each slot (-1: free), column
    ``j``'s slots from ``sbase[j]``; ``free`` (slots,) int64 with ``nfree`` (m,) int64: a
    stack of free slots per column; ``slot_of`` (nnz,) int64: the slot of each linked entry.
    """

    key: np.ndarray
    arg: np.ndarray
    base: np.ndarray
    leaves: np.ndarray
    sbase: np.ndarray
    slot_e: np.ndarray
    free: np.ndarray
    nfree: np.ndarray
    slot_of: np.ndarray


# The helpers below take plain arrays: reading a field of a named tuple inside a compiled
# loop takes and drops a reference to the array each time (two atomic operations), which
# measured more than the searches themselves; the tuples are unpacked once per call.


@jit
def link(e, j, head, nxt, prv, stamp):
    """Put entry ``e`` at the head of column ``j``'s list and stamp it.

    Parameters
    ----------
    e, j : int
        The entry and its column.
    head : ndarray, shape (m,), int64
        First entry of each column's list (-1: empty); in place.
    nxt, prv : ndarray, shape (nnz,), int64
        List links; in place.
    stamp : ndarray, shape (nnz + 1,), int64
        Link time of each entry, the last element the clock; in place.
    """
    nxt[e] = head[j]
    prv[e] = -1
    if head[j] >= 0:
        prv[head[j]] = e
    head[j] = e
    last = stamp.shape[0] - 1
    stamp[e] = stamp[last]
    stamp[last] += 1


@jit
def unlink(e, j, head, nxt, prv):
    """Take entry ``e`` out of column ``j``'s list (arrays as in :func:`link`; in place)."""
    if prv[e] >= 0:
        nxt[prv[e]] = nxt[e]
    else:
        head[j] = nxt[e]
    if nxt[e] >= 0:
        prv[nxt[e]] = prv[e]
    nxt[e] = -1
    prv[e] = -1


@jit
def _wins(kn, an, ko, ao, stamp):
    """Does length ``kn`` of entry ``an`` beat ``ko`` of ``ao``? Ties: the later link wins."""
    if kn < ko:
        return True
    return kn == ko and an >= 0 and (ao < 0 or stamp[an] > stamp[ao])


@jit
def _merge(node, e, j, indptr, indices, cost, rowof, stamp, key, arg):
    """Let entry ``e`` compete at ``node`` (``e`` linked last); did it win anywhere?"""
    m = key.shape[1] - 1
    r = rowof[e]
    base = -cost[e]
    won = False
    for e2 in range(indptr[r], indptr[r + 1]):
        k = indices[e2]
        if k != j and _wins(cost[e2] + base, e, key[node, k], arg[node, k], stamp):
            key[node, k] = cost[e2] + base
            arg[node, k] = e
            won = True
    if _wins(base, e, key[node, m], arg[node, m], stamp):
        key[node, m] = base
        arg[node, m] = e
        won = True
    return won


@jit
def _leaf(node, s0, j, indptr, indices, cost, rowof, stamp, key, arg, slot_e):
    """Recompute leaf ``node`` of column ``j`` from the entries in slots ``s0 ..``."""
    for k in range(key.shape[1]):
        key[node, k] = np.inf
        arg[node, k] = -1
    for s in range(s0, s0 + BLOCK):
        e = slot_e[s]
        if e >= 0:
            _merge(node, e, j, indptr, indices, cost, rowof, stamp, key, arg)


@jit
def _pull_node(base, i, stamp, key, arg):
    """Node ``i`` of a tree at ``base`` := elementwise best of its two children; changed?"""
    p = base + i
    a = base + 2 * i
    c = a + 1
    changed = False
    for k in range(key.shape[1]):
        w = c if _wins(key[c, k], arg[c, k], key[a, k], arg[a, k], stamp) else a
        if key[p, k] != key[w, k] or arg[p, k] != arg[w, k]:
            key[p, k] = key[w, k]
            arg[p, k] = arg[w, k]
            changed = True
    return changed


@jit
def column_trees(indptr, indices, cost, capacity, rowof, head, nxt, stamp):
    """Build the trees for the entries already linked (after the greedy start).

    Column ``j`` gets ``min(entries of j, capacity[j])`` slots: every linked entry carries at
    least one unit, so no more are ever linked at once.

    Parameters
    ----------
    indptr, indices, cost : ndarray
        The CSR problem: shapes (n + 1,), (nnz,), (nnz,); int64, int64, float64.
    capacity : ndarray, shape (m,), int64
        Units per column.
    rowof : ndarray, shape (nnz,), int64
        Row of each entry.
    head, nxt : ndarray, int64
        The columns' lists of entries with flow (see :class:`Links`); read only.
    stamp : ndarray, shape (nnz + 1,), int64
        Link times (ties between equal hop lengths go to the later link); read only.

    Returns
    -------
    ColumnTrees
        Fresh arrays, built from the linked entries.
    """
    m = capacity.shape[0]
    m1 = m + 1
    nnz = indices.shape[0]
    count = np.zeros(m, np.int64)
    for e in range(nnz):
        count[indices[e]] += 1
    base = np.empty(m, np.int64)
    leaves = np.empty(m, np.int64)
    sbase = np.empty(m, np.int64)
    nfree = np.empty(m, np.int64)
    nodes = 0
    slots = 0
    for j in range(m):
        c = min(count[j], capacity[j])
        nb = max((c + BLOCK - 1) // BLOCK, 1)
        q = 1
        while q < nb:
            q *= 2
        base[j] = nodes
        leaves[j] = q
        sbase[j] = slots
        nfree[j] = c
        nodes += 2 * q
        slots += q * BLOCK
    free = np.empty(slots, np.int64)
    for j in range(m):
        for t in range(nfree[j]):
            free[sbase[j] + t] = nfree[j] - 1 - t  # slot 0 on top
    key = np.full((nodes, m1), np.inf)
    arg = np.full((nodes, m1), -1, np.int64)
    slot_e = np.full(slots, -1, np.int64)
    slot_of = np.full(nnz, -1, np.int64)
    for j in range(m):
        e = head[j]
        while e >= 0:
            nfree[j] -= 1
            slot = free[sbase[j] + nfree[j]]
            slot_e[sbase[j] + slot] = e
            slot_of[e] = slot
            e = nxt[e]
        for b in range(leaves[j]):
            node = base[j] + leaves[j] + b
            _leaf(
                node, sbase[j] + b * BLOCK, j, indptr, indices, cost, rowof, stamp, key, arg, slot_e
            )
        for i in range(leaves[j] - 1, 0, -1):
            _pull_node(base[j], i, stamp, key, arg)
    return ColumnTrees(key, arg, base, leaves, sbase, slot_e, free, nfree, slot_of)


@jit
def _entry_to(r, k, e, indptr, indices, cost):
    """Row ``r``'s entry on column ``k`` that gives the hop from entry ``e`` its length."""
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
    """Dual update of the waiting requests: by the first popped column they ship on."""
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
    lk : Links
        The entries with flow; in place.
    """
    n = resid.shape[0]
    m = capacity.shape[0]
    m1 = m + 1
    rowof, head, nxt, prv, stamp = lk.rowof, lk.head, lk.nxt, lk.prv, lk.stamp
    tr = column_trees(indptr, indices, cost, capacity, rowof, head, nxt, stamp)
    key, arg, base, leaves, sbase = tr.key, tr.arg, tr.base, tr.leaves, tr.sbase
    slot_e, free, nfree, slot_of = tr.slot_e, tr.free, tr.nfree, tr.slot_of
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
                        # e starts shipping on k: it only lowers minima, so it climbs from
                        # its leaf while it wins somewhere
                        link(e, k, head, nxt, prv, stamp)
                        nfree[k] -= 1
                        slot = free[sbase[k] + nfree[k]]
                        slot_e[sbase[k] + slot] = e
                        slot_of[e] = slot
                        i = leaves[k] + slot // BLOCK
                        while i >= 1 and _merge(
                            base[k] + i, e, k, indptr, indices, cost, rowof, stamp, key, arg
                        ):
                            i >>= 1
                    flow[e] += q
                if via[k] < 0:
                    break
                e2 = bwd[k]
                j = via[k]
                flow[e2] -= q
                if flow[e2] == 0:
                    # e2 stops shipping on j: only minima it attained change
                    unlink(e2, j, head, nxt, prv)
                    slot = slot_of[e2]
                    slot_e[sbase[j] + slot] = -1
                    free[sbase[j] + nfree[j]] = slot
                    nfree[j] += 1
                    i = leaves[j] + slot // BLOCK
                    held = False
                    for kk in range(m1):
                        held |= arg[base[j] + i, kk] == e2
                    if held:
                        s0 = sbase[j] + (slot // BLOCK) * BLOCK
                        _leaf(
                            base[j] + i,
                            s0,
                            j,
                            indptr,
                            indices,
                            cost,
                            rowof,
                            stamp,
                            key,
                            arg,
                            slot_e,
                        )
                        while i > 1:
                            i >>= 1
                            if not _pull_node(base[j], i, stamp, key, arg):
                                break
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
