"""Hostile input to :func:`assign`, :func:`assign_batch`, :func:`transport` and
:func:`linear_sum_assignment`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from hostile import (
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

from clearing import (
    InputError,
    assign,
    assign_batch,
    linear_sum_assignment,
    transport,
)

NAMES = {"value", "values", "cost", "forbidden", "prices", "parallel", "demand", "capacity",
         "cost_matrix", "maximize"}  # fmt: skip
RESULT = ("request_index", "provider_index", "welfare", "row_duals", "col_duals", "min_prices",
          "max_prices", "utility", "unmatched", "reason")  # fmt: skip
PRICES = mostly(st.sampled_from(["min", "max", "both", None]), st.sampled_from(["MIN", 1, ""]))


def matrices(shape: tuple[int, ...], plain: float = 0.97) -> st.SearchStrategy[np.ndarray]:
    size = int(np.prod(shape))
    return arrays(st.just(size), plain).map(lambda a: a.reshape(shape))


@st.composite
def problems(draw: Any, batch: int | None = None) -> dict[str, Any]:
    n, m = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    shape = (n, m) if batch is None else (batch, n, m)
    kw: dict[str, Any] = {"value": draw(matrices(shape))}
    if draw(st.integers(0, 999)) < 300:  # forbidden pairs by value
        kw["value"] = np.where(draw(matrices(shape)) > 5, -np.inf, kw["value"])
    how = draw(st.sampled_from(["none", "per_provider", "per_pair"]))
    if how == "per_provider":
        kw["cost"] = draw(matrices((m,)))
    elif how == "per_pair":
        kw["cost"] = draw(matrices(shape[-2:] if draw(st.booleans()) else shape))
    if draw(st.integers(0, 999)) < 250:
        kw["forbidden"] = draw(matrices(shape, plain=1.0)) > 5
    return kw


def surplus(kw: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(surplus, eligible) of a canonical dense input."""
    v = np.asarray(kw["value"], dtype=np.float64)
    c = np.zeros(v.shape[-1]) if kw.get("cost") is None else np.asarray(kw["cost"], float)
    with np.errstate(invalid="ignore", over="ignore"):
        s = v - c
    ok = np.isfinite(s) & (s > 0)
    if kw.get("forbidden") is not None:
        ok &= ~np.asarray(kw["forbidden"], dtype=bool)
    return s, ok


def check_assignment(r: Any, s: np.ndarray, ok: np.ndarray) -> None:
    n, m = s.shape
    assert r.shape == (n, m)
    assert (
        np.all(np.diff(r.request_index) > 0)
        and np.unique(r.provider_index).size == r.provider_index.size
    )
    assert np.all(ok[r.request_index, r.provider_index]), "a pair that is not eligible was served"
    assert finite(r.welfare, r.row_duals, r.col_duals, r.utility)
    w = np.where(ok, s, 0.0)
    scale = 1e-9 * max(1.0, float(np.abs(w).max()) if w.size else 1.0) * max(1, n + m)
    assert abs(r.welfare - w[r.request_index, r.provider_index].sum()) <= scale
    if n and m:  # optimal: the outside option is a zero, so a max-weight matching says it
        rows, cols = scipy.optimize.linear_sum_assignment(w, maximize=True)
        assert r.welfare >= w[rows, cols].sum() - scale
    u, p = r.row_duals, r.col_duals
    assert np.all(u >= 0) and np.all(p >= 0)
    free = np.ones(m, bool)
    free[r.provider_index] = False
    assert np.all(p[free] == 0), "an unmatched provider has a price"
    assert np.all(u[r.unmatched] == 0), "an unmatched request has a utility"
    slack = u[:, None] + p[None, :] - w
    assert np.all(slack[ok] >= -scale), "dual infeasible"
    assert np.all(np.abs(slack[r.request_index, r.provider_index]) <= scale)
    for prices in (r.min_prices, r.max_prices):
        assert prices is None or (finite(prices) and np.all(prices >= 0))
    if r.min_prices is not None and r.max_prices is not None:
        assert np.all(r.min_prices <= r.max_prices + scale)


def _canonical(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: (np.asarray(v, dtype=bool if k == "forbidden" else float)) for k, v in kw.items()}


def _hostile_call(kw: dict[str, Any], data: Any) -> tuple[dict[str, Any], str, bool | None]:
    """``kw`` with one argument in a hostile form; ``None``: may be accepted (a 1-row cost
    given an extra axis broadcasts), and must then give the canonical result."""
    arg = data.draw(st.sampled_from(sorted(kw)))
    base = np.asarray(kw[arg], dtype=float)
    name, given_arg, numeric = data.draw(forms(base))
    must: bool | None = numeric
    if name in ("add_dim", "longer") and arg == "cost":
        must = None
    return {**kw, arg: given_arg}, f"{arg} as {name}", must


