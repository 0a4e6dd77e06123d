"""Many markets in one batch: dense market ids, grouping by a counting sort, and writing
the outputs back in input order."""

from __future__ import annotations

import numpy as np

from ..._jit import jit


@jit
def group_by_market(quotes, use_priority, market, n_markets, group):
    """Stable counting sort of the orders of one side by dense market id.

    Returns ``start``: market ``m`` holds grouped positions ``start[m]:start[m + 1]``.
    ``group.index`` maps them to input indices (ascending within a market),
    ``group.pq[pos]`` holds that order's price and quantity side by side (one random
    write instead of two: the writes are what this pass waits for) and ``group.priority``
    its priority (when used). The input is read in order.

    Parameters
    ----------
    quotes : Quotes
        The side in input order, ``n`` orders.
    use_priority : bool
        Whether to gather the priorities too.
    market : int64 array, shape (n,)
        Dense market id of each order, in ``[0, n_markets)``.
    n_markets : int
        Number of markets.
    group : Grouped
        Written: ``pq``, ``index`` and (when used) ``priority``.
    """
    start = np.empty(n_markets + 1, dtype=np.int64)
    for m in range(n_markets + 1):
        start[m] = 0
    for t in range(market.size):
        start[market[t] + 1] += 1
    cursor = np.empty(n_markets, dtype=np.int64)
    for m in range(n_markets):
        cursor[m] = start[m]
        start[m + 1] += start[m]
    price, qty, order, pq = quotes.price, quotes.quantity, group.index, group.pq
    for t in range(market.size):
        m = market[t]
        pos = cursor[m]
        cursor[m] += 1
        order[pos] = t
        pq[pos, 0] = price[t]
        pq[pos, 1] = qty[t]
    if use_priority:
        for pos in range(market.size):
            group.priority[pos] = quotes.priority[order[pos]]
    return start


@jit
def dense_ids(bm, am, lo, span):
    """Map market ids in ``[lo, lo + span)`` to ``0..n-1`` in ascending id order.

    Returns ``(ids, bid_dense, ask_dense)``; one pass to mark the ids present, one prefix
    sum, one pass per side to map. When every id of the span is present from 0 the inputs
    are returned as they are.

    Parameters
    ----------
    bm, am : int64 array, shape (nb,) and (na,)
        Market id of each bid and each ask, all in ``[lo, lo + span)``.
    lo : int
        The smallest id.
    span : int
        ``max id - lo + 1``.
    """
    rank = np.empty(span, dtype=np.int64)
    for u in range(span):
        rank[u] = -1
    for t in range(bm.size):
        rank[bm[t] - lo] = 0
    for t in range(am.size):
        rank[am[t] - lo] = 0
    n = 0
    for u in range(span):
        if rank[u] == 0:
            rank[u] = n
            n += 1
    ids = np.empty(n, dtype=np.int64)
    for u in range(span):
        if rank[u] >= 0:
            ids[rank[u]] = lo + u
    if n == span and lo == 0:
        return ids, bm, am
    bd = np.empty(bm.size, dtype=np.int64)
    for t in range(bm.size):
        bd[t] = rank[bm[t] - lo]
    ad = np.empty(am.size, dtype=np.int64)
    for t in range(am.size):
        ad[t] = rank[am[t] - lo]
    return ids, bd, ad


@jit
def scatter(group, out):
    """Write per-order outputs held in market order at the orders' input indices.

    Parameters
    ----------
    group : Grouped
        One side of a batch in market order (``group.out`` read).
    out : Fills
        The same side in input order, written.
    """
    order, src = group.index, group.out
    for t in range(order.size):
        i = order[t]
        out.fill[i] = src.fill[t]
        out.price[i] = src.price[t]
        out.reason[i] = src.reason[t]
