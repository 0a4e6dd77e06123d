"""Call-market (sealed-bid, periodic) double auctions: one market or many at once.

Each public function validates its input, hands float64/int64 arrays to the jitted kernel in
:mod:`clearing._kernels.auction.call_market` and wraps the outputs in a frozen result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from .._kernels.auction import arrays as _arrays
from .._kernels.auction import call_market as _k
from .._kernels.auction import codes as _codes
from .._kernels.auction import grouping as _grouping
from .._kernels.auction import margin as _margin
from ..errors import InputError
from . import _workspace
from ._results import AuctionResult, BatchAuctionResult

__all__ = ["MECHANISMS", "double_auction", "double_auction_batch"]

MECHANISMS: tuple[str, ...] = ("uniform", "mcafee", "sbba", "huang", "vcg", "pay_as_bid")
_CODES = {
    "uniform": _codes.UNIFORM,
    "mcafee": _codes.MCAFEE,
    "sbba": _codes.SBBA,
    "huang": _codes.HUANG,
    "vcg": _codes.VCG,
    "pay_as_bid": _codes.PAY_AS_BID,
}
_UNIT_MECHANISMS = frozenset({"mcafee", "sbba"})
_EFFICIENT_FILLS = frozenset({"uniform", "vcg", "pay_as_bid"})  # mechanisms keeping the fills


@dataclass(frozen=True, slots=True)
class _Outcome:
    """Raw kernel outputs, before they are split into a result object."""

    bid: _arrays.Fills
    ask: _arrays.Fills
    trades: _arrays.Trades  # shrunk to the trades made
    stats: np.ndarray

    def per_order_and_trade(self) -> dict[str, np.ndarray]:
        """The per-order and per-trade fields shared by both result classes."""
        return {
            "bid_filled": self.bid.fill,
            "ask_filled": self.ask.fill,
            "bid_price_paid": self.bid.price,
            "ask_price_received": self.ask.price,
            "bid_reason": self.bid.reason,
            "ask_reason": self.ask.reason,
            "trade_bid_index": self.trades.bid,
            "trade_ask_index": self.trades.ask,
            "trade_quantity": self.trades.quantity,
            "trade_buyer_price": self.trades.buyer_price,
            "trade_seller_price": self.trades.seller_price,
        }


_EMPTY = np.zeros(0)


def _kernel_array(a: np.ndarray) -> np.ndarray:
    """``a`` itself, or a writeable copy: numba types read-only arrays apart, and one
    type signature per kernel is what keeps the first call's compile short."""
    return a if a.flags.writeable else a.copy()


def _side(
    fn: str, side: str, prices: Any, quantities: Any, priority: Any, whole: bool
) -> _arrays.Quotes:
    p = _kernel_array(v.as_float(prices, f"{side}_prices", fn))
    q = _kernel_array(v.as_quantity(quantities, f"{side}_quantities", fn, whole=whole))
    arrays = [(f"{side}_prices", p), (f"{side}_quantities", q)]
    if priority is None:
        prio = _EMPTY
    else:
        prio = _kernel_array(v.as_float(priority, f"{side}_priority", fn))
        arrays.append((f"{side}_priority", prio))
    v.same_length(fn, arrays)
    v.check_totals(fn, f"{side}_prices", f"{side}_quantities", p, q)
    return _arrays.Quotes(p, q, prio)


def _dense_markets(
    fn: str, bid_market: Any, ask_market: Any, nb: int, na: int
) -> tuple[v.IntArray, v.IntArray, v.IntArray]:
    """Map arbitrary integer market ids to ``0..n-1`` in ascending id order."""
    bm = _kernel_array(v.as_int(bid_market, "bid_market", fn))
    am = _kernel_array(v.as_int(ask_market, "ask_market", fn))
    if bm.size != nb:
        raise InputError(
            f"{fn}: bid_market has length {bm.size} but bid_prices has length {nb}",
            argument="bid_market",
        )
    if am.size != na:
        raise InputError(
            f"{fn}: ask_market has length {am.size} but ask_prices has length {na}",
            argument="ask_market",
        )
    if nb + na == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lo = min(int(bm.min()) if nb else 2**63, int(am.min()) if na else 2**63)
    hi = max(int(bm.max()) if nb else -(2**63), int(am.max()) if na else -(2**63))
    if hi - lo <= 4 * (nb + na) + 64:  # dense enough for a lookup table
        return _grouping.dense_ids(bm, am, lo, hi - lo + 1)  # type: ignore[no-untyped-call,no-any-return]
    ids, dense = np.unique(np.concatenate([bm, am]), return_inverse=True)
    dense = dense.astype(np.int64)
    return ids, np.ascontiguousarray(dense[:nb]), np.ascontiguousarray(dense[nb:])