@property_test(2, kw=problems(), prices=PRICES, data=st.data())
def test_assign(kw: dict[str, Any], prices: Any, data: Any) -> None:
    call, what, must = _hostile_call(kw, data)
    r = outcome(lambda: assign(**call, prices=prices), NAMES)
    if must is False:
        assert r is None, f"{what} was accepted"
    if r is None:
        return
    s, ok = surplus(kw)
    check_assignment(r, s, ok)
    fields_equal(r, assign(**_canonical(kw), prices=prices), RESULT)


@property_test(1, kw=problems(), prices=PRICES)
def test_assign_sparse(kw: dict[str, Any], prices: Any) -> None:
    """A sparse value: absent entries are forbidden; the optimum equals the dense one's."""
    v = np.asarray(kw["value"])
    csr = sp.csr_array(np.where(np.isneginf(v), 0.0, v))
    dense = np.where(csr.toarray() == 0, -np.inf, csr.toarray()) if v.size else v
    r = outcome(lambda: assign(csr, kw.get("cost"), forbidden=kw.get("forbidden"), prices=prices))
    d = outcome(lambda: assign({**kw, "value": dense}["value"], kw.get("cost"),
                               forbidden=kw.get("forbidden"), prices=prices))  # fmt: skip
    assert (r is None) == (d is None)
    if r is None:
        return
    s, ok = surplus({**kw, "value": dense})
    check_assignment(r, s, ok)
    assert abs(r.welfare - d.welfare) <= 1e-9 * max(1.0, abs(d.welfare))


def _nth(a: Any, i: int, ndim: int) -> Any:
    return a[i] if a is not None and a.ndim == ndim else a


@property_test(1, b=st.integers(0, 3), data=st.data(), prices=PRICES)
def test_assign_batch(b: int, data: Any, prices: Any) -> None:
    kw = data.draw(problems(batch=b))
    values = kw.pop("value")
    kw = {"values": values, **kw}
    call, what, must = _hostile_call(kw, data)
    parallel = data.draw(mostly(st.booleans(), st.sampled_from([1, "no", None])))
    r = outcome(lambda: assign_batch(**call, prices=prices, parallel=parallel), NAMES)
    if must is False:
        assert r is None, f"{what} was accepted"
    if r is None:
        return
    assert r.provider_index.shape == values.shape[:2]
    canon = _canonical(kw)
    for i in range(b):  # the documented promise: result(b) is assign(values[b], ...)
        one = {
            "value": canon["values"][i],
            "cost": _nth(canon.get("cost"), i, 3),
            "forbidden": None if "forbidden" not in canon else canon["forbidden"][i],
        }
        fields_equal(r.result(i), assign(**one, prices=prices), RESULT)


UNITS = mostly(st.sampled_from([0.0, 1.0, 2.0, 3.0]), st.sampled_from(
    [-1.0, 0.5, np.nan, np.inf, 2.0**53, 2.0**60, 1e308, -0.0, 5e-324]), 0.9)  # fmt: skip


@property_test(1.5, kw=problems(), prices=PRICES, data=st.data())
def test_transport(kw: dict[str, Any], prices: Any, data: Any) -> None:
    n, m = np.asarray(kw["value"]).shape
    kw["demand"] = np.array(data.draw(st.lists(UNITS, min_size=n, max_size=n)), dtype=float)
    kw["capacity"] = np.array(data.draw(st.lists(UNITS, min_size=m, max_size=m)), dtype=float)
    call, what, must = _hostile_call(kw, data)
    r = outcome(lambda: transport(**call, prices=prices), NAMES)
    if must is False:
        assert r is None, f"{what} was accepted"
    if r is None:
        return
    s, ok = surplus(kw)
    f = r.quantity
    assert f.dtype == np.int64 and np.all(f >= 0) and np.all(f[~ok] == 0)
    assert np.array_equal(f.sum(axis=1), r.served) and np.array_equal(f.sum(axis=0), r.load)
    assert np.array_equal(r.served + r.unserved, kw["demand"].astype(np.int64))
    assert np.all(r.load <= kw["capacity"])
    assert finite(r.welfare, r.row_duals, r.col_duals)
    w = np.where(ok, s, 0.0)
    assert abs(r.welfare - float((w * f).sum())) <= 1e-9 * max(1.0, float(np.abs(w * f).sum()))
    again = transport(**_canonical(kw), prices=prices)
    assert same(r.quantity, again.quantity) and same(r.welfare, again.welfare)
    assert same(r.col_duals, again.col_duals)


