"""Call-market double auction kernels: one market or many, every mechanism.

The efficient allocation comes from :mod:`.margin`; a mechanism then adjusts a few marginal
fills and sets prices, and trades pair filled bids and asks in input order (prices never
depend on the pairing).
"""

from __future__ import annotations

import numba
import numpy as np

from ..._jit import jit, jit_parallel
from .codes import (
    LOTTERY,
    MCAFEE,
    PAY_AS_BID,
    PRICE_SETTER,
    RATIONED,
    S_BUYER_PRICE,
    S_HI,
    S_LO,
    S_MAX_WELFARE,
    S_PRICE,
    S_SELLER_PRICE,
    S_SURPLUS,
    S_VOLUME,
    S_WELFARE,
    SBBA,
    TRADE_REDUCTION,
    UNIFORM,
    VCG,
)
from .margin import (
    SMALL_MARKET,
    _slack,
    efficient_volume,
    fill_side,
    group_by_market,
    scatter,
)


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

    Returns the units filled.
    """
    units = 0.0
    for i in range(fill.size):
        f = fill[i]
        paid[i] = (price[i] if own else unit_price) if f > 0.0 else np.nan
        units += f if f > 0.0 else 0.0
    return units


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
def _filled(fill, out):
    """Write the positions of the filled orders to ``out``; return how many there are."""
    n = 0
    for i in range(fill.size):
        out[n] = i
        n += 1 if fill[i] > 0.0 else 0
    return n


@jit
def pair_trades(
    bp, bfill, bpaid, bidx, ap, afill, arecv, aidx, market, slack, write, n_trades, t_int, t_flt,
    work,
):  # fmt: skip
    """Pair filled bids with filled asks in input order.

    Returns ``(n_trades, gains, surplus)``: the new trade count, the gains from trade
    ``sum(q * (bid - ask))`` and the market's budget ``sum(q * (paid - received))``. Summing
    per trade keeps signs exact: every pair has bid >= ask and paid >= received (or equal
    prices), so rounding can never make welfare or a budget negative, nor a one-price
    budget non-zero. With ``write=False`` nothing is written (used for the efficient fills).
    A remainder within ``slack`` (the rounding allowance of the fills) counts as used up, so
    float residue never becomes a trade of its own. ``work`` holds ``bp.size + ap.size``
    integers (the filled positions of each side).
    """
    bl = work[: bfill.size]
    al = work[bfill.size : bfill.size + afill.size]
    nbf = _filled(bfill, bl)
    naf = _filled(afill, al)
    i = 0
    j = 0
    rb = bfill[bl[0]] if nbf > 0 else 0.0
    ra = afill[al[0]] if naf > 0 else 0.0
    gains = 0.0
    surplus = 0.0
    while i < nbf and j < naf:
        b = bl[i]
        a = al[j]
        q = min(rb, ra)
        gains += q * (bp[b] - ap[a])
        surplus += q * (bpaid[b] - arecv[a])
        if write:
            t_int[0][n_trades] = bidx[b]
            t_int[1][n_trades] = aidx[a]
            t_int[2][n_trades] = market
            t_flt[0][n_trades] = q
            t_flt[1][n_trades] = bpaid[b]
            t_flt[2][n_trades] = arecv[a]
            n_trades += 1
        rb -= q
        ra -= q
        if rb <= slack:
            i += 1
            rb = bfill[bl[i]] if i < nbf else 0.0
        if ra <= slack:
            j += 1
            ra = afill[al[j]] if j < naf else 0.0
    return n_trades, gains, surplus


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
    selection's weight buffers until the fills are set. Work buffers: ``xb`` holds
    ``max(3 * SMALL_MARKET, bp.size)`` floats, ``xa`` ``ap.size``, ``tie`` ``bp.size + ap.size``
    integers.
    """
    volume, bid_level, ask_level, bid_whole, ask_whole = efficient_volume(
        bp, bq, ap, aq, xb, bfill, xa, afill
    )
    bk, bk1, mb = fill_side(
        bp, bq, bprio, 1.0, volume, bid_level, bid_whole, use_prio, bfill, breason, tie
    )
    sk, sk1, ma = fill_side(
        ap, aq, aprio, -1.0, volume, ask_level, ask_whole, use_prio, afill, areason, tie
    )
    slack = _slack(bp.size + ap.size, volume)
    keeps_efficient_fills = mech in (UNIFORM, VCG, PAY_AS_BID)
    max_welfare = np.nan  # the realised welfare below when the mechanism keeps the fills
    if not keeps_efficient_fills:
        # gains of the efficient fills, summed exactly as the realised ones are below
        max_welfare = pair_trades(
            bp, bfill, bp, bidx, ap, afill, ap, aidx, market, slack, False, 0, t_int, t_flt, tie
        )[1]
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
    traded = _set_prices(bfill, bp, pb, own, bpaid)
    _set_prices(afill, ap, ps, own, arecv)
    if traded <= 0.0:
        p, pb, ps = np.nan, np.nan, np.nan
    n_trades, welfare, surplus = pair_trades(
        bp, bfill, bpaid, bidx, ap, afill, arecv, aidx, market, slack, True, n_trades, t_int,
        t_flt, tie,
    )  # fmt: skip
    row[S_VOLUME] = traded
    row[S_PRICE] = p
    row[S_BUYER_PRICE] = pb
    row[S_SELLER_PRICE] = ps
    row[S_WELFARE] = welfare
    row[S_MAX_WELFARE] = welfare if keeps_efficient_fills else max_welfare
    row[S_SURPLUS] = surplus
    return n_trades


