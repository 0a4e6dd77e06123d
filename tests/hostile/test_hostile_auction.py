"""Hostile input to :func:`double_auction` and :func:`double_auction_batch`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hostile import (
    INTS,
    arrays,
    fields_equal,
    finite,
    forms,
    mostly,
    outcome,
    property_test,
    same,
)
from hypothesis import strategies as st

from clearing import MECHANISMS, InputError, double_auction, double_auction_batch

ARRAYS = ("bid_prices", "bid_quantities", "ask_prices", "ask_quantities")
NAMES = {*ARRAYS, "bid_priority", "ask_priority", "mechanism", "k", "rng", "bid_market",
         "ask_market", "parallel"}  # fmt: skip
FIELDS = ("bid_filled", "ask_filled", "bid_price_paid", "ask_price_received", "bid_reason",
          "ask_reason", "trade_bid_index", "trade_ask_index", "trade_quantity", "trade_buyer_price",
          "trade_seller_price")  # fmt: skip
SCALARS = ("volume", "price", "buyer_price", "seller_price", "welfare", "max_welfare",
           "efficiency", "budget_surplus")  # fmt: skip
K = mostly(
    st.floats(0, 1),
    st.sampled_from([np.nan, -0.0, 1.0000001, -1e-300, 2**2000, np.inf, "0.5", None, True,
                     np.float32(0.25), np.int8(1), np.timedelta64(1, "D"), 0.5 + 0j]),
)  # fmt: skip
RNG = mostly(
    st.sampled_from([None, 0, 7, 2**70, np.int64(3)]),
    st.sampled_from([-1, -(2**63), 1.5, "seed", True, [], np.timedelta64(2, "s")]),
)


@st.composite
def markets(draw: Any, plain: float = 0.97) -> dict[str, Any]:
    nb = draw(st.integers(0, 6))
    na = draw(st.integers(0, 6))
    kw = {
        "bid_prices": draw(arrays(st.just(nb), plain)),
        "bid_quantities": np.abs(draw(arrays(st.just(nb), plain, units=True))),
        "ask_prices": draw(arrays(st.just(na), plain)),
        "ask_quantities": np.abs(draw(arrays(st.just(na), plain, units=True))),
    }
    if draw(st.integers(0, 999)) < 150:  # sometimes a negative quantity, or a negative zero
        side = draw(st.sampled_from(["bid_quantities", "ask_quantities"]))
        if kw[side].size:
            kw[side][0] = draw(st.sampled_from([-1.0, -0.0, -5e-324]))
    if draw(st.integers(0, 999)) < 250:
        kw["bid_priority"] = draw(arrays(st.just(nb), plain))
        kw["ask_priority"] = draw(arrays(st.just(na), plain))
    return kw


def check_auction(r: Any, kw: dict[str, Any], mechanism: str) -> None:
    """The invariants of every accepted single market."""
    bq, aq = np.asarray(kw["bid_quantities"], float), np.asarray(kw["ask_quantities"], float)
    bp, ap = np.asarray(kw["bid_prices"], float), np.asarray(kw["ask_prices"], float)
    assert finite(r.volume, r.welfare, r.max_welfare, r.efficiency, r.budget_surplus)
    assert finite(r.bid_filled, r.ask_filled, r.trade_quantity)
    tol = 1e-9 * max(1.0, r.volume)
    assert np.all(r.bid_filled >= 0) and np.all(r.bid_filled <= bq + tol)
    assert np.all(r.ask_filled >= 0) and np.all(r.ask_filled <= aq + tol)
    assert abs(r.bid_filled.sum() - r.volume) <= tol and abs(r.ask_filled.sum() - r.volume) <= tol
    assert abs(r.trade_quantity.sum() - r.volume) <= tol
    assert -1e-9 <= r.efficiency <= 1 + 1e-9
    assert r.welfare <= r.max_welfare + 1e-9 * max(1.0, abs(r.max_welfare))
    lo, hi = r.clearing_range
    assert (np.isnan(lo) and np.isnan(hi)) or lo <= hi
    b, a = r.bid_filled > 0, r.ask_filled > 0
    assert np.all(r.bid_price_paid[b] <= bp[b] + 1e-9 * np.abs(bp[b])), "a buyer pays above its bid"
    assert np.all(r.ask_price_received[a] >= ap[a] - 1e-9 * np.abs(ap[a])), "a seller below its ask"
    if mechanism == "uniform" and r.volume > 0:
        assert lo <= r.price <= hi


def _plain(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: np.asarray(v, dtype=np.float64) for k, v in kw.items()}


@property_test(2, kw=markets(), mechanism=st.sampled_from(MECHANISMS), k=K, rng=RNG, data=st.data())
def test_double_auction(kw: dict[str, Any], mechanism: str, k: Any, rng: Any, data: Any) -> None:
    arg = data.draw(st.sampled_from(sorted(kw)))
    name, given_arg, numeric = data.draw(forms(kw[arg]))
    call = {**kw, arg: given_arg}
    r = outcome(lambda: double_auction(**call, mechanism=mechanism, k=k, rng=rng), NAMES)
    if not numeric:
        assert r is None, f"{arg} given as {name} was accepted"
    if r is None:
        return
    check_auction(r, kw, mechanism)
    if mechanism == "sbba" and rng is None:
        return  # a fresh lottery each call
    # whatever the form, the numbers decide: the plain float64 input gives the same result
    again = double_auction(**_plain(kw), mechanism=mechanism, k=k, rng=rng)
    fields_equal(r, again, FIELDS)
    assert all(same(getattr(r, f), getattr(again, f)) for f in SCALARS)


MARKET_IDS = mostly(
    st.integers(-3, 3),
    st.one_of(st.sampled_from(INTS), st.sampled_from([0.5, np.nan, np.inf, 1e300, -2.0, True])),
    0.97,
)


@property_test(1, kw=markets(plain=0.99), mechanism=st.sampled_from(MECHANISMS), data=st.data())
def test_double_auction_batch(kw: dict[str, Any], mechanism: str, data: Any) -> None:
    nb, na = len(kw["bid_prices"]), len(kw["ask_prices"])
    bm = data.draw(st.lists(MARKET_IDS, min_size=nb, max_size=nb))
    am = data.draw(st.lists(MARKET_IDS, min_size=na, max_size=na))
    parallel = data.draw(
        mostly(st.sampled_from([False, True, np.bool_(False)]), st.sampled_from([0, "yes", None]))
    )
    call = {**kw, "bid_market": bm, "ask_market": am}
    arg = data.draw(st.sampled_from(sorted(call)))
    plain = np.asarray(call[arg])
    numeric = True
    if plain.dtype.kind in "iuf" and data.draw(st.integers(0, 999)) < 300:
        _, call[arg], numeric = data.draw(forms(plain))
    r = outcome(
        lambda: double_auction_batch(**call, mechanism=mechanism, rng=1, parallel=parallel),
        NAMES,
    )
    if not numeric:
        assert r is None, f"{arg} given as {call[arg]!r} was accepted"
    if r is None:
        return
    assert isinstance(parallel, bool | np.bool_)
    assert finite(r.volume, r.welfare, r.max_welfare, r.efficiency, r.budget_surplus)
    # each market cleared as double_auction clears it alone (the documented promise)
    ids = r.market.tolist()
    bmk = np.asarray(bm, dtype=object)
    amk = np.asarray(am, dtype=object)
    for j, m in enumerate(ids):
        sub = {
            "bid_prices": np.asarray(kw["bid_prices"])[bmk == m],
            "bid_quantities": np.asarray(kw["bid_quantities"])[bmk == m],
            "ask_prices": np.asarray(kw["ask_prices"])[amk == m],
            "ask_quantities": np.asarray(kw["ask_quantities"])[amk == m],
        }
        if "bid_priority" in kw:
            sub["bid_priority"] = np.asarray(kw["bid_priority"])[bmk == m]
            sub["ask_priority"] = np.asarray(kw["ask_priority"])[amk == m]
        if mechanism == "sbba":
            continue  # one draw per market from a shared generator: compared elsewhere
        alone = double_auction(**sub, mechanism=mechanism)
        assert same(r.volume[j], alone.volume) and same(r.welfare[j], alone.welfare)
        assert same(r.price[j], alone.price)


def test_overflowing_totals_are_input_errors() -> None:
    """Issue 11, item 2: the sums that overflowed gave volume 0 with lo > hi, welfare inf."""
    with pytest.raises(InputError, match="total of bid_quantities") as e:
        double_auction([10, 10], [1e308, 1e308], [5, 5], [1e308, 1e308])
    assert e.value.argument == "bid_quantities"
    with pytest.raises(InputError, match="prices must lie within") as e:
        double_auction([1e308], [3], [1], [1e300])
    assert e.value.argument == "bid_prices"
    with pytest.raises(InputError, match="total value of ask_quantities") as e:
        double_auction([10], [1], [1e200], [1e200])
    assert e.value.argument == "ask_quantities"
    with pytest.raises(InputError) as e:
        double_auction_batch([10, 10], [1e308, 1e308], [5, 5], [1e308, 1e308],
                             bid_market=[0, 1], ask_market=[0, 1])  # fmt: skip
    assert e.value.argument == "bid_quantities"
    # at the limit itself everything is finite
    r = double_auction([1e300], [1.0], [-1e300], [1.0])
    assert r.volume == 1 and finite(r.welfare, r.price, r.efficiency) and r.welfare == 2e300


def test_non_numbers_are_not_coerced() -> None:
    """Issue 11, item 4: object arrays of strings and dates traded at 9.0 and 9135."""
    import pandas as pd

    for bad in (
        np.array(["10", "8"], dtype=object),
        pd.Series([np.datetime64("1995-01-05"), 8], dtype=object),
        np.array([10, "8"], dtype=object),
        np.array([10, None], dtype=object),
        np.array([10, 8 + 0j], dtype=object),
    ):
        with pytest.raises(InputError, match="must hold numbers") as e:
            double_auction(bad, [1, 1], [4], [1])
        assert e.value.argument == "bid_prices"
    r = double_auction(np.array([10, 8.0, np.int16(3), True], dtype=object), [1] * 4, [4], [1])
    assert r.volume == 1.0


@pytest.mark.parametrize("rng", [-1, -(2**63), np.int64(-5)])
def test_negative_seed_is_an_input_error(rng: Any) -> None:
    """Issue 11, item 3: a negative seed leaked numpy's ValueError."""
    with pytest.raises(InputError) as e:
        double_auction([10], [1], [5], [1], mechanism="sbba", rng=rng)
    assert e.value.argument == "rng"
