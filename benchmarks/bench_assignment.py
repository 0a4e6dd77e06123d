"""pytest-benchmark suite for assignment, transportation and batch assignment.

The workloads are the rows of ``rows_assignment.py`` (every input class, every peer); run
explicitly (``pytest`` from the repository root collects only ``tests/``)::

    pytest -n 0 benchmarks/bench_assignment.py
    CLEARING_BENCH_QUICK=1 pytest -n 0 benchmarks/bench_assignment.py -k "ints 1..100"
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import rows_assignment
from _pytest_rows import QUICK, Case, parametrize, run
from pytest_benchmark.fixture import BenchmarkFixture


@parametrize(rows_assignment.rows(quick=QUICK))
def test_row(benchmark: BenchmarkFixture, case: Case) -> None:
    run(benchmark, case)
