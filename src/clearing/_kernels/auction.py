"""Call-market double auction kernels (one pass per market, no full sort).

Every mechanism starts from the efficient allocation, which only needs the *margin*: the
efficient volume ``Q`` (where the demand and supply curves cross) and, on each side, the
marginal price level. Both are found by quickselect-style partitioning on price with running
quantities, expected O(n); only orders tied at a marginal price are put in priority order.
The mechanism then adjusts a few marginal fills and sets prices; trades pair filled bids and
asks in input order (prices never depend on the pairing).

Conventions: bids use ``key = price`` and asks ``key = -price`` so that on both sides a higher
key is served first; ``b_k``/``s_k`` are the prices of the last matched unit and
``b_{k+1}``/``s_{k+1}`` those of the first unmatched one (``-inf``/``+inf`` when absent).
"""

from __future__ import annotations

import numpy as np

from .._jit import jit

UNIFORM = 0
MCAFEE = 1
SBBA = 2
HUANG = 3
VCG = 4
PAY_AS_BID = 5

FILLED = 0
PRICED_OUT = 1
TRADE_REDUCTION = 2
LOTTERY = 3
PRICE_SETTER = 4
RATIONED = 5
ZERO_QUANTITY = 6

# Columns of the per-market statistics array.
S_VOLUME = 0
S_PRICE = 1
S_BUYER_PRICE = 2
S_SELLER_PRICE = 3
S_LO = 4
S_HI = 5
S_WELFARE = 6
S_MAX_WELFARE = 7
S_SURPLUS = 8
N_STATS = 9


@jit
def group_by_market(price, qty, prio, market, n_markets):
    """Stable counting sort of the orders by dense market id.

    Returns ``(grouped, start)``: ``grouped[pos]`` holds (price, quantity, priority, input
    index) of the order at grouped position ``pos``, and market ``m`` occupies positions
    ``start[m]:start[m + 1]``. Writing one packed row per order is the only random access.
    """
    start = np.zeros(n_markets + 1, dtype=np.int64)
    for t in range(market.size):
        start[market[t] + 1] += 1
    for m in range(n_markets):
        start[m + 1] += start[m]
    cursor = start[:-1].copy()
    grouped = np.empty((market.size, 4))
    for t in range(market.size):
        m = market[t]
        pos = cursor[m]
        cursor[m] += 1
        grouped[pos, 0] = price[t]
        grouped[pos, 1] = qty[t]
        grouped[pos, 2] = prio[t]
        grouped[pos, 3] = t
    return grouped, start


@jit
def dense_ids(bm, am, lo, span):
    """Map market ids in ``[lo, lo + span)`` to ``0..n-1`` in ascending id order.

    Returns ``(ids, bid_dense, ask_dense)``; one pass to mark the ids present, one prefix
    sum, one pass per side to map.
    """
    rank = np.zeros(span, dtype=np.int64)
    for t in range(bm.size):
        rank[bm[t] - lo] = 1
    for t in range(am.size):
        rank[am[t] - lo] = 1
    n = 0
    for u in range(span):
        if rank[u]:
            rank[u] = n
            n += 1
        else:
            rank[u] = -1
    ids = np.empty(n, dtype=np.int64)
    for u in range(span):
        if rank[u] >= 0:
            ids[rank[u]] = lo + u
    bd = np.empty(bm.size, dtype=np.int64)
    for t in range(bm.size):
        bd[t] = rank[bm[t] - lo]
    ad = np.empty(am.size, dtype=np.int64)
    for t in range(am.size):
        ad[t] = rank[am[t] - lo]
    return ids, bd, ad


@jit
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


@jit
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


@jit
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
def _crossing_partition(bp, bq, ap, aq, xb, wb, xa, wa):
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
        if d >= s:
            p1 = x
            s_at_p1 = s
            s_lower = s
            nb = _keep(xb, wb, nb, x, True)
            na = _keep(xa, wa, na, x, True)
        else:
            p2 = x
            d_at_p2 = d
            d_upper = d
            nb = _keep(xb, wb, nb, x, False)
            na = _keep(xa, wa, na, x, False)
    return p1, s_at_p1, p2, d_at_p2