@jit
def _clear_range(
    m_lo,
    m_hi,
    bside,
    bstart,
    aside,
    astart,
    mech,
    kappa,
    draws,
    use_prio,
    t_int,
    t_flt,
    t_count,
    stats,
    reserved,
):
    """Clear markets ``m_lo..m_hi-1`` of a grouped batch with work buffers of its own.

    ``bside``/``aside`` hold the grouped (price and quantity pairs, priority, input index,
    fill, price paid, reason) arrays of each side; market ``m`` owns positions
    ``start[m]:start[m + 1]`` of them. Its prices and quantities are copied to contiguous
    buffers of this range, so every market is cleared from arrays of the one layout
    :func:`clear_single` passes too. Trades go one after another (the count is returned),
    or, with ``reserved``, market ``m`` writes from slot ``bstart[m] + astart[m]`` (it has
    room: a market never makes more trades than it has orders) and their count to
    ``t_count[m]``, so that disjoint ranges of markets can run at the same time.
    """
    bpq, bprio, bidx, bfill, bpaid, breason = bside
    apq, aprio, aidx, afill, arecv, areason = aside
    nb_max = 0
    na_max = 0
    for m in range(m_lo, m_hi):
        nb_max = max(nb_max, bstart[m + 1] - bstart[m])
        na_max = max(na_max, astart[m + 1] - astart[m])
    bp, bq = np.empty(nb_max), np.empty(nb_max)
    ap, aq = np.empty(na_max), np.empty(na_max)
    xb = np.empty(max(3 * SMALL_MARKET, nb_max))  # crossing work (see efficient_volume)
    xa = np.empty(na_max)
    tie = np.empty(nb_max + na_max, dtype=np.int64)
    n_trades = 0
    for m in range(m_lo, m_hi):
        b0 = bstart[m]
        b1 = bstart[m + 1]
        a0 = astart[m]
        a1 = astart[m + 1]
        nb = _unpair(bpq, b0, b1, bp, bq)
        na = _unpair(apq, a0, a1, ap, aq)
        pb0 = b0 if use_prio else 0
        pb1 = b1 if use_prio else 0
        pa0 = a0 if use_prio else 0
        pa1 = a1 if use_prio else 0
        first = b0 + a0 if reserved else n_trades
        n_trades = clear_one(
            bp[:nb], bq[:nb], bprio[pb0:pb1], bidx[b0:b1], bfill[b0:b1], bpaid[b0:b1],
            breason[b0:b1], ap[:na], aq[:na], aprio[pa0:pa1], aidx[a0:a1], afill[a0:a1],
            arecv[a0:a1], areason[a0:a1], xb, xa[:na], tie, mech, kappa,
            draws[m], use_prio, m, stats[m], first, t_int, t_flt,
        )  # fmt: skip
        t_count[m] = n_trades - first
    return n_trades


@jit
def _unpair(pq, lo, hi, price, qty):
    """Copy rows ``lo:hi`` of a (price, quantity) array into two buffers; return the count."""
    for t in range(hi - lo):
        price[t] = pq[lo + t, 0]
        qty[t] = pq[lo + t, 1]
    return hi - lo


