"""Run one validated request against the public API and turn the result into JSON values.

:class:`Engine` is what both the JSON-lines and the HTTP bindings call: ``engine.run(op,
body)`` validates ``body`` with :func:`clearing_bindings.schema.validate`, checks the size
limits, calls the ``clearing`` function and returns plain ``dict``/``list``/``float`` values
(non-finite floats become ``null``). The engine owns the order books, one per market; it does
not serialise calls to one book itself (the HTTP binding runs every call to a book on that
book's own worker thread; the JSON-lines loop is sequential).

Examples
--------
>>> from clearing_bindings.ops import Engine
>>> engine = Engine()
>>> r = engine.run("auction", {"bid_prices": [10, 9], "bid_quantities": [1, 1],
...                            "ask_prices": [1, 2], "ask_quantities": [1, 1]})
>>> r["volume"], r["price"], r["bid_reason"]
(2.0, 5.5, ['filled', 'filled'])
>>> engine.run("book.limit", {"market": "it", "side": "sell", "price": 10, "quantity": 2})["state"]
'RESTING'
>>> engine.run("book.depth", {"market": "it"})["ask_quantity"]
[2.0]
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the [service] extra installs it
    _orjson = None

import clearing
from clearing import AssignmentReason, AuctionReason, ClearingError, InputError, OrderBook

from .schema import SchemaError, TooLarge, json_schema, validate

__all__ = [
    "DEFAULT_MAX_BOOKS",
    "DEFAULT_MAX_ORDERS",
    "Engine",
    "dumpb",
    "dumps",
    "error_body",
    "loads",
]

#: Orders per request (auction bids + asks, matrix entries, table rows) unless configured.
DEFAULT_MAX_ORDERS = 200_000
#: Distinct order books (markets) one engine holds unless configured.
DEFAULT_MAX_BOOKS = 10_000

_AUCTION_REASONS = [r.name.lower() for r in AuctionReason]
_MATCH_REASONS = [r.name.lower() for r in AssignmentReason]


def _floats(a: Any) -> list[Any]:
    arr = np.asarray(a, dtype=np.float64)
    if np.isfinite(arr).all():
        return arr.tolist()  # type: ignore[no-any-return]
    return [x if math.isfinite(x) else None for x in arr.tolist()]


def _float(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _cell(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, tuple | list):
        return [_cell(x) for x in v]
    return v


def _column(arr: np.ndarray) -> list[Any]:
    if arr.dtype.kind == "f":
        return _floats(arr)
    if arr.dtype.kind in "iub":
        return arr.tolist()  # type: ignore[no-any-return]
    return [_cell(v) for v in arr.tolist()]


def _table(t: Any) -> dict[str, list[Any]]:
    return {name: _column(t[name]) for name in t.columns}


def _input_column(values: list[Any]) -> Any:
    """A JSON column as an array: numbers with nulls become float64 with NaN."""
    if any(v is None for v in values) and all(
        v is None or (type(v) in (int, float)) for v in values
    ):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return values


def _report(market: str, r: Any) -> dict[str, Any]:
    return {
        "market": market,
        "order_id": int(r.order_id),
        "state": r.state.name,
        "reason": r.reason.name,
        "filled": float(r.filled),
        "remaining": float(r.remaining),
        "fills": [
            {
                "seq": f.seq,
                "taker": f.taker,
                "maker": f.maker,
                "price": f.price,
                "quantity": f.quantity,
            }
            for f in r.fills
        ],
        "self_trade_cancelled": [
            {"order_id": int(o), "quantity": float(q)} for o, q in r.self_trade_cancelled
        ],
    }


def _matching(r: Any) -> dict[str, Any]:
    return {
        "welfare": _float(r.welfare),
        "row_duals": _floats(r.row_duals),
        "col_duals": _floats(r.col_duals),
        "min_prices": None if r.min_prices is None else _floats(r.min_prices),
        "max_prices": None if r.max_prices is None else _floats(r.max_prices),
        "unmatched": r.unmatched.tolist(),
        "reason": [_MATCH_REASONS[c] for c in r.reason.tolist()],
    }


def _rectangular(op: str, name: str, rows: Any) -> None:
    """A JSON matrix must have rows of one length (JSON Schema cannot say so)."""
    if not rows or type(rows[0]) is not list:
        return
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"{op}: {name}[{i}] has {len(row)} entries but {name}[0] has {width}; "
                "a matrix needs rows of one length",
                argument=name,
                index=i,
            )


def _rows(v: Any) -> int:
    return sum(len(row) if isinstance(row, list) else 1 for row in v) if v else 0


def _table_rows(t: Any) -> int:
    return max((len(c) for c in t.values()), default=0)


_SIZE: dict[str, Callable[[dict[str, Any]], int]] = {
    "auction": lambda a: (
        max(len(a["bid_prices"]), len(a["bid_quantities"]))
        + max(len(a["ask_prices"]), len(a["ask_quantities"]))
    ),
    "assign": lambda a: _rows(a["value"]),
    "transport": lambda a: _rows(a["value"]),
    "clear": lambda a: _table_rows(a["requests"]) + _table_rows(a["offers"]),
}


class Engine:
    """Validates requests, calls the public API and converts results; owns the order books.

    Parameters
    ----------
    tick_size : float
        Tick size of every order book the engine creates (one per market, on first order).
    max_orders : int
        Largest request accepted: bids + asks, matrix entries, or request + offer rows.
    max_books : int
        Most markets (order books) held at once.
    board : clearing_bindings.board.BoardState, optional
        When given, every clear and every order-book event is shown on this market board.
    """

    def __init__(
        self,
        *,
        tick_size: float = 0.01,
        max_orders: int = DEFAULT_MAX_ORDERS,
        max_books: int = DEFAULT_MAX_BOOKS,
        board: Any = None,
    ) -> None:
        OrderBook(tick_size)  # an invalid tick size fails here, before any request
        self.tick_size = tick_size
        self.max_orders = max_orders
        self.max_books = max_books
        self.board = board
        self.books: dict[str, OrderBook] = {}
        self._create = threading.Lock()
        self._run: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auction": self._auction,
            "assign": self._assign,
            "transport": self._transport,
            "clear": self._clear,
            "book.limit": self._limit,
            "book.market": self._market,
            "book.cancel": self._cancel,
            "book.reduce": self._reduce,
            "book.depth": self._depth,
            "schema": lambda _: json_schema(),
        }

    def run(self, op: str, body: Any, *, reserved: tuple[str, ...] = ()) -> dict[str, Any]:
        """Validate ``body`` for ``op``, run it and return the JSON-ready result.

        Raises :class:`~clearing_bindings.schema.SchemaError`,
        :class:`~clearing_bindings.schema.TooLarge` or a :class:`clearing.ClearingError`.
        """
        args = validate(op, body, reserved=reserved)
        self.check_size(op, args)
        return self._run[op](args)

    def check_size(self, op: str, args: dict[str, Any]) -> None:
        """Raise :class:`TooLarge` when a validated request holds too many orders."""
        size = _SIZE.get(op)
        if size is not None and (n := size(args)) > self.max_orders:
            raise TooLarge(
                f"{op}: {n} orders in one request; the limit is {self.max_orders}",
                argument=next(iter(args)),
            )

    # ---------------------------------------------------------------- stateless ops
    def _auction(self, a: dict[str, Any]) -> dict[str, Any]:
        r = clearing.double_auction(**a)
        lo, hi = r.clearing_range
        return {
            "mechanism": r.mechanism,
            "volume": r.volume,
            "price": _float(r.price),
            "buyer_price": _float(r.buyer_price),
            "seller_price": _float(r.seller_price),
            "clearing_range": [_float(lo), _float(hi)],
            "bid_filled": _floats(r.bid_filled),
            "ask_filled": _floats(r.ask_filled),
            "bid_price_paid": _floats(r.bid_price_paid),
            "ask_price_received": _floats(r.ask_price_received),
            "bid_reason": [_AUCTION_REASONS[c] for c in r.bid_reason.tolist()],
            "ask_reason": [_AUCTION_REASONS[c] for c in r.ask_reason.tolist()],
            "trade_bid_index": r.trade_bid_index.tolist(),
            "trade_ask_index": r.trade_ask_index.tolist(),
            "trade_quantity": _floats(r.trade_quantity),
            "trade_buyer_price": _floats(r.trade_buyer_price),
            "trade_seller_price": _floats(r.trade_seller_price),
            "welfare": _float(r.welfare),
            "max_welfare": _float(r.max_welfare),
            "efficiency": _float(r.efficiency),
            "budget_surplus": _float(r.budget_surplus),
        }

    @staticmethod
    def _prices(op: str, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("prices") == "none":
            a = {**a, "prices": None}
        for name in ("value", "cost", "forbidden"):
            _rectangular(op, name, a.get(name))
        return a

    def _assign(self, a: dict[str, Any]) -> dict[str, Any]:
        r = clearing.assign(**self._prices("assign", a))
        return {
            "request_index": r.request_index.tolist(),
            "provider_index": r.provider_index.tolist(),
            **_matching(r),
            "utility": _floats(r.utility),
            "shape": list(r.shape),
        }

    def _transport(self, a: dict[str, Any]) -> dict[str, Any]:
        r = clearing.transport(**self._prices("transport", a))
        return {
            "quantity": np.asarray(r.quantity).tolist(),
            "served": r.served.tolist(),
            "unserved": r.unserved.tolist(),
            **_matching(r),
            "load": r.load.tolist(),
        }

    def _clear(self, a: dict[str, Any]) -> dict[str, Any]:
        for side in ("requests", "offers"):
            a[side] = {k: _input_column(v) for k, v in a[side].items()}
        offers = a.pop("offers")
        c = clearing.clear(a.pop("requests"), offers, a.pop("policy", None), **a)
        if self.board is not None:
            self.board.record_clearing(c, offers=offers)
        return {
            "mechanism": c.mechanism,
            "allocations": _table(c.allocations),
            "markets": _table(c.markets),
            "unmatched": _table(c.unmatched),
            "negotiations": _table(c.negotiations),
        }

    # ---------------------------------------------------------------- order books
    def book(self, market: str) -> OrderBook:
        """The book of ``market``, created on first use (raises :class:`TooLarge` when full)."""
        book = self.books.get(market)
        if book is None:
            with self._create:
                book = self.books.get(market)
                if book is None:
                    if len(self.books) >= self.max_books:
                        raise TooLarge(
                            f"{len(self.books)} order books are open; the limit is "
                            f"{self.max_books}",
                            argument="market",
                        )
                    book = self.books[market] = OrderBook(self.tick_size)
        return book

    def _shown(self, market: str, book: OrderBook, report: dict[str, Any]) -> dict[str, Any]:
        if self.board is not None and market in self.books:  # no board row for unknown books
            self.board.record_book(market, book.depth(10))
        return report

    def _limit(self, a: dict[str, Any]) -> dict[str, Any]:
        market = a.pop("market")
        book = self.book(market)
        return self._shown(market, book, _report(market, book.limit(**a)))

    def _market(self, a: dict[str, Any]) -> dict[str, Any]:
        market = a.pop("market")
        book = self.book(market)
        return self._shown(market, book, _report(market, book.market(**a)))

    def _cancel(self, a: dict[str, Any]) -> dict[str, Any]:
        book = self.books.get(a["market"])  # cancelling never creates a book
        if book is None:
            book = OrderBook(self.tick_size)
        return self._shown(a["market"], book, _report(a["market"], book.cancel(a["order_id"])))

    def _reduce(self, a: dict[str, Any]) -> dict[str, Any]:
        book = self.books.get(a["market"]) or OrderBook(self.tick_size)
        report = _report(a["market"], book.reduce(a["order_id"], a["quantity"]))
        return self._shown(a["market"], book, report)

    def _depth(self, a: dict[str, Any]) -> dict[str, Any]:
        book = self.books.get(a["market"]) or OrderBook(self.tick_size)
        d = book.depth(a.get("levels", 10))
        return {
            "market": a["market"],
            "bid_price": _floats(d.bid_price),
            "bid_quantity": _floats(d.bid_quantity),
            "bid_orders": d.bid_orders.tolist(),
            "ask_price": _floats(d.ask_price),
            "ask_quantity": _floats(d.ask_quantity),
            "ask_orders": d.ask_orders.tolist(),
            "best_bid": book.best_bid,
            "best_ask": book.best_ask,
            "resting": len(book),
        }


def error_body(exc: BaseException) -> dict[str, Any]:
    """The error object of a response: type, message, argument and index.

    Examples
    --------
    >>> from clearing import InputError
    >>> error_body(InputError("f: x[3] is nan", argument="x", index=3))
    {'type': 'InputError', 'message': 'f: x[3] is nan', 'argument': 'x', 'index': 3}
    """
    index = getattr(exc, "index", None)
    if isinstance(index, tuple | list):
        index = [int(i) for i in index]
    elif index is not None:
        index = int(index)
    argument = getattr(exc, "argument", None)
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "argument": None if argument is None else str(argument),
        "index": index,
    }


#: Exceptions that mean "the request is wrong", never "the service is broken".
REQUEST_ERRORS = (SchemaError, TooLarge, ClearingError)


def dumpb(obj: Any) -> bytes:
    """Compact, strict JSON as bytes (no NaN literal ever leaves the bindings).

    orjson (in the ``[service]`` extra) when it is installed: it encodes a result of a few
    thousand numbers about 30 times faster than the standard library.
    """
    if _orjson is not None:
        try:
            return bytes(_orjson.dumps(obj, default=_cell))
        except TypeError:  # an integer beyond 64 bits: the standard library copes
            pass
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=_cell).encode()


def dumps(obj: Any) -> str:
    """:func:`dumpb` as text."""
    return dumpb(obj).decode("utf-8")


def loads(raw: bytes) -> Any:
    """Parse JSON; the literals ``NaN``, ``Infinity`` and ``-Infinity`` are accepted too.

    (They are not standard JSON, but Python's :mod:`json` reads and writes them, and
    ``-Infinity`` is how a value matrix forbids a pair.)
    """
    if _orjson is not None:
        try:
            return _orjson.loads(raw)
        except ValueError:  # a non-standard literal, or not JSON: the standard parser says
            pass
    return json.loads(raw)