@jit
def efficient_volume(bp, bq, ap, aq, xb, wb, xa, wa):
    """Efficient volume and the marginal price level of each side, found without sorting.

    The crossing price ``p1`` (largest price with demand ``D(p1) >= S(p1)`` supply) is
    found by partitioning both sides around pivot prices (expected linear time); ``p2``, the
    next price above it, has ``D < S`` and ``Q = max(S(p1), D(p2))``. Returns
    ``(Q, bid_level, ask_level, bid_whole, ask_whole)`` where ``bid_level`` is ``b_k`` (the
    price at which cumulative demand reaches ``Q``), ``ask_level`` is ``s_k`` (both NaN when
    ``Q == 0``), and ``bid_whole`` says that demand is the short side at ``b_k``: every bid
    priced at or above it is filled in full, with no arithmetic that could round (likewise
    ``ask_whole``).
    """
    p1, s_at_p1, p2, d_at_p2 = _crossing_partition(bp, bq, ap, aq, xb, wb, xa, wa)
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
            if bq[i] > 0.0 and bp[i] >= p2:
                bid_level = min(bid_level, bp[i])
    ask_level = p2
    if ask_whole:
        ask_level = -np.inf
        for i in range(ap.size):
            if aq[i] > 0.0 and ap[i] <= p1:
                ask_level = max(ask_level, ap[i])
    return volume, bid_level, ask_level, bid_whole, ask_whole


@jit
def _slack(n_terms, total):
    """Rounding allowance for a difference of float sums of ``n_terms`` quantities."""
    return 4.0 * (n_terms + 1) * 2.220446049250313e-16 * total


@jit
def fill_side(price, qty, prio, sign, volume, level, whole, use_prio, fill, reason, tie):
    """Efficient fills of one side of one market.

    Orders priced better than the marginal ``level`` fill in full; those at the level share
    what is left of ``volume`` in priority order (all in full when ``whole``). The rest of
    ``volume`` is a difference of float sums, so it is compared with a rounding allowance of
    a few ulps per order: a remainder within it of an order's quantity fills the order, and
    one within it of zero fills nothing.

    Returns ``(k_price, next_price, marginal, value)``: the price of the last matched unit,
    of the first unmatched unit, the index of the order holding the last matched unit (-1
    when nothing trades) and the value ``sum(fill * price)`` of the efficient fills.
    """
    lam = sign * level if volume > 0.0 else np.inf
    above = 0.0
    value = 0.0
    n_tie = 0
    next_key = -np.inf
    for i in range(price.size):
        if qty[i] <= 0.0:
            fill[i] = 0.0
            reason[i] = ZERO_QUANTITY
            continue
        key = sign * price[i]
        if key > lam:
            fill[i] = qty[i]
            reason[i] = FILLED
            above += qty[i]
            value += qty[i] * price[i]
        elif key == lam:
            tie[n_tie] = i
            n_tie += 1
        else:
            fill[i] = 0.0
            reason[i] = PRICED_OUT
            if key > next_key:
                next_key = key
    if use_prio and n_tie > 1:
        keys = np.empty(n_tie)
        for t in range(n_tie):
            keys[t] = prio[tie[t]]
        perm = np.argsort(keys, kind="mergesort")
        ordered = tie[:n_tie][perm]
        tie[:n_tie] = ordered
    need = np.inf if whole else volume - above
    slack = _slack(price.size, volume)
    marginal = -1
    for t in range(n_tie):
        i = tie[t]
        f = 0.0
        if need > slack:
            f = qty[i] if need >= qty[i] - slack else need
        fill[i] = f
        value += f * price[i]
        need -= f
        if f > 0.0:
            marginal = i
        if f < qty[i]:
            reason[i] = PRICED_OUT
            next_key = lam
        else:
            reason[i] = FILLED
    if volume <= 0.0:
        return np.nan, sign * next_key, -1, 0.0
    return sign * lam, sign * next_key, marginal, value


@jit
def _drop_unit(fill, reason, order, code):
    if order >= 0 and fill[order] >= 1.0:
        fill[order] -= 1.0
        reason[order] = code


