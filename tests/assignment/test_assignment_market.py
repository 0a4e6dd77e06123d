"""clearing.assign: optimality, duals, competitive prices, VCG, sparse input, reasons."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.assignment import (
    brute_market,
    check_competitive,
    eligible_surplus,
    first_bad_entry,
    flow_from_pairs,
    max_prices_by_removal,
    vcg_min_prices,
)

from clearing import AssignmentReason, AssignmentResult, InputError, assign


def _instance(seed: int, n: int, m: int, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "ties":
        value = rng.integers(0, 4, (n, m)).astype(float)
        cost = rng.integers(0, 2, m).astype(float)
    elif kind == "binary":  # 0/1 eligibility: every eligible pair is worth the same
        value = (rng.random((n, m)) < 0.5).astype(float)
        cost = np.zeros(m)
    elif kind == "int10":
        value = rng.integers(1, 11, (n, m)).astype(float)
        cost = np.zeros(m)
    else:
        value = rng.normal(1.0, 1.0, (n, m))
        cost = rng.random(m)
    forbidden = rng.random((n, m)) < (0.3 if kind == "forbidden" else 0.0)
    return value, cost, forbidden


def _check(res: AssignmentResult, w: np.ndarray) -> None:
    n, m = w.shape
    r, c = res.request_index, res.provider_index
    assert res.shape == (n, m)
    assert (np.diff(r) > 0).all() and len(set(c.tolist())) == len(c)
    assert np.isfinite(w[r, c]).all() and (w[r, c] > 0).all()
    assert res.welfare == pytest.approx(w[r, c].sum(), abs=1e-9)
    assert sorted(r.tolist() + res.unmatched.tolist()) == list(range(n))
    tol = 1e-7 * max(1.0, np.abs(w[np.isfinite(w)]).max(initial=0.0))
    # complementary slackness of the duals
    u, p = res.row_duals, res.col_duals
    assert (u >= -tol).all() and (p >= -tol).all()
    fin = np.isfinite(w)
    assert ((u[:, None] + p[None, :])[fin] >= w[fin] - tol).all()
    assert np.allclose(u[r] + p[c], w[r, c], atol=tol)
    assert np.allclose(u[res.unmatched], 0.0, atol=tol)
    unmatched_cols = np.setdiff1d(np.arange(m), c)
    assert np.allclose(p[unmatched_cols], 0.0, atol=tol)
    assert u.sum() + p.sum() == pytest.approx(res.welfare, abs=1e-7 * max(1.0, res.welfare))
    np.testing.assert_allclose(res.utility, u)


@pytest.mark.parametrize("kind", ["float", "ties", "forbidden", "binary", "int10"])
def test_brute_force_every_shape_up_to_7(kind: str) -> None:
    for n in range(8):
        for m in range(8):
            value, cost, forbidden = _instance(97 * n + m, n, m, kind)
            res = assign(value, cost, forbidden=forbidden, prices="both")
            w = eligible_surplus(value, cost, forbidden)
            assert res.welfare == pytest.approx(brute_market(w), abs=1e-9)
            _check(res, w)


@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["float", "ties", "forbidden", "binary", "int10"]),
    st.booleans(),
)
@settings(max_examples=60)
def test_prices_equal_vcg_and_marginal_products(
    n: int, m: int, seed: int, kind: str, sparse: bool
) -> None:
    value, cost, forbidden = _instance(seed, n, m, kind)
    if sparse:  # absent entries are forbidden: store every allowed entry
        value_in = sp.csr_array(
            (
                value[~forbidden],
                np.nonzero(~forbidden)[1],
                np.r_[0, np.cumsum((~forbidden).sum(1))],
            ),
            shape=(n, m),
        )
        res = assign(value_in, cost, prices="both")
    else:
        res = assign(value, cost, forbidden=forbidden, prices="both")
    w = eligible_surplus(value, cost, forbidden)
    assert res.min_prices is not None and res.max_prices is not None
    np.testing.assert_allclose(
        res.min_prices, vcg_min_prices(w, res.request_index, res.provider_index), atol=1e-9
    )
    np.testing.assert_allclose(
        res.max_prices, max_prices_by_removal(w, res.provider_index), atol=1e-9
    )
    assert (res.min_prices <= res.max_prices + 1e-12).all()
    flow = flow_from_pairs((n, m), res.request_index, res.provider_index)
    for p in (res.min_prices, res.max_prices):
        check_competitive(w, flow, np.ones(n, np.int64), np.ones(m, np.int64), p)


@pytest.mark.parametrize("kind", ["forbidden", "binary", "int10", "ties"])
@pytest.mark.parametrize("shape", [(60, 60), (40, 90), (90, 40), (200, 200)])
@pytest.mark.parametrize("sparse", [False, True])
def test_larger_against_scipy_and_competitive(
    shape: tuple[int, int], kind: str, sparse: bool
) -> None:
    import scipy.optimize

    n, m = shape
    value, cost, forbidden = _instance(n * 1000 + m, n, m, kind)
    if sparse:  # every allowed entry stored, the rest absent (forbidden)
        keep = ~forbidden
        value_in = sp.csr_array(
            (value[keep], np.nonzero(keep)[1], np.r_[0, np.cumsum(keep.sum(1))]), shape=(n, m)
        )
        res = assign(value_in, cost, prices="both")
    else:
        res = assign(value, cost, forbidden=forbidden, prices="both")
    w = eligible_surplus(value, cost, forbidden)
    # scipy on the padded problem: every request may also take a private outside option
    big = np.full((n, m + n), -1e9)
    big[:, :m] = np.where(np.isfinite(w), w, -1e9)
    big[np.arange(n), m + np.arange(n)] = 0.0
    r0, c0 = scipy.optimize.linear_sum_assignment(big, maximize=True)
    assert res.welfare == pytest.approx(big[r0, c0].sum(), abs=1e-8)
    _check(res, w)
    flow = flow_from_pairs(shape, res.request_index, res.provider_index)
    assert res.min_prices is not None and res.max_prices is not None
    for p in (res.min_prices, res.max_prices):
        check_competitive(w, flow, np.ones(n, np.int64), np.ones(m, np.int64), p)
    assert (res.min_prices <= res.max_prices + 1e-12).all()


@pytest.mark.parametrize("fmt", ["csr_array", "csc_array", "csr_matrix", "csc_matrix"])
def test_sparse_equals_dense(fmt: str) -> None:
    rng = np.random.default_rng(3)
    n, m = 40, 30
    dense = rng.random((n, m)) * 2 - 0.5
    mask = rng.random((n, m)) < 0.25
    value = getattr(sp, fmt)(np.where(mask, dense, 0.0))
    value_dense = np.where(mask, dense, -np.inf)
    cost = rng.random(m) * 0.3
    a = assign(value, cost, prices="both")
    b = assign(value_dense, cost, prices="both")
    assert a.welfare == pytest.approx(b.welfare, abs=1e-9)
    assert a.min_prices is not None and b.min_prices is not None
    assert a.max_prices is not None and b.max_prices is not None
    np.testing.assert_allclose(a.min_prices, b.min_prices, atol=1e-9)
    np.testing.assert_allclose(a.max_prices, b.max_prices, atol=1e-9)
    np.testing.assert_array_equal(a.reason, b.reason)
    _check(a, eligible_surplus(value_dense, cost))


@pytest.mark.parametrize("seed", range(4))
def test_sparse_solver_duals_without_prices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 300, 200
    dense = np.where(rng.random((n, m)) < 0.05, rng.integers(1, 20, (n, m)).astype(float), 0.0)
    value = sp.csr_array(dense)
    res = assign(value, cost=np.full(m, 4.0), prices=None)
    w = eligible_surplus(np.where(dense > 0, dense, -np.inf), np.full(m, 4.0))
    assert res.min_prices is None
    _check(res, w)
    ref = assign(np.where(dense > 0, dense, -np.inf), np.full(m, 4.0), prices="min")
    assert res.welfare == pytest.approx(ref.welfare, abs=1e-9)


def test_sparse_explicit_zero_is_allowed_and_forbidden_mask() -> None:
    value = sp.csr_array((np.array([0.0, 5.0]), np.array([0, 1]), np.array([0, 1, 2])), (2, 2))
    res = assign(value, cost=[-1.0, 1.0])
    assert res.request_index.tolist() == [0, 1] and res.provider_index.tolist() == [0, 1]
    res = assign(value, cost=[-1.0, 1.0], forbidden=sp.csr_array(np.array([[1, 0], [0, 0]])))
    assert res.request_index.tolist() == [1]
    assert res.reason.tolist() == [AssignmentReason.NO_ELIGIBLE_PROVIDER, AssignmentReason.MATCHED]


def test_reasons_and_per_pair_cost() -> None:
    value = np.array([[5.0, 4.0], [6.0, 1.0], [1.0, 1.0], [-np.inf, -np.inf], [9.0, 2.0]])
    cost = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 3.0], [0.0, 0.0], [np.inf, 0.0]])
    res = assign(value, cost)
    assert res.request_index.tolist() == [0, 1] and res.provider_index.tolist() == [1, 0]
    reasons = dict(zip(res.unmatched.tolist(), res.reason[res.unmatched].tolist(), strict=True))
    assert reasons == {
        2: AssignmentReason.NEGATIVE_SURPLUS,
        3: AssignmentReason.NO_ELIGIBLE_PROVIDER,
        4: AssignmentReason.LOST_TO_COMPETITION,
    }
    assert res.welfare == 8.0


def test_prices_option_and_frames() -> None:
    value = np.array([[3.0, 1.0], [2.0, 2.0]])
    res = assign(value, prices=None)
    assert res.min_prices is None and res.max_prices is None
    res = assign(value, prices="max")
    assert res.min_prices is None and res.max_prices is not None
    res = assign(value)
    assert res.min_prices is not None and res.max_prices is None
    with pytest.raises(ValueError):
        res.request_index[0] = 1
    df = res.to_pandas()
    assert list(df.columns) == ["request", "provider", "utility", "min_price", "reason"]
    assert df["provider"].tolist() == [0, 1]
    d = res.to_dict()
    d["request_index"][0] = 5
    assert res.request_index[0] == 0
    assert "AssignmentResult(" in repr(res)


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty(shape: tuple[int, int]) -> None:
    res = assign(np.zeros(shape), prices="both")
    assert res.request_index.size == 0 and res.welfare == 0.0
    assert res.unmatched.tolist() == list(range(shape[0]))
    assert res.max_prices is not None and res.max_prices.shape == (shape[1],)
    sres = assign(sp.csr_array(shape), prices="both")
    assert sres.request_index.size == 0 and sres.unmatched.tolist() == list(range(shape[0]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"value": [[1.0, np.nan]]}, r"value\[0, 1\] is nan"),
        ({"value": [[np.inf]]}, r"\+inf"),
        ({"value": [1.0, 2.0]}, "value must be 2-D"),
        ({"value": [["x"]]}, "numbers"),
        ({"value": np.array([[1j]])}, "numbers"),
        ({"value": [[1.0]], "cost": [1.0, 2.0]}, "cost has shape"),
        ({"value": [[1.0]], "cost": [[-np.inf]]}, r"cost\[0, 0\]"),
        ({"value": [[1.0]], "cost": [[np.nan]]}, "cost"),
        ({"value": [[1.0]], "cost": 3.0}, "cost must be"),
        ({"value": [[1.0]], "forbidden": [[2]]}, "forbidden"),
        ({"value": [[1.0]], "forbidden": [[True, False]]}, "forbidden has shape"),
        ({"value": [[1.0]], "prices": "mid"}, "prices"),
        ({"value": sp.csr_array(np.array([[np.nan, 1.0]]))}, r"value\[0, 0\] is nan"),
        ({"value": sp.csr_array(np.array([[1.0]])), "cost": sp.csr_array([[1.0]])}, "dense"),
        ({"value": [[1e308]], "cost": [-1e308]}, r"value\[0, 0\] - cost is above 1e\+300"),
        ({"value": [[1.0, 2e300]]}, r"value\[0, 1\] - cost is above"),
        ({"value": sp.csr_array(np.array([[0.0, 2e300]]))}, r"value\[0, 1\] - cost is above"),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    value = kwargs.pop("value")
    with pytest.raises(InputError, match=match):
        assign(value, **kwargs)  # type: ignore[arg-type]


_ENTRIES = [0.5, -2.0, 3.0, 1e308, -1e308, np.inf, -np.inf, np.nan]
_COSTS = [0.0, 1.0, 1e308, -1e308, np.inf]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_first_bad_entry_is_reported(data: st.DataObject) -> None:
    """Whatever mix of NaN, infinities and huge magnitudes, the error names the entry the
    reference picks (NaN first, then +inf, then a surplus above the limit), or the input
    is accepted and every total is finite."""
    n = data.draw(st.integers(1, 4))
    m = data.draw(st.integers(1, 4))
    entries = st.lists(st.sampled_from(_ENTRIES), min_size=n * m, max_size=n * m)
    value = np.array(data.draw(entries)).reshape(n, m)
    cost = np.array(data.draw(st.lists(st.sampled_from(_COSTS), min_size=m, max_size=m)))
    forbidden = np.array(data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)))
    forbidden = forbidden.reshape(n, m)
    expected = first_bad_entry(value, cost, forbidden)
    for sparse in (False, True):
        # absent entries of a sparse value are forbidden, so only finite values are stored
        v = sp.csr_array(np.where(np.isfinite(value), value, 0.0)) if sparse else value
        if sparse:
            expected = first_bad_entry(
                np.where(np.isfinite(value), value, -np.inf), cost, forbidden
            )
        if expected is None:
            res = assign(v, cost, forbidden=forbidden, prices="both")
            assert np.isfinite(res.welfare)
            assert res.max_prices is not None and np.isfinite(res.max_prices).all()
            continue
        kind, index = expected
        with pytest.raises(InputError, match=kind) as err:
            assign(v, cost, forbidden=forbidden)
        assert err.value.index == index


def test_huge_negative_surplus_is_not_eligible() -> None:
    """``value - cost`` of -inf from finite entries is a pair nobody wants, not an error."""
    res = assign(np.array([[-1e308, 2.0]]), np.array([1e308, 1.0]))
    assert res.provider_index.tolist() == [1] and res.welfare == 1.0
    res = assign(np.array([[-1e308]]), np.array([1e308]))
    assert res.reason.tolist() == [AssignmentReason.NEGATIVE_SURPLUS]
