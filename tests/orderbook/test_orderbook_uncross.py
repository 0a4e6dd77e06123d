"""OrderBook.uncross: the call-market core clears crossing resting orders."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearing import MECHANISMS, InputError, OrderBook, OrderReason, OrderState, double_auction


def call_book(orders: list[tuple[str, int, float]], owner: int | None = None) -> OrderBook:
    book = OrderBook(tick_size=1)
    book.open_call()
    for side, price, qty in orders:
        book.limit(side, price, qty, owner=owner)
    return book


def conserved(book: OrderBook) -> bool:
    t = book.totals()
    total = 2 * t["traded"] + t["resting"] + t["cancelled"] + t["expired"]
    return bool(np.isclose(t["submitted"], total, rtol=1e-9))


def test_call_phase_rules() -> None:
    book = call_book([("buy", 12, 1), ("sell", 9, 1)])
    assert book.in_call and book.best_bid == 12 and book.best_ask == 9  # crossed while calling
    for r in (book.market("buy", 1), book.limit("buy", 12, 1, tif="IOC"),
              book.limit("buy", 12, 1, tif="FOK")):  # fmt: skip
        assert (r.state, r.reason) == (OrderState.REJECTED, OrderReason.CALL_PHASE)
    assert book.cancel(1).state is OrderState.CANCELLED
    result = book.uncross()
    assert result.volume == 0.0 and not book.in_call and len(book) == 1


def test_uniform_known_answer_and_continuous_after() -> None:
    book = call_book([("buy", 12, 2), ("buy", 11, 1), ("buy", 8, 5), ("sell", 9, 1),
                      ("sell", 10, 1), ("sell", 13, 4)])  # fmt: skip
    result = book.uncross("uniform", k=0.5)
    assert result.bid_order_id.tolist() == [0, 1]
    assert result.ask_order_id.tolist() == [3, 4]
    # units: bids 12, 12, 11 / asks 9, 10 -> range [max(10, 11), min(12, inf)] = [11, 12]
    assert result.volume == 2.0 and result.auction.price == 11.5
    assert result.trade_bid_id.tolist() == [0, 0] and result.trade_ask_id.tolist() == [3, 4]
    assert book.best_bid == 11 and book.best_ask == 13  # order 0 filled, order 1 untouched
    assert book.resting("buy").quantity.tolist() == [1.0, 5.0]
    assert conserved(book) and not book.in_call
    r = book.limit("sell", 11, 1)  # continuous trading again
    assert r.state is OrderState.FILLED and r.fills[0].maker == 1
    assert result.trade_seq.tolist() == [0, 1] and r.fills[0].seq == 2


def test_uncross_on_continuous_book_is_empty() -> None:
    book = OrderBook(tick_size=1)
    book.limit("buy", 10, 1)
    book.limit("sell", 11, 1)
    result = book.uncross()
    assert result.auction is None and result.volume == 0.0 and len(book) == 2


def test_rejected_auction_input_leaves_book() -> None:
    book = call_book([("buy", 12, 1.5), ("sell", 9, 1)])
    before = book.snapshot()
    with pytest.raises(InputError):
        book.uncross("mcafee")  # unit mechanism: whole quantities only
    with pytest.raises(InputError):
        book.uncross("nonsense")
    assert np.array_equal(book.snapshot().state, before.state) and book.in_call


orders = st.lists(
    st.tuples(st.sampled_from(["buy", "sell"]), st.integers(5, 15), st.integers(1, 4)),
    min_size=0,
    max_size=30,
)


@given(orders=orders, mechanism=st.sampled_from(MECHANISMS), seed=st.integers(0, 3))
def test_uncross_properties(orders: list, mechanism: str, seed: int) -> None:
    book = call_book([(s, p, float(q)) for s, p, q in orders])
    bids, asks = book.resting("buy"), book.resting("sell")
    result = book.uncross(mechanism, rng=seed)
    # never crossed afterwards; quantity conserved; back to continuous trading
    if book.best_bid is not None and book.best_ask is not None:
        assert book.best_bid < book.best_ask
    assert conserved(book) and not book.in_call
    if result.auction is None:
        return
    # the call market saw exactly the crossing orders, in priority order
    nb, na = result.bid_order_id.size, result.ask_order_id.size
    assert result.bid_order_id.tolist() == bids.order_id[:nb].tolist()
    assert result.ask_order_id.tolist() == asks.order_id[:na].tolist()
    again = double_auction(bids.price[:nb], bids.quantity[:nb], asks.price[:na],
                           asks.quantity[:na], mechanism=mechanism, rng=seed,
                           bid_priority=bids.arrival[:nb].astype(float),
                           ask_priority=asks.arrival[:na].astype(float))  # fmt: skip
    assert again.bid_filled.tolist() == result.auction.bid_filled.tolist()
    assert np.isclose(result.volume, again.volume)
    # each order lost exactly its fill (and, when cancelled, the rest)
    left = dict(zip(book.resting("buy").order_id.tolist(), book.resting("buy").quantity.tolist(),
                    strict=True))  # fmt: skip
    for oid, q, f in zip(result.bid_order_id, bids.quantity[:nb], again.bid_filled, strict=True):
        if oid in result.cancelled_order_id:
            assert oid not in left
        else:
            assert np.isclose(left.get(int(oid), 0.0), q - f, atol=1e-9)
