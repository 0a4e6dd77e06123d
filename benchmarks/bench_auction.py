"""pytest-benchmark suite for the call-market double auctions.

Run explicitly (``pytest`` from the repository root collects only ``tests/``)::

    pytest benchmarks/bench_auction.py
    pytest benchmarks/bench_auction.py -k "uniform and 1000000" --benchmark-columns=min,median

Groups are one market size each; every group holds ``np.sort`` of the same prices as the
yardstick that ``compare.py`` uses. Each benchmark calls its function once before timing, so
numba compilation (or loading from the cache) is never measured.
"""

from __future__ import annotations

import inspect
import pathlib
import sys
from collections.abc import Callable

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

try:
    import clearing
except ImportError:  # a plain checkout: use the working tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
    import clearing

SIZES = [1_000, 100_000, 1_000_000]  # orders per side, one market
MARKETS = [1_000, 100_000]  # markets of 10 bids + 10 asks
MECHANISMS = ["uniform", "mcafee", "sbba", "huang", "vcg", "pay_as_bid"]


def _market(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (
        rng.random(n),
        rng.integers(1, 11, n).astype(np.float64),
        rng.random(n),
        rng.integers(1, 11, n).astype(np.float64),
    )


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"n={n}")
def market(request: pytest.FixtureRequest) -> tuple[np.ndarray, ...]:
    return _market(request.param, seed=request.param)


@pytest.fixture(scope="module", params=MARKETS, ids=lambda m: f"markets={m}")
def markets(request: pytest.FixtureRequest) -> tuple[np.ndarray, ...]:
    n_markets = request.param
    rng = np.random.default_rng(n_markets + 1)
    ids = np.repeat(np.arange(n_markets, dtype=np.int64), 10)
    return (*_market(10 * n_markets, seed=n_markets), rng.permutation(ids), rng.permutation(ids))


def _run(benchmark: BenchmarkFixture, fn: Callable[[], object]) -> None:
    fn()  # warm-up: compile or load from the numba cache before the clock starts
    benchmark(fn)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_single_market(
    benchmark: BenchmarkFixture, market: tuple[np.ndarray, ...], mechanism: str
) -> None:
    bp, bq, ap, aq = market
    benchmark.group = f"one market, {bp.size:,} + {ap.size:,} orders"
    _run(benchmark, lambda: clearing.double_auction(bp, bq, ap, aq, mechanism=mechanism, rng=0))


def test_single_market_np_sort(benchmark: BenchmarkFixture, market: tuple[np.ndarray, ...]) -> None:
    bp, _, ap, _ = market
    prices = np.concatenate([bp, ap])
    benchmark.group = f"one market, {bp.size:,} + {ap.size:,} orders"
    _run(benchmark, lambda: np.sort(prices))


PARALLEL = (
    [False, True]
    if "parallel" in inspect.signature(clearing.double_auction_batch).parameters
    else [False]
)


@pytest.mark.parametrize("parallel", PARALLEL, ids=lambda p: "parallel" if p else "serial")
@pytest.mark.parametrize("mechanism", ["uniform", "huang", "sbba"])
def test_batch(
    benchmark: BenchmarkFixture, markets: tuple[np.ndarray, ...], mechanism: str, parallel: bool
) -> None:
    bp, bq, ap, aq, bm, am = markets
    options = {"parallel": True} if parallel else {}
    benchmark.group = f"batch, {bp.size // 10:,} markets x 20 orders"
    _run(
        benchmark,
        lambda: clearing.double_auction_batch(
            bp, bq, ap, aq, bid_market=bm, ask_market=am, mechanism=mechanism, rng=0, **options
        ),
    )


def test_batch_np_sort(benchmark: BenchmarkFixture, markets: tuple[np.ndarray, ...]) -> None:
    bp, _, ap, _, _, _ = markets
    prices = np.concatenate([bp, ap])
    benchmark.group = f"batch, {bp.size // 10:,} markets x 20 orders"
    _run(benchmark, lambda: np.sort(prices))
