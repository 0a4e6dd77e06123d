"""pytest options of the ``bench_*.py`` files."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run under pytest-xdist workers (the suite's default, ``-n auto``):
    pytest-benchmark then runs each benchmark once and times nothing."""
    if config.getoption("numprocesses", None):
        raise pytest.UsageError("benchmarks time nothing under -n: run them with -n 0")
