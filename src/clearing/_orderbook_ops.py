"""Array operations of :class:`clearing.OrderBook`: batches, queries and the call-market uncross."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _validate as v
from ._kernels import orderbook as _k
from ._orderbook_reports import BatchReport, BookDepth, RestingOrders, UncrossResult
from .errors import InputError

if TYPE_CHECKING:
    from .orderbook import OrderBook

_FN = "OrderBook.submit_batch"
_KINDS = {"limit": _k.LIMIT, "market": _k.MARKET, "cancel": _k.CANCEL, "reduce": _k.REDUCE}
_TIFS = {"GTC": _k.GTC, "IOC": _k.IOC, "FOK": _k.FOK}
_SIDE_NAMES = {"buy": _k.BUY, "sell": _k.SELL}
_BAD = -9
_MAXT = 2**62


def _codes(x: Any, name: str, n: int, names: dict[str, int], numbers: dict[int, int]) -> v.IntArray:
    """Map strings (``names``) or integers (``numbers``) to kernel codes; ``_BAD`` elsewhere."""
    arr = np.asarray(x)
    if arr.ndim == 0:
        arr = np.full(n, arr.item(), dtype=object if arr.dtype.kind in "OUS" else arr.dtype)
    if arr.ndim != 1:
        raise InputError(f"{_FN}: {name} must be 1-D, got shape {arr.shape}", argument=name)
    if arr.dtype.kind in "US" or (arr.dtype.kind == "O" and any(isinstance(s, str) for s in arr)):
        out = np.array(
            [names.get(s, _BAD) if isinstance(s, str) else _BAD for s in arr.tolist()],
            dtype=np.int64,
        )
    else:
        raw = v.as_int(arr, name, _FN)
        out = np.full(raw.size, _BAD, dtype=np.int64)
        for number, code in numbers.items():
            out[raw == number] = code
    if out.size != n:
        raise InputError(
            f"{_FN}: {name} has length {out.size} but kind has length {n}", argument=name
        )
    return out


def _require(bad: np.ndarray, name: str, values: np.ndarray, what: str) -> None:
    v.first_bad(_FN, name, values, bad, what)


def submit_batch(
    book: OrderBook, kind: Any, side: Any, price: Any, quantity: Any, order_id: Any,
    owner: Any, tif: Any,
) -> BatchReport:  # fmt: skip
    raw_kind = np.asarray(kind)
    if raw_kind.ndim != 1:
        raise InputError(f"{_FN}: kind must be 1-D, got shape {raw_kind.shape}", argument="kind")
    n = raw_kind.size
    kinds = _codes(raw_kind, "kind", n, _KINDS, {0: 0, 1: 1, 2: 2, 3: 3})
    _require(kinds == _BAD, "kind", raw_kind, "expected limit/market/cancel/reduce or 0..3")
    is_lim = kinds == _k.LIMIT
    is_mkt = kinds == _k.MARKET
    is_order = is_lim | is_mkt
    needs_qty = is_order | (kinds == _k.REDUCE)
    if side is None:
        if is_order.any():
            raise InputError(f"{_FN}: side is required for limit and market rows", argument="side")
        sides = np.zeros(n, dtype=np.int64)
    else:
        sides = _codes(side, "side", n, _SIDE_NAMES, {1: _k.BUY, -1: _k.SELL})
        _require(is_order & (sides == _BAD), "side", np.asarray(side), "expected buy/sell or +1/-1")
        sides[~is_order] = 0
    ticks = np.zeros(n, dtype=np.int64)
    if is_lim.any():
        if price is None:
            raise InputError(f"{_FN}: price is required for limit rows", argument="price")
        p = v.as_numeric(price, "price", _FN, 1).astype(np.float64)
        v.same_length(_FN, [("kind", kinds), ("price", p)])
        _require(is_lim & ~np.isfinite(p), "price", p, "limit prices must be finite")
        t = np.where(is_lim, p * book._scale if book._div else p / book._tick, 0.0)
        r = np.round(t)
        if not book._round:
            off = np.abs(t - r) > 1e-9 * (1.0 + np.abs(t))
            _require(off, "price", p, f"not a multiple of tick_size {book._tick!r}")
        _require(np.abs(r) >= _MAXT, "price", p, "out of range")
        ticks = r.astype(np.int64)
    qtys = np.zeros(n)
    if needs_qty.any():
        if quantity is None:
            raise InputError(f"{_FN}: quantity is required", argument="quantity")
        q = v.as_numeric(quantity, "quantity", _FN, 1).astype(np.float64)
        v.same_length(_FN, [("kind", kinds), ("quantity", q)])
        ok = np.isfinite(q) & (q > 0)
        _require(needs_qty & ~ok, "quantity", q, "quantities must be finite and > 0")
        qtys = np.where(needs_qty, q, 0.0)
    if order_id is None:
        if (~is_order).any():
            raise InputError(f"{_FN}: order_id is required for cancel/reduce rows")
        oids = np.full(n, -1, dtype=np.int64)
    else:
        oids = v.as_int(order_id, "order_id", _FN)
        v.same_length(_FN, [("kind", kinds), ("order_id", oids)])
        low = np.where(is_order, -1, 0)
        _require((oids < low) | (oids >= _MAXT), "order_id", oids, "ids must be in [0, 2**62)")
    if owner is None:
        owners = np.full(n, -1, dtype=np.int64)
    else:
        owners = v.as_int(owner, "owner", _FN)
        v.same_length(_FN, [("kind", kinds), ("owner", owners)])
        _require((owners < -1) | (owners >= _MAXT), "owner", owners, "owners: -1 or >= 0")
    if tif is None:
        tifs = np.zeros(n, dtype=np.int64)
    else:
        tifs = _codes(tif, "tif", n, _TIFS, {0: 0, 1: 1, 2: 2})
        _require(is_lim & (tifs == _BAD), "tif", np.asarray(tif), "expected GTC/IOC/FOK or 0..2")
    tifs[~is_lim] = 0
    tifs[is_mkt] = _k.IOC
    return _run(book, kinds, sides, ticks, qtys, oids, owners, tifs)


def _run(
    book: OrderBook, kinds: v.IntArray, sides: v.IntArray, ticks: v.IntArray,
    qtys: v.FloatArray, oids: v.IntArray, owners: v.IntArray, tifs: v.IntArray,
) -> BatchReport:  # fmt: skip
    n = kinds.size
    state = np.empty(n, dtype=np.int64)
    reason = np.empty(n, dtype=np.int64)
    filled = np.empty(n)
    remaining = np.empty(n)
    out_oid = np.empty(n, dtype=np.int64)
    book._M[_k.M_NFILL] = 0
    pos = 0
    while True:
        pos = _k.run_batch(
            book._I, book._F, book._H, book._M, book._MF, book._FI, book._FF,
            kinds, sides, ticks, qtys, oids, owners, tifs, pos,
            state, reason, filled, remaining, out_oid,
        )  # fmt: skip
        if pos >= n:
            break
        book._make_room()
    nf = int(book._M[_k.M_NFILL])
    fi = book._FI[:nf]
    ff = book._FF[:nf]
    is_fill = fi[:, _k.R_KIND] == 0
    fr = fi[is_fill]
    cr = fi[~is_fill]
    return BatchReport(
        order_id=out_oid,
        state=state.astype(np.int8),
        reason=reason.astype(np.int8),
        filled=filled,
        remaining=remaining,
        fill_event=fr[:, _k.R_EVENT].copy(),
        fill_seq=fr[:, _k.R_SEQ].copy(),
        fill_taker=fr[:, _k.R_TAKER].copy(),
        fill_maker=fr[:, _k.R_MAKER].copy(),
        fill_price=_prices(book, fr[:, _k.R_PRICE]),
        fill_quantity=ff[is_fill].copy(),
        cancel_event=cr[:, _k.R_EVENT].copy(),
        cancel_order=cr[:, _k.R_MAKER].copy(),
        cancel_quantity=ff[~is_fill].copy(),
    )


def _prices(book: OrderBook, ticks: np.ndarray) -> v.FloatArray:
    t = ticks.astype(np.float64)
    return t / book._scale if book._div else t * book._tick


def _side(fn: str, side: Any) -> int:
    if isinstance(side, str) and side in _SIDE_NAMES:
        return _SIDE_NAMES[side]
    if not isinstance(side, bool) and side in (1, -1):
        return _k.BUY if side == 1 else _k.SELL
    raise InputError(
        f"{fn}: side must be 'buy' or 'sell' (or +1/-1), got {side!r}", argument="side"
    )


def resting(book: OrderBook, side: Any) -> RestingOrders:
    s = _side("OrderBook.resting", side)
    m = int(book._M[_k.M_LIVE + s])
    ids = np.empty(m, dtype=np.int64)
    ticks = np.empty(m, dtype=np.int64)
    qty = np.empty(m)
    own = np.empty(m, dtype=np.int64)
    arr = np.empty(m, dtype=np.int64)
    _k.resting_orders(book._I, book._F, book._M, s, ids, ticks, qty, own, arr)
    return RestingOrders(
        order_id=ids, price=_prices(book, ticks), quantity=qty, owner=own, arrival=arr
    )


def depth(book: OrderBook, levels: int) -> BookDepth:
    if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 0:
        raise InputError(f"OrderBook.depth: levels must be an int >= 0, got {levels!r}")
    out: list[np.ndarray] = []
    for s in (_k.BUY, _k.SELL):
        m = min(int(levels), int(book._M[_k.M_NLV + s]))
        ticks = np.empty(m, dtype=np.int64)
        qty = np.empty(m)
        cnt = np.empty(m, dtype=np.int64)
        _k.depth(book._I, book._F, book._M, s, m, ticks, qty, cnt)
        out += [_prices(book, ticks), qty, cnt]
    return BookDepth(*out)


def uncross(book: OrderBook, mechanism: str, k: float, rng: Any) -> UncrossResult:
    raise NotImplementedError
