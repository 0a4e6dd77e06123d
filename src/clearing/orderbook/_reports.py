"""What :class:`clearing.OrderBook` returns: states, reasons, execution reports, results."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

from .._kernels.orderbook import layout as _k
from .._result import ResultBase, builder, import_pandas, result
from .._validate import choice

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]


class OrderState(enum.IntEnum):
    """The state an order is in after an event (codes of the ``state`` arrays).

    Examples
    --------
    >>> from clearing import OrderBook, OrderState
    >>> book = OrderBook(tick_size=1)
    >>> book.limit("buy", 10, 1).state is OrderState.RESTING
    True
    """

    RESTING = _k.RESTING  #: on the book (possibly after partial fills)
    FILLED = _k.FILLED  #: completely filled
    CANCELLED = _k.CANCELLED  #: cancelled by its owner, by self-trade prevention or uncross
    EXPIRED = _k.EXPIRED  #: IOC/FOK/market remainder that could not trade at once
    REJECTED = _k.REJECTED  #: refused; the book did not change


class OrderReason(enum.IntEnum):
    """Why an order ended in its state (codes of the ``reason`` arrays).

    Each code with its meaning: :doc:`/api/vocabulary`.

    Examples
    --------
    >>> from clearing import OrderBook, OrderReason
    >>> book = OrderBook(tick_size=1)
    >>> book.cancel(42).reason is OrderReason.UNKNOWN_ID
    True
    """

    NONE = _k.NONE  #: nothing special
    DUPLICATE_ID = _k.DUPLICATE_ID  #: the order id is already resting on the book
    UNKNOWN_ID = _k.UNKNOWN_ID  #: cancel/reduce of an id that is not resting
    BAD_QUANTITY = _k.BAD_QUANTITY  #: reduce by a quantity that is not > 0
    BAD_EVENT = _k.BAD_EVENT  #: unknown event kind, side or time in force
    SELF_TRADE = _k.SELF_TRADE  #: the taker met its own owner's order ("cancel_taker")
    NOT_FILLABLE = _k.NOT_FILLABLE  #: FOK order the book could not fill completely
    UNCROSS = _k.UNCROSS  #: remainder withheld by the call-market mechanism in uncross
    CALL_PHASE = _k.CALL_PHASE  #: market/IOC/FOK order sent while collecting for a call


_STATES = tuple(OrderState)
_REASONS = tuple(OrderReason)


@result(arrays=False)
class Fill(ResultBase):
    """One trade: ``taker`` (the incoming order) met ``maker`` (the resting order).

    Examples
    --------
    >>> from clearing import OrderBook
    >>> fill = OrderBook.example().limit("buy", 11, 2, order_id=20).fills[0]
    >>> fill.taker, fill.maker, fill.price, fill.quantity
    (20, 1, 11.0, 2.0)
    """

    seq: int
    taker: int
    maker: int
    price: float
    quantity: float


@result(arrays=False)
class ExecutionReport(ResultBase):
    """The execution report of one event.

    ``order_id`` is the event's order (the id assigned when it was ``None``); ``filled`` the
    quantity it traded in this event; ``remaining`` what is still resting afterwards;
    ``fills`` the trades in sequence order; ``self_trade_cancelled`` the ``(order_id,
    quantity)`` pairs of resting orders removed by ``"cancel_resting"`` self-trade prevention.

    Examples
    --------
    >>> from clearing import OrderBook
    >>> report = OrderBook.example().limit("buy", 11, 5)
    >>> report.order_id, report.state.name, report.filled, report.remaining
    (9, 'RESTING', 3.0, 2.0)
    """

    order_id: int
    state: OrderState
    reason: OrderReason
    filled: float
    remaining: float
    fills: tuple[Fill, ...] = ()
    self_trade_cancelled: tuple[tuple[int, float], ...] = ()


_REPORT, _FILL = builder(ExecutionReport), builder(Fill)
_new = object.__new__


# The per-event path builds these two for every call: each is made as its mutable twin
# (plain slot stores) and then given the frozen class (see ``builder``), about 0.27 us
# against 0.36 us through a generic ``builder(cls)(*values)`` and 1 us through the frozen
# ``__init__``.
def execution_report(
    order_id: int,
    state: OrderState,
    reason: OrderReason,
    filled: float,
    remaining: float,
    fills: tuple[Fill, ...],
    self_trade_cancelled: tuple[tuple[int, float], ...],
) -> ExecutionReport:
    """``ExecutionReport(...)`` with the same fields, on the per-event path."""
    obj = _new(_REPORT)
    obj.order_id = order_id
    obj.state = state
    obj.reason = reason
    obj.filled = filled
    obj.remaining = remaining
    obj.fills = fills
    obj.self_trade_cancelled = self_trade_cancelled
    obj.__class__ = ExecutionReport
    return obj  # type: ignore[no-any-return]


def fill(seq: int, taker: int, maker: int, price: float, quantity: float) -> Fill:
    """``Fill(...)`` with the same fields, on the per-event path."""
    obj = _new(_FILL)
    obj.seq = seq
    obj.taker = taker
    obj.maker = maker
    obj.price = price
    obj.quantity = quantity
    obj.__class__ = Fill
    return obj  # type: ignore[no-any-return]


@result
class BatchReport(ResultBase):
    """Reports of :meth:`OrderBook.submit_batch`: per event, per fill, per cancelled order.

    Attributes
    ----------
    order_id, state, reason, filled, remaining : ndarray, one entry per event
        As in :class:`ExecutionReport` (``state``/``reason`` are :class:`OrderState` /
        :class:`OrderReason` codes, int8).
    fill_event, fill_seq, fill_taker, fill_maker, fill_price, fill_quantity : ndarray
        One entry per fill in sequence order; ``fill_event`` indexes the batch.
    cancel_event, cancel_order, cancel_quantity : ndarray
        Resting orders removed by ``"cancel_resting"`` self-trade prevention.

    Examples
    --------
    >>> from clearing import OrderBook
    >>> r = OrderBook.example().submit_batch(["limit", "market"], ["sell", "buy"], [10, 0], [3, 4])
    >>> r.filled.tolist(), r.fill_maker.tolist(), r.fill_price.tolist()
    ([2.0, 4.0], [8, 9, 1], [10.0, 10.0, 11.0])
    """

    order_id: I64
    state: I8
    reason: I8
    filled: F64
    remaining: F64
    fill_event: I64
    fill_seq: I64
    fill_taker: I64
    fill_maker: I64
    fill_price: F64
    fill_quantity: F64
    cancel_event: I64
    cancel_order: I64
    cancel_quantity: F64

    def to_pandas(self, *, table: str = "events") -> Any:
        """One of the tables ``"events"``, ``"fills"`` or ``"cancels"`` as a DataFrame.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> r = OrderBook.example().submit_batch(["cancel", "cancel"], order_id=[7, 3])
        >>> r.to_pandas(table="events")[["order_id", "state", "reason"]].values.tolist()
        [[7, 'CANCELLED', 'NONE'], [3, 'REJECTED', 'UNKNOWN_ID']]
        """
        choice("BatchReport.to_pandas", "table", table, ("events", "fills", "cancels"))
        pd = import_pandas()
        if table == "events":
            return pd.DataFrame(
                {
                    "order_id": self.order_id,
                    "state": [OrderState(s).name for s in self.state],
                    "reason": [OrderReason(r).name for r in self.reason],
                    "filled": self.filled,
                    "remaining": self.remaining,
                }
            )
        if table == "fills":
            return pd.DataFrame(
                {
                    "event": self.fill_event,
                    "seq": self.fill_seq,
                    "taker": self.fill_taker,
                    "maker": self.fill_maker,
                    "price": self.fill_price,
                    "quantity": self.fill_quantity,
                }
            )
        return pd.DataFrame(
            {
                "event": self.cancel_event,
                "order_id": self.cancel_order,
                "quantity": self.cancel_quantity,
            }
        )


@result
class BookDepth(ResultBase):
    """Aggregated book: price levels best first with total quantity and order count.

    Examples
    --------
    >>> from clearing import OrderBook
    >>> book = OrderBook.example()
    >>> _ = book.limit("sell", 12, 2)
    >>> d = book.depth(2)
    >>> d.ask_price.tolist(), d.ask_quantity.tolist(), d.ask_orders.tolist()
    ([11.0, 12.0], [3.0, 3.0], [1, 2])
    """

    bid_price: F64
    bid_quantity: F64
    bid_orders: I64
    ask_price: F64
    ask_quantity: F64
    ask_orders: I64


@result
class RestingOrders(ResultBase):
    """Resting orders of one side in priority order (best price first, then arrival).

    Examples
    --------
    >>> from clearing import OrderBook
    >>> bids = OrderBook.example().resting("buy")
    >>> bids.order_id.tolist(), bids.price.tolist(), bids.quantity.tolist()
    ([8, 7], [10.0, 9.0], [2.0, 1.0])
    """

    order_id: I64
    price: F64
    quantity: F64
    owner: I64
    arrival: I64


@result
class BookSnapshot(ResultBase):
    """A complete copy of a book's state; :meth:`OrderBook.restore` rebuilds the book.

    Examples
    --------
    >>> from clearing import OrderBook
    >>> snap = OrderBook.example().snapshot()
    >>> snap.tick_size, snap.self_trade_prevention, OrderBook.restore(snap).best_bid
    (1.0, 'cancel_taker', 10.0)
    """

    tick_size: float
    self_trade_prevention: str
    round_prices: bool
    state: I64


@result
class UncrossResult(ResultBase):
    """Outcome of :meth:`OrderBook.uncross`.

    Attributes
    ----------
    mechanism : str
    auction : AuctionResult or None
        The call-market result on the crossing orders (``None`` when nothing crossed). Its
        bids and asks are in priority order and correspond to ``bid_order_id`` /
        ``ask_order_id``.
    bid_order_id, ask_order_id : ndarray
        Order ids of the crossing bids and asks sent to the call market.
    trade_seq, trade_bid_id, trade_ask_id, trade_quantity, trade_buyer_price,
    trade_seller_price : ndarray
        The trades, with fill sequence numbers continuing the book's.
    cancelled_order_id, cancelled_quantity : ndarray
        Remainders the mechanism withheld although they cross, cancelled so that the book
        does not rest crossed (reason :attr:`OrderReason.UNCROSS`).

    Examples
    --------
    >>> from clearing import OrderBook
    >>> book = OrderBook.example()
    >>> book.open_call()
    >>> _ = book.limit("sell", 9, 2, order_id=30)
    >>> result = book.uncross()
    >>> result.bid_order_id.tolist(), result.trade_quantity.tolist(), result.auction.price
    ([8, 7], [2.0], 9.5)
    """

    mechanism: str
    auction: Any
    bid_order_id: I64
    ask_order_id: I64
    trade_seq: I64
    trade_bid_id: I64
    trade_ask_id: I64
    trade_quantity: F64
    trade_buyer_price: F64
    trade_seller_price: F64
    cancelled_order_id: I64
    cancelled_quantity: F64

    @property
    def volume(self) -> float:
        """Total traded quantity.

        Examples
        --------
        >>> from clearing import OrderBook
        >>> OrderBook.example().uncross().volume  # its bids and asks do not cross
        0.0
        """
        return float(self.trade_quantity.sum())