def _crossing(
    bid: _arrays.Quotes,
    ask: _arrays.Quotes,
    work: _arrays.Work,
    bid_out: _arrays.Fills,
    ask_out: _arrays.Fills,
) -> tuple[float, float, float, float]:
    """The crossing ``(p1, S(p1), p2, D(p2))`` of one market, searched as
    :func:`~clearing._kernels.auction.margin.search_crossing` would (the fills double as
    scratch): called from here, only the search the market's size needs is compiled."""
    bp, bq, ap, aq = bid.price, bid.quantity, ask.price, ask.quantity
    if bp.size + ap.size <= _margin.SMALL_MARKET:
        found = _margin.crossing_small(bp, bq, ap, aq, work.crossing)  # type: ignore[no-untyped-call]
    else:
        found = _margin.crossing_partition(  # type: ignore[no-untyped-call]
            bp, bq, ap, aq, work.crossing, bid_out.fill, work.asks, ask_out.fill
        )
    p1, s_at_p1, p2, d_at_p2 = found
    return float(p1), float(s_at_p1), float(p2), float(d_at_p2)


def _run(
    fn: str,
    bid: _arrays.Quotes,
    ask: _arrays.Quotes,
    bm: v.IntArray,
    am: v.IntArray,
    n_markets: int,
    mechanism: str,
    k: float,
    use_priority: bool,
    rng: Any,
    parallel: bool = False,
) -> _Outcome:
    generator = v.as_rng(rng, fn) if rng is not None or mechanism == "sbba" else None
    if mechanism == "sbba" and generator is not None:
        draws = generator.random(n_markets)
    else:
        draws = np.zeros(n_markets)
    nb, na = bid.price.size, ask.price.size
    if not use_priority:  # both sides empty, so that every call has one type signature
        bid, ask = bid._replace(priority=_EMPTY), ask._replace(priority=_EMPTY)
    elif bid.priority.size != nb or ask.priority.size != na:  # one side given: zeros
        bid = bid._replace(priority=bid.priority if bid.priority.size == nb else np.zeros(nb))
        ask = ask._replace(priority=ask.priority if ask.priority.size == na else np.zeros(na))
    bid_out, ask_out = _workspace.fills(nb), _workspace.fills(na)
    trades = _workspace.trades(nb + na)
    stats = np.empty((n_markets, _codes.N_STATS))
    rule = _arrays.Rule(_CODES[mechanism], k, use_priority)
    # None leaves code out of the compile: that of the mechanisms adjusting the efficient
    # fills unless one is asked for, that of the tie sort unless priorities are given
    adjusts = None if mechanism in _EFFICIENT_FILLS else True
    ranked = True if use_priority else None
    if n_markets == 1:
        work = _arrays.Work(
            np.empty(max(3 * _margin.SMALL_MARKET, nb)),
            np.empty(na),
            np.empty(2 * (nb + na), dtype=np.int64),
        )
        crossing = _crossing(bid, ask, work, bid_out, ask_out)
        bid_side = _arrays.Side(bid, np.arange(nb), bid_out)
        ask_side = _arrays.Side(ask, np.arange(na), ask_out)
        n_trades = _k.clear_market(  # type: ignore[no-untyped-call]
            bid_side, ask_side, rule, float(draws[0]), work, 0, stats[0], 0, trades, adjusts,
            ranked, None, crossing,
        )  # fmt: skip
    else:
        kernel = _k.clear_markets
        if parallel:  # asked for on purpose: one compile that decides at run time
            kernel = _k.clear_markets_parallel
            adjusts, ranked = mechanism not in _EFFICIENT_FILLS, use_priority
        n_trades = kernel(  # type: ignore[no-untyped-call]
            bid, ask, bm, am, n_markets, rule, draws, bid_out, ask_out, trades, stats,
            _workspace.grouped(nb, use_priority), _workspace.grouped(na, use_priority),
            adjusts, ranked,
        )  # fmt: skip
    for a in trades:  # shrink in place: no copy, the unused tail goes back to the allocator
        a.resize(n_trades, refcheck=False)
    return _Outcome(bid_out, ask_out, trades, stats)


def _efficiency(welfare: np.ndarray, max_welfare: np.ndarray) -> np.ndarray:
    safe = np.where(max_welfare > 0, max_welfare, 1.0)
    return np.where(max_welfare > 0, welfare / safe, 1.0)


