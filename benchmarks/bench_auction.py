"""pytest-benchmark suite for the call-market double auctions.

The workloads are the in-process rows of ``rows_auction.py`` (ours and ``np.sort`` of the
same prices); pymarket and the fresh-process row run in ``compare.py`` only. Run explicitly
(``pytest`` from the repository root collects only ``tests/``)::

    pytest -n 0 benchmarks/bench_auction.py
    CLEARING_BENCH_QUICK=1 pytest -n 0 benchmarks/bench_auction.py -k batch
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import rows_auction
from _pytest_rows import QUICK, Case, parametrize, run
from pytest_benchmark.fixture import BenchmarkFixture


@parametrize(rows_auction.rows(quick=QUICK))
def test_row(benchmark: BenchmarkFixture, case: Case) -> None:
    run(benchmark, case)