@property_test(1, kw=problems(), prices=PRICES, data=st.data())
def test_transport_sparse(kw: dict[str, Any], prices: Any, data: Any) -> None:
    """A sparse value (absent entries forbidden) gives the dense equivalent's optimum."""
    v = np.asarray(kw["value"])
    n, m = v.shape
    demand = np.array(data.draw(st.lists(UNITS, min_size=n, max_size=n)), dtype=float)
    capacity = np.array(data.draw(st.lists(UNITS, min_size=m, max_size=m)), dtype=float)
    csr = sp.csr_array(np.where(np.isneginf(v), 0.0, v))
    dense = np.where(csr.toarray() == 0, -np.inf, csr.toarray()) if v.size else v
    args = {"cost": kw.get("cost"), "forbidden": kw.get("forbidden"), "prices": prices,
            "demand": demand, "capacity": capacity}  # fmt: skip
    r = outcome(lambda: transport(csr, **args), NAMES)
    d = outcome(lambda: transport(dense, **args), NAMES)
    assert (r is None) == (d is None)
    if r is None:
        return
    assert abs(r.welfare - d.welfare) <= 1e-9 * max(1.0, abs(d.welfare))
    assert np.all(r.load <= capacity) and np.all(r.served <= demand)


MAXIMIZE = mostly(st.booleans(), st.sampled_from([1, "yes", None]))


@property_test(1.5, kw=problems(), maximize=MAXIMIZE, data=st.data())
def test_linear_sum_assignment(kw: dict[str, Any], maximize: Any, data: Any) -> None:
    c = kw["value"]
    if data.draw(st.booleans()):
        c = np.where(np.isneginf(c), np.inf, c)
    name, given_arg, numeric = data.draw(forms(np.asarray(c)))
    got = outcome(lambda: linear_sum_assignment(given_arg, maximize=maximize), NAMES)
    if not numeric or not isinstance(maximize, bool):
        assert got is None, f"cost_matrix as {name} was accepted"
        return
    try:
        want = scipy.optimize.linear_sum_assignment(c, maximize=maximize)
    except ValueError:
        want = None
    if got is None:
        # scipy raises too, or the matrix holds what it silently takes but we reject
        # (an infinity of the wrong sign is an error here, "infeasible" there)
        return
    rows, cols = got
    assert rows.dtype == np.int64 and rows.size == min(c.shape) and np.all(np.diff(rows) > 0)
    assert np.unique(cols).size == cols.size
    total = c[rows, cols].sum()
    assert np.isfinite(total)
    if want is not None:
        best = c[want[0], want[1]].sum()
        scale = 1e-9 * max(1.0, float(np.abs(c[np.isfinite(c)]).max(initial=1.0))) * c.size
        assert (total >= best - scale) if maximize else (total <= best + scale)


def test_ragged_cost_is_an_input_error() -> None:
    """Issue 11, item 3: a ragged cost leaked numpy's ValueError."""
    for call in (
        lambda: assign(np.zeros((2, 2)), cost=[[1, 2], [1]]),
        lambda: assign_batch(np.zeros((1, 2, 2)), cost=[[1, 2], [1]]),
        lambda: transport(np.zeros((2, 2)), cost=[[1, 2], [1]], demand=[1, 1], capacity=[1, 1]),
    ):
        with pytest.raises(InputError) as e:
            call()
        assert e.value.argument == "cost"


@pytest.mark.parametrize("dtype", [object, str])
def test_string_matrices_are_rejected(dtype: Any) -> None:
    """Issue 11, item 4: object matrices of strings were converted to numbers."""
    m = np.array([["1", "2"], ["3", "4"]], dtype=dtype)
    with pytest.raises(InputError) as e:
        assign(m)
    assert e.value.argument == "value"
    with pytest.raises(InputError) as e:
        linear_sum_assignment(m)
    assert e.value.argument == "cost_matrix"


def test_sparse_duals_of_unmatched_providers_are_exactly_zero() -> None:
    """Issue 11, item 5: rounding residue (about 1e-17) was left on unmatched providers."""
    seen = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n, m = rng.integers(2, 30, 2)
        v = sp.random(n, m, density=0.3, random_state=seed, format="csr")
        v.data = rng.normal(size=v.nnz) * 1e3
        r = assign(v, prices=None)
        free = np.ones(m, bool)
        free[r.provider_index] = False
        seen += int(free.any())
        assert np.all(r.col_duals[free] == 0.0)
        assert np.all(r.row_duals[r.unmatched] == 0.0)
        assert np.all(r.col_duals >= 0) and np.all(r.row_duals >= 0)
    assert seen > 10
