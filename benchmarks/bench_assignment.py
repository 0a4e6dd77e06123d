"""pytest-benchmark suite for assignment, transportation and batch assignment.

Run explicitly (``pytest`` from the repository root collects only ``tests/``)::

    pytest benchmarks/bench_assignment.py
    pytest benchmarks/bench_assignment.py -k dense --benchmark-columns=min,median

Groups are one workload each; every group holds scipy's solver as the yardstick that
``compare.py`` also prints. Each benchmark calls its function once before timing, so numba
compilation (or loading from the cache) is never measured.
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from pytest_benchmark.fixture import BenchmarkFixture

try:
    import clearing
except ImportError:  # a plain checkout: use the working tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
    import clearing

DENSE = [100, 1000, 4000]


def _run(benchmark: BenchmarkFixture, fn: Callable[[], object]) -> None:
    fn()  # warm-up: compile or load from the numba cache before the clock starts
    benchmark(fn)


@pytest.fixture(scope="module", params=DENSE, ids=lambda n: f"n={n}")
def dense(request: pytest.FixtureRequest) -> np.ndarray:
    n = request.param
    return np.random.default_rng(n).random((n, n))


@pytest.mark.benchmark(group="lsap-dense")
def test_lsap_ours(benchmark: BenchmarkFixture, dense: np.ndarray) -> None:
    _run(benchmark, lambda: clearing.linear_sum_assignment(dense))


@pytest.mark.benchmark(group="lsap-dense")
def test_lsap_scipy(benchmark: BenchmarkFixture, dense: np.ndarray) -> None:
    _run(benchmark, lambda: scipy.optimize.linear_sum_assignment(dense))


@pytest.mark.benchmark(group="assign-prices")
@pytest.mark.parametrize("prices", [None, "min", "both"])
def test_assign_prices(benchmark: BenchmarkFixture, dense: np.ndarray, prices: str | None) -> None:
    _run(benchmark, lambda: clearing.assign(dense, prices=prices))


@pytest.fixture(scope="module")
def sparse_value() -> sp.csr_array:
    n, per_row = 10_000, 20
    rng = np.random.default_rng(1)
    cols = np.concatenate([np.arange(n)[:, None], rng.integers(0, n, (n, per_row - 1))], axis=1)
    rows = np.repeat(np.arange(n), per_row)
    value = sp.coo_array((rng.random(n * per_row) + 0.01, (rows, cols.ravel())), shape=(n, n))
    return value.tocsr()


@pytest.mark.benchmark(group="assign-sparse")
def test_assign_sparse(benchmark: BenchmarkFixture, sparse_value: sp.csr_array) -> None:
    _run(benchmark, lambda: clearing.assign(sparse_value, prices=None))


@pytest.mark.benchmark(group="assign-sparse")
def test_sparse_scipy(benchmark: BenchmarkFixture, sparse_value: sp.csr_array) -> None:
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    cost = sp.csr_array((2.0 - sparse_value.data, sparse_value.indices, sparse_value.indptr))
    _run(benchmark, lambda: min_weight_full_bipartite_matching(cost))


@pytest.mark.benchmark(group="transport")
def test_transport(benchmark: BenchmarkFixture) -> None:
    rng = np.random.default_rng(2)
    value = rng.random((2000, 50))
    demand, capacity = np.ones(2000), np.full(50, 40)
    _run(
        benchmark,
        lambda: clearing.transport(value, demand=demand, capacity=capacity, prices=None),
    )


@pytest.mark.benchmark(group="batch-8x8")
def test_batch(benchmark: BenchmarkFixture) -> None:
    values = np.random.default_rng(3).random((10_000, 8, 8))
    _run(benchmark, lambda: clearing.assign_batch(values, prices=None))


@pytest.mark.benchmark(group="batch-8x8")
def test_batch_scipy_loop(benchmark: BenchmarkFixture) -> None:
    cost = 1.0 - np.random.default_rng(3).random((10_000, 8, 8))
    _run(benchmark, lambda: [scipy.optimize.linear_sum_assignment(c) for c in cost])