def _common(
    fn: str,
    bid_prices: Any,
    bid_quantities: Any,
    ask_prices: Any,
    ask_quantities: Any,
    mechanism: str,
    k: float,
    bid_priority: Any,
    ask_priority: Any,
) -> tuple[_arrays.Quotes, _arrays.Quotes, float]:
    v.choice(fn, "mechanism", mechanism, MECHANISMS)
    kappa = v.in_unit_interval(fn, "k", k)
    whole = mechanism in _UNIT_MECHANISMS
    bid = _side(fn, "bid", bid_prices, bid_quantities, bid_priority, whole)
    ask = _side(fn, "ask", ask_prices, ask_quantities, ask_priority, whole)
    return bid, ask, kappa


def double_auction(
    bid_prices: Any,
    bid_quantities: Any,
    ask_prices: Any,
    ask_quantities: Any,
    *,
    mechanism: str = "uniform",
    k: float = 0.5,
    bid_priority: Any = None,
    ask_priority: Any = None,
    rng: Any = None,
) -> AuctionResult:
    """Clear one call market: sealed bids against sealed asks, all at once.

    Parameters
    ----------
    bid_prices, bid_quantities : array_like, shape (n_bids,)
        Per-unit limit price (finite) and quantity (finite, >= 0) of each buy order.
    ask_prices, ask_quantities : array_like, shape (n_asks,)
        The same for sell orders.
    mechanism : {"uniform", "mcafee", "sbba", "huang", "vcg", "pay_as_bid"}
        ``"uniform"``: k-double auction (Satterthwaite and Williams 1989), one price
        ``lo + k * (hi - lo)`` inside the clearing range, divisible quantities, the marginal
        order may be partly filled. ``"mcafee"``: trade reduction (McAfee 1992, J. Econ.
        Theory 56), truthful, whole units. ``"sbba"``: strongly budget balanced, truthful
        (Segal-Halevi, Hassidim and Aumann 2016, SAGT, arXiv:1607.05139), whole units, a
        lottery among sellers drawn from ``rng``. ``"huang"``: multi-unit mechanism of Huang,
        Scheller-Wolf and Sycara (2002, Computational Intelligence 18(4)): the two price
        setters sit out, buyers pay the price-setting bid, sellers receive the price-setting
        ask, the long side is rationed by equal reduction. ``"vcg"``: Vickrey-Clarke-Groves
        prices per unit, buyers pay ``max(b_{k+1}, s_k)``, sellers receive
        ``min(s_{k+1}, b_k)``; the deficit shows in ``budget_surplus``. ``"pay_as_bid"``:
        the efficient trades, each order at its own price. See :doc:`/mechanisms`.
    k : float, default 0.5
        Position of the uniform price in the clearing range, in [0, 1]. Only ``"uniform"``
        uses it.
    bid_priority, ask_priority : array_like, optional
        Tie-break among orders at the same price: lower values are served first; remaining
        ties go to the earlier order in input order.
    rng : None, int or numpy.random.Generator, optional
        Randomness for the ``"sbba"`` lottery (exactly one draw per call); other mechanisms
        do not consume it.

    Returns
    -------
    AuctionResult
        Fills, prices, reasons, trades and welfare figures; see :class:`AuctionResult`.

    Raises
    ------
    InputError
        On NaN or infinite prices, negative or non-finite quantities, fractional quantities
        under a unit mechanism, length mismatches, non-1-D or non-numeric input (only bool,
        int and float of any width are numbers: an object array holding a string or a date
        is an error, as it is in a list), a price above 1e300 in magnitude, a side whose
        total quantity or total value (``sum |price| * quantity``) is above 1e300 (so that
        every figure of the result stays finite), an unknown mechanism, ``k`` outside
        [0, 1] or a ``rng`` that is not ``None``, an int seed >= 0 or a Generator. The
        message names the argument and the first offending index.

    Notes
    -----
    The efficient allocation serves bids by price (highest first) and asks by price (lowest
    first), ties by priority and then input order; it is found in expected linear time,
    without sorting. Empty sides give a valid result with zero volume.

    Examples
    --------
    >>> from clearing import double_auction
    >>> r = double_auction([10, 8, 6], [1, 1, 1], [4, 7, 9], [1, 1, 1])
    >>> r.volume, r.clearing_range, r.price
    (2.0, (7.0, 8.0), 7.5)
    >>> double_auction([10, 8, 6], [1, 1, 1], [4, 7, 9], [1, 1, 1], mechanism="mcafee").price
    7.5
    """
    fn = "double_auction"
    bid, ask, kappa = _common(
        fn, bid_prices, bid_quantities, ask_prices, ask_quantities, mechanism, k,
        bid_priority, ask_priority,
    )  # fmt: skip
    bm = np.zeros(bid.price.size, dtype=np.int64)
    am = np.zeros(ask.price.size, dtype=np.int64)
    use_priority = bid_priority is not None or ask_priority is not None
    out = _run(fn, bid, ask, bm, am, 1, mechanism, kappa, use_priority, rng)
    s = out.stats[0]
    max_welfare = float(s[_codes.S_MAX_WELFARE])
    welfare = float(s[_codes.S_WELFARE])
    return AuctionResult(
        mechanism=mechanism,
        volume=float(s[_codes.S_VOLUME]),
        price=float(s[_codes.S_PRICE]),
        buyer_price=float(s[_codes.S_BUYER_PRICE]),
        seller_price=float(s[_codes.S_SELLER_PRICE]),
        clearing_range=(float(s[_codes.S_LO]), float(s[_codes.S_HI])),
        **out.per_order_and_trade(),
        welfare=welfare,
        max_welfare=max_welfare,
        efficiency=float(_efficiency(np.array(welfare), np.array(max_welfare))),
        budget_surplus=float(s[_codes.S_SURPLUS]),
    )


