"""Sparse market assignment: epsilon-scaling auction, then an exact shortest-path finish.

Problem (max form): rows (requests) and columns (providers), eligible entries ``e`` of row
``i`` (CSR ``indptr``/``indices``) with surplus ``w[e] > 0``; maximise the total surplus of a
matching, either side may stay unmatched. The LP dual is ``min sum(U) + sum(p)`` with
``U[i] + p[j] >= w[e]`` and ``U, p >= 0``; a matching is optimal iff matched entries are tight
and unmatched rows and columns have ``U == 0`` and ``p == 0`` (the problem is symmetric).

1. Bertsekas' auction with epsilon scaling (Gauss-Seidel bidding, the outside option as a
   bid of 0) brings the prices ``p`` close to equilibrium cheaply.
2. A last round bids with epsilon = 0 (Jonker-Volgenant's augmenting row reduction): a row
   that wins gets a column maximising ``w - p`` exactly, so complementary slackness is exact
   for every matched row. The round stops early after a bounded amount of work.
3. ``U`` is set to each row's best profit (so the duals are feasible); the remaining
   violations are fixed one by one with Dijkstra searches on reduced costs
   ``U[i] + p[j] - w[e] >= 0``: from every unmatched row with ``U > 0`` forwards to an
   unmatched column or to "drop a row", then from every unmatched column with ``p > 0``
   backwards to an unmatched row or to "drop a column". Each search keeps the duals feasible
   and matched entries tight, and removes one violation without creating another.

On return ``xe[i]`` is the entry matching row ``i`` (or -1), and ``U``, ``p`` are optimal
duals. Deterministic: the auction's ties go to the lower index; a search ends, on equal
distances, first at a free column (row), then by dropping a row (column), and otherwise
scans the node of lower index first (on integer data many nodes tie, and ending where the
search can keeps it short).
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline
from .heap import heap_pop, heap_push_or_decrease


@jit_inline
def _best_two(indptr, indices, w, p, i):
    """Best entry of row ``i`` by profit ``w - p``, its profit, and the second best profit
    (the outside option counts as profit 0 for the second best).

    Spliced into the bidding loop, which calls it once a bid: as a call it cost 4% of the
    10,000 x 10,000 benchmark solve. The scan uses selects: with a branch per entry, the
    unpredictable comparisons took half of the bidding time.
    """
    b1 = -np.inf
    b2 = 0.0
    e1 = -1
    for e in range(indptr[i], indptr[i + 1]):
        val = w[e] - p[indices[e]]
        gt = val > b1
        runner = b1 if gt else val  # what competes for second place
        b2 = runner if runner > b2 else b2
        e1 = e if gt else e1
        b1 = val if gt else b1
    return e1, b1, b2


@jit
def _auction_round(indptr, indices, w, rowof, p, xe, ye, queue, eps, limit):
    """Bid until every row is matched or out (or ``limit`` bids); return the bids made.

    Free rows wait in a FIFO ring (``queue`` holds at most n rows at a time).
    """
    n = indptr.shape[0] - 1
    head = 0
    size = 0
    for i in range(n):
        if xe[i] < 0 and indptr[i + 1] > indptr[i]:
            queue[size] = i
            size += 1
    bids = 0
    while size > 0 and bids < limit:
        i = queue[head]
        head += 1
        if head == n:
            head = 0
        size -= 1
        e1, b1, b2 = _best_two(indptr, indices, w, p, i)
        if e1 < 0 or b1 <= 0.0:
            continue  # the outside option is best: prices only rise, so it stays out
        j = indices[e1]
        inc = b1 - b2 + eps
        old = ye[j]
        if inc <= 0.0:  # exact round, tie: take the column only if it is free
            if old >= 0:
                continue
        else:
            p[j] += inc
        if old >= 0:
            r = rowof[old]
            xe[r] = -1
            tail = head + size
            if tail >= n:
                tail -= n
            queue[tail] = r
            size += 1
        ye[j] = e1
        xe[i] = e1
        bids += 1
    return bids


@jit
def _release(indptr, indices, w, p, xe, ye, eps):
    """Unmatch every row whose match is no longer within ``eps`` of its best profit."""
    n = indptr.shape[0] - 1
    for i in range(n):
        e0 = xe[i]
        if e0 < 0:
            continue
        own = w[e0] - p[indices[e0]]
        best = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            val = w[e] - p[indices[e]]
            best = val if val > best and e != e0 else best
        if own < best - eps:
            xe[i] = -1
            ye[indices[e0]] = -1


@jit
def sparse_assign(indptr, indices, w, xe, U, p, eps_start=3e-3, eps_end=1e-6, factor=20.0):
    """Solve the sparse market assignment; see the module docstring. Returns status 0."""
    n = indptr.shape[0] - 1
    m = p.shape[0]
    nnz = indices.shape[0]
    rowof = np.empty(nnz, np.int64)
    for i in range(n):
        xe[i] = -1
        U[i] = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            rowof[e] = i
    ye = np.full(m, -1, np.int64)
    for j in range(m):
        p[j] = 0.0
    if nnz == 0:
        return 0
    wmax = 0.0
    for e in range(nnz):
        if w[e] > wmax:
            wmax = w[e]
    stack = np.empty(n, np.int64)
    # 1. epsilon scaling (the start is small: prices above equilibrium push rows out)
    eps = wmax * eps_start
    eps_final = wmax * eps_end
    budget = 20 * (nnz + n)
    while eps > eps_final:
        _release(indptr, indices, w, p, xe, ye, eps)
        budget -= _auction_round(indptr, indices, w, rowof, p, xe, ye, stack, eps, budget)
        if budget <= 0:
            break
        eps /= factor
    # 2. exact bids from these prices
    _release(indptr, indices, w, p, xe, ye, 0.0)
    _auction_round(indptr, indices, w, rowof, p, xe, ye, stack, 0.0, 4 * n + 16)
    # 3. feasible duals, then fix the violations exactly
    for i in range(n):
        if xe[i] >= 0:
            U[i] = w[xe[i]] - p[indices[xe[i]]]
        else:
            best = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                val = w[e] - p[indices[e]]
                if val > best:
                    best = val
            U[i] = best
    # column view of the entries
    cptr = np.zeros(m + 1, np.int64)
    for e in range(nnz):
        cptr[indices[e] + 1] += 1
    for j in range(m):
        cptr[j + 1] += cptr[j]
    cent = np.empty(nnz, np.int64)
    fill = cptr[:m].copy()
    for e in range(nnz):
        j = indices[e]
        cent[fill[j]] = e
        fill[j] += 1
    size = max(n, m)
    dist = np.full(size, np.inf)
    sdist = np.zeros(size, np.float64)
    done = np.zeros(size, np.bool_)
    pred = np.full(size, -1, np.int64)
    heap = np.empty(size, np.int64)
    pos = np.full(size, -1, np.int64)
    touched = np.empty(size, np.int64)
    scanned = np.empty(size, np.int64)
    for f in range(n):
        if xe[f] < 0 and U[f] > 0.0:
            _forward(
                indptr,
                indices,
                w,
                rowof,
                xe,
                ye,
                U,
                p,
                f,
                dist,
                sdist,
                done,
                pred,
                heap,
                pos,
                touched,
                scanned,
            )
    for g in range(m):
        if ye[g] < 0 and p[g] > 0.0:
            _backward(
                cptr,
                cent,
                indices,
                w,
                rowof,
                xe,
                ye,
                U,
                p,
                g,
                dist,
                sdist,
                done,
                pred,
                heap,
                pos,
                touched,
                scanned,
            )
    return 0


@jit
def _forward(
    indptr, indices, w, rowof, xe, ye, U, p, f, dist, rdist, done, pred, heap, pos, touched, scanned
):
    """One search from unmatched row ``f`` (nodes: columns; ``rdist``: per scanned row)."""
    nt = 0
    ns = 0
    size = 0
    best_out = np.inf
    out_row = -1
    best_free = np.inf
    free_col = -1
    r = f
    dr = 0.0
    term = -1
    while True:
        scanned[ns] = r
        rdist[ns] = dr
        ns += 1
        ur = U[r]
        for e in range(indptr[r], indptr[r + 1]):
            j = indices[e]
            if done[j]:
                continue
            k = dr + ur + p[j] - w[e]
            if k < dist[j]:
                if dist[j] == np.inf:
                    touched[nt] = j
                    nt += 1
                dist[j] = k
                pred[j] = e
                if ye[j] < 0:  # a free column ends the search: it waits outside the heap
                    if k < best_free:
                        best_free = k
                        free_col = j
                else:
                    size = heap_push_or_decrease(heap, pos, dist, size, j)
        if dr + ur < best_out:
            best_out = dr + ur
            out_row = r
        # ties: a free column first, then dropping a row, then an assigned column
        top = dist[heap[0]] if size > 0 else np.inf
        if best_free < np.inf and best_free <= top and best_free <= best_out:
            term = free_col
            break
        if size == 0 or best_out <= top:
            break
        j, size = heap_pop(heap, pos, dist, size)
        done[j] = True
        r = rowof[ye[j]]
        dr = dist[j]
    big_d = best_out if term < 0 else dist[term]
    for t in range(ns):
        U[scanned[t]] -= big_d - rdist[t]
    for t in range(nt):
        j = touched[t]
        if done[j] and j != term:
            p[j] += big_d - dist[j]
    # augment
    if term < 0:
        r = out_row
        prev = xe[r]
        xe[r] = -1
        if r == f:
            j = -1
        else:
            j = indices[prev]
            ye[j] = -1
    else:
        j = term
    while j >= 0:
        e = pred[j]
        r = rowof[e]
        prev = xe[r]
        xe[r] = e
        ye[j] = e
        if r == f:
            break
        j = indices[prev]
    for t in range(nt):
        j = touched[t]
        dist[j] = np.inf
        done[j] = False
        pos[j] = -1


@jit
def _backward(
    cptr,
    cent,
    indices,
    w,
    rowof,
    xe,
    ye,
    U,
    p,
    g,
    dist,
    cdist,
    done,
    pred,
    heap,
    pos,
    touched,
    scanned,
):
    """One search from unmatched column ``g`` (nodes: rows; ``cdist``: per scanned column)."""
    nt = 0
    ns = 0
    size = 0
    best_out = np.inf
    out_col = -1
    best_free = np.inf
    free_row = -1
    c = g
    dc = 0.0
    term = -1
    while True:
        scanned[ns] = c
        cdist[ns] = dc
        ns += 1
        pc = p[c]
        for t in range(cptr[c], cptr[c + 1]):
            e = cent[t]
            i = rowof[e]
            if done[i]:
                continue
            k = dc + U[i] + pc - w[e]
            if k < dist[i]:
                if dist[i] == np.inf:
                    touched[nt] = i
                    nt += 1
                dist[i] = k
                pred[i] = e
                if xe[i] < 0:  # a free row ends the search: it waits outside the heap
                    if k < best_free:
                        best_free = k
                        free_row = i
                else:
                    size = heap_push_or_decrease(heap, pos, dist, size, i)
        if dc + pc < best_out:
            best_out = dc + pc
            out_col = c
        top = dist[heap[0]] if size > 0 else np.inf
        if best_free < np.inf and best_free <= top and best_free <= best_out:
            term = free_row
            break
        if size == 0 or best_out <= top:
            break
        i, size = heap_pop(heap, pos, dist, size)
        done[i] = True
        c = indices[xe[i]]
        dc = dist[i]
    big_d = best_out if term < 0 else dist[term]
    for t in range(ns):
        p[scanned[t]] -= big_d - cdist[t]
    for t in range(nt):
        i = touched[t]
        if done[i] and i != term:
            U[i] += big_d - dist[i]
    if term < 0:
        c = out_col
        prev = ye[c]
        ye[c] = -1
        if c == g:
            i = -1
        else:
            i = rowof[prev]
            xe[i] = -1
    else:
        i = term
    while i >= 0:
        e = pred[i]
        c = indices[e]
        prev = ye[c]
        ye[c] = e
        xe[i] = e
        if c == g:
            break
        i = rowof[prev]
    for t in range(nt):
        i = touched[t]
        dist[i] = np.inf
        done[i] = False
        pos[i] = -1
