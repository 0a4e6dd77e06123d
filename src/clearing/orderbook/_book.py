"""Continuous double auction: a limit order book with price-time priority.

The book's state lives in numpy arrays; every event goes through one jitted function
(:func:`clearing._kernels.orderbook.book.process_event`), whether it comes from a single Python call
(:meth:`OrderBook.limit`, :meth:`~OrderBook.market`, :meth:`~OrderBook.cancel`,
:meth:`~OrderBook.reduce`) or from arrays of events (:meth:`OrderBook.submit_batch`), so both
paths give identical fills.

Rules
-----
* **Priority**: better price first; at equal price, earlier arrival first. A trade happens at
  the resting (maker) order's price.
* **Tick grid**: prices must be whole multiples of ``tick_size`` (a relative tolerance of 1e-9
  absorbs binary rounding, so ``0.3`` is on a ``0.1`` grid); otherwise :class:`InputError`,
  unless the book was built with ``round_prices=True``, which rounds to the nearest tick.
* **Time in force**: ``"GTC"`` rests what does not trade at once; ``"IOC"`` trades what it can
  and expires the rest; ``"FOK"`` trades completely at once or expires without trading and
  without touching the book. Market orders behave like IOC orders without a price limit.
* **Self-trade prevention** (orders with an ``owner``; orders without one never match the
  rule): ``"cancel_taker"`` (default) - when the incoming order would meet a resting order of
  the same owner, the incoming order's remainder is cancelled (reason ``SELF_TRADE``); fills
  before that point stand. ``"cancel_resting"`` - the resting order of the same owner is
  cancelled (listed in ``self_trade_cancelled`` of the report) and matching continues. ``"none"`` -
  owners may trade with themselves. A FOK order counts only what it could fill under the rule.
* **Order ids**: non-negative integers below 2**62; ``None`` assigns ``1 + the largest id
  accepted so far``. An id is a duplicate while an order with that id rests on the book;
  once that order is gone the id may be used again.
* **Errors**: malformed arguments (side not ``"buy"``/``"sell"``/``+1``/``-1``, where a
  bool counts as the integer it equals; price NaN, infinite, off the grid or ``2**62``
  ticks or more; quantity not > 0 or above ``2**53``; unknown ``tif``; ids that are not
  integers) raise :class:`InputError` naming the argument. A
  duplicate id, and a cancel or reduce of an id that is not resting, return a report with
  state ``REJECTED`` and reason ``DUPLICATE_ID`` / ``UNKNOWN_ID``. Either way the book is
  unchanged.

Single calls return an :class:`ExecutionReport` (a light result); ``fills`` holds :class:`Fill`
objects with the maker's price and a sequence number that counts every fill of the book (a
resting order cancelled by self-trade prevention is no fill and takes no number).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._kernels.orderbook import book as _k
from ..errors import InputError
from . import _checks as _c
from . import _ops, _state
from ._reports import (
    _REASONS,
    _STATES,
    BatchReport,
    BookDepth,
    BookSnapshot,
    ExecutionReport,
    Fill,
    RestingOrders,
    UncrossResult,
    new_report,
)

__all__ = ["OrderBook"]

_MAXT = _c.MAXT
_SIDES = _c.SIDES
_TIFS = _c.TIFS
_STP = _c.STP
_INF = _c.INF


def _first_event(
    S: Any, kind: int, side: int, price: Any, qty: Any, oid: int, owner: int, tif: int
) -> Any:
    """Run :func:`_k.event` once through the dispatcher, then bind its entry point.

    The first call casts every argument to the one signature used (int64 array, then int,
    int, float, float, int, int, int), so the entry point bound is that signature's: Python
    ints given later as ``price``/``qty`` are converted to float by its argument unboxing.
    """
    global _EVENT
    out = _k.event(S, int(kind), int(side), float(price), float(qty), int(oid), int(owner),
                   int(tif))  # type: ignore[no-untyped-call]  # fmt: skip
    _EVENT = _c.entry_point(_k.event)
    return out


_EVENT = _first_event
_NEW = new_report  # ExecutionReport(*values), Fill(*values) without the frozen __init__
_NEED = _k.NEED_SPACE
_REJ = _k.REJECTED
_MALFORMED = frozenset({_k.BAD_QUANTITY, _k.BAD_EVENT, _k.BAD_PRICE})
_NO_REPORTS: tuple[Any, ...] = ()


class OrderBook:
    """A continuous limit order book for one market (one service).

    Parameters
    ----------
    tick_size : float, default 0.01
        Price grid step, in [1e-12, 1e12].
    self_trade_prevention : {"cancel_taker", "cancel_resting", "none"}, keyword-only
        What happens when two orders of the same ``owner`` would trade (see the module rules).
    round_prices : bool, keyword-only
        Round off-grid prices to the nearest tick instead of raising :class:`InputError`.
    capacity : int, keyword-only
        Initial number of order slots, in [1, 2**31]; storage doubles whenever it is full.

    Raises
    ------
    InputError
        A ``tick_size`` that is not a number in [1e-12, 1e12], an unknown
        ``self_trade_prevention`` or a ``capacity`` that is not an int in [1, 2**31].

    Examples
    --------
    >>> from clearing import OrderBook
    >>> book = OrderBook(tick_size=0.5)
    >>> book.limit("sell", 101.0, 5, order_id=1).state.name
    'RESTING'
    >>> r = book.limit("buy", 101.5, 3, order_id=2)
    >>> r.state.name, r.filled, r.fills[0].price
    ('FILLED', 3.0, 101.0)
    >>> book.best_ask, book.best_bid
    (101.0, None)
    >>> book.cancel(1).state.name
    'CANCELLED'
    """

    __slots__ = (
        "_F",
        "_FF",
        "_FI",
        "_H",
        "_I",
        "_M",
        "_MF",
        "_S",
        "_div",
        "_round",
        "_scale",
        "_stp",
        "_tick",
    )
    # the state buffer and the array views cut from it (see clearing.orderbook._state)
    _S: np.ndarray
    _I: np.ndarray
    _F: np.ndarray
    _H: np.ndarray
    _M: np.ndarray
    _MF: np.ndarray
    _FI: np.ndarray
    _FF: np.ndarray

    def __init__(
        self,
        tick_size: float = 0.01,
        *,
        self_trade_prevention: str = "cancel_taker",
        round_prices: bool = False,
        capacity: int = 1024,
    ) -> None:
        tick = _c.book_options(tick_size, self_trade_prevention, capacity)
        self._tick = tick
        inv = 1.0 / tick
        # For decimal ticks (0.01, 0.5, 5) 1/tick is an integer: ticks / scale is then the
        # correctly rounded decimal price.
        self._div = abs(inv - round(inv)) <= 1e-9 * inv and round(inv) >= 1
        self._scale = float(round(inv)) if self._div else inv
        self._round = bool(round_prices)
        self._stp = self_trade_prevention
        cap = 1 << max(int(capacity) - 1, 1).bit_length()
        S = _state.new_state(
            cap, 1024, div=self._div, rnd=self._round, scale=self._scale, tick=tick
        )
        _state.bind(self, S)
        _k.init_state(
            self._I.ravel(), self._F.ravel(), self._H.ravel(), self._M, self._MF, _STP[self._stp]
        )  # type: ignore[no-untyped-call]

    # ---------------------------------------------------------------- conversions
    def _to_price(self, ticks: int) -> float:
        return ticks / self._scale if self._div else ticks * self._tick

    # ---------------------------------------------------------------- events
    def limit(
        self,
        side: Any,
        price: Any,
        quantity: Any,
        order_id: int | None = None,
        owner: int | None = None,
        tif: str = "GTC",
    ) -> ExecutionReport:
        """Submit a limit order; return its :class:`ExecutionReport`.

        ``side`` is ``"buy"``/``"sell"`` (or +1/-1), ``tif`` one of ``"GTC"``, ``"IOC"``,
        ``"FOK"``. See the module rules for ids, owners and errors.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> book.limit("buy", 10, 2, order_id=7, owner=3)
        ExecutionReport(
            order_id=7, state=OrderState.RESTING, reason=OrderReason.NONE, filled=0.0, remaining=2.0,
            fills=(), self_trade_cancelled=()
        )
        """  # noqa: E501
        if order_id is None:
            order_id = -1
        elif type(order_id) is not int or not 0 <= order_id < _MAXT:
            order_id = _c.order_id("OrderBook.limit", "order_id", order_id, False)
        if owner is None:
            owner = -1
        elif type(owner) is not int or not 0 <= owner < _MAXT:
            owner = _c.order_id("OrderBook.limit", "owner", owner, False)
        tp, tq = type(price), type(quantity)
        if (tp is not float and tp is not int) or (tq is not float and tq is not int):
            price, quantity = _c.numbers("OrderBook.limit", price, quantity)
        try:
            r = _EVENT(self._S, 0, _SIDES[side], price, quantity, order_id, owner, _TIFS[tif])
        except (KeyError, TypeError, OverflowError):
            _c.check("OrderBook.limit", side, quantity, tif)
            _c.ticks("OrderBook.limit", price, self._scale, self._div, self._tick, self._round)
            raise  # pragma: no cover - the checks raise first
        if r[0] < 0:
            if r[0] == _NEED:
                r = self._retry(0, _SIDES[side], price, quantity, order_id, owner, _TIFS[tif])
        elif r[0] == _REJ and r[1] in _MALFORMED:
            _c.check("OrderBook.limit", side, quantity, tif)
            _c.ticks("OrderBook.limit", price, self._scale, self._div, self._tick, self._round)
        if r[5] == 0:
            return _NEW(ExecutionReport, (r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ()))
        return self._report(r)

    def market(
        self, side: Any, quantity: Any, order_id: int | None = None, owner: int | None = None
    ) -> ExecutionReport:
        """Submit a market order: it trades what it can at once; the rest expires.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> _ = book.limit("sell", 10, 2)
        >>> r = book.market("buy", 5)
        >>> r.state.name, r.filled
        ('EXPIRED', 2.0)
        """
        oid = _c.order_id("OrderBook.market", "order_id", order_id, True)
        own = _c.order_id("OrderBook.market", "owner", owner, True)
        if type(quantity) is not float and type(quantity) is not int:
            quantity = _c.numbers("OrderBook.market", 0.0, quantity)[1]
        try:
            r = _EVENT(self._S, _k.MARKET, _SIDES[side], 0.0, quantity, oid, own, _k.IOC)
        except (KeyError, TypeError, OverflowError):
            _c.check("OrderBook.market", side, quantity, "GTC")
            raise  # pragma: no cover
        if r[0] == _NEED:
            r = self._retry(_k.MARKET, _SIDES[side], 0.0, quantity, oid, own, _k.IOC)
        elif r[0] == _REJ and r[1] in _MALFORMED:
            _c.check("OrderBook.market", side, quantity, "GTC")
        return self._report(r)

    def cancel(self, order_id: int) -> ExecutionReport:
        """Cancel a resting order (``REJECTED``/``UNKNOWN_ID`` when it is not resting).

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> book.cancel(42).reason.name
        'UNKNOWN_ID'
        """
        if type(order_id) is not int or not 0 <= order_id < _MAXT:
            order_id = _c.order_id("OrderBook.cancel", "order_id", order_id, False)
        r = _EVENT(self._S, _k.CANCEL, 0, 0.0, 0.0, order_id, -1, 0)
        return _NEW(ExecutionReport, (r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ()))

    def reduce(self, order_id: int, quantity: Any) -> ExecutionReport:
        """Reduce a resting order *by* ``quantity``, keeping its time priority.

        Reducing by its whole remaining quantity or more cancels it. The reduced quantity
        counts as cancelled.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> _ = book.limit("buy", 10, 5, order_id=1)
        >>> book.reduce(1, 2).remaining
        3.0
        """
        if type(order_id) is not int or not 0 <= order_id < _MAXT:
            order_id = _c.order_id("OrderBook.reduce", "order_id", order_id, False)
        _c.check("OrderBook.reduce", "buy", quantity, "GTC")
        r = _EVENT(self._S, _k.REDUCE, 0, 0.0, float(quantity), order_id, -1, 0)
        return _NEW(ExecutionReport, (r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ()))

    def _retry(self, kind: int, s: int, p: Any, q: Any, oid: int, own: int, f: int) -> Any:
        while True:
            self._make_room()
            r = _EVENT(self._S, kind, s, p, q, oid, own, f)
            if r[0] >= 0:
                return r

    def _report(self, r: Any) -> ExecutionReport:
        n = r[5]
        fills: list[Fill] = []
        cancelled: list[tuple[int, float]] = []
        rows = self._FI[:n].tolist()
        qty = self._FF[:n].tolist()
        for row, q in zip(rows, qty, strict=True):
            if row[_k.R_KIND] == 0:
                price = self._to_price(row[_k.R_PRICE])
                fills.append(_NEW(Fill, (row[1], row[2], row[3], price, q)))
            else:
                cancelled.append((row[_k.R_MAKER], q))
        return _NEW(
            ExecutionReport,
            (r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], tuple(fills), tuple(cancelled)),
        )

    # ---------------------------------------------------------------- storage
    @property
    def capacity(self) -> int:
        """Number of order slots currently allocated (grows by doubling)."""
        return int(self._I.shape[0] // 2)

    def _make_room(self) -> None:
        """Grow what :func:`process_event` found missing: order slots, else report rows."""
        M = self._M
        cap = self._I.shape[0] // 2
        if M[_k.M_FREE] == -1 and M[_k.M_HWM] >= cap:
            _state.regrow(self, 2 * cap, self._FI.shape[0])
        else:
            _state.regrow(self, cap, 2 * self._FI.shape[0])

    # ---------------------------------------------------------------- arrays of events
    def submit_batch(
        self,
        kind: Any,
        side: Any = None,
        price: Any = None,
        quantity: Any = None,
        order_id: Any = None,
        owner: Any = None,
        tif: Any = None,
    ) -> BatchReport:
        """Process arrays of events in one jitted call; identical to submitting them one by one.

        Parameters
        ----------
        kind : array-like
            ``"limit"``, ``"market"``, ``"cancel"``, ``"reduce"`` or their codes 0, 1, 2, 3.
        side : array-like, optional
            ``"buy"``/``"sell"`` or +1/-1; needed on limit and market rows, ignored elsewhere.
        price : array-like, optional
            Limit prices on the tick grid; ignored (may be NaN) on other rows.
        quantity : array-like, optional
            In (0, 2**53] on limit, market and reduce rows; ignored on cancel rows.
        order_id : array-like, optional
            Integers >= 0; -1 (or omitted) on limit/market rows assigns an id.
        owner : array-like, optional
            Integers >= 0, or -1 for none.
        tif : array-like or str, optional
            ``"GTC"`` (default), ``"IOC"``, ``"FOK"`` or codes 0, 1, 2; applies to limit rows.

        Returns
        -------
        BatchReport
            Per-event states and fills. Every argument is checked before the first event runs:
            on :class:`InputError` the book is unchanged.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> rep = book.submit_batch(["limit", "limit", "cancel"], side=[1, -1, 0],
        ...                         price=[10, 10, 0], quantity=[3, 2, 0], order_id=[1, 2, 1])
        >>> rep.fill_quantity.tolist(), rep.remaining.tolist()
        ([2.0], [3.0, 0.0, 0.0])
        """
        return _ops.submit_batch(self, kind, side, price, quantity, order_id, owner, tif)

    # ---------------------------------------------------------------- queries
    @property
    def best_bid(self) -> float | None:
        """Highest resting buy price, ``None`` when there are no bids."""
        n = self._M[_k.M_NLV]
        return (
            None
            if n == 0
            else self._to_price(int(self._I[self._I.shape[0] // 2 + n - 1, _k.LV_KEY]))
        )

    @property
    def best_ask(self) -> float | None:
        """Lowest resting sell price, ``None`` when there are no asks."""
        n = self._M[_k.M_NLV + 1]
        return (
            None
            if n == 0
            else self._to_price(-int(self._I[self._I.shape[0] // 2 + n - 1, _k.LV_KEY + 3]))
        )

    def __len__(self) -> int:
        """Number of resting orders."""
        return int(self._M[_k.M_LIVE] + self._M[_k.M_LIVE + 1])

    def depth(self, levels: int = 10) -> BookDepth:
        """Aggregated book: the best ``levels`` (an int >= 0) price levels of each side, best
        first.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> _ = book.limit("buy", 9, 1); _ = book.limit("buy", 9, 2); _ = book.limit("sell", 11, 4)
        >>> d = book.depth(5)
        >>> d.bid_price.tolist(), d.bid_quantity.tolist(), d.ask_orders.tolist()
        ([9.0], [3.0], [1])
        """
        return _ops.depth(self, levels)

    def resting(self, side: Any) -> RestingOrders:
        """Resting orders of ``side`` (``"buy"``/``"sell"``) in priority order."""
        return _ops.resting(self, side)

    def totals(self) -> dict[str, float]:
        """Running totals: ``submitted == 2 * traded + resting + cancelled + expired``."""
        mf = self._MF
        return {
            "submitted": float(mf[_k.MF_SUBMITTED]),
            "traded": float(mf[_k.MF_TRADED]),
            "cancelled": float(mf[_k.MF_CANCELLED]),
            "expired": float(mf[_k.MF_EXPIRED]),
            "resting": float(self._F[: self._M[_k.M_HWM], _k.O_QTY].sum()),
        }

    # ---------------------------------------------------------------- persistence
    def snapshot(self) -> BookSnapshot:
        """A complete copy of the state; ``OrderBook.restore(snap)`` continues from it."""
        return BookSnapshot(
            tick_size=self._tick,
            self_trade_prevention=self._stp,
            round_prices=self._round,
            state=self._S.copy(),
        )

    @classmethod
    def restore(cls, snapshot: BookSnapshot) -> OrderBook:
        """Rebuild a book from :meth:`snapshot`; it behaves exactly like the original.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> _ = book.limit("buy", 10, 2, order_id=1)
        >>> copy = OrderBook.restore(book.snapshot())
        >>> copy.best_bid, len(copy)
        (10.0, 1)
        """
        if not isinstance(snapshot, BookSnapshot):
            raise InputError(
                f"OrderBook.restore: expected a BookSnapshot, got {type(snapshot).__name__}",
                argument="snapshot",
            )
        book = cls(
            snapshot.tick_size,
            self_trade_prevention=snapshot.self_trade_prevention,
            round_prices=snapshot.round_prices,
            capacity=1,
        )
        _state.bind(book, np.array(snapshot.state, dtype=np.int64, order="C"))
        return book

    # ---------------------------------------------------------------- call market
    def open_call(self) -> None:
        """Start collecting orders for a call auction (an opening or periodic auction).

        Until :meth:`uncross`, limit GTC orders rest without matching (the book may cross);
        market, IOC and FOK orders are rejected (reason ``CALL_PHASE``); cancel and reduce
        work as usual.
        """
        self._M[_k.M_CALL] = 1

    @property
    def in_call(self) -> bool:
        """Whether the book is collecting orders for a call auction."""
        return bool(self._M[_k.M_CALL])

    def uncross(
        self, mechanism: str = "uniform", *, k: float = 0.5, rng: Any = None
    ) -> UncrossResult:
        """Clear all crossing resting orders at once and resume continuous trading.

        The bids priced at or above the best ask and the asks priced at or below the best
        bid go to :func:`clearing.double_auction` in priority order (priority = arrival),
        with ``mechanism``, ``k`` and ``rng`` passed through, so both market styles share
        the call-market core. Fills reduce the orders, which keep their time priority. If the
        mechanism withholds trades (``"mcafee"``, ``"sbba"``, ``"huang"``) and the book would
        still be crossed, the withheld orders' remainders are cancelled (listed in
        ``cancelled_order_id``), so the book never rests crossed. When the auction rejects its
        input (``"mcafee"``/``"sbba"`` need whole quantities) the book is unchanged.
        ``mechanism``, ``k`` and ``rng`` are checked first, whether the book is crossed or
        not: a bad one raises :class:`InputError`.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> book.open_call()
        >>> for side, price in [("buy", 12), ("buy", 11), ("sell", 9), ("sell", 10)]:
        ...     _ = book.limit(side, price, 1)
        >>> result = book.uncross("uniform")
        >>> result.volume, result.auction.price, book.in_call
        (2.0, 10.5, False)
        """
        return _ops.uncross(self, mechanism, k, rng)
