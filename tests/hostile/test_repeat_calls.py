"""Every public entry point gives the same result twice, with memory dirtied in between.

An output array the code allocates with ``np.empty`` and forgets to write on some path
(an empty side, an early exit) shows whatever the allocator hands back: often the freed
buffer of an earlier call. So each call below runs after memory was filled with one
pattern, and again after another pattern; the two results must agree bit for bit (NaN
equal to NaN), and the empty cases must give their documented values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from clearing import (
    MECHANISMS,
    OrderBook,
    Policy,
    assign,
    assign_batch,
    clear,
    double_auction,
    double_auction_batch,
    linear_sum_assignment,
    transport,
)
from clearing.market._tables import Table


def dirty(pattern: float) -> None:
    """Run solves whose work arrays are freed with their contents, then leave freed
    buffers of many sizes holding ``pattern`` (the last freed are handed out first)."""
    rng = np.random.default_rng(int(abs(pattern)) if np.isfinite(pattern) else 1)
    assign(rng.random((12, 9)), prices="both")
    assign_batch(rng.random((8, 6, 5)), prices="both")
    transport(rng.random((5, 4)), demand=[2, 1, 3, 1, 1], capacity=[2, 2, 1, 3], prices="both")
    bm, am = rng.integers(0, 5, 40), rng.integers(0, 5, 30)
    double_auction_batch(rng.random(40), rng.random(40), rng.random(30), rng.random(30),
                         bid_market=bm, ask_market=am)  # fmt: skip
    keep = [np.full(size, pattern) for size in (*range(1, 80), 128, 256, 1000, 4096, 65536)]
    keep += [np.full(size, int(pattern) if np.isfinite(pattern) else -7, np.int64)
             for size in range(1, 40)]  # fmt: skip
    keep += [np.full(size, 3, np.int8) for size in range(1, 40)]
    del keep


def flatten(obj: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every number and array inside a result, by path."""
    if isinstance(obj, Table):
        return [kv for c in obj.columns for kv in flatten(obj[c], f"{path}.{c}")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [kv for f in dataclasses.fields(obj)
                for kv in flatten(getattr(obj, f.name), f"{path}.{f.name}")]  # fmt: skip
    if isinstance(obj, tuple | list):
        return [kv for i, x in enumerate(obj) for kv in flatten(x, f"{path}[{i}]")]
    if isinstance(obj, dict):
        return [kv for k, x in sorted(obj.items(), key=str) for kv in flatten(x, f"{path}.{k}")]
    if sp.issparse(obj):
        return flatten(obj.toarray(), path)
    if isinstance(obj, np.ndarray):
        return [(path, obj.copy())]
    return [(path, obj)]


def identical(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":  # NaN equal to NaN; -0.0 differs from 0.0
        same_sign = np.array_equal(np.signbit(a), np.signbit(b))
        return bool(np.array_equal(a, b, equal_nan=True) and same_sign)
    return bool(np.array_equal(a, b))


E0 = np.zeros(0)
REQ0 = {"request_id": [], "team": [], "service": [], "quantity": [], "max_price": []}
OFF0 = {"offer_id": [], "provider": [], "service": [], "capacity": [], "ask": []}
REQ1 = {"request_id": [1], "team": ["t"], "service": ["s"], "quantity": [2.0], "max_price": [9.0]}
OFF1 = {"offer_id": [1], "provider": ["p"], "service": ["s"], "capacity": [1.0], "ask": [3.0]}


def _book(*ops: Callable[[OrderBook], Any]) -> Any:
    book = OrderBook(tick_size=1)
    return [op(book) for op in ops]


CASES: dict[str, Callable[[], Any]] = {}
for mech in MECHANISMS:
    CASES[f"double_auction empty {mech}"] = lambda m=mech: double_auction(
        [], [], [], [], mechanism=m, rng=0
    )
    CASES[f"double_auction bids only {mech}"] = lambda m=mech: double_auction(
        [10, 9], [1, 2], [], [], mechanism=m, rng=0
    )
    CASES[f"double_auction asks only {mech}"] = lambda m=mech: double_auction(
        [], [], [4], [3], mechanism=m, rng=0
    )
    CASES[f"double_auction zero quantities {mech}"] = lambda m=mech: double_auction(
        [10], [0], [4], [0], mechanism=m, rng=0
    )
    CASES[f"double_auction no cross {mech}"] = lambda m=mech: double_auction(
        [3, 2], [1, 1], [4, 5], [1, 1], mechanism=m, rng=0
    )
    CASES[f"double_auction_batch empty {mech}"] = lambda m=mech: double_auction_batch(
        [], [], [], [], bid_market=[], ask_market=[], mechanism=m, rng=0
    )
    CASES[f"double_auction_batch one-sided {mech}"] = lambda m=mech: double_auction_batch(
        [10, 9], [1, 1], [4], [1], bid_market=[0, 1], ask_market=[2], mechanism=m, rng=0
    )
for prices in ("min", "max", "both", None):
    for shape in ((0, 0), (0, 3), (3, 0)):
        CASES[f"assign {shape} {prices}"] = lambda s=shape, p=prices: assign(np.zeros(s), prices=p)
        CASES[f"assign sparse {shape} {prices}"] = lambda s=shape, p=prices: assign(
            sp.csr_array(np.zeros(s)), prices=p
        )
        CASES[f"transport {shape} {prices}"] = lambda s=shape, p=prices: transport(
            np.zeros(s), demand=np.ones(s[0]), capacity=np.ones(s[1]), prices=p
        )
        CASES[f"linear_sum_assignment {shape}"] = lambda s=shape: linear_sum_assignment(np.zeros(s))
    for shape in ((0, 2, 2), (4, 0, 3), (4, 3, 0), (2, 0, 0)):
        CASES[f"assign_batch {shape} {prices}"] = lambda s=shape, p=prices: assign_batch(
            np.zeros(s), prices=p
        )
    CASES[f"assign all forbidden {prices}"] = lambda p=prices: assign(
        np.full((2, 3), -np.inf), prices=p
    )
    CASES[f"assign no surplus {prices}"] = lambda p=prices: assign(np.zeros((2, 3)), prices=p)
    CASES[f"assign_batch all forbidden {prices}"] = lambda p=prices: assign_batch(
        np.full((3, 2, 2), -np.inf), prices=p
    )
    CASES[f"transport zero units {prices}"] = lambda p=prices: transport(
        np.ones((2, 2)), demand=[0, 0], capacity=[1, 0], prices=p
    )
    CASES[f"transport sparse empty rows {prices}"] = lambda p=prices: transport(
        sp.csr_array(np.array([[0.0, 2.0], [0.0, 0.0]])), demand=[1, 1], capacity=[1, 1], prices=p
    )
CASES["clear empty"] = lambda: clear(REQ0, OFF0)
CASES["clear requests only"] = lambda: clear(REQ1, OFF0)
CASES["clear offers only"] = lambda: clear(REQ0, OFF1)
CASES["clear one each sbba"] = lambda: clear(REQ1, OFF1, mechanism="sbba", rng=1)
CASES["clear transport route"] = lambda: clear(
    {**REQ1, "quality_weight": [1.0]}, {**OFF1, "quality": [4.0]}
)
CASES["policy empty"] = lambda: Policy.from_dict({})
CASES["book empty queries"] = lambda: _book(
    lambda b: b.depth(0),
    lambda b: b.depth(5),
    lambda b: b.resting("buy"),
    lambda b: b.totals(),
    lambda b: b.snapshot(),
    lambda b: len(b),
)
CASES["book empty batch"] = lambda: _book(lambda b: b.submit_batch([]))
CASES["book empty uncross"] = lambda: _book(
    lambda b: b.open_call(), lambda b: b.uncross("sbba", rng=2)
)
CASES["book events"] = lambda: _book(
    lambda b: b.limit("buy", 10, 2, owner=1),
    lambda b: b.market("sell", 1, owner=1),
    lambda b: b.limit("sell", 9, 3),
    lambda b: b.reduce(1, 5),
    lambda b: b.cancel(3),
    lambda b: b.depth(3),
    lambda b: b.resting("sell"),
)
CASES["book uncross"] = lambda: _book(
    lambda b: b.open_call(),
    lambda b: b.limit("buy", 10, 2),
    lambda b: b.limit("sell", 8, 3),
    lambda b: b.uncross("mcafee"),
    lambda b: b.depth(2),
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_identical_call_gives_the_same_result(name: str) -> None:
    call = CASES[name]
    dirty(1.2345e-310)
    first = flatten(call())
    dirty(np.nan)
    second = flatten(call())
    dirty(-9.0e7)
    third = flatten(call())
    assert [p for p, _ in first] == [p for p, _ in second] == [p for p, _ in third]
    for (path, a), (_, b), (_, c) in zip(first, second, third, strict=True):
        assert identical(a, b) and identical(a, c), f"{name}: {path} differs: {a!r} / {b!r} / {c!r}"


def test_empty_assignments_have_documented_values() -> None:
    """Issue 11, item 1: with nothing to match every price, dual and welfare is 0, every
    request unmatched (``match == -1``), and ``max_prices`` no longer holds stale memory."""
    dirty(1.2345e-310)
    r = assign(np.zeros((0, 3)), prices="max")
    assert r.max_prices.tolist() == [0.0, 0.0, 0.0] and r.col_duals.tolist() == [0.0] * 3
    b = assign_batch(np.zeros((4, 0, 3)), prices="both")
    assert np.array_equal(b.max_prices, np.zeros((4, 3)))
    assert np.array_equal(b.min_prices, np.zeros((4, 3))) and np.array_equal(b.welfare, np.zeros(4))
    b = assign_batch(np.zeros((2, 3, 0)), prices="both")
    assert np.array_equal(b.provider_index, np.full((2, 3), -1)) and np.array_equal(
        b.row_duals, np.zeros((2, 3))
    )
    s = assign(sp.csr_array(np.zeros((3, 0))), prices="both")
    assert s.welfare == 0.0 and s.unmatched.tolist() == [0, 1, 2]
    assert s.max_prices.size == 0 and s.row_duals.tolist() == [0.0] * 3


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_empty_auctions_have_documented_values(mechanism: str) -> None:
    """No trade: volume and welfare 0, efficiency 1, prices and the clearing range NaN."""
    for bids, asks in (([], []), ([10.0], []), ([], [4.0])):
        dirty(1.2345e-310)
        r = double_auction(bids, [1.0] * len(bids), asks, [1.0] * len(asks),
                           mechanism=mechanism, rng=0)  # fmt: skip
        assert (r.volume, r.welfare, r.max_welfare, r.efficiency) == (0.0, 0.0, 0.0, 1.0)
        assert r.budget_surplus == 0.0
        assert np.isnan(r.price) and all(np.isnan(x) for x in r.clearing_range)
        assert np.all(r.bid_filled == 0) and np.all(r.ask_filled == 0)
        assert np.all(np.isnan(r.bid_price_paid)) and np.all(np.isnan(r.ask_price_received))
