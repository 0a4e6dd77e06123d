"""pytest-benchmark suite for the continuous order book.

Run explicitly (``pytest`` from the repository root collects only ``tests/``)::

    pytest -n 0 benchmarks/bench_orderbook.py
    pytest -n 0 benchmarks/bench_orderbook.py -k batch --benchmark-columns=min,median

The stream is :func:`rows_orderbook.make_stream` (70% limit, 10% market, 20% cancel). Groups
are one stream size each: ``submit_batch`` (one call), one Python call per event, and the
per-call peers that are installed (liquibook, lightmatchingengine; pure-Python
lightmatchingengine only on the small stream). Each benchmark runs once before timing, so
numba compilation (or loading from the cache) is never measured.
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
try:
    import clearing  # noqa: F401
except ImportError:  # a plain checkout: use the working tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

import rows_orderbook as ob

SIZES = [10_000, 1_000_000]
STREAMS: dict[int, dict[str, np.ndarray]] = {}


def _stream(n: int) -> dict[str, np.ndarray]:
    if n not in STREAMS:
        STREAMS[n] = ob.make_stream(n)
    return STREAMS[n]


def _run(benchmark: BenchmarkFixture, fn: Callable[[], None], n: int, rounds: int) -> None:
    fn()  # warm-up: compile or load from the numba cache
    benchmark.extra_info["events"] = n
    benchmark.pedantic(fn, rounds=rounds, iterations=1)


@pytest.mark.parametrize("n", SIZES)
def test_submit_batch(benchmark: BenchmarkFixture, n: int) -> None:
    benchmark.group = f"orderbook {n:,} events"
    _run(benchmark, ob.ours_batch(_stream(n)), n, rounds=5)


@pytest.mark.parametrize("n", SIZES)
def test_one_call_per_event(benchmark: BenchmarkFixture, n: int) -> None:
    benchmark.group = f"orderbook {n:,} events"
    _run(benchmark, ob.ours_one_by_one(_stream(n)), n, rounds=3)


@pytest.mark.parametrize("n", SIZES)
def test_liquibook(benchmark: BenchmarkFixture, n: int) -> None:
    pytest.importorskip("liquibook")
    benchmark.group = f"orderbook {n:,} events"
    _run(benchmark, ob.liquibook_one_by_one(_stream(n)), n, rounds=3)


def test_lightmatchingengine(benchmark: BenchmarkFixture) -> None:
    pytest.importorskip("lightmatchingengine")
    n = SIZES[0]
    benchmark.group = f"orderbook {n:,} events"
    _run(benchmark, ob.lightmatchingengine_one_by_one(_stream(n)), n, rounds=3)
