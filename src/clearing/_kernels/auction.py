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
def group_by_market(market, n_markets):
    """Stable counting sort of order indices by dense market id: ``(order, start)``."""
    start = np.zeros(n_markets + 1, dtype=np.int64)
    for t in range(market.size):
        start[market[t] + 1] += 1
    for m in range(n_markets):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    order = np.empty(market.size, dtype=np.int64)
    for t in range(market.size):
        m = market[t]
        order[fill[m]] = t
        fill[m] += 1
    return order, start


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
def efficient_volume(bp, bq, ap, aq, xb, wb, xa, wa):
    """Efficient volume and the marginal price level of each side, found without sorting.

    The crossing price ``p1`` (largest price with demand ``D(p1) >= S(p1)`` supply) is
    searched by partitioning both sides around pivot prices; ``p2``, the next price above
    it, has ``D < S`` and ``Q = max(S(p1), D(p2))``. Returns ``(Q, bid_level, ask_level)``
    where ``bid_level`` is ``b_k`` (the price at which cumulative demand reaches ``Q``) and
    ``ask_level`` is ``s_k``; both NaN when ``Q == 0``.
    """
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
    volume = max(s_at_p1, d_at_p2)
    if volume <= 0.0:
        return 0.0, np.nan, np.nan
    # No price lies strictly between p1 and p2, so demand reaches Q either at p1 or at the
    # lowest bid priced >= p2, and supply either at p2 or at the highest ask priced <= p1.
    bid_level = p1
    if d_at_p2 >= volume:
        bid_level = np.inf
        for i in range(bp.size):
            if bq[i] > 0.0 and bp[i] >= p2:
                bid_level = min(bid_level, bp[i])
    ask_level = p2
    if s_at_p1 >= volume:
        ask_level = -np.inf
        for i in range(ap.size):
            if aq[i] > 0.0 and ap[i] <= p1:
                ask_level = max(ask_level, ap[i])
    return volume, bid_level, ask_level


@jit
def fill_side(price, qty, prio, sign, volume, level, use_prio, fill, reason, tie):
    """Efficient fills of one side of one market.

    Returns ``(k_price, next_price, marginal)``: the price of the last matched unit, of the
    first unmatched unit, and the index of the order holding the last matched unit (-1 when
    nothing trades).
    """
    lam = sign * level if volume > 0.0 else np.inf
    above = 0.0
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
    need = volume - above
    marginal = -1
    for t in range(n_tie):
        i = tie[t]
        f = min(qty[i], need) if need > 0.0 else 0.0
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
def _ration(fill, reason, excess):
    """Equal reduction of the long side (Huang et al. 2002, footnote p. 8)."""
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
                fill[i] -= share
                reason[i] = RATIONED


@jit
def _side_total(fill, price):
    units = 0.0
    value = 0.0
    for i in range(fill.size):
        units += fill[i]
        value += fill[i] * price[i]
    return units, value


@jit
def _set_prices(fill, price, unit_price, own, paid):
    """Per-unit price of each order (its own price under pay-as-bid); NaN when unfilled."""
    money = 0.0
    for i in range(fill.size):
        if fill[i] > 0.0:
            paid[i] = price[i] if own else unit_price
            money += fill[i] * paid[i]
        else:
            paid[i] = np.nan
    return money


@jit
def _apply_mechanism(mech, kappa, draw, volume, sides, bfill, breason, afill, areason):
    """Adjust the efficient fills for ``mech``; return ``(price, buyer_price, seller_price)``."""
    bk, bk1, mb, sk, sk1, ma = sides
    lo = max(sk, bk1)
    hi = min(bk, sk1)
    if mech == UNIFORM:
        p = lo + kappa * (hi - lo)
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
    demand = bfill.sum()
    supply = afill.sum()
    if demand > supply:
        _ration(bfill, breason, demand - supply)
    elif supply > demand:
        _ration(afill, areason, supply - demand)
    return np.nan, bk, sk


@jit
def _next_filled(fill, pos):
    while pos < fill.size and fill[pos] <= 0.0:
        pos += 1
    return pos


@jit
def pair_trades(
    bfill,
    bpaid,
    bidx,
    afill,
    arecv,
    aidx,
    market,
    n_trades,
    t_bid,
    t_ask,
    t_qty,
    t_bprice,
    t_sprice,
    t_market,
):
    """Pair filled bids with filled asks in input order; return the new trade count."""
    i = _next_filled(bfill, 0)
    j = _next_filled(afill, 0)
    rb = bfill[i] if i < bfill.size else 0.0
    ra = afill[j] if j < afill.size else 0.0
    while i < bfill.size and j < afill.size:
        q = min(rb, ra)
        t_bid[n_trades] = bidx[i]
        t_ask[n_trades] = aidx[j]
        t_qty[n_trades] = q
        t_bprice[n_trades] = bpaid[i]
        t_sprice[n_trades] = arecv[j]
        t_market[n_trades] = market
        n_trades += 1
        rb -= q
        ra -= q
        if rb <= 0.0:
            i = _next_filled(bfill, i + 1)
            rb = bfill[i] if i < bfill.size else 0.0
        if ra <= 0.0:
            j = _next_filled(afill, j + 1)
            ra = afill[j] if j < afill.size else 0.0
    return n_trades


