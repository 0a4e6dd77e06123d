"""Sparse market assignment: epsilon-scaling auction, then an exact shortest-path finish.

Problem (max form): rows (requests) and columns (providers), eligible entries ``e`` of row
``i`` (CSR ``indptr``/``indices``) with surplus ``w[e] > 0``; maximise the total surplus of a
matching, either side may stay unmatched. The LP dual is ``min sum(U) + sum(p)`` with
``U[i] + p[j] >= w[e]`` and ``U, p >= 0``; a matching is optimal iff matched entries are tight
and unmatched rows and columns have ``U == 0`` and ``p == 0`` (the problem is symmetric).

1. Bertsekas' auction with epsilon scaling (Gauss-Seidel bidding, the outside option as a
   bid of 0) brings the prices ``p`` close to equilibrium cheaply. Epsilon is relative to
   the spread ``max(w) - min(w)``, so a constant added to every surplus changes no bid.
   On tie-heavy data (7/8 of the rows with their two best surpluses equal, as with 0/1
   surpluses) the scaling is skipped: every bid there raises a price by epsilon only, and
   such price wars cost more than the exact searches.
2. A last round bids with epsilon = 0 (Jonker-Volgenant's augmenting row reduction): a row
   that wins gets a column maximising ``w - p`` exactly (of tied best columns, the first
   free one), so complementary slackness is exact for every matched row. The round stops
   after a bounded number of bids.
3. ``U`` is set to each row's best profit (so the duals are feasible); the remaining
   violations are fixed one by one with Dijkstra searches on reduced costs
   ``U[i] + p[j] - w[e] >= 0``: from every unmatched row with ``U > 0`` forwards to an
   unmatched column or to "drop a row", then from every unmatched column with ``p > 0``
   backwards to an unmatched row or to "drop a column". Both directions are one helper,
   :func:`~clearing._kernels.assignment.sparse_search.search_from`, over a ``Side``
   (which arrays play rows and columns). Each search
   keeps the duals feasible and matched entries tight, and removes one violation without
   creating another.

On return ``xe[i]`` is the entry matching row ``i`` (or -1), and ``U``, ``p`` are optimal
duals. Deterministic: the auction's ties go to the lower index (the exact round: to the
first free column among the best); a search ends, on equal distances, first at a free
node, then by dropping a node, then scans a node reached at the distance of the node being
scanned (the last reached first), and otherwise the node of lower index.

The price searches of :mod:`clearing._kernels.assignment.prices` share the heap but not
``search_from``: they are single-source searches over all saturated providers with no
augmentation, no free-node ending and no dual update, so a common helper would carry
branches that one side never takes inside the innermost loop.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline
from .sparse_search import Side, Workspace, search_from


@jit_inline
def _best_two(indptr, indices, w, p, i):
    """Best entry of row ``i`` by profit ``w - p``, its profit, and the second best profit
    (the outside option counts as profit 0 for the second best).

    Spliced into the bidding loop, which calls it once a bid. The scan uses selects rather
    than a branch per entry: the comparisons are unpredictable on random data.

    Parameters
    ----------
    indptr, indices, w : ndarray
        The CSR surplus (int64 ``(n + 1,)``, int64 ``(nnz,)``, float64 ``(nnz,)``); read.
    p : ndarray of float64, shape (m,)
        Prices; read.
    i : int
        The row.

    Returns
    -------
    tuple
        ``(entry, profit, second profit)``; entry -1 for a row without entries.
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

    Parameters
    ----------
    indptr, indices, w, p, i
        As in :func:`_best_two`.
    ye : ndarray of int64, shape (m,)
        Matched entry of each column (-1: free); read.

    Returns
    -------
    tuple
        As :func:`_best_two`.
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

    Parameters
    ----------
    indptr, indices, w : ndarray
        The CSR surplus (int64 ``(n + 1,)``, int64 ``(nnz,)``, float64 ``(nnz,)``).
    rowof : ndarray of int64, shape (nnz,)
        Row of each entry.
    p : ndarray of float64, shape (m,)
        Prices, raised in place.
    xe, ye : ndarray of int64, shapes (n,) and (m,)
        Matched entry of each row and column (-1: none), updated in place.
    queue : ndarray of int64, shape (n,)
        Work array: free rows wait in a FIFO ring.
    eps : float
        The bid increment; 0 for the exact round.
    limit : int
        Most bids made.
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
    equal (0/1 surpluses: all of them; integers 1..10 with 20 entries a row: about 2/3, where
    scaling still pays).

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Row pointers of the CSR surplus.
    w : ndarray of float64, shape (nnz,)
        Surplus of each entry; read.

    Returns
    -------
    bool
        Whether the data is tie-heavy (False when no row has two entries).
    """
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
    """Unmatch every row whose match is no longer within ``eps`` of its best profit.

    Parameters
    ----------
    indptr, indices, w : ndarray
        The CSR surplus as in :func:`_auction_round`; read.
    p : ndarray of float64, shape (m,)
        Prices; read.
    xe, ye : ndarray of int64, shapes (n,) and (m,)
        Matched entry of each row and column (-1: none); updated in place.
    eps : float
        The tolerance: a match this close to the row's best profit stays.
    """
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
    """Solve the sparse market assignment; see the module docstring.

    Nothing is returned: every instance has an optimum (any row may stay unmatched), so
    there is no status to report; the results are written into ``xe``, ``U`` and ``p``.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
        Column of each eligible entry (sorted within a row or not).
    w : ndarray of float64, shape (nnz,)
        Surplus of each entry, ``> 0``.
    xe : ndarray of int64, shape (n,)
        Written: the entry matched to each row, -1 if none.
    U : ndarray of float64, shape (n,)
        Written: optimal row duals.
    p : ndarray of float64, shape (m,)
        Written: optimal column duals (prices); ``m`` is read from its length.
    eps_start, eps_end : float
        First and last epsilon of the scaling, relative to the spread of ``w``.
    factor : float
        Epsilon is divided by this between scaling rounds.
    """
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
        return
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
            search_from(rows, ws, w, f)
    cols = Side(cptr, cent, rowof, indices, ye, xe, p, U)
    for g in range(m):
        if ye[g] < 0 and p[g] > 0.0:
            search_from(cols, ws, w, g)
