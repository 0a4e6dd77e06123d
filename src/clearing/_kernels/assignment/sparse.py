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

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit, jit_inline
from .heap import heap_pop, heap_push_or_decrease


class Side(NamedTuple):
    """The side a search starts from (rows, or columns), in terms of entries ``e``.

    ``ptr``/``ent``: the entries of node ``r`` of this side are ``ent[ptr[r]:ptr[r + 1]]``
    (rows: the CSR itself with ``ent = arange(nnz)``; columns: the column view).
    ``node_of[e]`` is the other side's node of entry ``e`` and ``own_of[e]`` this side's.
    ``own_match``/``node_match`` hold the matched entry of each node (-1: none) and
    ``own_dual``/``node_dual`` the duals (rows ``U``, columns ``p``); the search updates the
    four in place.
    """

    ptr: Any
    ent: Any
    node_of: Any
    own_of: Any
    own_match: Any
    node_match: Any
    own_dual: Any
    node_dual: Any


class Workspace(NamedTuple):
    """Arrays of one search, length ``max(n, m)``, reset by the search before it returns.

    ``dist`` (inf), ``done`` (False), ``pred``, ``heap`` and ``pos`` (-1) are per node of the
    other side; ``scanned`` and ``level_dist`` list the nodes of this side in scan order with
    their distance, ``touched`` the other side's nodes whose ``dist`` was set, and ``level``
    (a stack) the nodes reached at the distance of the node being scanned.
    """

    dist: Any
    level_dist: Any
    done: Any
    pred: Any
    heap: Any
    pos: Any
    touched: Any
    scanned: Any
    level: Any


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


@jit_inline
def _best_two_free(indptr, indices, w, p, ye, i):
    """:func:`_best_two` for the exact round: of the entries tied for the best profit, the
    first whose column is free wins (the first one if none is). On integer data many entries
    tie, and a bid for a held column displaces its row, where a free one settles the row.
    """
    b1 = -np.inf
    b2 = 0.0
    e1 = -1
    free1 = False
    for e in range(indptr[i], indptr[i + 1]):
        val = w[e] - p[indices[e]]
        if val > b1:
            b2 = b1 if b1 > b2 else b2
            b1 = val
            e1 = e
            free1 = ye[indices[e]] < 0
        else:
            b2 = val if val > b2 else b2
            if val == b1 and not free1 and ye[indices[e]] < 0:
                e1 = e
                free1 = True
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
        if eps > 0.0:
            e1, b1, b2 = _best_two(indptr, indices, w, p, i)
        else:
            e1, b1, b2 = _best_two_free(indptr, indices, w, p, ye, i)
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
def _tie_heavy(indptr, w):
    """Whether 7/8 of the rows with two or more entries have their two largest surpluses
    equal (0/1 surpluses: all of them; integers 1..10 with 20 entries a row: 69%, where the
    scaling still pays)."""
    n = indptr.shape[0] - 1
    rows = 0
    ties = 0
    for i in range(n):
        if indptr[i + 1] - indptr[i] < 2:
            continue
        b1 = -np.inf
        b2 = -np.inf
        for e in range(indptr[i], indptr[i + 1]):
            val = w[e]
            runner = b1 if val > b1 else val
            b1 = val if val > b1 else b1
            b2 = runner if runner > b2 else b2
        rows += 1
        ties += b1 == b2
    return 8 * ties >= 7 * rows and rows > 0


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
    wmin = np.inf
    for e in range(nnz):
        wmax = max(wmax, w[e])
        wmin = min(wmin, w[e])
    # epsilon is relative to the spread of the surpluses: a common offset (a constant
    # added to every surplus so that everyone is served) changes no bid
    spread = wmax - wmin if wmax > wmin else wmax
    stack = np.empty(n, np.int64)
    # 1. epsilon scaling (the start is small: prices above equilibrium push rows out),
    # skipped on tie-heavy data: there each bid raises a price by epsilon only, and such
    # price wars cost more than the exact searches (0/1 surpluses: 9x)
    eps = spread * eps_start if not _tie_heavy(indptr, w) else 0.0
    eps_final = spread * eps_end
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
    ws = Workspace(
        dist=np.full(size, np.inf),
        level_dist=np.zeros(size, np.float64),
        done=np.zeros(size, np.bool_),
        pred=np.full(size, -1, np.int64),
        heap=np.empty(size, np.int64),
        pos=np.full(size, -1, np.int64),
        touched=np.empty(size, np.int64),
        scanned=np.empty(size, np.int64),
        level=np.empty(size, np.int64),
    )
    rows = Side(indptr, np.arange(nnz), indices, rowof, xe, ye, U, p)
    for f in range(n):
        if xe[f] < 0 and U[f] > 0.0:
            _search(rows, ws, w, f)
    cols = Side(cptr, cent, rowof, indices, ye, xe, p, U)
    for g in range(m):
        if ye[g] < 0 and p[g] > 0.0:
            _search(cols, ws, w, g)
    return 0