@jit
def _lottery_order(fill, draw, volume):
    """The order (in input order) holding efficient unit ``floor(draw * volume)``."""
    r = np.floor(draw * volume)
    cum = 0.0
    for i in range(fill.size):
        if fill[i] > 0.0:
            cum += fill[i]
            if cum > r:
                return i
    return -1


@jit
def _ration(fill, reason, excess, slack):
    """Equal reduction of the long side (Huang et al. 2002, footnote p. 8).

    A share left within ``slack`` of zero (float residue of the reductions) is zero.
    """
    n = 0
    for i in range(fill.size):
        if fill[i] > 0.0:
            n += 1
    share = 0.0
    while n > 0:
        share = excess / n
        dropped = False
        for i in range(fill.size):
            q = fill[i]
            if q > 0.0 and q < share:
                excess -= q
                fill[i] = 0.0
                reason[i] = RATIONED
                n -= 1
                dropped = True
        if not dropped:
            break
    if share > 0.0:
        for i in range(fill.size):
            if fill[i] > 0.0:
                left = fill[i] - share
                fill[i] = left if left > slack else 0.0
                reason[i] = RATIONED


@jit
def _total(x):
    """Sequential sum (``ndarray.sum`` is pairwise in numpy but not in numba: results must
    not depend on whether the kernel is compiled)."""
    acc = 0.0
    for i in range(x.size):
        acc += x[i]
    return acc


@jit
def _set_prices(fill, price, unit_price, own, paid):
    """Per-unit price of each order (its own price under pay-as-bid; NaN when unfilled).

    Returns ``(units, value, money)``: units filled, their value at the orders' own prices,
    and the money that changes hands (``unit_price * units`` when everyone faces one price,
    so that a uniform price balances the budget exactly).
    """
    units = 0.0
    value = 0.0
    for i in range(fill.size):
        if fill[i] > 0.0:
            paid[i] = price[i] if own else unit_price
            units += fill[i]
            value += fill[i] * price[i]
        else:
            paid[i] = np.nan
    money = value if own else (unit_price * units if units > 0.0 else 0.0)
    return units, value, money


@jit
def _apply_mechanism(mech, kappa, draw, volume, sides, bfill, breason, afill, areason):
    """Adjust the efficient fills for ``mech``; return ``(price, buyer_price, seller_price)``."""
    bk, bk1, mb, sk, sk1, ma = sides
    lo = max(sk, bk1)
    hi = min(bk, sk1)
    if mech == UNIFORM:
        # clamped: lo + 1.0 * (hi - lo) may round to just above hi
        p = min(max(lo + kappa * (hi - lo), lo), hi)
        return p, p, p
    if mech == VCG:
        return np.nan, lo, hi
    if mech == PAY_AS_BID:
        return np.nan, np.nan, np.nan
    if mech == MCAFEE:
        p0 = 0.5 * (bk1 + sk1)
        if bk1 > -np.inf and sk1 < np.inf and sk <= p0 <= bk:
            return p0, p0, p0
        _drop_unit(bfill, breason, mb, TRADE_REDUCTION)
        _drop_unit(afill, areason, ma, TRADE_REDUCTION)
        return np.nan, bk, sk
    if mech == SBBA:
        if sk1 <= bk:
            return sk1, sk1, sk1
        _drop_unit(bfill, breason, mb, TRADE_REDUCTION)
        loser = _lottery_order(afill, draw, volume)
        _drop_unit(afill, areason, loser, LOTTERY)
        return bk, bk, bk
    # HUANG: the two price setters sit out; the long side is rationed.
    if mb >= 0:
        bfill[mb] = 0.0
        breason[mb] = PRICE_SETTER
    if ma >= 0:
        afill[ma] = 0.0
        areason[ma] = PRICE_SETTER
    demand = _total(bfill)
    supply = _total(afill)
    if demand > supply:
        _ration(bfill, breason, demand - supply, _slack(bfill.size + afill.size, demand))
    elif supply > demand:
        _ration(afill, areason, supply - demand, _slack(bfill.size + afill.size, supply))
    return np.nan, bk, sk