@jit
def _gather(order, price, qty, prio, lp, lq, lprio):
    """Copy one market's orders into contiguous local buffers (one random access each)."""
    for t in range(order.size):
        i = order[t]
        lp[t] = price[i]
        lq[t] = qty[i]
        lprio[t] = prio[i]


@jit
def _scatter(order, lfill, lpaid, lreason, fill, paid, reason):
    for t in range(order.size):
        i = order[t]
        fill[i] = lfill[t]
        paid[i] = lpaid[t]
        reason[i] = lreason[t]


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
    t_bid,
    t_ask,
    t_qty,
    t_bprice,
    t_sprice,
    t_market,
    stats,
):
    """Clear every market; per-order and per-market outputs are written in place.

    Returns the number of trades written. ``bm``/``am`` are dense market ids in
    ``[0, n_markets)``; ``draws`` holds one uniform draw per market (used by SBBA only).
    Each market is gathered into contiguous buffers, cleared there, and scattered back.
    """
    border, bstart = group_by_market(bm, n_markets)
    aorder, astart = group_by_market(am, n_markets)
    nb_max = 0
    na_max = 0
    for m in range(n_markets):
        nb_max = max(nb_max, bstart[m + 1] - bstart[m])
        na_max = max(na_max, astart[m + 1] - astart[m])
    lb = np.empty((6, nb_max))  # price, qty, priority, fill, paid, work key / weight below
    la = np.empty((6, na_max))
    lbr = np.empty(nb_max, dtype=np.int8)
    lar = np.empty(na_max, dtype=np.int8)
    tie = np.empty(max(nb_max, na_max), dtype=np.int64)
    n_trades = 0
    for m in range(n_markets):
        bo = border[bstart[m] : bstart[m + 1]]
        ao = aorder[astart[m] : astart[m + 1]]
        nb = bo.size
        na = ao.size
        lbp, lbq, lbprio, lbfill, lbpaid, xb = (
            lb[0, :nb],
            lb[1, :nb],
            lb[2, :nb],
            lb[3, :nb],
            lb[4, :nb],
            lb[5, :nb],
        )
        lap, laq, laprio, lafill, larecv, xa = (
            la[0, :na],
            la[1, :na],
            la[2, :na],
            la[3, :na],
            la[4, :na],
            la[5, :na],
        )
        _gather(bo, bp, bq, bprio, lbp, lbq, lbprio)
        _gather(ao, ap, aq, aprio, lap, laq, laprio)
        # the fill/paid rows double as the selection's weight buffers until fills are set
        volume, bid_level, ask_level = efficient_volume(lbp, lbq, lap, laq, xb, lbfill, xa, lafill)
        bk, bk1, mb = fill_side(
            lbp, lbq, lbprio, 1.0, volume, bid_level, use_prio, lbfill, lbr[:nb], tie
        )
        sk, sk1, ma = fill_side(
            lap, laq, laprio, -1.0, volume, ask_level, use_prio, lafill, lar[:na], tie
        )
        max_welfare = _side_total(lbfill, lbp)[1] - _side_total(lafill, lap)[1]
        row = stats[m]
        if volume > 0.0:
            row[S_LO] = max(sk, bk1)
            row[S_HI] = min(bk, sk1)
            p, pb, ps = _apply_mechanism(
                mech,
                kappa,
                draws[m],
                volume,
                (bk, bk1, mb, sk, sk1, ma),
                lbfill,
                lbr[:nb],
                lafill,
                lar[:na],
            )
        else:
            row[S_LO] = np.nan
            row[S_HI] = np.nan
            p, pb, ps = np.nan, np.nan, np.nan
        own = mech == PAY_AS_BID
        paid = _set_prices(lbfill, lbp, pb, own, lbpaid)
        received = _set_prices(lafill, lap, ps, own, larecv)
        traded, value = _side_total(lbfill, lbp)
        cost = _side_total(lafill, lap)[1]
        if traded <= 0.0:
            p, pb, ps = np.nan, np.nan, np.nan
        row[S_VOLUME] = traded
        row[S_PRICE] = p
        row[S_BUYER_PRICE] = pb
        row[S_SELLER_PRICE] = ps
        row[S_WELFARE] = value - cost
        row[S_MAX_WELFARE] = max_welfare
        row[S_SURPLUS] = paid - received
        _scatter(bo, lbfill, lbpaid, lbr[:nb], bfill, bpaid, breason)
        _scatter(ao, lafill, larecv, lar[:na], afill, arecv, areason)
        n_trades = pair_trades(
            lbfill,
            lbpaid,
            bo,
            lafill,
            larecv,
            ao,
            m,
            n_trades,
            t_bid,
            t_ask,
            t_qty,
            t_bprice,
            t_sprice,
            t_market,
        )
    return n_trades