def double_auction_batch(
    bid_prices: Any,
    bid_quantities: Any,
    ask_prices: Any,
    ask_quantities: Any,
    *,
    bid_market: Any,
    ask_market: Any,
    mechanism: str = "uniform",
    k: float = 0.5,
    bid_priority: Any = None,
    ask_priority: Any = None,
    rng: Any = None,
    parallel: bool = False,
) -> BatchAuctionResult:
    """Clear many independent call markets in one compiled pass.

    Takes the arguments of :func:`double_auction` plus the market of every order. Orders are
    grouped by a counting sort on market id and each market is cleared exactly as
    :func:`double_auction` would clear it alone.

    Parameters
    ----------
    bid_prices, bid_quantities, ask_prices, ask_quantities : array_like
        As in :func:`double_auction`.
    bid_market, ask_market : array_like of int
        Market id of each bid and each ask: any integers, in any order. A market may have
        orders on one side only.
    mechanism, k, bid_priority, ask_priority : optional
        As in :func:`double_auction`.
    rng : None, int or numpy.random.Generator, optional
        For ``"sbba"``: ``rng.random(n_markets)`` is drawn once, markets in ascending id
        order, so a loop of :func:`double_auction` over the markets in that order with the
        same generator gives the same result.
    parallel : bool, default False
        Clear the markets on all numba threads (``numba.set_num_threads`` sets how many).
        The result is identical, bit for bit; it pays off with many markets and idle cores.

    Returns
    -------
    BatchAuctionResult
        Per-order arrays in input order, trades grouped by market, and per-market arrays
        aligned with ``market`` (the distinct ids, ascending).

    Raises
    ------
    InputError
        As :func:`double_auction` (the limits on totals apply to all markets together),
        and on market ids that are not integers in int64 range, market arrays of the wrong
        length, or a ``parallel`` that is not a bool.

    Examples
    --------
    >>> from clearing import double_auction_batch
    >>> r = double_auction_batch(
    ...     [10, 8, 5], [1, 1, 2], [4, 7, 3], [1, 1, 1],
    ...     bid_market=[7, 7, 2], ask_market=[7, 7, 2])
    >>> r.market.tolist(), r.volume.tolist(), r.price.tolist()
    ([2, 7], [1.0, 2.0], [5.0, 7.5])
    """
    fn = "double_auction_batch"
    bid, ask, kappa = _common(
        fn, bid_prices, bid_quantities, ask_prices, ask_quantities, mechanism, k,
        bid_priority, ask_priority,
    )  # fmt: skip
    ids, bm, am = _dense_markets(fn, bid_market, ask_market, bid.price.size, ask.price.size)
    use_priority = bid_priority is not None or ask_priority is not None
    if not isinstance(parallel, bool | np.bool_):
        raise InputError(
            f"{fn}: parallel must be True or False, got {parallel!r}", argument="parallel"
        )
    out = _run(fn, bid, ask, bm, am, ids.size, mechanism, kappa, use_priority, rng, bool(parallel))
    s = out.stats
    return BatchAuctionResult(
        mechanism=mechanism,
        market=ids,
        volume=s[:, _codes.S_VOLUME].copy(),
        price=s[:, _codes.S_PRICE].copy(),
        buyer_price=s[:, _codes.S_BUYER_PRICE].copy(),
        seller_price=s[:, _codes.S_SELLER_PRICE].copy(),
        clearing_range=np.ascontiguousarray(s[:, [_codes.S_LO, _codes.S_HI]]),
        welfare=s[:, _codes.S_WELFARE].copy(),
        max_welfare=s[:, _codes.S_MAX_WELFARE].copy(),
        efficiency=_efficiency(s[:, _codes.S_WELFARE], s[:, _codes.S_MAX_WELFARE]),
        budget_surplus=s[:, _codes.S_SURPLUS].copy(),
        trade_market=ids[out.trades.market],
        **out.per_order_and_trade(),
    )