@jit
def _search(side, ws, w, f):
    """One Dijkstra search from the unmatched node ``f`` of ``side`` (a row or a column).

    The nodes of the search are those of the other side; ``ws.level_dist`` keeps the
    distance of each scanned node of this side. The search ends at a free node of the other
    side or by dropping a node of this side from the matching (``f`` itself, or the node
    reached), whichever is closer; ties: a free node first, then the drop, then the
    unscanned node of lower index. Duals are updated so that they stay feasible and the
    matched entries tight, then the path is flipped.
    """
    dist = ws.dist
    done = ws.done
    pred = ws.pred
    mine = side.own_match
    theirs = side.node_match
    nt = 0
    ns = 0
    nl = 0
    size = 0
    best_out = np.inf
    out_node = -1
    best_free = np.inf
    free_node = -1
    r = f
    dr = 0.0
    term = -1
    while True:
        ws.scanned[ns] = r
        ws.level_dist[ns] = dr
        ns += 1
        ur = side.own_dual[r]
        for t in range(side.ptr[r], side.ptr[r + 1]):
            e = side.ent[t]
            j = side.node_of[e]
            if done[j]:
                continue
            k = dr + ur + side.node_dual[j] - w[e]
            if k < dist[j]:
                if dist[j] == np.inf:
                    ws.touched[nt] = j
                    nt += 1
                dist[j] = k
                pred[j] = e
                if theirs[j] < 0:  # a free node ends the search: it waits outside the heap
                    if k < best_free:
                        best_free = k
                        free_node = j
                elif k == dr and ws.pos[j] < 0:  # as close as can be: no heap needed
                    ws.level[nl] = j
                    nl += 1
                else:
                    size = heap_push_or_decrease(ws.heap, ws.pos, dist, size, j)
        if dr + ur < best_out:
            best_out = dr + ur
            out_node = r
        j = -1
        while j < 0:
            top = dr if nl > 0 else dist[ws.heap[0]] if size > 0 else np.inf
            if best_free < np.inf and best_free <= top and best_free <= best_out:
                term = free_node
                break
            if (nl == 0 and size == 0) or best_out <= top:
                break
            if nl > 0:
                nl -= 1
                j = ws.level[nl]
            else:
                j, size = heap_pop(ws.heap, ws.pos, dist, size)
            if done[j]:  # reached again by a rounding-level shorter path: scanned already
                j = -1
        if j < 0:
            break
        done[j] = True
        r = side.own_of[theirs[j]]
        dr = dist[j]
    big_d = best_out if term < 0 else dist[term]
    for t in range(ns):
        side.own_dual[ws.scanned[t]] -= big_d - ws.level_dist[t]
    for t in range(nt):
        j = ws.touched[t]
        if done[j] and j != term:
            side.node_dual[j] += big_d - dist[j]
    # augment: drop out_node (its partner is the path's end), or end at the free node
    if term < 0:
        r = out_node
        prev = mine[r]
        mine[r] = -1
        if r == f:
            j = -1
        else:
            j = side.node_of[prev]
            theirs[j] = -1
    else:
        j = term
    while j >= 0:
        e = pred[j]
        r = side.own_of[e]
        prev = mine[r]
        mine[r] = e
        theirs[j] = e
        if r == f:
            break
        j = side.node_of[prev]
    for t in range(nt):
        j = ws.touched[t]
        dist[j] = np.inf
        done[j] = False
        ws.pos[j] = -1
