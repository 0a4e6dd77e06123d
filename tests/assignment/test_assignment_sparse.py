"""The sparse market kernels on integer, tie-heavy and 0/1 surpluses: the scaled auction
with its exact finish (``sparse_assign``), the dense solve of a CSR (``assign_csr_dense``)
and ``assign`` on CSR input agree with the padded LSAP twin and give optimal duals."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.assignment import brute_market, market_optimum_lsap

from clearing import assign
from clearing._kernels.assignment.dense import assign_csr_dense
from clearing._kernels.assignment.sparse import sparse_assign

KINDS = ["float", "int10", "int100", "binary", "offset01", "offset_int", "ties"]


def _csr(seed: int, n: int, m: int, kind: str, density: float) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    mask = rng.random((n, m)) < density
    if kind == "float":
        w = rng.random((n, m)) + 0.01
    elif kind == "int10":
        w = rng.integers(1, 11, (n, m)).astype(float)
    elif kind == "int100":
        w = rng.integers(1, 101, (n, m)).astype(float)
    elif kind == "binary":
        w = np.ones((n, m))
    elif kind == "offset01":  # a constant offset so that everyone is served, 0/1 costs
        w = 2.0 * max(n, m) - rng.integers(0, 2, (n, m))
    elif kind == "offset_int":
        w = 101.0 * max(n, m) - rng.integers(1, 101, (n, m))
    else:  # few distinct values, some rows tied at the top
        w = rng.integers(1, 4, (n, m)).astype(float)
    keep = np.flatnonzero(mask.ravel())
    return sp.csr_array((w.ravel()[keep], keep % m, np.r_[0, np.cumsum(mask.sum(1))]), shape=(n, m))


def _dense(c: sp.csr_array) -> np.ndarray:
    w = np.full(c.shape, -np.inf)
    rows = np.repeat(np.arange(c.shape[0]), np.diff(c.indptr))
    w[rows, c.indices] = c.data
    return w


def _check_kernel(c: sp.csr_array, xe: np.ndarray, u: np.ndarray, p: np.ndarray) -> None:
    m = c.shape[1]
    w = _dense(c)
    matched = np.flatnonzero(xe >= 0)
    cols = c.indices[xe[matched]]
    assert len(set(cols.tolist())) == len(cols)
    total = float(c.data[xe[matched]].sum())
    assert total == pytest.approx(market_optimum_lsap(w), abs=1e-7 * max(1.0, total))
    tol = 1e-7 * max(1.0, float(np.abs(c.data).max(initial=0.0)))
    fin = np.isfinite(w)
    assert (u >= -tol).all() and (p >= -tol).all()
    assert ((u[:, None] + p[None, :])[fin] >= w[fin] - tol).all()
    np.testing.assert_allclose(u[matched] + p[cols], c.data[xe[matched]], atol=tol)
    np.testing.assert_allclose(u[xe < 0], 0.0, atol=tol)
    free = np.ones(m, bool)
    free[cols] = False
    np.testing.assert_allclose(p[free], 0.0, atol=tol)


def _run(kernel: object, c: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, m = c.shape
    xe = np.full(n, -1, np.int64)
    u = np.zeros(n)
    p = np.zeros(m)
    ptr, idx = c.indptr.astype(np.int64), c.indices.astype(np.int64)
    w = c.data.astype(np.float64)
    if kernel is sparse_assign:
        assert sparse_assign(ptr, idx, w, xe, u, p, 3e-3, 1e-6, 20.0) is None
    else:
        assign_csr_dense(ptr, idx, w, xe, u, p)
    return xe, u, p


@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
    st.sampled_from(KINDS),
    st.sampled_from([0.05, 0.1, 0.3, 1.0]),
)
@settings(max_examples=150, deadline=None)
def test_both_kernels_agree_with_the_lsap_twin(
    n: int, m: int, seed: int, kind: str, density: float
) -> None:
    c = _csr(seed, n, m, kind, density)
    for kernel in (sparse_assign, assign_csr_dense):
        _check_kernel(c, *_run(kernel, c))


@pytest.mark.parametrize("kind", KINDS)
def test_small_against_brute_force(kind: str) -> None:
    for n in range(1, 7):
        for m in range(1, 7):
            c = _csr(31 * n + m, n, m, kind, 0.4)
            best = brute_market(_dense(c))
            for kernel in (sparse_assign, assign_csr_dense):
                xe, _, _ = _run(kernel, c)
                assert float(c.data[xe[xe >= 0]].sum()) == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("kind", ["offset01", "binary", "offset_int", "int10"])
@pytest.mark.parametrize("shape", [(300, 300), (200, 400), (400, 200)])
def test_assign_on_sparse_integer_input(kind: str, shape: tuple[int, int]) -> None:
    """~20 entries a row (the sparse solver's path, the tie-heavy switch included)."""
    n, m = shape
    c = _csr(n + 7 * m, n, m, kind, 20 / m)
    res = assign(c, prices=None)
    w = _dense(c)
    assert res.welfare == pytest.approx(market_optimum_lsap(w), abs=1e-7 * max(1.0, res.welfare))
    # the same problem given densely: the same optimum
    assert assign(w, prices=None).welfare == pytest.approx(res.welfare, abs=1e-7 * res.welfare)


def test_deterministic() -> None:
    c = _csr(5, 300, 300, "offset01", 0.07)
    first = assign(c, prices=None)
    again = assign(c, prices=None)
    np.testing.assert_array_equal(first.provider_index, again.provider_index)
    np.testing.assert_array_equal(first.col_duals, again.col_duals)
