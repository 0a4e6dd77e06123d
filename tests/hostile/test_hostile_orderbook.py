"""Hostile calls on :class:`OrderBook`: every method, every argument.

A sequence of calls runs on one book. After an error the book must be exactly what it was
before (no partial write); after a success the book's invariants hold:
conservation of quantity, never crossed outside a call phase, finite totals, and fill
sequence numbers that count fills one by one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hostile import INTS, forms, mostly, outcome, property_test
from hypothesis import strategies as st

from clearing import MECHANISMS, InputError, OrderBook

NAMES = {"side", "price", "quantity", "order_id", "owner", "tif", "kind", "levels",
         "mechanism", "k", "rng", "tick_size", "self_trade_prevention", "capacity",
         "snapshot"}  # fmt: skip
TD = np.timedelta64(1, "D")
SIDE = mostly(st.sampled_from(["buy", "sell", 1, -1, np.int64(-1)]),
              st.sampled_from(["BUY", 0, 2, None, [], 1.5, TD, b"buy"]))  # fmt: skip
PRICE = mostly(st.integers(5, 15).map(float),
               st.sampled_from([np.nan, np.inf, -np.inf, 1e300, 10.3, "10", None, TD, 2**70,
                                1 + 1j, 5e-324, -0.0, np.float32(10), np.int64(9)]))  # fmt: skip
QTY = mostly(st.integers(1, 4).map(float),
             st.sampled_from([0.0, -1.0, np.nan, np.inf, 2.0**53 + 2, 2.0**53, 1e300, "1", None,
                              TD, 5e-324, np.float32(2), np.int8(3), True, 0.25]))  # fmt: skip
OID = mostly(
    st.one_of(st.none(), st.integers(0, 12)),
    st.sampled_from([-1, 2**62, 2**70, 1.0, "1", True, TD, np.int64(5), -(2**63)]),
)
TIF = mostly(st.sampled_from(["GTC", "IOC", "FOK"]), st.sampled_from(["DAY", None, 0, [], "gtc"]))
LEVELS = mostly(st.integers(0, 5), st.sampled_from([-1, 1.5, True, None, TD, 2**70, "3"]))
K = mostly(st.floats(0, 1), st.sampled_from([5, "abc", np.nan, -0.1, None]))
RNG = mostly(st.sampled_from([None, 0, 3]), st.sampled_from([-1, "x", 1.5]))


def _op(name: str, **args: Any) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    return st.fixed_dictionaries(args).map(lambda a: (name, a))


OPS = st.one_of(
    _op("limit", side=SIDE, price=PRICE, quantity=QTY, order_id=OID, owner=OID, tif=TIF),
    _op("limit", side=SIDE, price=PRICE, quantity=QTY),
    _op("market", side=SIDE, quantity=QTY, order_id=OID, owner=OID),
    _op("cancel", order_id=mostly(st.integers(0, 12), OID)),
    _op("reduce", order_id=mostly(st.integers(0, 12), OID), quantity=QTY),
    _op("depth", levels=LEVELS),
    _op("resting", side=SIDE),
    _op("open_call"),
    _op("uncross", mechanism=mostly(st.sampled_from(MECHANISMS), st.just("UNIFORM")), k=K, rng=RNG),
    st.just(("batch", {})),
)


@st.composite
def batches(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(0, 6))
    kind = draw(st.lists(mostly(st.sampled_from(["limit", "market", "cancel", "reduce", 0, 2]),
                                st.sampled_from([None, "LIMIT", 7, -1, 1.5])), min_size=n,
                         max_size=n))  # fmt: skip
    cols: dict[str, Any] = {
        "kind": kind,
        "side": draw(st.lists(st.sampled_from(["buy", "sell", 1, -1]), min_size=n, max_size=n)),
        "price": np.array(draw(st.lists(st.integers(5, 15), min_size=n, max_size=n)), float),
        "quantity": np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), float),
        "order_id": np.array(draw(st.lists(st.integers(-1, 12), min_size=n, max_size=n))),
        "owner": np.array(draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))),
        "tif": draw(st.lists(st.sampled_from(["GTC", "IOC", "FOK"]), min_size=n, max_size=n)),
    }
    if draw(st.integers(0, 999)) < 400:  # one column in a hostile form or with a bad value
        arg = draw(st.sampled_from(["price", "quantity", "order_id", "owner"]))
        base = np.asarray(cols[arg], dtype=float)
        if base.size and draw(st.booleans()):
            base[draw(st.integers(0, n - 1))] = draw(
                st.sampled_from([np.nan, np.inf, -5.0, 2.0**62, 2.0**70, 0.5, 2.0**53 + 2])
            )
            cols[arg] = base
        else:
            cols[arg] = draw(forms(base))[1]
    if draw(st.integers(0, 999)) < 100:
        cols[draw(st.sampled_from(["side", "tif"]))] = draw(
            st.sampled_from([None, [["GTC"]] * n, "GTC", "buy", 3, [None] * n])
        )
    return cols


class Checked:
    """A book and the invariants of its state."""

    def __init__(self, book: OrderBook) -> None:
        self.book = book
        self.seq = 0  # the next fill's sequence number

    def fills(self, seqs: list[int]) -> None:
        assert seqs == list(range(self.seq, self.seq + len(seqs))), (seqs, self.seq)
        self.seq += len(seqs)

    def invariants(self) -> None:
        b = self.book
        t = b.totals()
        assert all(np.isfinite(v) for v in t.values()), t
        left = 2 * t["traded"] + t["resting"] + t["cancelled"] + t["expired"]
        assert abs(t["submitted"] - left) <= 1e-9 * max(1.0, t["submitted"]), t
        if not b.in_call and b.best_bid is not None and b.best_ask is not None:
            assert b.best_bid < b.best_ask, "the book rests crossed"
        bids, asks = b.resting("buy"), b.resting("sell")
        assert len(b) == bids.order_id.size + asks.order_id.size
        for r in (bids, asks):
            assert np.all(r.quantity > 0) and np.all(np.isfinite(r.price))


def observable(book: OrderBook) -> list[Any]:
    """Everything a caller can see of the book (the state buffer also holds scratch space,
    such as the count of reports of the last call, that an error may reset)."""
    out: list[Any] = [book.totals(), book.in_call, len(book), book.best_bid, book.best_ask]
    for side in ("buy", "sell"):
        r = book.resting(side)
        out += [r.order_id, r.price, r.quantity, r.owner, r.arrival]
    return out


def _same_book(a: list[Any], b: list[Any]) -> bool:
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
               for x, y in zip(a, b, strict=True))  # fmt: skip


def _apply(c: Checked, op: str, args: dict[str, Any], data: Any) -> None:
    book = c.book
    before = observable(book)
    if op == "batch":
        args = data.draw(batches())
        call: Any = lambda: book.submit_batch(**args)  # noqa: E731
    elif op == "open_call":
        call = book.open_call
    else:
        call = lambda: getattr(book, op)(**args)  # noqa: E731
    r = outcome(call, NAMES)
    if r is None and op != "open_call":
        assert _same_book(observable(book), before), f"{op} failed half-way"
        return
    if op in ("limit", "market"):
        assert r.filled >= 0 and r.remaining >= 0
        c.fills([f.seq for f in r.fills])
        assert all(f.quantity > 0 and np.isfinite(f.price) for f in r.fills)
    elif op == "batch":
        c.fills(r.fill_seq.tolist())
        assert np.all(r.fill_quantity > 0) and np.all(np.isfinite(r.fill_price))
    elif op == "uncross":
        c.fills(r.trade_seq.tolist())
        assert args["mechanism"] in MECHANISMS
        assert isinstance(args["k"], float) and 0 <= args["k"] <= 1, "a bad k was accepted"
    elif op == "depth":
        for a in (r.bid_quantity, r.ask_quantity):
            assert np.all(a > 0) and np.all(np.isfinite(a))
    c.invariants()


@property_test(
    1.5,
    tick=mostly(st.sampled_from([1, 0.5, 1.0]), st.just(1)),
    stp=st.sampled_from(["cancel_taker", "cancel_resting", "none"]),
    ops=st.lists(OPS, max_size=20),
    data=st.data(),
)
def test_orderbook(tick: Any, stp: str, ops: list[Any], data: Any) -> None:
    c = Checked(OrderBook(tick_size=tick, self_trade_prevention=stp, capacity=4))
    for op, args in ops:
        _apply(c, op, args, data)
    restored = OrderBook.restore(c.book.snapshot())
    assert np.array_equal(restored.snapshot().state, c.book.snapshot().state)


@property_test(
    1,
    tick=mostly(
        st.sampled_from([0.01, 1, 0.5, 1e-12, 1e12, np.float32(0.5), np.int64(2)]),
        st.sampled_from(
            [0, -1, np.nan, np.inf, 1e-310, 2**2000, None, "0.5", TD, True, 1e-13, 1e13, [0.5]]
        ),
        0.6,
    ),
    stp=mostly(
        st.sampled_from(["cancel_taker", "cancel_resting", "none"]),
        st.sampled_from([[], None, "CANCEL", 1]),
        0.7,
    ),
    capacity=mostly(
        st.integers(1, 5000),
        st.sampled_from([0, -1, 1.5, None, True, TD, 2**40, "8", *INTS]),
        0.7,
    ),
)
def test_orderbook_constructor(tick: Any, stp: Any, capacity: Any) -> None:
    book = outcome(
        lambda: OrderBook(tick_size=tick, self_trade_prevention=stp, capacity=capacity), NAMES
    )
    if book is None:
        return
    assert 1e-12 <= float(tick) <= 1e12
    r = book.limit("buy", 3 * float(tick), 1)
    assert book.best_bid == pytest.approx(3 * float(tick)) and r.remaining == 1


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda b: b.depth(-1), "levels"),
        (lambda b: b.depth(TD), "levels"),
        (lambda b: b.limit("buy", 1.0, 1.0, tif="DAY"), "tif"),
        (lambda b: b.limit("buy", 1.0, TD), "quantity"),
        (lambda b: b.limit("buy", 1.0, 1.0, owner=TD), "owner"),
        (lambda b: b.cancel(TD), "order_id"),
        (lambda b: b.limit("buy", 1.0, 1e300), "quantity"),
        (lambda b: b.uncross("uniform", k=5), "k"),
        (lambda b: b.uncross("uniform", k="abc"), "k"),
        (lambda b: b.uncross("sbba", rng=-1), "rng"),
        (lambda b: OrderBook.restore(b.snapshot().state), "snapshot"),
        (
            lambda b: b.submit_batch(
                [None, "limit"], side=["buy"] * 2, price=[1.0, 1.0], quantity=[1.0, 1.0]
            ),
            "kind",
        ),
        (
            lambda b: b.submit_batch(
                ["limit"] * 2, side=["buy"] * 2, price=[1.0] * 2, quantity=[1.0] * 2,
                tif=[["GTC"], ["GTC", "IOC"]],
            ),
            "tif",
        ),
        (
            lambda b: b.submit_batch(
                ["limit"] * 2, side=["buy"] * 2, price=[1.0] * 2, quantity=[1.0] * 2,
                owner=[[1], [1, 2]],
            ),
            "owner",
        ),
    ],
)  # fmt: skip
def test_seen_order_book_errors(call: Any, argument: str) -> None:
    """Issue 11, items 3 and 5: each of these leaked a bare exception or had no argument."""
    book = OrderBook(tick_size=1)
    book.limit("buy", 8, 1)
    book.limit("sell", 9, 1)  # not crossed: uncross must still check its arguments
    with pytest.raises(InputError) as e:
        call(book)
    assert e.value.argument == argument


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"tick_size": 1e-310}, "tick_size"),
        ({"tick_size": 2**2000}, "tick_size"),
        ({"tick_size": None}, "tick_size"),
        ({"self_trade_prevention": []}, "self_trade_prevention"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_seen_constructor_errors(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(InputError) as e:
        OrderBook(**kwargs)
    assert e.value.argument == argument


def test_cancelled_self_trades_take_no_sequence_number() -> None:
    """Issue 11, item 5: ``Fill.seq`` counts fills; a cancelled resting order is no fill."""
    book = OrderBook(tick_size=1, self_trade_prevention="cancel_resting")
    book.limit("sell", 10, 1, owner=1)
    book.limit("sell", 10, 1, owner=2)
    r = book.limit("buy", 10, 1, owner=1)
    assert r.self_trade_cancelled == ((0, 1.0),) and [f.seq for f in r.fills] == [0]
    book.limit("sell", 10, 1, owner=3)
    assert [f.seq for f in book.limit("buy", 10, 1, owner=4).fills] == [1]
    rep = book.submit_batch(["limit", "limit", "limit"], side=["sell", "sell", "buy"],
                            price=[10, 10, 10], quantity=[1, 1, 2], owner=[5, 6, 5])  # fmt: skip
    assert rep.fill_seq.tolist() == [2] and rep.cancel_order.size == 1


def test_totals_stay_finite() -> None:
    """Issue 11, item 2: two asks of 1.7e308 units made ``submitted`` infinite."""
    book = OrderBook(tick_size=1)
    with pytest.raises(InputError, match="at most 2\\*\\*53") as e:
        book.limit("sell", 1, 1.7e308)
    assert e.value.argument == "quantity"
    book.limit("sell", 1, 2.0**53)
    book.limit("sell", 1, 2.0**53)
    assert np.isfinite(book.totals()["submitted"])
