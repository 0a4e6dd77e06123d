"""pytest-benchmark over the rows of ``compare.py``: one test per (row, solver).

The ``bench_*.py`` files parametrize over :func:`cases` of their ``rows_*.py`` module, so a
workload is defined once, in its rows module. Groups are rows; each group holds ours and
every installed peer. ``CLEARING_BENCH_QUICK=1`` uses the ``--quick`` sizes. Rows measured
outside the process (another environment, a fresh interpreter) are left to ``compare.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from _harness import Row
from pytest_benchmark.fixture import BenchmarkFixture

QUICK = os.environ.get("CLEARING_BENCH_QUICK", "") not in ("", "0")


@dataclass
class Case:
    row: Row
    solver: str
    fn: Callable[[], object]

    @property
    def id(self) -> str:
        return f"{self.row.name} | {self.solver}"


def cases(rows: list[Row]) -> list[Case]:
    """Every in-process (row, solver) pair of ``rows``."""
    out = []
    for row in rows:
        if not row.runnable or row.measure is not None or row.ours is None:
            continue
        out.append(Case(row, "clearing", row.ours))
        out += [Case(row, peer.name, peer.fn) for peer in row.peers]
    return out


def parametrize(rows: list[Row]) -> pytest.MarkDecorator:
    found = cases(rows)
    return pytest.mark.parametrize("case", found, ids=[c.id for c in found])


def run(benchmark: BenchmarkFixture, case: Case) -> None:
    """Time one solver of one row (after a warm-up call: compilation is never timed)."""
    benchmark.group = case.row.name
    try:
        case.fn()
        benchmark(case.fn)
    finally:
        if case.row.release is not None:
            case.row.release()
