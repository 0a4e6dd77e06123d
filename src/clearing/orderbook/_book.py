"""Continuous double auction: a limit order book with price-time priority.

The book's state is one :class:`~clearing.orderbook._state.BookState`; every event goes
through one jitted function (:func:`clearing._kernels.orderbook.book.process_event`), whether
it comes from a single Python call (:meth:`OrderBook.limit`, :meth:`~OrderBook.market`,
:meth:`~OrderBook.cancel`, :meth:`~OrderBook.reduce`) or from arrays of events
(:meth:`OrderBook.submit_batch`), so both paths give identical fills. The rules (priority,
tick grid, time in force, self-trade prevention, ids, errors, the call phase) are stated
once, on the documentation page ``docs/api/orderbook.md``.

Single calls return an :class:`ExecutionReport` (a light result); ``fills`` holds :class:`Fill`
objects with the maker's price and a sequence number that counts every fill of the book (a
resting order cancelled by self-trade prevention is no fill and takes no number).

The module is over 400 lines because it is the class's public surface: the code is one
delegating line per method, the rest is each method's docstring with its runnable example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._kernels.orderbook import layout as _k
from . import _checks as _c
from . import _ops
from ._checks import MAXT as _MAXT
from ._checks import SIDES as _SIDES
from ._checks import TIFS as _TIFS
from ._entry import event_entry
from ._reports import (
    _REASONS,
    _STATES,
    BatchReport,
    BookDepth,
    BookSnapshot,
    ExecutionReport,
    RestingOrders,
    UncrossResult,
    execution_report,
)
from ._state import BookState

__all__ = ["OrderBook"]

_NEED = _k.NEED_SPACE
_REJ = _k.REJECTED
_MALFORMED = frozenset({_k.BAD_QUANTITY, _k.BAD_EVENT, _k.BAD_PRICE})


class OrderBook:
    """A continuous limit order book for one market (one service).

    Parameters
    ----------
    tick_size : float, default 0.01
        Price grid step, in [1e-12, 1e12].
    self_trade_prevention : {"cancel_taker", "cancel_resting", "none"}, keyword-only
        What happens when two orders of the same ``owner`` would trade (see the rules).
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

    __slots__ = ("_event", "_state")
    _state: BookState  # the buffer, its views and the price grid: everything the book holds
    _event: Callable[..., Any]  # clearing._kernels.orderbook.book.event (see _entry)

    def __init__(
        self,
        tick_size: float = 0.01,
        *,
        self_trade_prevention: str = "cancel_taker",
        round_prices: bool = False,
        capacity: int = 1024,
    ) -> None:
        tick = _c.book_options(tick_size, self_trade_prevention, capacity)
        self._state = BookState.new(
            tick, stp=self_trade_prevention, rnd=bool(round_prices), capacity=int(capacity)
        )
        self._event = event_entry(self._state.buf)

    # ---------------------------------------------------------------- events
    def limit(
        self,
        side: Any,
        price: Any,
        quantity: Any,
        *,
        order_id: int | None = None,
        owner: int | None = None,
        tif: str = "GTC",
    ) -> ExecutionReport:
        """Submit a limit order; return its :class:`ExecutionReport`.

        ``side`` is ``"buy"``/``"sell"`` (or +1/-1), ``tif`` one of ``"GTC"``, ``"IOC"``,
        ``"FOK"``. See the rules of the order book page for ids, owners and errors.

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
        state = self._state
        try:
            r = self._event(state.buf, 0, _SIDES[side], price, quantity, order_id, owner,
                            _TIFS[tif])  # fmt: skip
        except (KeyError, TypeError, OverflowError):
            _c.check("OrderBook.limit", side, quantity, tif)
            _c.ticks("OrderBook.limit", price, state)
            raise  # pragma: no cover - the checks raise first
        if r[0] < 0:
            if r[0] == _NEED:
                r = state.grow_and_retry(self._event, 0, _SIDES[side], price, quantity, order_id,
                                         owner, _TIFS[tif])  # fmt: skip
        elif r[0] == _REJ and r[1] in _MALFORMED:
            _c.check("OrderBook.limit", side, quantity, tif)
            _c.ticks("OrderBook.limit", price, state)
        if r[5] == 0:
            return execution_report(r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ())
        return state.report(r)

    def market(
        self, side: Any, quantity: Any, *, order_id: int | None = None, owner: int | None = None
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
        state = self._state
        try:
            r = self._event(state.buf, _k.MARKET, _SIDES[side], 0.0, quantity, oid, own, _k.IOC)
        except (KeyError, TypeError, OverflowError):
            _c.check("OrderBook.market", side, quantity, "GTC")
            raise  # pragma: no cover
        if r[0] == _NEED:
            r = state.grow_and_retry(self._event, _k.MARKET, _SIDES[side], 0.0, quantity, oid,
                                     own, _k.IOC)  # fmt: skip
        elif r[0] == _REJ and r[1] in _MALFORMED:
            _c.check("OrderBook.market", side, quantity, "GTC")
        return state.report(r)

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
        r = self._event(self._state.buf, _k.CANCEL, 0, 0.0, 0.0, order_id, -1, 0)
        return execution_report(r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ())

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
        r = self._event(self._state.buf, _k.REDUCE, 0, 0.0, float(quantity), order_id, -1, 0)
        return execution_report(r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], (), ())

    # ---------------------------------------------------------------- storage
    @property
    def capacity(self) -> int:
        """Number of order slots currently allocated (grows by doubling).

        Examples
        --------
        >>> from clearing import OrderBook
        >>> OrderBook(tick_size=1, capacity=100).capacity >= 100
        True
        """
        return self._state.capacity

    @property
    def stats(self) -> dict[str, int]:
        """The book's integer counters, by name (a copy).

        ``bid_levels``/``ask_levels`` (price levels kept, emptied ones inside the book
        included), ``resting_bids``/``resting_asks``, ``next_order_id`` (the id ``None``
        assigns next), ``arrivals`` (orders rested so far), ``fills`` (the next fill sequence
        number), ``in_call``, ``free_slot`` (first released slot, -1 for none), ``slots_used``.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> s = OrderBook.example().stats
        >>> s["resting_bids"], s["resting_asks"], s["fills"], s["next_order_id"]
        (2, 2, 0, 9)
        """
        return self._state.counters()

    # ---------------------------------------------------------------- arrays of events
    def submit_batch(
        self,
        kind: Any,
        side: Any = None,
        price: Any = None,
        quantity: Any = None,
        *,
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
        return _ops.submit_batch(self._state, kind, side, price, quantity, order_id, owner, tif)

    # ---------------------------------------------------------------- queries
    @property
    def best_bid(self) -> float | None:
        """Highest resting buy price, ``None`` when there are no bids.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> OrderBook.example().best_bid
        10.0
        >>> OrderBook(tick_size=1).best_bid is None
        True
        """
        return self._state.best(_k.BUY)

    @property
    def best_ask(self) -> float | None:
        """Lowest resting sell price, ``None`` when there are no asks.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> OrderBook.example().best_ask
        11.0
        """
        return self._state.best(_k.SELL)

    def __len__(self) -> int:
        """Number of resting orders."""
        return self._state.resting_count()

    def depth(self, levels: int = 10) -> BookDepth:
        """The best ``levels`` (an int >= 0) price levels of each side, best first.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> d = OrderBook.example().depth(1)
        >>> d.bid_price.tolist(), d.bid_quantity.tolist(), d.ask_price.tolist()
        ([10.0], [2.0], [11.0])
        """
        return _ops.depth(self._state, levels)

    def resting(self, side: Any) -> RestingOrders:
        """Resting orders of ``side`` (``"buy"``/``"sell"``) in priority order.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> OrderBook.example().resting("sell").price.tolist()
        [11.0, 12.0]
        """
        return _ops.resting(self._state, side)

    def totals(self) -> dict[str, float]:
        """Running totals: ``submitted == 2 * traded + resting + cancelled + expired``.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook.example()
        >>> _ = book.market("buy", 1)
        >>> t = book.totals()
        >>> t["submitted"], t["traded"], t["resting"]
        (8.0, 1.0, 6.0)
        """
        return self._state.totals()

    # ---------------------------------------------------------------- persistence
    def snapshot(self) -> BookSnapshot:
        """A complete copy of the state; ``OrderBook.restore(snap)`` continues from it.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> snap = OrderBook.example().snapshot()
        >>> OrderBook.restore(snap).best_ask, snap.tick_size
        (11.0, 1.0)
        """
        return self._state.snapshot()

    @classmethod
    def restore(cls, snapshot: BookSnapshot) -> OrderBook:
        """Rebuild a book from :meth:`snapshot`; it behaves exactly like the original.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> copy = OrderBook.restore(OrderBook.example().snapshot())
        >>> copy.best_bid, len(copy)
        (10.0, 4)
        """
        _c.snapshot(snapshot)
        book = cls(
            snapshot.tick_size,
            self_trade_prevention=snapshot.self_trade_prevention,
            round_prices=snapshot.round_prices,
            capacity=1,
        )
        buf = np.array(snapshot.state, dtype=np.int64, order="C")
        book._state = BookState(buf, book._state.stp)
        return book

    @classmethod
    def example(cls) -> OrderBook:
        """A small book to try things on: tick size 1, two bids and two asks resting.

        Bids 10 x 2 (order id 8) and 9 x 1 (id 7); asks 11 x 3 (id 1) and 12 x 1 (id 2); the
        next automatic id is 9. Each call returns a new book.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook.example()
        >>> book.best_bid, book.best_ask, len(book)
        (10.0, 11.0, 4)
        """
        book = cls(tick_size=1)
        book.submit_batch(["limit"] * 4, [1, 1, -1, -1], [9, 10, 11, 12], [1, 2, 3, 1],
                          order_id=[7, 8, 1, 2])  # fmt: skip
        return book

    # ---------------------------------------------------------------- call market
    def open_call(self) -> None:
        """Start collecting orders for a call auction (an opening or periodic auction).

        Until :meth:`uncross`, limit GTC orders rest without matching (the book may cross);
        market, IOC and FOK orders are rejected (reason ``CALL_PHASE``); cancel and reduce
        work as usual.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> book.open_call()
        >>> book.market("buy", 1).reason.name
        'CALL_PHASE'
        """
        self._state.meta[_k.M_CALL] = 1

    @property
    def in_call(self) -> bool:
        """Whether the book is collecting orders for a call auction.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> book = OrderBook(tick_size=1)
        >>> book.open_call()
        >>> book.in_call
        True
        """
        return bool(self._state.meta[_k.M_CALL])

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
        >>> book = OrderBook.example()
        >>> book.open_call()
        >>> _ = book.limit("buy", 12, 4)
        >>> result = book.uncross("uniform")
        >>> result.volume, result.auction.price, book.in_call
        (4.0, 12.0, False)
        """
        return _ops.uncross(self._state, mechanism, k, rng)
