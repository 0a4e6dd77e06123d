"""clearing.transport against the LP optimum (HiGHS), integrality and competitive prices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.assignment import (
    check_competitive,
    eligible_surplus,
    price_bounds_lp,
    transport_lp,
)

from clearing import AssignmentReason, InputError, TransportResult, assign, transport


def _instance(seed: int, n: int, m: int, ties: bool) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    value = rng.integers(0, 5, (n, m)).astype(float) if ties else rng.normal(1, 1, (n, m))
    value[rng.random((n, m)) < 0.2] = -np.inf
    cost = rng.random(m) * 0.5
    demand = rng.integers(0, 4, n)
    capacity = rng.integers(0, 5, m)
    return value, cost, demand, capacity


def _check(res: TransportResult, w: np.ndarray, demand: np.ndarray, capacity: np.ndarray) -> None:
    flow = res.quantity if isinstance(res.quantity, np.ndarray) else res.quantity.toarray()
    assert flow.dtype == np.int64 and (flow >= 0).all()
    assert (flow[~np.isfinite(w)] == 0).all()
    assert (flow.sum(axis=1) <= demand).all() and (flow.sum(axis=0) <= capacity).all()
    np.testing.assert_array_equal(res.served, flow.sum(axis=1))
    np.testing.assert_array_equal(res.served + res.unserved, demand)
    np.testing.assert_array_equal(res.load, flow.sum(axis=0))
    np.testing.assert_array_equal(res.unmatched, np.flatnonzero(res.unserved))
    assert res.welfare == pytest.approx(float((np.where(flow > 0, w, 0) * flow).sum()), abs=1e-9)
    assert res.welfare == pytest.approx(transport_lp(w, demand, capacity), abs=1e-7)
    for p in (res.min_prices, res.max_prices):
        assert p is not None
        check_competitive(w, flow, demand, capacity, p)
    assert res.min_prices is not None and res.max_prices is not None
    assert (res.min_prices <= res.max_prices + 1e-12).all()
    # request-optimal duals are an optimal dual solution
    dual = demand @ res.row_duals + capacity @ res.col_duals
    assert dual == pytest.approx(res.welfare, abs=1e-7 * max(1.0, res.welfare))


@given(
    st.integers(0, 7),
    st.integers(0, 6),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
@settings(max_examples=40)
def test_equals_linprog_with_price_bounds(n: int, m: int, seed: int, ties: bool) -> None:
    value, cost, demand, capacity = _instance(seed, n, m, ties)
    res = transport(value, cost, demand=demand, capacity=capacity, prices="both")
    w = eligible_surplus(value, cost)
    _check(res, w, demand, capacity)
    if n and m:
        lo, hi = price_bounds_lp(w, demand, capacity, res.welfare)
        assert res.min_prices is not None and res.max_prices is not None
        np.testing.assert_allclose(res.min_prices, lo, atol=1e-6)
        np.testing.assert_allclose(res.max_prices, hi, atol=1e-6)


@pytest.mark.parametrize("shape", [(200, 10), (50, 50), (10, 120), (40, 600)])
def test_larger_instances(shape: tuple[int, int]) -> None:
    n, m = shape
    rng = np.random.default_rng(n + 7 * m)
    value = rng.random((n, m))
    value[rng.random((n, m)) < 0.3] = -np.inf
    demand = rng.integers(0, 6, n)
    capacity = rng.integers(0, 30, m)
    res = transport(value, np.full(m, 0.2), demand=demand, capacity=capacity, prices="both")
    _check(res, eligible_surplus(value, np.full(m, 0.2)), demand, capacity)


@pytest.mark.parametrize(("n", "m", "top"), [(2000, 3, 3), (1000, 12, 5), (500, 40, 100)])
def test_tall_tie_heavy(n: int, m: int, top: int) -> None:
    # few providers, many requests, small integer values: the provider-graph searches with
    # many equal hop lengths (several requests shipping on a provider tie for the cheapest)
    rng = np.random.default_rng(n + m)
    value = rng.integers(0, top, (n, m)).astype(float)
    value[rng.random((n, m)) < 0.1] = -np.inf
    demand = rng.integers(0, 4, n)
    capacity = np.full(m, int(demand.sum() * 0.9) // m)
    res = transport(value, np.full(m, 0.5), demand=demand, capacity=capacity, prices="both")
    _check(res, eligible_surplus(value, np.full(m, 0.5)), demand, capacity)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("top", [2, 10, 100])
def test_many_providers_integer_ties(top: int, sparse: bool) -> None:
    # more providers than the provider-graph limit, integer values: many columns tie at
    # the shortest distance; the optimum is scipy's assignment (every value is positive).
    # Dense input takes the unit-copies route, sparse input the CSR search with its heap.
    from scipy.optimize import linear_sum_assignment as scipy_lsa

    n = 700
    value = np.random.default_rng(top).integers(1, top + 1, (n, n)).astype(float)
    given = sp.csr_array(value) if sparse else value
    res = transport(given, demand=np.ones(n), capacity=np.ones(n), prices=None)
    r, c = scipy_lsa(value, maximize=True)
    assert res.welfare == value[r, c].sum()
    flow = res.quantity.toarray() if sparse else np.asarray(res.quantity)
    assert (flow.sum(axis=0) == 1).all() and (flow.sum(axis=1) == 1).all()
    assert (res.row_duals[:, None] + res.col_duals[None, :] >= value - 1e-9).all()


@pytest.mark.parametrize("seed", range(3))
def test_solver_duals_without_prices(seed: int) -> None:
    value, cost, demand, capacity = _instance(seed + 100, 60, 8, ties=True)
    res = transport(value, cost, demand=demand, capacity=capacity, prices=None)
    assert res.min_prices is None and res.max_prices is None
    w = eligible_surplus(value, cost)
    u, p = res.row_duals, res.col_duals
    assert (u >= 0).all() and (p >= 0).all()
    fin = np.isfinite(w) & (capacity[None, :] > 0)
    assert ((u[:, None] + p[None, :])[fin] >= w[fin] - 1e-9).all()
    assert demand @ u + capacity @ p == pytest.approx(res.welfare, abs=1e-8)


def test_unit_demand_equals_assign() -> None:
    rng = np.random.default_rng(11)
    value = rng.normal(1, 1, (30, 20))
    res = transport(value, demand=np.ones(30), capacity=np.ones(20), prices="both")
    ref = assign(value, prices="both")
    assert res.welfare == pytest.approx(ref.welfare, abs=1e-9)
    assert res.min_prices is not None and ref.min_prices is not None
    np.testing.assert_allclose(res.min_prices, ref.min_prices, atol=1e-9)
    assert res.max_prices is not None and ref.max_prices is not None
    np.testing.assert_allclose(res.max_prices, ref.max_prices, atol=1e-9)


def test_sparse_flow_and_frame() -> None:
    value = sp.csr_array(np.array([[5.0, 0.0, 3.0], [0.0, 4.0, 4.0]]))
    res = transport(value, demand=[3, 2], capacity=[2, 1, 5])
    assert sp.issparse(res.quantity)
    assert res.quantity.toarray().tolist() == [[2, 0, 1], [0, 1, 1]]
    df = res.to_pandas()
    assert df[["request", "provider", "quantity"]].values.tolist() == [
        [0, 0, 2],
        [0, 2, 1],
        [1, 1, 1],
        [1, 2, 1],
    ]
    dense = transport(value.toarray(), demand=[3, 2], capacity=[2, 1, 5])
    assert dense.to_pandas().equals(df)


def test_reasons() -> None:
    value = np.array([[5.0, -np.inf], [-np.inf, -np.inf], [1.0, -np.inf], [4.0, -np.inf]])
    res = transport(value, cost=[2.0, 0.0], demand=[1, 1, 1, 1], capacity=[1, 1])
    assert res.unmatched.tolist() == [1, 2, 3]
    assert res.reason[res.unmatched].tolist() == [
        AssignmentReason.NO_ELIGIBLE_PROVIDER,
        AssignmentReason.NEGATIVE_SURPLUS,
        AssignmentReason.LOST_TO_COMPETITION,
    ]
    assert res.reason[0] == AssignmentReason.MATCHED


def test_empty_and_zero_units() -> None:
    res = transport(np.zeros((0, 2)), demand=[], capacity=[1, 1])
    assert res.quantity.shape == (0, 2) and res.welfare == 0.0
    res = transport(np.ones((2, 2)), demand=[0, 0], capacity=[0, 3])
    assert res.quantity.sum() == 0 and res.unmatched.size == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"demand": [1, -1], "capacity": [1]}, r"demand\[1\] is -1.0"),
        ({"demand": [1, 1.5], "capacity": [1]}, "whole"),
        ({"demand": [1, np.nan], "capacity": [1]}, "NaN"),
        ({"demand": [1], "capacity": [1]}, "demand has length 1, expected 2"),
        ({"demand": [1, 1], "capacity": [1, 2]}, "capacity has length 2"),
        ({"demand": [[1, 1]], "capacity": [1]}, "1-D"),
        ({"demand": ["a", "b"], "capacity": [1]}, "numbers"),
        ({"demand": [1, 1], "capacity": [np.inf]}, r"\+inf"),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        transport(np.ones((2, 1)), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("sparse", [False, True])
def test_total_that_overflows_is_an_error(sparse: bool) -> None:
    """Each surplus is allowed, but times a billion units the total is not finite."""
    value = np.array([[1e300, 2e299]])
    with pytest.raises(InputError, match=r"total surplus .* overflows"):
        transport(sp.csr_array(value) if sparse else value, demand=[10**9], capacity=[10**9, 5])
    res = transport(value, demand=[10], capacity=[10, 5])
    assert res.welfare == 1e301


@given(
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
@settings(max_examples=40)
def test_unit_copies_route_equals_the_csr_route(n: int, m: int, seed: int, ties: bool) -> None:
    """Dense input with small demands and capacities is solved as an assignment of unit
    copies (tall, wide, zero units, forbidden pairs): the LP optimum, optimal solver duals
    (0 where units are left), and the competitive prices of the flow."""
    from clearing.assignment._solve import dense_copies_fit

    value, cost, demand, capacity = _instance(seed, n, m, ties)
    demand = np.minimum(demand, 2)
    capacity = np.minimum(capacity, 2)
    assert dense_copies_fit(demand.astype(np.int64), capacity.astype(np.int64))
    w = eligible_surplus(value, cost)
    dense = transport(value, cost, demand=demand, capacity=capacity, prices=None)
    flow = np.asarray(dense.quantity)
    assert dense.welfare == pytest.approx(transport_lp(w, demand, capacity), abs=1e-7)
    assert (flow[~np.isfinite(w)] == 0).all()
    np.testing.assert_array_equal(dense.load, flow.sum(axis=0))
    np.testing.assert_array_equal(dense.served, flow.sum(axis=1))
    u, p = dense.row_duals, dense.col_duals
    assert (u >= 0).all() and (p >= 0).all()
    fin = np.isfinite(w) & (capacity[None, :] > 0)
    assert ((u[:, None] + p[None, :])[fin] >= w[fin] - 1e-9).all()
    assert (u[dense.unserved > 0] == 0).all() and (p[dense.load < capacity] == 0).all()
    assert demand @ u + capacity @ p == pytest.approx(dense.welfare, abs=1e-8)
    priced = transport(value, cost, demand=demand, capacity=capacity, prices="both")
    _check(priced, w, demand, capacity)


def test_unit_copies_route_is_deterministic_on_ties() -> None:
    value = np.random.default_rng(3).integers(1, 4, (120, 60)).astype(float)
    demand, capacity = np.ones(120), np.full(60, 2)
    first = transport(value, demand=demand, capacity=capacity, prices=None)
    again = transport(value, demand=demand, capacity=capacity, prices=None)
    np.testing.assert_array_equal(first.quantity, again.quantity)
    np.testing.assert_array_equal(first.col_duals, again.col_duals)
    assert first.welfare == pytest.approx(transport_lp(value, demand, capacity), abs=1e-9)
