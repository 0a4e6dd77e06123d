"""Every result class shares one shape: frozen, slotted, no ``==``, a compact repr, pickles."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import numpy as np
import pytest

import clearing
import clearing.results as results
from clearing._result import ResultBase, builder
from clearing.orderbook._reports import execution_report, fill

N = 1000


def _made() -> dict[str, object]:
    """One result of every class, at about N orders (or N x 8 matrices)."""
    rng = np.random.default_rng(7)
    bids, asks = rng.uniform(50, 150, N), rng.uniform(50, 150, N)
    qty = rng.integers(1, 5, N).astype(float)
    market = rng.integers(0, 5, N)
    value = rng.uniform(0, 10, (N, 8))
    book = clearing.OrderBook(tick_size=0.01)
    batch = book.submit_batch(
        kind=np.zeros(N, np.int8),
        side=np.where(np.arange(N) % 2 == 0, 1, -1).astype(np.int8),
        price=np.round(rng.uniform(99, 101, N), 2),
        quantity=qty,
    )
    call = clearing.OrderBook(tick_size=0.01)
    call.open_call()
    for i in range(N):
        call.limit("buy" if i % 2 else "sell", round(float(bids[i]), 2), float(qty[i]))
    uncross = call.uncross()
    for i in range(3):
        book.limit("buy", 101.0, 1.0, order_id=10_000 + i)
    report = book.market("sell", 50.0)
    requests = {
        "request_id": np.arange(N),
        "team": np.arange(N) % 7,
        "service": np.arange(N) % 3,
        "quantity": qty,
        "max_price": bids,
    }
    offers = {
        "offer_id": np.arange(N) + N,
        "provider": np.arange(N) % 11,
        "service": np.arange(N) % 3,
        "capacity": qty,
        "ask": asks,
    }
    return {
        "AuctionResult": clearing.double_auction(bids, qty, asks, qty),
        "BatchAuctionResult": clearing.double_auction_batch(
            bids, qty, asks, qty, bid_market=market, ask_market=market
        ),
        "AssignmentResult": clearing.assign(value),
        "TransportResult": clearing.transport(
            value, demand=np.full(N, 2), capacity=np.full(8, 100)
        ),
        "AssignmentBatchResult": clearing.assign_batch(value.reshape(125, 8, 8)),
        "BatchReport": batch,
        "BookDepth": book.depth(),
        "RestingOrders": book.resting("buy"),
        "BookSnapshot": book.snapshot(),
        "UncrossResult": uncross,
        "ExecutionReport": report,
        "Fill": report.fills[0],
        "Clearing": clearing.clear(requests, offers),
    }


@pytest.fixture(scope="module")
def made() -> dict[str, object]:
    return _made()


def test_every_result_class_is_made_by_the_one_decorator(made: dict[str, object]) -> None:
    assert set(made) == set(results.__all__) - {
        n for n in results.__all__ if n.endswith(("Reason", "State"))
    }
    for name in made:
        cls = getattr(clearing, name)
        assert issubclass(cls, ResultBase) and dataclasses.is_dataclass(cls), name
        params = cls.__dataclass_params__
        assert params.frozen and not params.eq, name
        assert "__slots__" in cls.__dict__ and "__dict__" not in dir(made[name]), name


@pytest.mark.parametrize(
    "name",
    [
        "AuctionResult",
        "BatchAuctionResult",
        "AssignmentResult",
        "TransportResult",
        "AssignmentBatchResult",
        "BatchReport",
        "BookDepth",
        "RestingOrders",
        "UncrossResult",
        "ExecutionReport",
        "Clearing",
    ],
)
def test_repr_of_a_thousand_order_result_is_a_few_lines(made: dict[str, object], name: str) -> None:
    text = repr(made[name])
    assert text.startswith(name + "(")
    assert len(text.splitlines()) <= 12 and len(text) <= 1000, text
    if name in ("AuctionResult", "BatchAuctionResult", "AssignmentResult", "BatchReport"):
        assert f"[{N}]" in text  # the sizes are named


def test_repr_shows_small_arrays_and_scalars_in_full() -> None:
    res = clearing.double_auction([10.0, 8.0], [1.0, 1.0], [7.0, 9.0], [1.0, 1.0])
    text = repr(res)
    assert "bid_filled=array([1., 0.])" in text and "mechanism='uniform'" in text
    assert "volume=1.0" in text


def _same(a: object, b: object) -> bool:
    """Equal field by field (results have no ``==``); NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ResultBase):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))  # type: ignore[arg-type]
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))  # type: ignore[attr-defined]
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    if isinstance(a, float):
        return a == b or (np.isnan(a) and np.isnan(b))  # type: ignore[arg-type]
    if isinstance(a, clearing.market._tables.Table):
        return a.columns == b.columns and all(_same(a[c], b[c]) for c in a.columns)  # type: ignore[attr-defined]
    if isinstance(a, clearing.Policy):
        return repr(a) == repr(b)
    return a == b


def test_results_pickle_round_trip(made: dict[str, object]) -> None:
    for name, obj in made.items():
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj) is getattr(clearing, name)
        assert _same(obj, back), name
    assert not _same(made["AuctionResult"], made["AssignmentResult"])  # the check can fail


def test_results_are_frozen_and_their_arrays_read_only(made: dict[str, object]) -> None:
    res = made["AuctionResult"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.volume = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        res.bid_filled[0] = 1.0  # type: ignore[attr-defined]
    copy = res.to_dict()["bid_filled"]  # type: ignore[attr-defined]
    copy[0] = -1.0
    assert res.bid_filled[0] != -1.0  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made["ExecutionReport"].filled = 0.0  # type: ignore[attr-defined]


def test_the_per_event_builder_makes_the_same_objects() -> None:
    values = (3, clearing.OrderState.FILLED, clearing.OrderReason.NONE, 2.0, 0.0, (), ((4, 1.0),))
    fast, slow = execution_report(*values), clearing.ExecutionReport(*values)
    assert type(fast) is type(slow) is clearing.ExecutionReport
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow) and repr(fast) == repr(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.order_id = 4  # type: ignore[misc]
    parts = (5, 1, 2, 10.5, 3.0)
    fast_fill, slow_fill = fill(*parts), clearing.Fill(*parts)
    assert type(fast_fill) is clearing.Fill
    assert dataclasses.astuple(fast_fill) == dataclasses.astuple(slow_fill)
    assert repr(fast_fill) == repr(slow_fill)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast_fill.price = 1.0  # type: ignore[misc]
    # a field added to either class must be added to its per-event constructor too
    assert (
        inspect.signature(execution_report).parameters.keys()
        == {f.name: f for f in dataclasses.fields(clearing.ExecutionReport)}.keys()
    )
    assert list(inspect.signature(fill).parameters) == [
        f.name for f in dataclasses.fields(clearing.Fill)
    ]
    with pytest.raises(TypeError, match="__post_init__"):
        builder(clearing.AuctionResult)
