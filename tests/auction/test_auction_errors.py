"""Bad input to the double auctions: a clear ``InputError`` naming argument and index.

Empty sides are not errors: they give a valid, empty result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from reference.auction import MECHANISMS

from clearing import InputError, double_auction, double_auction_batch

GOOD = {
    "bid_prices": [5.0, 4.0, 3.0],
    "bid_quantities": [1.0, 2.0, 1.0],
    "ask_prices": [1.0, 2.0],
    "ask_quantities": [1.0, 1.0],
}
ARRAYS = tuple(GOOD)


def _single(**changes: Any) -> Any:
    kwargs = {**GOOD, **changes}
    return double_auction(
        kwargs.pop("bid_prices"),
        kwargs.pop("bid_quantities"),
        kwargs.pop("ask_prices"),
        kwargs.pop("ask_quantities"),
        **kwargs,
    )


def _batch(**changes: Any) -> Any:
    kwargs = {**GOOD, "bid_market": [1, 1, 2], "ask_market": [2, 1], **changes}
    return double_auction_batch(
        kwargs.pop("bid_prices"),
        kwargs.pop("bid_quantities"),
        kwargs.pop("ask_prices"),
        kwargs.pop("ask_quantities"),
        **kwargs,
    )


CALLS = pytest.mark.parametrize("call", [_single, _batch], ids=["single", "batch"])


def _raises(call: Any, argument: str, index: Any = None, **changes: Any) -> InputError:
    with pytest.raises(InputError) as info:
        call(**changes)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.argument == argument, (err.argument, str(err))
    assert argument in str(err)
    if index is not None:
        assert err.index == index, (err.index, str(err))
        assert f"[{index}]" in str(err)
    return err


@CALLS
@pytest.mark.parametrize("name", ["bid_prices", "ask_prices"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_price(call: Any, name: str, bad: float) -> None:
    values = list(GOOD[name])
    values[1] = bad
    _raises(call, name, 1, **{name: values})


@CALLS
@pytest.mark.parametrize("name", ["bid_quantities", "ask_quantities"])
@pytest.mark.parametrize("bad", [-1.0, -1e-300, np.nan, np.inf])
def test_bad_quantity(call: Any, name: str, bad: float) -> None:
    values = list(GOOD[name])
    values[-1] = bad
    _raises(call, name, len(values) - 1, **{name: values})


@CALLS
@pytest.mark.parametrize("name", ARRAYS)
def test_length_mismatch(call: Any, name: str) -> None:
    err = _raises_any(call, **{name: [*GOOD[name], 1.0]})
    pair = {"bid_prices", "bid_quantities"} if name.startswith("bid") else None
    pair = pair or {"ask_prices", "ask_quantities"}
    assert err.argument in pair
    assert all(p in str(err) for p in pair)


def _raises_any(call: Any, **changes: Any) -> InputError:
    with pytest.raises(InputError) as info:
        call(**changes)
    return info.value


@CALLS
@pytest.mark.parametrize("name", ARRAYS)
def test_two_dimensional(call: Any, name: str) -> None:
    err = _raises(call, name, **{name: np.array([GOOD[name]])})
    assert "1-D" in str(err) or "2-D" in str(err)
    _raises(call, name, **{name: 1.0})  # a 0-D scalar is not an array of orders either


@CALLS
@pytest.mark.parametrize("name", ARRAYS)
@pytest.mark.parametrize(
    "bad",
    [
        ["a", "b", "c"],
        np.array(["1.0", "2.0", "3.0"]),
        np.array([1.0, "x", 2.0], dtype=object),
        np.array([1 + 1j, 2 + 0j, 3 + 0j]),
        [None, 1.0, 2.0],
        [[1.0], [2.0, 3.0], [4.0]],
    ],
    ids=["str_list", "str_array", "object_str", "complex", "none", "ragged"],
)
def test_non_numeric_dtype(call: Any, name: str, bad: Any) -> None:
    n = len(GOOD[name])
    _raises(call, name, **{name: bad[:n]})


@CALLS
@pytest.mark.parametrize("mechanism", ["mcafee", "sbba"])
@pytest.mark.parametrize("name", ["bid_quantities", "ask_quantities"])
def test_fractional_quantity_for_unit_mechanisms(call: Any, mechanism: str, name: str) -> None:
    values = list(GOOD[name])
    values[1] = 1.5
    err = _raises(call, name, 1, mechanism=mechanism, **{name: values})
    assert "whole" in str(err)


@CALLS
@pytest.mark.parametrize("mechanism", ["uniform", "huang", "vcg", "pay_as_bid"])
def test_fractional_quantity_is_fine_for_divisible_mechanisms(call: Any, mechanism: str) -> None:
    res = call(mechanism=mechanism, bid_quantities=[0.5, 1.25, 1.0])
    assert np.all(np.asarray(res.bid_filled) <= [0.5, 1.25, 1.0])


@CALLS
@pytest.mark.parametrize("bad", ["Uniform", "vickrey", "", None, 3])
def test_unknown_mechanism(call: Any, bad: Any) -> None:
    err = _raises(call, "mechanism", mechanism=bad)
    for name in MECHANISMS:
        assert repr(name) in str(err) or name in str(err)


@CALLS
@pytest.mark.parametrize("bad", [-0.1, 1.0000001, np.nan, np.inf, -np.inf])
def test_k_outside_unit_interval(call: Any, bad: float) -> None:
    _raises(call, "k", k=bad)


@CALLS
@pytest.mark.parametrize("bad", ["abc", None, [0.5]])
def test_k_not_a_number(call: Any, bad: Any) -> None:
    _raises(call, "k", k=bad)


@CALLS
@pytest.mark.parametrize("bad", ["seed", 1.5, True, np.random.RandomState(0), object()])
def test_bad_rng(call: Any, bad: Any) -> None:
    _raises(call, "rng", mechanism="sbba", rng=bad)


@CALLS
@pytest.mark.parametrize("name", ["bid_priority", "ask_priority"])
def test_bad_priority(call: Any, name: str) -> None:
    n = len(GOOD["bid_prices" if name.startswith("bid") else "ask_prices"])
    values = [0.0] * n
    values[1] = np.nan
    _raises(call, name, 1, **{name: values})
    _raises_any(call, **{name: [0.0] * (n + 1)})
    _raises(call, name, **{name: np.zeros((1, n))})
    _raises(call, name, **{name: ["a"] * n})


@pytest.mark.parametrize("name", ["bid_market", "ask_market"])
@pytest.mark.parametrize("bad", [1.5, np.nan, np.inf])
def test_bad_market_ids(name: str, bad: float) -> None:
    ids = [1.0, 1.0, 2.0] if name == "bid_market" else [2.0, 1.0]
    ids[1] = bad
    _raises(_batch, name, 1, **{name: ids})


@pytest.mark.parametrize("name", ["bid_market", "ask_market"])
def test_bad_market_shape_and_dtype(name: str) -> None:
    n = 3 if name == "bid_market" else 2
    _raises_any(_batch, **{name: [1] * (n + 1)})
    _raises(_batch, name, **{name: np.ones((1, n), dtype=np.int64)})
    _raises(_batch, name, **{name: ["a"] * n})


def test_market_ids_are_required() -> None:
    with pytest.raises(TypeError):
        double_auction_batch([1.0], [1.0], [1.0], [1.0])  # type: ignore[call-arg]


def test_whole_float_market_ids_are_accepted() -> None:
    res = _batch(bid_market=[1.0, 1.0, 2.0], ask_market=[2.0, 1.0])
    np.testing.assert_array_equal(res.market, [1, 2])


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("side", ["bids", "asks", "both"])
def test_empty_sides_give_an_empty_result(mechanism: str, side: str) -> None:
    changes: dict[str, Any] = {}
    if side in ("bids", "both"):
        changes.update(bid_prices=[], bid_quantities=[])
    if side in ("asks", "both"):
        changes.update(ask_prices=[], ask_quantities=np.zeros(0, dtype=np.int64))
    res = _single(mechanism=mechanism, rng=0, **changes)
    assert res.volume == 0.0
    assert np.isnan(res.price) and np.isnan(res.buyer_price) and np.isnan(res.seller_price)
    assert all(np.isnan(res.clearing_range))
    assert res.welfare == 0.0 and res.max_welfare == 0.0 and res.budget_surplus == 0.0
    assert res.efficiency == 1.0
    assert res.trade_bid_index.shape == (0,) and res.trade_quantity.dtype == np.float64
    assert np.all(np.isnan(res.bid_price_paid)) and np.all(np.isnan(res.ask_price_received))
    filled = np.concatenate([res.bid_filled, res.ask_filled])
    assert np.all(filled == 0.0)


def test_errors_do_not_touch_the_inputs() -> None:
    bids = np.array([5.0, np.nan, 3.0])
    before = bids.copy()
    with pytest.raises(InputError):
        double_auction(bids, [1.0, 1.0, 1.0], [1.0], [1.0])
    np.testing.assert_array_equal(bids, before)


def test_integer_and_bool_inputs_are_converted() -> None:
    res = double_auction([5, 4], np.array([True, True]), [1], [2], mechanism="mcafee")
    assert res.bid_filled.dtype == np.float64
    assert res.bid_reason.dtype == np.int8