@jit
def _next_filled(fill, pos):
    while pos < fill.size and fill[pos] <= 0.0:
        pos += 1
    return pos


@jit
def pair_trades(bfill, bpaid, bidx, afill, arecv, aidx, market, slack, n_trades, t_int, t_flt):
    """Pair filled bids with filled asks in input order; return the new trade count.

    A remainder within ``slack`` (the rounding allowance of the fills) counts as used up, so
    float residue never becomes a trade of its own.
    """
    i = _next_filled(bfill, 0)
    j = _next_filled(afill, 0)
    rb = bfill[i] if i < bfill.size else 0.0
    ra = afill[j] if j < afill.size else 0.0
    while i < bfill.size and j < afill.size:
        q = min(rb, ra)
        t_int[0][n_trades] = bidx[i]
        t_int[1][n_trades] = aidx[j]
        t_int[2][n_trades] = market
        t_flt[0][n_trades] = q
        t_flt[1][n_trades] = bpaid[i]
        t_flt[2][n_trades] = arecv[j]
        n_trades += 1
        rb -= q
        ra -= q
        if rb <= slack:
            i = _next_filled(bfill, i + 1)
            rb = bfill[i] if i < bfill.size else 0.0
        if ra <= slack:
            j = _next_filled(afill, j + 1)
            ra = afill[j] if j < afill.size else 0.0
    return n_trades


@jit
def _local(grouped, lo, hi, lp, lq, lprio, lidx):
    """Copy the rows ``lo:hi`` of a grouped side into contiguous local buffers."""
    for t in range(hi - lo):
        lp[t] = grouped[lo + t, 0]
        lq[t] = grouped[lo + t, 1]
        lprio[t] = grouped[lo + t, 2]
        lidx[t] = np.int64(grouped[lo + t, 3])


@jit
def _scatter(lidx, lfill, lpaid, lreason, packed):
    """Write one market's per-order outputs as packed rows at the orders' input indices."""
    for t in range(lidx.size):
        i = lidx[t]
        packed[i, 0] = lfill[t]
        packed[i, 1] = lpaid[t]
        packed[i, 2] = lreason[t]


@jit
def _unpack(packed, fill, paid, reason):
    for i in range(fill.size):
        fill[i] = packed[i, 0]
        paid[i] = packed[i, 1]
        reason[i] = np.int8(packed[i, 2])


@jit
def clear_one(
    bp,
    bq,
    bprio,
    bidx,
    bfill,
    bpaid,
    breason,
    ap,
    aq,
    aprio,
    aidx,
    afill,
    arecv,
    areason,
    xb,
    xa,
    tie,
    mech,
    kappa,
    draw,
    use_prio,
    market,
    row,
    n_trades,
    t_int,
    t_flt,
):
    """Clear one market held in contiguous arrays; return the new trade count.

    ``bidx``/``aidx`` map local order positions to input indices (used for the trades);
    ``row`` receives the market statistics; the ``fill``/``paid`` outputs double as the
    selection's weight buffers until the fills are set.
    """
    volume, bid_level, ask_level, bid_whole, ask_whole = efficient_volume(
        bp, bq, ap, aq, xb, bfill, xa, afill
    )
    bk, bk1, mb, bvalue = fill_side(
        bp, bq, bprio, 1.0, volume, bid_level, bid_whole, use_prio, bfill, breason, tie
    )
    sk, sk1, ma, avalue = fill_side(
        ap, aq, aprio, -1.0, volume, ask_level, ask_whole, use_prio, afill, areason, tie
    )
    p, pb, ps = np.nan, np.nan, np.nan
    row[S_LO] = np.nan
    row[S_HI] = np.nan
    if volume > 0.0:
        row[S_LO] = max(sk, bk1)
        row[S_HI] = min(bk, sk1)
        p, pb, ps = _apply_mechanism(
            mech, kappa, draw, volume, (bk, bk1, mb, sk, sk1, ma), bfill, breason, afill, areason
        )
    own = mech == PAY_AS_BID
    traded, value, paid = _set_prices(bfill, bp, pb, own, bpaid)
    cost, received = _set_prices(afill, ap, ps, own, arecv)[1:]
    if traded <= 0.0:
        p, pb, ps = np.nan, np.nan, np.nan
    row[S_VOLUME] = traded
    row[S_PRICE] = p
    row[S_BUYER_PRICE] = pb
    row[S_SELLER_PRICE] = ps
    row[S_WELFARE] = value - cost
    row[S_MAX_WELFARE] = bvalue - avalue
    row[S_SURPLUS] = paid - received
    slack = _slack(bp.size + ap.size, traded)
    return pair_trades(
        bfill, bpaid, bidx, afill, arecv, aidx, market, slack, n_trades, t_int, t_flt
    )


