"""Call-market double auction kernels: one market or many, every mechanism.

The efficient allocation comes from :mod:`.margin`; a mechanism then adjusts a few marginal
fills and sets prices (:mod:`.mechanisms`), and trades pair filled bids and asks in input
order (prices never depend on the pairing). The arrays travel in the named tuples of
:mod:`.arrays`.

Compile time and the per-market cost are both part of the design. :func:`clear_market`
clears one market and is the kernel :func:`clearing.double_auction` calls. The batch
kernels clear markets of a few orders each, where what costs is not the arithmetic but
numba's reference counting: every array a compiled function receives, and every array
read out of a named tuple into a variable, is counted up on the way in and down on the
way out (an atomic operation each). So :func:`clear_market` is spliced into the batch
loop of :func:`_clear_range` (``jit_inline``; its body compiles once more there, the
helpers it calls are shared), the loop builds each market's views itself, and the
helpers called per market take plain arrays, only those they read or write.

On a first call numba generates machine code for every kernel it compiles *and* again for
each kernel that calls it, so a chain of small kernels pays its code generation several
times over. The few-line helpers (the crossing's ``_load``/``_keep``/``_pivot``, the
price and unit helpers, ``search_crossing``'s dispatch) are therefore spliced into their
callers, as is :func:`_clear_range` into :func:`clear_markets`; the sizeable ones
(crossing searches, ``fill_side``, ``pair_trades``, the mechanisms) stay kernels of their
own, compiled once and shared by every caller (splicing them in measured slower to
compile, not faster). Every kernel is called with arguments of one type only (no literal
constants passed as flags), except for switches passed as ``None`` or ``True``: numba
drops the branches on a ``None`` argument before typing, so a call compiles only what it
uses. ``adjusts=None`` (uniform, VCG, pay-as-bid) leaves the code of McAfee, SBBA and
Huang out, ``ranked=None`` (no priorities) the tie sort, and :func:`clearing.double_auction`
passes ``search=None`` with the crossing it searched itself, with the one search the
market's size needs. :func:`clear_markets_parallel`, asked for on purpose, is compiled once
with the switches as run-time flags.
"""

from __future__ import annotations

import numba
import numpy as np

from ..._jit import jit, jit_inline, jit_parallel
from .arrays import Fills, Grouped, Quotes, Side, Work
from .codes import (
    PAY_AS_BID,
    S_BUYER_PRICE,
    S_HI,
    S_LO,
    S_MAX_WELFARE,
    S_PRICE,
    S_SELLER_PRICE,
    S_SURPLUS,
    S_VOLUME,
    S_WELFARE,
    UNIFORM,
    VCG,
)
from .grouping import group_by_market, scatter
from .margin import SMALL_MARKET, fill_side, margin_levels, search_crossing, slack_of
from .mechanisms import apply_mechanism, efficient_prices, set_prices


@jit_inline
def _filled(fill, out):
    """Gather the positions of one side's filled orders, in input order.

    Returns ``n``, the number of orders with a positive fill; their positions end up in
    ``out[:n]``. Every position is written and the cursor moves on only past a filled one
    (no branch to mispredict), so ``out[n:]`` holds leftovers.

    Parameters
    ----------
    fill : float64 array, shape (n_orders,)
        Units each order of the side trades (read only).
    out : int64 array, shape (>= n_orders,)
        Modified in place: the filled positions first, then scratch.
    """
    n = 0
    for i in range(fill.size):
        out[n] = i
        n += 1 if fill[i] > 0.0 else 0
    return n


