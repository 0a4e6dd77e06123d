"""clearing.linear_sum_assignment against scipy and brute force; scipy's error contract."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given
from hypothesis import strategies as st
from reference.assignment import brute_lsap

from clearing import InfeasibleError, InputError, linear_sum_assignment
from clearing._kernels.assignment.lap import lap_dense


def _check_pairs(cost: np.ndarray, r: np.ndarray, c: np.ndarray) -> None:
    n, m = cost.shape
    assert r.dtype == np.int64 and c.dtype == np.int64
    assert len(r) == len(c) == min(n, m)
    assert (np.diff(r) > 0).all()
    assert len(set(c.tolist())) == len(c)


def _random_cost(rng: np.random.Generator, n: int, m: int, kind: str) -> np.ndarray:
    if kind == "ties":
        cost = rng.integers(0, 3, (n, m)).astype(float)
    elif kind == "binary":
        cost = (rng.random((n, m)) < 0.5).astype(float)
    elif kind == "int10":
        cost = rng.integers(1, 11, (n, m)).astype(float)
    elif kind == "int":
        cost = rng.integers(-50, 50, (n, m)).astype(float)
    elif kind == "int1000":  # few rows share a cheap column: long searches at one distance
        cost = rng.integers(1, 1001, (n, m)).astype(float)
    else:
        cost = rng.random((n, m))
    if kind == "forbidden":
        cost[rng.random((n, m)) < 0.4] = np.inf
    return cost


@pytest.mark.parametrize(
    "kind", ["float", "ties", "int", "forbidden", "binary", "int10", "int1000"]
)
@pytest.mark.parametrize(
    "shape", [(30, 30), (20, 45), (45, 20), (1, 9), (9, 1), (64, 64), (300, 300), (300, 150)]
)
@pytest.mark.parametrize("maximize", [False, True])
def test_matches_scipy(kind: str, shape: tuple[int, int], maximize: bool) -> None:
    rng = np.random.default_rng(zlib.crc32(repr((kind, shape, maximize)).encode()))
    for _ in range(5):
        cost = _random_cost(rng, *shape, kind)
        if maximize:
            cost = -cost
        try:
            r0, c0 = scipy.optimize.linear_sum_assignment(cost, maximize=maximize)
        except ValueError:
            with pytest.raises(ValueError, match="infeasible"):
                linear_sum_assignment(cost, maximize=maximize)
            continue
        r, c = linear_sum_assignment(cost, maximize=maximize)
        _check_pairs(cost, r, c)
        assert cost[r, c].sum() == pytest.approx(cost[r0, c0].sum(), abs=1e-9)


@pytest.mark.parametrize("kind", ["float", "ties", "binary", "int10", "int1000", "forbidden"])
@pytest.mark.parametrize("shape", [(200, 200), (120, 250), (1, 40), (400, 400)])
def test_kernel_duals_are_optimal(kind: str, shape: tuple[int, int]) -> None:
    """lap_dense's duals prove its optimum on tie-heavy costs: feasible, tight on the
    assigned pairs; rectangular: ``v <= 0``, and ``v == 0`` on unassigned columns."""
    rng = np.random.default_rng(zlib.crc32(repr((kind, shape)).encode()))
    cost = _random_cost(rng, *shape, kind)
    n, m = shape
    x, y = np.empty(n, np.int64), np.empty(m, np.int64)
    u, v = np.empty(n), np.empty(m)
    status = lap_dense(cost, x, y, u, v)
    try:
        r0, c0 = scipy.optimize.linear_sum_assignment(cost)
    except ValueError:
        assert status == 1
        return
    assert status == 0
    assert sorted(x.tolist()) == sorted(set(x.tolist())) and (x >= 0).all()
    assert (y[x] == np.arange(n)).all() and (y >= 0).sum() == n
    assert cost[np.arange(n), x].sum() == pytest.approx(cost[r0, c0].sum(), abs=1e-9)
    slack = np.where(np.isinf(cost), 0.0, cost - u[:, None] - v[None, :])
    assert slack.min() >= -1e-9
    np.testing.assert_allclose(slack[np.arange(n), x], 0.0, atol=1e-9)
    if n < m:  # (square problems start from the column minima)
        assert (v <= 1e-12).all()
        assert (v[y < 0] == 0.0).all()


def test_brute_force_every_shape_up_to_7() -> None:
    rng = np.random.default_rng(7)
    for n in range(8):
        for m in range(8):
            for kind in ("float", "ties", "forbidden", "binary"):
                cost = _random_cost(rng, n, m, kind)
                ref = brute_lsap(cost)
                if ref is None:
                    with pytest.raises(InfeasibleError):
                        linear_sum_assignment(cost)
                    continue
                r, c = linear_sum_assignment(cost)
                _check_pairs(cost, r, c)
                assert cost[r, c].sum() == pytest.approx(ref, abs=1e-9)


@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["float", "ties", "forbidden", "binary", "int10"]),
)
def test_property_brute_force(n: int, m: int, seed: int, kind: str) -> None:
    cost = _random_cost(np.random.default_rng(seed), n, m, kind)
    ref = brute_lsap(-cost, maximize=True)
    try:
        r, c = linear_sum_assignment(np.where(np.isinf(cost), -np.inf, -cost), maximize=True)
    except InfeasibleError:
        assert ref is None
        return
    assert ref is not None
    assert -cost[r, c].sum() == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0), (0, 3)])
def test_empty(shape: tuple[int, int]) -> None:
    r, c = linear_sum_assignment(np.zeros(shape))
    assert r.shape == c.shape == (0,) and r.dtype == np.int64


def test_infeasible_like_scipy() -> None:
    cost = np.array([[np.inf, np.inf], [1.0, 2.0]])
    with pytest.raises(ValueError, match="infeasible"):
        scipy.optimize.linear_sum_assignment(cost)
    with pytest.raises(ValueError, match="infeasible"):
        linear_sum_assignment(cost)
    with pytest.raises(InfeasibleError):
        linear_sum_assignment(np.array([[1.0, np.inf], [2.0, np.inf]]))
    with pytest.raises(InfeasibleError):
        linear_sum_assignment(-cost, maximize=True)


def test_int_and_bool_input() -> None:
    _, c = linear_sum_assignment([[1, 0], [0, 1]])
    assert c.tolist() == [1, 0]
    _r, c = linear_sum_assignment(np.eye(3, dtype=bool), maximize=True)
    assert c.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("cost", "maximize", "match"),
    [
        ([[1.0, np.nan]], False, r"cost_matrix\[0, 1\] is nan"),
        ([[1.0, -np.inf]], False, r"-inf"),
        ([[1.0, np.inf]], True, r"\+inf"),
        ([1.0, 2.0], False, "2-D"),
        (np.zeros((2, 2, 2)), False, "2-D"),
        ([["a", "b"]], False, "numbers"),
        (np.array([[1 + 1j]]), False, "numbers"),
        ([[1.0]], "yes", "maximize"),
    ],
)
def test_bad_input(cost: object, maximize: object, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        linear_sum_assignment(cost, maximize=maximize)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize(
    "cost",
    [
        [[1e308, 1e308], [1e308, -1e308]],  # finite entries whose sum overflows
        [[np.inf, 1.0], [2.0, np.inf]],  # allowed infinities only
    ],
)
def test_non_finite_sums_take_the_exact_check(cost: list[list[float]], maximize: bool) -> None:
    c = np.array(cost)
    if maximize:
        c = -c
    r0, c0 = scipy.optimize.linear_sum_assignment(c, maximize=maximize)
    r, col = linear_sum_assignment(c, maximize=maximize)
    assert c[r, col].sum() == c[r0, c0].sum()


@pytest.mark.parametrize("maximize", [False, True])
def test_nan_and_wrong_infinity_found_behind_allowed_ones(maximize: bool) -> None:
    sign = -1.0 if maximize else 1.0
    cost = sign * np.array([[np.inf, -np.inf, 1.0], [2.0, 3.0, 4.0]])  # inf - inf sums to nan
    with pytest.raises(InputError, match=r"cost_matrix\[0, 1\]"):
        linear_sum_assignment(cost, maximize=maximize)
    cost = sign * np.array([[np.inf, 1.0], [2.0, np.nan]])
    with pytest.raises(InputError, match=r"cost_matrix\[1, 1\] is nan"):
        linear_sum_assignment(cost, maximize=maximize)


@pytest.mark.parametrize("n", [2, 1030])  # each entry tested (small), or a sum first (large)
def test_finiteness_check_at_either_size(n: int) -> None:
    cost = np.ones((n, n))
    cost[1, 0] = np.nan
    with pytest.raises(InputError, match=r"cost_matrix\[1, 0\] is nan"):
        linear_sum_assignment(cost)
    cost[1, 0] = -np.inf
    with pytest.raises(InputError, match=r"-inf"):
        linear_sum_assignment(cost)
    with pytest.raises(InputError, match=r"\+inf"):
        linear_sum_assignment(-cost, maximize=True)
    cost[1, 0] = np.inf  # allowed, as are finite entries whose sum overflows
    cost[0, 1] = 1e308
    cost[0, 0] = 1e308
    r0, c0 = scipy.optimize.linear_sum_assignment(cost)
    r, c = linear_sum_assignment(cost)
    assert cost[r, c].sum() == cost[r0, c0].sum()


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("shape", [(4, 4), (4, 2), (2, 4), (5, 1), (1, 5)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_input_is_left_unchanged(maximize: bool, shape: tuple[int, int], order: str) -> None:
    cost = np.asarray(np.random.default_rng(5).random(shape), order=order)
    before = cost.copy()
    r, c = linear_sum_assignment(cost, maximize=maximize)
    r0, c0 = scipy.optimize.linear_sum_assignment(before, maximize=maximize)
    assert np.array_equal(cost, before)
    assert cost[r, c].sum() == pytest.approx(before[r0, c0].sum(), abs=1e-12)
