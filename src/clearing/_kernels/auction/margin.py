"""The margin of a call market: efficient volume and fills without sorting.

Every mechanism starts from the efficient allocation, which only needs the *margin*: the
efficient volume ``Q`` (where the demand and supply curves cross) and, on each side, the
marginal price level. Both are found by quickselect-style partitioning on price with running
quantities, expected O(n); only orders tied at a marginal price are put in priority order.
Conventions: bids use ``key = price`` and asks ``key = -price`` so that on both sides a higher
key is served first; ``b_k``/``s_k`` are the prices of the last matched unit and
``b_{k+1}``/``s_{k+1}`` those of the first unmatched one (``-inf``/``+inf`` when absent).
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline
from .codes import FILLED, PRICED_OUT, ZERO_QUANTITY

SMALL_MARKET = 64  # orders; up to here the crossing tries every price (see crossing_small)


@jit_inline
def _pivot(xa, na, xb, nb):
    """Median of the first, middle and last entries of the concatenation of two buffers."""
    m = na + nb
    t0 = 0
    t1 = m // 2
    t2 = m - 1
    a = xa[t0] if t0 < na else xb[t0 - na]
    b = xa[t1] if t1 < na else xb[t1 - na]
    c = xa[t2] if t2 < na else xb[t2 - na]
    if a > b:
        a, b = b, a
    if b > c:
        b = c
    return a if a > b else b


@jit_inline
def _keep(x, w, n, pivot, above):
    """Compact the buffers to the entries strictly above (or below) ``pivot``.

    Branch-free: every entry is written and the cursor advances only for kept ones, which
    avoids a mispredicted branch per entry on random prices.
    """
    out = 0
    if above:
        for t in range(n):
            v = x[t]
            x[out] = v
            w[out] = w[t]
            out += v > pivot
    else:
        for t in range(n):
            v = x[t]
            x[out] = v
            w[out] = w[t]
            out += v < pivot
    return out


@jit_inline
def _load(price, qty, sign, x, w):
    """Copy the positive-quantity orders into ``(key, quantity)`` work buffers."""
    n = 0
    for i in range(price.size):
        if qty[i] > 0.0:
            x[n] = sign * price[i]
            w[n] = qty[i]
            n += 1
    return n


@jit
def crossing_partition(bp, bq, ap, aq, xb, wb, xa, wa):
    """``(p1, S(p1), p2, D(p2))`` by partitioning both sides around pivot prices."""
    nb = _load(bp, bq, 1.0, xb, wb)
    na = _load(ap, aq, 1.0, xa, wa)
    d_upper = 0.0  # bid quantity priced at or above the current upper bound
    s_lower = 0.0  # ask quantity priced at or below the current lower bound
    p1 = -np.inf
    p2 = np.inf
    s_at_p1 = 0.0
    d_at_p2 = 0.0
    while nb + na > 0:
        x = _pivot(xb, nb, xa, na)
        d = d_upper
        for t in range(nb):
            d += wb[t] if xb[t] >= x else 0.0
        s = s_lower
        for t in range(na):
            s += wa[t] if xa[t] <= x else 0.0
        crossed = d >= s  # a runtime flag: one compiled _keep serves both directions
        if crossed:
            p1 = x
            s_at_p1 = s
            s_lower = s
        else:
            p2 = x
            d_at_p2 = d
            d_upper = d
        nb = _keep(xb, wb, nb, x, crossed)
        na = _keep(xa, wa, na, x, crossed)
    return p1, s_at_p1, p2, d_at_p2


@jit
def crossing_small(bp, bq, ap, aq, work):
    """:func:`crossing_partition` for small markets: every price is a candidate.

    ``D`` and ``S`` at all candidates are accumulated together, order by order (input
    order, so each total is the same sequential sum); the inner loop runs over candidates,
    which vectorises, where the partition's loop carries one long chain of additions.
    ``work`` needs ``3 * (bp.size + ap.size)`` entries.
    """
    nc = 0
    for i in range(bp.size):
        if bq[i] > 0.0:
            work[nc] = bp[i]
            nc += 1
    for i in range(ap.size):
        if aq[i] > 0.0:
            work[nc] = ap[i]
            nc += 1
    x = work[:nc]
    demand = work[nc : 2 * nc]
    supply = work[2 * nc : 3 * nc]
    demand[:] = 0.0
    supply[:] = 0.0
    for i in range(bp.size):
        q = bq[i]
        if q > 0.0:
            p = bp[i]
            for c in range(nc):
                demand[c] += q if p >= x[c] else 0.0
    for i in range(ap.size):
        q = aq[i]
        if q > 0.0:
            p = ap[i]
            for c in range(nc):
                supply[c] += q if p <= x[c] else 0.0
    # p1 and p2 first, then the totals there: two short dependency chains of selects
    # (the comparisons are coin flips, so branches would mispredict)
    p1 = -np.inf
    p2 = np.inf
    for c in range(nc):
        crossed = demand[c] >= supply[c]
        lo = x[c] if crossed else -np.inf
        hi = np.inf if crossed else x[c]
        p1 = lo if lo > p1 else p1
        p2 = hi if hi < p2 else p2
    s_at_p1 = 0.0
    d_at_p2 = 0.0
    for c in range(nc):
        s_at_p1 = supply[c] if x[c] == p1 else s_at_p1
        d_at_p2 = demand[c] if x[c] == p2 else d_at_p2
    return p1, s_at_p1, p2, d_at_p2


@jit
def margin_levels(bp, bq, ap, aq, p1, s_at_p1, p2, d_at_p2):
    """Efficient volume and the marginal price level of each side, from the crossing
    ``(p1, S(p1), p2, D(p2))`` of :func:`search_crossing`.

    Returns ``(Q, bid_level, ask_level, bid_whole, ask_whole)`` where ``bid_level`` is
    ``b_k`` (the price at which cumulative demand reaches ``Q``), ``ask_level`` is ``s_k``
    (both NaN when ``Q == 0``), and ``bid_whole`` says that demand is the short side at
    ``b_k``: every bid priced at or above it is filled in full, with no arithmetic that
    could round (likewise ``ask_whole``).
    """
    volume = max(s_at_p1, d_at_p2)
    if volume <= 0.0:
        return 0.0, np.nan, np.nan, False, False
    # No price lies strictly between p1 and p2, so demand reaches Q either at p1 or at the
    # lowest bid priced >= p2, and supply either at p2 or at the highest ask priced <= p1.
    bid_whole = d_at_p2 >= volume
    ask_whole = s_at_p1 >= volume
    bid_level = p1
    if bid_whole:
        bid_level = np.inf
        for i in range(bp.size):
            b = bp[i] if bq[i] > 0.0 and bp[i] >= p2 else np.inf
            bid_level = b if b < bid_level else bid_level
    ask_level = p2
    if ask_whole:
        ask_level = -np.inf
        for i in range(ap.size):
            a = ap[i] if aq[i] > 0.0 and ap[i] <= p1 else -np.inf
            ask_level = a if a > ask_level else ask_level
    return volume, bid_level, ask_level, bid_whole, ask_whole


@jit_inline
def search_crossing(bp, bq, ap, aq, xb, wb, xa, wa):
    """The crossing ``(p1, S(p1), p2, D(p2))`` of one market, for :func:`margin_levels`.

    The crossing price ``p1`` (largest price with demand ``D(p1) >= S(p1)`` supply) is
    found by partitioning both sides around pivot prices (expected linear time,
    :func:`crossing_partition`), or in markets of at most ``SMALL_MARKET`` orders by
    evaluating ``D`` and ``S`` at every price (quadratic, but vectorised and branch-free:
    faster there, :func:`crossing_small`). ``xb`` needs ``3 * (bp.size + ap.size)`` entries
    for the latter (``max(3 * SMALL_MARKET, bp.size)`` covers both paths). ``p2``, the next
    price above it, has ``D < S`` and ``Q = max(S(p1), D(p2))``.
    """
    if bp.size + ap.size <= SMALL_MARKET:
        return crossing_small(bp, bq, ap, aq, xb)
    return crossing_partition(bp, bq, ap, aq, xb, wb, xa, wa)


@jit_inline
def slack_of(n_terms, total):
    """Rounding allowance for a difference of float sums of ``n_terms`` quantities."""
    return 4.0 * (n_terms + 1) * 2.220446049250313e-16 * total


@jit
def _sort_ties(tie, n, priority):
    """Stable sort of ``tie[:n]`` (order positions) by ``priority[tie[t]]``, in place.

    Insertion sort of runs of 16, then bottom-up merges through ``tie[n:2 * n]``. Equal
    priorities keep their order, so the result is the one of numpy's stable argsort.

    Parameters
    ----------
    tie : int64 array, shape (>= 2 * n,)
        Positions to sort in ``tie[:n]``; ``tie[n:2 * n]`` is scratch.
    n : int
        How many positions.
    priority : float64 array
        The key of each position (finite).
    """
    run = 16
    for lo in range(0, n, run):
        for i in range(lo + 1, min(lo + run, n)):
            v = tie[i]
            key = priority[v]
            j = i
            while j > lo and priority[tie[j - 1]] > key:
                tie[j] = tie[j - 1]
                j -= 1
            tie[j] = v
    src, dst = 0, n  # offsets of the two halves of tie
    width = run
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                right_first = j < hi and priority[tie[src + j]] < priority[tie[src + i]]
                take_right = i >= mid or right_first
                if take_right:
                    tie[dst + k] = tie[src + j]
                    j += 1
                else:
                    tie[dst + k] = tie[src + i]
                    i += 1
        src, dst = dst, src
        width *= 2
    if src != 0:
        for k in range(n):
            tie[k] = tie[src + k]


@jit
def fill_side(price, qty, priority, sign, volume, level, whole, use_priority, fill, reason, tie):
    """Efficient fills of one side of one market.

    Orders priced better than the marginal ``level`` fill in full; those at the level share
    what is left of ``volume`` in priority order (all in full when ``whole``). The rest of
    ``volume`` is a difference of float sums, so it is compared with a rounding allowance of
    a few ulps per order: a remainder within it of an order's quantity fills the order, and
    one within it of zero fills nothing.

    Returns ``(k_price, next_price, marginal)``: the price of the last matched unit, of the
    first unmatched unit, and the index of the order holding the last matched unit (-1 when
    nothing trades).

    Parameters
    ----------
    price, qty : float64 array, shape (n,)
        Limit prices and quantities of the side's ``n`` orders (read).
    priority : float64 array, shape (n,) or (0,)
        Tie-break at the level (lower first); read only with ``use_priority``.
    sign : float
        ``1.0`` for bids, ``-1.0`` for asks (a higher ``sign * price`` is served first).
    volume : float
        The efficient volume.
    level : float
        The marginal price level of this side (see :func:`margin_levels`).
    whole : bool
        Every order at the level fills in full.
    use_priority : None or bool
        Ties at the level go by ``priority``, then input order (else input order).
        ``None`` when priorities are not used at all: numba drops the branch on a ``None``
        argument before typing, so that specialisation compiles no sort.
    fill : float64 array, shape (n,)
        Written: the units each order trades.
    reason : int8 array, shape (n,)
        Written: ``FILLED``, ``PRICED_OUT`` or ``ZERO_QUANTITY``.
    tie : int64 array, shape (>= 2 * n,)
        Scratch.
    """
    lam = sign * level if volume > 0.0 else np.inf
    above = 0.0
    n_tie = 0
    next_key = -np.inf
    for i in range(price.size):  # selects, not branches: on random prices they mispredict
        q = qty[i]
        key = sign * price[i]
        live = q > 0.0
        better = live and key > lam
        worse = live and key < lam
        fill[i] = q if better else 0.0  # orders at the level are set below
        reason[i] = FILLED if better else (PRICED_OUT if live else ZERO_QUANTITY)
        above += q if better else 0.0
        tie[n_tie] = i
        n_tie += 1 if live and key == lam else 0
        next_key = key if worse and key > next_key else next_key
    if use_priority is not None and use_priority and n_tie > 1:
        _sort_ties(tie, n_tie, priority)
    need = np.inf if whole else volume - above
    slack = slack_of(price.size, volume)
    marginal = -1
    for t in range(n_tie):
        i = tie[t]
        f = 0.0
        if need > slack:
            f = qty[i] if need >= qty[i] - slack else need
        fill[i] = f
        need -= f
        if f > 0.0:
            marginal = i
        if f < qty[i]:
            reason[i] = PRICED_OUT
            next_key = lam
        else:
            reason[i] = FILLED
    if volume <= 0.0:
        return np.nan, sign * next_key, -1
    return sign * lam, sign * next_key, marginal