@jit
def _compact_trades(bstart, astart, t_count, t_int, t_flt):
    """Close the gaps between the markets' trade slots; return the number of trades."""
    n = 0
    for m in range(t_count.size):
        first = bstart[m] + astart[m]
        for t in range(t_count[m]):
            for r in range(3):
                t_int[r][n + t] = t_int[r][first + t]
                t_flt[r][n + t] = t_flt[r][first + t]
        n += t_count[m]
    return n


@jit
def clear_single(
    bp,
    bq,
    bprio,
    ap,
    aq,
    aprio,
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
    """One market, cleared in place in the caller's arrays."""
    tie = np.empty(bp.size + ap.size, dtype=np.int64)
    return clear_one(
        bp, bq, bprio, np.arange(bp.size), bfill, bpaid, breason,
        ap, aq, aprio, np.arange(ap.size), afill, arecv, areason,
        np.empty(max(3 * SMALL_MARKET, bp.size)), np.empty(ap.size), tie, mech, kappa, draws[0],
        use_prio, 0, stats[0], 0, t_int, t_flt,
    )  # fmt: skip


@jit
def _group_both(bid, ask, bm, am, n_markets, use_prio, bwork, awork):
    """Group both sides into ``bwork``/``awork`` (see :func:`group_by_market`); the starts."""
    bstart = group_by_market(bid[0], bid[1], bid[2], use_prio, bm, n_markets, bwork)
    astart = group_by_market(ask[0], ask[1], ask[2], use_prio, am, n_markets, awork)
    return bstart, astart


@jit
def _write_back(work, out):
    """Write one side's grouped (fill, price, reason) to ``out`` at the input indices."""
    scatter(work[2], work[3], work[4], work[5], out[0], out[1], out[2])


@jit
def clear_markets(
    bid, ask, bm, am, n_markets, mech, kappa, draws, use_prio, bid_out, ask_out, t_int, t_flt,
    stats, bwork, awork,
):  # fmt: skip
    """Clear every market; per-order, per-trade and per-market outputs are written in place.

    ``bid``/``ask`` are the (price, quantity, priority) arrays of each side and ``bm``/``am``
    their dense market ids in ``[0, n_markets)``; ``draws`` holds one uniform draw per
    market (SBBA only). ``bid_out``/``ask_out`` receive (fill, price, reason) per order;
    ``t_int`` is a tuple of three arrays (bid, ask, market) and ``t_flt`` of three
    (quantity, buyer price, seller price), one entry per trade. Returns the number of
    trades. The markets are grouped by a counting sort of their indices and gathered into
    grouped arrays, each market cleared in its contiguous slice of them, and the outputs
    written back at the input indices (one market alone goes to :func:`clear_single`,
    which needs none of this). ``bwork``/``awork`` are the grouped arrays of each side
    (price and quantity pairs, priority, input index, fill, price paid, reason), allocated
    by the caller in numpy (``clearing.auction._grouped_work`` says why).
    """
    bstart, astart = _group_both(bid, ask, bm, am, n_markets, use_prio, bwork, awork)
    t_count = np.zeros(n_markets, dtype=np.int64)
    n_trades = _clear_range(
        0, n_markets, bwork, bstart, awork, astart, mech, kappa, draws, use_prio, t_int,
        t_flt, t_count, stats, False,
    )  # fmt: skip
    _write_back(bwork, bid_out)
    _write_back(awork, ask_out)
    return n_trades


@jit_parallel
def clear_markets_parallel(
    bid, ask, bm, am, n_markets, mech, kappa, draws, use_prio, bid_out, ask_out, t_int, t_flt,
    stats, bwork, awork,
):  # fmt: skip
    """:func:`clear_markets` with the markets split into chunks cleared on all threads.

    Markets are independent and write disjoint slots, so the result is identical to the
    serial kernel's, bit for bit.
    """
    bstart, astart = _group_both(bid, ask, bm, am, n_markets, use_prio, bwork, awork)
    t_count = np.zeros(n_markets, dtype=np.int64)
    n_chunks = min(n_markets, 256)
    for c in numba.prange(n_chunks):
        _clear_range(
            c * n_markets // n_chunks, (c + 1) * n_markets // n_chunks, bwork, bstart, awork,
            astart, mech, kappa, draws, use_prio, t_int, t_flt, t_count, stats, True,
        )  # fmt: skip
    _write_back(bwork, bid_out)
    _write_back(awork, ask_out)
    return _compact_trades(bstart, astart, t_count, t_int, t_flt)
