"""Array operations of :class:`clearing.OrderBook` on its :class:`~._state.BookState`:
batches, queries and the call-market uncross."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _validate as v
from .._kernels.orderbook import book as _kb
from .._kernels.orderbook import layout as _k
from .._kernels.orderbook import queries as _kq
from ..errors import InputError
from ._reports import BatchReport, BookDepth, RestingOrders, UncrossResult
from ._state import BookState

_FN = "OrderBook.submit_batch"
_KINDS = {"limit": _k.LIMIT, "market": _k.MARKET, "cancel": _k.CANCEL, "reduce": _k.REDUCE}
_TIFS = {"GTC": _k.GTC, "IOC": _k.IOC, "FOK": _k.FOK}
_SIDE_NAMES = {"buy": _k.BUY, "sell": _k.SELL}
_BAD = -9
_MAXT = 2**62


def _require(bad: np.ndarray, name: str, values: np.ndarray, what: str) -> None:
    v.first_bad(_FN, name, values, bad, what)


def _column(x: Any, name: str, n: int, names: dict[str, int] | None, default: int) -> v.IntArray:
    """An int64 column of length ``n``: ``None`` -> ``default``, a scalar is repeated, strings
    are mapped through ``names`` (unknown strings -> ``_BAD``)."""
    if x is None:
        return np.full(n, default, dtype=np.int64)
    arr = _array(x, name)
    if arr.ndim == 0:
        arr = np.full(n, arr.item(), dtype=object if arr.dtype.kind in "OUS" else arr.dtype)
    if arr.ndim != 1:
        raise InputError(f"{_FN}: {name} must be 1-D, got shape {arr.shape}", argument=name)
    if names is not None and (
        arr.dtype.kind in "US" or (arr.dtype.kind == "O" and any(isinstance(s, str) for s in arr))
    ):
        out = np.array(
            [names.get(s, _BAD) if isinstance(s, str) else _BAD for s in arr.tolist()],
            dtype=np.int64,
        )
    else:
        try:
            out = v.as_int(arr, name, _FN)
        except OverflowError:  # Python ints beyond int64/float range
            raise InputError(f"{_FN}: {name} holds a number out of range", argument=name) from None
    if out.size != n:
        raise InputError(
            f"{_FN}: {name} has length {out.size} but kind has length {n}", argument=name
        )
    return out


def _array(x: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except (TypeError, ValueError, OverflowError) as exc:  # ragged, or unconvertible
        raise InputError(f"{_FN}: {name} is not array-like ({exc})", argument=name) from None


def _floats(x: Any, name: str, n: int) -> v.FloatArray:
    if x is None:
        return np.zeros(n)
    try:
        arr = np.ascontiguousarray(v.as_numeric(x, name, _FN, 1), dtype=np.float64)
    except OverflowError:  # Python ints beyond float range (as_numeric lets this through)
        raise InputError(f"{_FN}: {name} holds a number out of range", argument=name) from None
    v.same_length(_FN, [("kind", np.empty(n)), (name, arr)])
    return arr


def submit_batch(
    state: BookState, kind: Any, side: Any, price: Any, quantity: Any, order_id: Any,
    owner: Any, tif: Any,
) -> BatchReport:  # fmt: skip
    raw_kind = _array(kind, "kind")
    if raw_kind.ndim != 1:
        raise InputError(f"{_FN}: kind must be 1-D, got shape {raw_kind.shape}", argument="kind")
    n = raw_kind.size
    kinds = _column(raw_kind, "kind", n, _KINDS, 0)
    sides = _column(side, "side", n, {"buy": 1, "sell": -1}, 0)
    if price is None and np.any(kinds == _k.LIMIT):
        raise InputError(f"{_FN}: price is required for limit rows", argument="price")
    prices = _floats(price, "price", n)
    qtys = _floats(quantity, "quantity", n)
    oids = _column(order_id, "order_id", n, None, -1)
    owners = _column(owner, "owner", n, None, -1)
    tifs = _column(tif, "tif", n, _TIFS, 0)
    i64 = np.int64
    events = _kb.BatchEvents(kinds, np.empty(n, i64), np.empty(n, i64), np.empty(n), oids,
                             owners, np.empty(n, i64))  # fmt: skip
    raw = _kq.RawEvents(kinds, sides, prices, qtys, oids, owners, tifs)
    bad = _kq.prepare_batch(raw, state.rule, events)  # type: ignore[no-untyped-call]
    if bad >= 0:
        _explain(state, kinds, sides, prices, qtys, oids, owners, tifs, raw_kind, side, price,
                 quantity, tif)  # fmt: skip
        raise InputError(f"{_FN}: event {bad} is malformed", index=int(bad))  # pragma: no cover
    return _run(state, events)


def _explain(
    state: BookState, kinds: v.IntArray, sides: v.IntArray, p: v.FloatArray, q: v.FloatArray,
    oids: v.IntArray, owners: v.IntArray, tifs: v.IntArray, kind: Any, side: Any, price: Any,
    quantity: Any, tif: Any,
) -> None:  # fmt: skip
    """Raise the :class:`InputError` naming the first bad entry (slow path, errors only)."""

    def shown(given: Any, coded: np.ndarray) -> np.ndarray:
        arr = np.asarray(given)
        return arr if arr.shape == coded.shape else coded

    what = "expected limit/market/cancel/reduce or 0..3"
    _require((kinds < 0) | (kinds > 3), "kind", shown(kind, kinds), what)
    is_lim = kinds == _k.LIMIT
    is_order = is_lim | (kinds == _k.MARKET)
    needs_qty = is_order | (kinds == _k.REDUCE)
    if side is None and is_order.any():
        raise InputError(f"{_FN}: side is required for limit and market rows", argument="side")
    what = "expected buy/sell or +1/-1"
    _require(is_order & (sides != 1) & (sides != -1), "side", shown(side, sides), what)
    if price is None and is_lim.any():
        raise InputError(f"{_FN}: price is required for limit rows", argument="price")
    code = np.empty(p.size, dtype=np.int64)
    _kq.price_codes(p, is_lim, state.rule, code)  # type: ignore[no-untyped-call]
    _require(code == _k.TICK_NOT_FINITE, "price", p, "limit prices must be finite")
    what = f"not a multiple of tick_size {state.tick!r}"
    _require(code == _k.TICK_OFF_GRID, "price", p, what)
    _require(code == _k.TICK_OUT_OF_RANGE, "price", p, "out of range")
    if quantity is None and needs_qty.any():
        raise InputError(f"{_FN}: quantity is required", argument="quantity")
    ok = (q > 0) & (q <= _k.MAX_QTY)
    _require(needs_qty & ~ok, "quantity", q, "quantities must be > 0 and at most 2**53")
    low = np.where(is_order, -1, 0)
    what = "ids must be in [0, 2**62) (-1 = assign, on limit/market rows)"
    _require((oids < low) | (oids >= _MAXT), "order_id", oids, what)
    _require((owners < -1) | (owners >= _MAXT), "owner", owners, "owners: -1 or >= 0")
    what = "expected GTC/IOC/FOK or 0..2"
    _require(is_lim & ((tifs < 0) | (tifs > 2)), "tif", shown(tif, tifs), what)


def _run(state: BookState, events: Any) -> BatchReport:
    kinds, tifs = events.kind, events.tif
    n = kinds.size
    i64 = np.int64
    out = _kb.BatchOut(np.empty(n, i64), np.empty(n, i64), np.empty(n), np.empty(n),
                       np.empty(n, i64))  # fmt: skip
    state.meta[_k.M_NFILL] = 0
    # size the state once: every GTC limit might rest (the slots are only reserved: pages
    # that are never used are never touched) and about one report row per four events
    cap = state.capacity
    need = state.resting_count() + int(np.count_nonzero((kinds == _k.LIMIT) & (tifs == _k.GTC)))
    if need > cap:
        cap = 1 << (need - 1).bit_length()
    fcap = max(state.reports.shape[0], n // 4 + 1024)
    if cap != state.capacity or fcap != state.reports.shape[0]:
        state.regrow(cap, fcap)
    pos = 0
    while True:
        pos = _kb.run_batch(state.arrays, events, pos, out)  # type: ignore[no-untyped-call]
        if pos >= n:
            break
        state.make_room()
    nf = int(state.meta[_k.M_NFILL])
    fi = state.reports[:nf]
    ff = state.report_qty[:nf]
    is_fill = fi[:, _k.R_KIND] == 0
    fr = fi[is_fill]
    cr = fi[~is_fill]
    return BatchReport(
        order_id=out.oid,
        state=out.state.astype(np.int8),
        reason=out.reason.astype(np.int8),
        filled=out.filled,
        remaining=out.remaining,
        fill_event=fr[:, _k.R_EVENT].copy(),
        fill_seq=fr[:, _k.R_SEQ].copy(),
        fill_taker=fr[:, _k.R_TAKER].copy(),
        fill_maker=fr[:, _k.R_MAKER].copy(),
        fill_price=state.prices(fr[:, _k.R_PRICE]),
        fill_quantity=ff[is_fill].copy(),
        cancel_event=cr[:, _k.R_EVENT].copy(),
        cancel_order=cr[:, _k.R_MAKER].copy(),
        cancel_quantity=ff[~is_fill].copy(),
    )


def _side(fn: str, side: Any) -> int:
    if isinstance(side, str) and side in _SIDE_NAMES:
        return _SIDE_NAMES[side]
    if not isinstance(side, bool) and side in (1, -1):
        return _k.BUY if side == 1 else _k.SELL
    raise InputError(
        f"{fn}: side must be 'buy' or 'sell' (or +1/-1), got {side!r}", argument="side"
    )


def resting(state: BookState, side: Any) -> RestingOrders:
    s = _side("OrderBook.resting", side)
    m = int(state.meta[_k.M_LIVE + s])
    ids = np.empty(m, dtype=np.int64)
    ticks = np.empty(m, dtype=np.int64)
    qty = np.empty(m)
    own = np.empty(m, dtype=np.int64)
    arr = np.empty(m, dtype=np.int64)
    _kq.resting_orders(state.arrays, s, ids, ticks, qty, own, arr)  # type: ignore[no-untyped-call]
    return RestingOrders(
        order_id=ids, price=state.prices(ticks), quantity=qty, owner=own, arrival=arr
    )


def depth(state: BookState, levels: int) -> BookDepth:
    if (
        isinstance(levels, bool | np.timedelta64)
        or not isinstance(levels, int | np.integer)
        or levels < 0
    ):
        raise InputError(
            f"OrderBook.depth: levels must be an int >= 0, got {levels!r}",
            argument="levels",
            value=levels,
        )
    out: list[np.ndarray] = []
    for s in (_k.BUY, _k.SELL):
        m = min(int(levels), int(state.meta[_k.M_NLV + s]))
        ticks = np.empty(m, dtype=np.int64)
        qty = np.empty(m)
        cnt = np.empty(m, dtype=np.int64)
        got = _kq.depth(state.arrays, s, m, ticks, qty, cnt)  # type: ignore[no-untyped-call]
        out += [state.prices(ticks[:got]), qty[:got].copy(), cnt[:got].copy()]
    return BookDepth(*out)


_WITHHELD = (2, 3, 4, 5)  # AuctionReason TRADE_REDUCTION, LOTTERY, PRICE_SETTER, RATIONED


def _empty_uncross(mechanism: str, auction: Any = None) -> UncrossResult:
    i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
    return UncrossResult(mechanism, auction, i, i.copy(), i.copy(), i.copy(), i.copy(), f,
                         f.copy(), f.copy(), i.copy(), f.copy())  # fmt: skip


def _apply(
    state: BookState, ids: v.IntArray, qtys: v.FloatArray, cancel: np.ndarray
) -> v.FloatArray:
    left = np.empty(ids.size)
    _kq.reduce_or_remove(state.arrays, ids, qtys, cancel, left)  # type: ignore[no-untyped-call]
    return left


def uncross(state: BookState, mechanism: str, k: float, rng: Any) -> UncrossResult:
    from ..auction._api import MECHANISMS, double_auction

    fn = "OrderBook.uncross"
    v.choice(fn, "mechanism", mechanism, MECHANISMS)
    # checked whether or not the book is crossed: the answer never depends on the book
    k = v.in_unit_interval(fn, "k", k)
    if rng is not None and not isinstance(rng, np.random.Generator):
        rng = v.as_rng(rng, fn)
    bid, ask = state.best(_k.BUY), state.best(_k.SELL)
    if bid is None or ask is None or bid < ask:
        state.meta[_k.M_CALL] = 0
        return _empty_uncross(mechanism)
    bids, asks = resting(state, "buy"), resting(state, "sell")
    nb = int(np.count_nonzero(bids.price >= ask))  # crossing orders lead the priority order
    na = int(np.count_nonzero(asks.price <= bid))
    res = double_auction(
        bids.price[:nb], bids.quantity[:nb], asks.price[:na], asks.quantity[:na],
        mechanism=mechanism, k=k, bid_priority=bids.arrival[:nb].astype(np.float64),
        ask_priority=asks.arrival[:na].astype(np.float64), rng=rng,
    )  # fmt: skip
    # the auction accepted the input: from here on the book changes
    ids = np.concatenate([bids.order_id[:nb], asks.order_id[:na]])
    reason = np.concatenate([res.bid_reason, res.ask_reason])
    filled = np.concatenate([res.bid_filled, res.ask_filled])
    left = _apply(state, ids, filled, np.zeros(ids.size, dtype=np.bool_))
    state.sums[_k.MF_TRADED] += res.volume
    cancelled = np.zeros(0, dtype=np.int64)
    cancelled_qty = np.zeros(0)
    nbid, nask = state.best(_k.BUY), state.best(_k.SELL)
    if nbid is not None and nask is not None and nbid >= nask:
        withheld = np.isin(reason, _WITHHELD) & (left > 0)
        cancelled, cancelled_qty = ids[withheld], left[withheld]
        _apply(state, cancelled, np.zeros(cancelled.size), np.ones(cancelled.size, dtype=np.bool_))
    state.meta[_k.M_CALL] = 0
    ntr = res.trade_quantity.size
    seq = state.meta[_k.M_SEQ] + np.arange(ntr, dtype=np.int64)
    state.meta[_k.M_SEQ] += ntr
    return UncrossResult(
        mechanism=mechanism,
        auction=res,
        bid_order_id=bids.order_id[:nb].copy(),
        ask_order_id=asks.order_id[:na].copy(),
        trade_seq=seq,
        trade_bid_id=bids.order_id[:nb][res.trade_bid_index],
        trade_ask_id=asks.order_id[:na][res.trade_ask_index],
        trade_quantity=res.trade_quantity.copy(),
        trade_buyer_price=res.trade_buyer_price.copy(),
        trade_seller_price=res.trade_seller_price.copy(),
        cancelled_order_id=cancelled,
        cancelled_quantity=cancelled_qty,
    )