@jit
def clear_markets(
    bp,
    bq,
    bprio,
    bm,
    ap,
    aq,
    aprio,
    am,
    n_markets,
    mech,
    kappa,
    draws,
    use_prio,
    bfill,
    bpaid,
    breason,
    afill,
    arecv,
    areason,
    t_int,
    t_flt,
    stats,
):
    """Clear every market; per-order, per-trade and per-market outputs are written in place.

    ``bm``/``am`` are dense market ids in ``[0, n_markets)``; ``draws`` holds one uniform
    draw per market (SBBA only). ``t_int`` is a tuple of three arrays (bid, ask, market) and
    ``t_flt`` of three (quantity, buyer price, seller price), one entry per trade. Returns
    the number of trades.
    A single market is cleared in place; several are grouped by a counting sort into packed
    rows, each market copied to contiguous buffers, cleared there and scattered back.
    """
    nb = bp.size
    na = ap.size
    tie = np.empty(max(nb, na), dtype=np.int64)
    if n_markets == 1:
        xb = np.empty(nb)
        xa = np.empty(na)
        return clear_one(
            bp,
            bq,
            bprio,
            np.arange(nb),
            bfill,
            bpaid,
            breason,
            ap,
            aq,
            aprio,
            np.arange(na),
            afill,
            arecv,
            areason,
            xb,
            xa,
            tie,
            mech,
            kappa,
            draws[0],
            use_prio,
            0,
            stats[0],
            0,
            t_int,
            t_flt,
        )
    bgroup, bstart = group_by_market(bp, bq, bprio, bm, n_markets)
    agroup, astart = group_by_market(ap, aq, aprio, am, n_markets)
    nb_max = 0
    na_max = 0
    for m in range(n_markets):
        nb_max = max(nb_max, bstart[m + 1] - bstart[m])
        na_max = max(na_max, astart[m + 1] - astart[m])
    lb = np.empty((6, nb_max))  # price, quantity, priority, fill, paid, work buffer
    la = np.empty((6, na_max))
    lbr = np.empty(nb_max, dtype=np.int8)
    lar = np.empty(na_max, dtype=np.int8)
    lbi = np.empty(nb_max, dtype=np.int64)
    lai = np.empty(na_max, dtype=np.int64)
    bpack = np.empty((nb, 3))  # fill, paid, reason per bid, in input order
    apack = np.empty((na, 3))
    n_trades = 0
    for m in range(n_markets):
        k = bstart[m + 1] - bstart[m]
        j = astart[m + 1] - astart[m]
        _local(bgroup, bstart[m], bstart[m + 1], lb[0, :k], lb[1, :k], lb[2, :k], lbi[:k])
        _local(agroup, astart[m], astart[m + 1], la[0, :j], la[1, :j], la[2, :j], lai[:j])
        n_trades = clear_one(
            lb[0, :k], lb[1, :k], lb[2, :k], lbi[:k], lb[3, :k], lb[4, :k], lbr[:k],
            la[0, :j], la[1, :j], la[2, :j], lai[:j], la[3, :j], la[4, :j], lar[:j],
            lb[5, :k], la[5, :j], tie, mech, kappa, draws[m], use_prio, m, stats[m],
            n_trades, t_int, t_flt,
        )  # fmt: skip
        _scatter(lbi[:k], lb[3, :k], lb[4, :k], lbr[:k], bpack)
        _scatter(lai[:j], la[3, :j], la[4, :j], lar[:j], apack)
    _unpack(bpack, bfill, bpaid, breason)
    _unpack(apack, afill, arecv, areason)
    return n_trades