@jit
def pair_trades(bp, bfill, bidx, ap, afill, aidx, bid_price, ask_price, slack, work, market, n_trades, trades, write):  # fmt: skip  # noqa: E501
    """Pair filled bids with filled asks in input order.

    Returns ``(n_trades, gains, surplus)``: the new trade count, the gains from trade
    ``sum(q * (bid - ask))`` and the market's budget ``sum(q * (paid - received))``. Summing
    per trade keeps signs exact: every pair has bid >= ask and paid >= received (or equal
    prices), so rounding can never make welfare or a budget negative, nor a one-price
    budget non-zero. A remainder within ``slack`` (the rounding allowance of the fills)
    counts as used up, so float residue never becomes a trade of its own.

    Parameters
    ----------
    bp, ap : float64 array, shape (nb,) and (na,)
        Limit prices of the bids and of the asks (read).
    bfill, afill : float64 array, shape (nb,) and (na,)
        Fills of each side (read).
    bidx, aidx : int64 array, shape (nb,) and (na,)
        Input index of each order, written to the trades.
    bid_price, ask_price : float64 array, shape (nb,) and (na,)
        The per-unit price of each order for the budget (the limits themselves when only
        the gains are wanted).
    slack : float
        Rounding allowance of the fills.
    work : int64 array, shape (>= nb + na,)
        Scratch: the filled positions of each side.
    market : int
        Written to ``trades.market``.
    n_trades : int
        Trades already written; new ones follow.
    trades : Trades
        Written from ``n_trades`` on when ``write``.
    write : bool
        Write the trades (else the pairs are only summed).
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
        surplus += q * (bid_price[b] - ask_price[a])
        if write:
            trades.bid[n_trades] = bidx[b]
            trades.ask[n_trades] = aidx[a]
            trades.market[n_trades] = market
            trades.quantity[n_trades] = q
            trades.buyer_price[n_trades] = bid_price[b]
            trades.seller_price[n_trades] = ask_price[a]
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


@jit_inline
def clear_market(bid, ask, rule, draw, work, market, row, n_trades, trades, adjusts, ranked, search, crossing):  # fmt: skip  # noqa: E501
    """Clear one market held in contiguous arrays; return the new trade count.

    Parameters
    ----------
    bid, ask : Side
        The orders (``nb`` bids, ``na`` asks), their input indices (for the trades) and
        their outputs, written in place; ``out.fill`` and ``out.price`` double as the
        crossing search's weight buffers until the fills are set.
    rule : Rule
        Mechanism, ``k`` and whether priorities break ties.
    draw : float
        A uniform draw in [0, 1) for SBBA's lottery.
    work : Work
        Scratch buffers of this size of market.
    market : int
        Dense id of the market, written to the trades.
    row : float64 array, shape (N_STATS,)
        Written: the market statistics (columns ``S_*`` of :mod:`.codes`).
    n_trades : int
        Trades already written to ``trades``; this market's follow.
    trades : Trades
        Room for ``nb + na`` more trades from ``n_trades`` on.
    adjusts : None or bool
        Whether the mechanism adjusts the efficient fills (McAfee, SBBA, Huang), checked
        at run time; ``None`` when the caller knows it does not (uniform, VCG,
        pay-as-bid). numba drops a branch on an argument that is ``None`` before typing,
        so that specialisation compiles none of the other mechanisms' code.
    ranked : None or bool
        Whether priorities break ties (``rule.use_priority``); ``None`` when they do not,
        and then no tie sort is compiled.
    search : None or bool
        ``None``: the caller has searched the crossing already (with
        :func:`.margin.crossing_small` or :func:`.margin.crossing_partition`, whichever
        :func:`.margin.search_crossing` would run), and this specialisation compiles no
        search; else the crossing is searched here, either way by the market's size (the
        batch kernels).
    crossing : tuple of 4 floats
        ``(p1, S(p1), p2, D(p2))`` of that search (read only when ``search`` is ``None``).
    """
    # Unpacked once: numba counts a reference per array each time a tuple's field is
    # read into a variable or an argument, and this runs once per market of a batch.
    (bp, bq, bprio), bidx, (bfill, bprice, breason) = bid
    (ap, aq, aprio), aidx, (afill, aprice, areason) = ask
    tie = work.tie
    if search is None:
        p1, s_at_p1, p2, d_at_p2 = crossing
    else:
        p1, s_at_p1, p2, d_at_p2 = search_crossing(
            bp, bq, ap, aq, work.crossing, bfill, work.asks, afill
        )
    volume, bid_level, ask_level, bid_whole, ask_whole = margin_levels(
        bp, bq, ap, aq, p1, s_at_p1, p2, d_at_p2
    )
    bk, bk1, mb = fill_side(bp, bq, bprio, 1.0, volume, bid_level, bid_whole, ranked, bfill, breason, tie)  # fmt: skip  # noqa: E501
    sk, sk1, ma = fill_side(ap, aq, aprio, -1.0, volume, ask_level, ask_whole, ranked, afill, areason, tie)  # fmt: skip  # noqa: E501
    slack = slack_of(bp.size + ap.size, volume)
    mech = rule.code
    keeps_efficient_fills = mech in (UNIFORM, VCG, PAY_AS_BID)
    max_welfare = np.nan  # the realised welfare below when the mechanism keeps the fills
    if adjusts is not None and adjusts:
        # gains of the efficient fills, summed exactly as the realised ones are below
        max_welfare = pair_trades(
            bp, bfill, bidx, ap, afill, aidx, bp, ap, slack, tie, market, n_trades, trades, False
        )[1]
    p, pb, ps = np.nan, np.nan, np.nan
    row[S_LO] = np.nan
    row[S_HI] = np.nan
    if volume > 0.0:
        row[S_LO] = max(sk, bk1)
        row[S_HI] = min(bk, sk1)
        if adjusts is None or not adjusts:
            p, pb, ps = efficient_prices(rule, bk, bk1, sk, sk1)
        else:
            margin = (bk, bk1, mb, sk, sk1, ma)
            p, pb, ps = apply_mechanism(rule, draw, volume, margin, bid.out, ask.out)
    own = mech == PAY_AS_BID
    traded = set_prices(bfill, bprice, bp, pb, own)
    set_prices(afill, aprice, ap, ps, own)
    if traded <= 0.0:
        p, pb, ps = np.nan, np.nan, np.nan
    n_trades, welfare, surplus = pair_trades(
        bp, bfill, bidx, ap, afill, aidx, bprice, aprice, slack, tie, market, n_trades, trades,
        True,
    )  # fmt: skip
    row[S_VOLUME] = traded
    row[S_PRICE] = p
    row[S_BUYER_PRICE] = pb
    row[S_SELLER_PRICE] = ps
    row[S_WELFARE] = welfare
    row[S_MAX_WELFARE] = welfare if keeps_efficient_fills else max_welfare
    row[S_SURPLUS] = surplus
    return n_trades


_UNSEARCHED = (np.nan, np.nan, np.nan, np.nan)  # clear_market's crossing when it searches


@jit_inline
def _unpair(pq, lo, hi, price, qty):
    """Copy rows ``lo:hi`` of a (price, quantity) array into two buffers; return the count.

    Parameters
    ----------
    pq : float64 array, shape (n, 2)
    lo, hi : int
        The rows.
    price, qty : float64 array, shape (>= hi - lo,)
        Written.
    """
    for t in range(hi - lo):
        price[t] = pq[lo + t, 0]
        qty[t] = pq[lo + t, 1]
    return hi - lo


@jit_inline
def _clear_range(m_lo, m_hi, bids, bstart, asks, astart, rule, draws, trades, t_count, stats, reserved, adjusts, ranked):  # fmt: skip  # noqa: E501
    """Clear markets ``m_lo..m_hi-1`` of a grouped batch with work buffers of its own.

    Each market's prices and quantities are copied to contiguous buffers of this range, so
    every market is cleared by :func:`clear_market` from arrays of the types
    :func:`clearing.double_auction` passes too. Trades go one after another (the count is
    returned), or, with ``reserved``, market ``m`` writes from slot ``bstart[m] +
    astart[m]`` (it has room: a market never makes more trades than it has orders) and
    their count to ``t_count[m]``, so that disjoint ranges of markets can run at the same
    time.

    Parameters
    ----------
    m_lo, m_hi : int
        The range of markets.
    bids, asks : Grouped
        Both sides in market order; ``out`` written.
    bstart, astart : int64 array, shape (n_markets + 1,)
        First grouped position of each market on each side.
    rule : Rule
        The mechanism.
    draws : float64 array, shape (n_markets,)
        One uniform draw per market (SBBA).
    trades : Trades
        Written (see above).
    t_count : int64 array, shape (n_markets,)
        Written: the number of trades of each market.
    stats : float64 array, shape (n_markets, N_STATS)
        Written: one row per market.
    reserved : bool
        Write each market's trades at its reserved slot.
    adjusts : None or bool
        As for :func:`clear_market`.
    ranked : None or bool
        As for :func:`clear_market`.
    """
    nb_max = 0
    na_max = 0
    for m in range(m_lo, m_hi):
        nb_max = max(nb_max, bstart[m + 1] - bstart[m])
        na_max = max(na_max, astart[m + 1] - astart[m])
    bp, bq = np.empty(nb_max), np.empty(nb_max)
    ap, aq = np.empty(na_max), np.empty(na_max)
    crossing = np.empty(max(3 * SMALL_MARKET, nb_max))
    ask_keys = np.empty(na_max)
    tie = np.empty(2 * (nb_max + na_max), dtype=np.int64)
    # The grouped tuples are unpacked once and each market's views built in this loop: a
    # helper taking them would count a reference per array on every call.
    bpq, bprio, bidx, (bfill, bprice, breason) = bids
    apq, aprio, aidx, (afill, aprice, areason) = asks
    use_priority = rule.use_priority
    n_trades = 0
    for m in range(m_lo, m_hi):
        b0, b1, a0, a1 = bstart[m], bstart[m + 1], astart[m], astart[m + 1]
        nb = _unpair(bpq, b0, b1, bp, bq)
        na = _unpair(apq, a0, a1, ap, aq)
        pb0, pb1 = (b0, b1) if use_priority else (0, 0)
        pa0, pa1 = (a0, a1) if use_priority else (0, 0)
        bid = Side(
            Quotes(bp[:nb], bq[:nb], bprio[pb0:pb1]), bidx[b0:b1],
            Fills(bfill[b0:b1], bprice[b0:b1], breason[b0:b1]),
        )  # fmt: skip
        ask = Side(
            Quotes(ap[:na], aq[:na], aprio[pa0:pa1]), aidx[a0:a1],
            Fills(afill[a0:a1], aprice[a0:a1], areason[a0:a1]),
        )  # fmt: skip
        first = b0 + a0 if reserved else n_trades
        work = Work(crossing, ask_keys[:na], tie)
        n_trades = clear_market(
            bid,
            ask,
            rule,
            draws[m],
            work,
            m,
            stats[m],
            first,
            trades,
            adjusts,
            ranked,
            True,
            _UNSEARCHED,
        )
        t_count[m] = n_trades - first
    return n_trades


@jit
def _clear_chunk(m_lo, m_hi, bids, bstart, asks, astart, rule, draws, trades, t_count, stats, adjusts, ranked):  # fmt: skip  # noqa: E501
    """:func:`_clear_range` with reserved trade slots, as a call of its own for the threads
    of :func:`clear_markets_parallel`: numba's parfor analysis fails on the inlined body
    inside a ``prange`` loop. Parameters as :func:`_clear_range`."""
    return _clear_range(
        m_lo, m_hi, bids, bstart, asks, astart, rule, draws, trades, t_count, stats, True,
        adjusts, ranked,
    )  # fmt: skip


@jit
def _compact_trades(bstart, astart, t_count, trades):
    """Close the gaps between the markets' reserved trade slots; return the number of
    trades.

    Parameters
    ----------
    bstart, astart : int64 array, shape (n_markets + 1,)
        First grouped position of each market on each side (the slots start at their sum).
    t_count : int64 array, shape (n_markets,)
        Trades of each market.
    trades : Trades
        Modified in place.
    """
    n = 0
    for m in range(t_count.size):
        first = bstart[m] + astart[m]
        for t in range(t_count[m]):
            src = first + t
            trades.bid[n + t] = trades.bid[src]
            trades.ask[n + t] = trades.ask[src]
            trades.market[n + t] = trades.market[src]
            trades.quantity[n + t] = trades.quantity[src]
            trades.buyer_price[n + t] = trades.buyer_price[src]
            trades.seller_price[n + t] = trades.seller_price[src]
        n += t_count[m]
    return n


@jit
def clear_markets(bid, ask, bm, am, n_markets, rule, draws, bid_out, ask_out, trades, stats, bids, asks, adjusts, ranked):  # fmt: skip  # noqa: E501
    """Clear every market of a batch; per-order, per-trade and per-market outputs are
    written in place. Returns the number of trades.

    The markets are grouped by a counting sort of their ids, each market cleared in its
    contiguous slice of the grouped arrays, and the outputs written back at the input
    indices.

    Parameters
    ----------
    bid, ask : Quotes
        Both sides in input order (``nb`` bids, ``na`` asks).
    bm, am : int64 array, shape (nb,) and (na,)
        Dense market id of each order, in ``[0, n_markets)``.
    n_markets : int
        Number of markets.
    rule : Rule
        The mechanism.
    draws : float64 array, shape (n_markets,)
        One uniform draw per market (SBBA only).
    bid_out, ask_out : Fills
        Written: the per-order outputs in input order.
    trades : Trades
        Room for ``nb + na`` trades, written from the front, grouped by market.
    stats : float64 array, shape (n_markets, N_STATS)
        Written: one row of statistics per market.
    bids, asks : Grouped
        Work arrays of each side, allocated by the caller
        (:func:`clearing.auction._workspace.grouped`).
    adjusts, ranked : None or bool
        As for :func:`_clear_range`: ``None`` leaves the code of the mechanisms that
        adjust the fills, or of the tie sort by priority, out of the compile.
    """
    bstart = group_by_market(bid, rule.use_priority, bm, n_markets, bids)
    astart = group_by_market(ask, rule.use_priority, am, n_markets, asks)
    t_count = np.empty(n_markets, dtype=np.int64)
    n_trades = _clear_range(
        0, n_markets, bids, bstart, asks, astart, rule, draws, trades, t_count, stats, False,
        adjusts, ranked,
    )  # fmt: skip
    scatter(bids, bid_out)
    scatter(asks, ask_out)
    return n_trades


@jit_parallel
def clear_markets_parallel(bid, ask, bm, am, n_markets, rule, draws, bid_out, ask_out, trades, stats, bids, asks, adjusts, ranked):  # fmt: skip  # noqa: E501
    """:func:`clear_markets` with the markets split into chunks cleared on all threads.

    Markets are independent and write disjoint slots, so the result is identical to the
    serial kernel's, bit for bit. Parameters as :func:`clear_markets`.
    """
    bstart = group_by_market(bid, rule.use_priority, bm, n_markets, bids)
    astart = group_by_market(ask, rule.use_priority, am, n_markets, asks)
    t_count = np.empty(n_markets, dtype=np.int64)
    n_chunks = min(n_markets, 256)
    # numba's parallel loops take arrays and scalars, not named tuples holding named tuples:
    # the body gets the arrays and puts the tuples together again
    bpq, bprio, bidx, (bfill, bprice, breason) = bids
    apq, aprio, aidx, (afill, aprice, areason) = asks
    for c in numba.prange(n_chunks):
        _clear_chunk(
            c * n_markets // n_chunks, (c + 1) * n_markets // n_chunks,
            Grouped(bpq, bprio, bidx, Fills(bfill, bprice, breason)), bstart,
            Grouped(apq, aprio, aidx, Fills(afill, aprice, areason)), astart,
            rule, draws, trades, t_count, stats, adjusts, ranked,
        )  # fmt: skip
    scatter(bids, bid_out)
    scatter(asks, ask_out)
    return _compact_trades(bstart, astart, t_count, trades)
