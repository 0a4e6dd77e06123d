"""Workload registry shared by ``compare.py`` and the ``rows_*.py`` modules.

A row times our function and a peer on the same input in the same process and reports the
ratio of times ``ours / peer`` (below 1: we are faster; for a throughput target, the events
per second ratio is its inverse, which rows state in their note). Each ``rows_*.py`` module
exposes ``rows(quick: bool) -> list[Row]``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the comparison table.

    ``ours`` and ``peer`` are zero-argument callables doing one unit of work each; ``setup``
    runs once before timing (warm-up calls run too, so compilation is never timed).
    ``target`` is the acceptance bound on the median ratio and ``better`` says whether a
    lower ("<=") or higher (">=") ratio is better. ``peer`` may be ``None`` with ``skip``
    explaining why (a peer not installed, say).
    """

    name: str
    ours: Callable[[], object]
    peer: Callable[[], object] | None
    peer_name: str
    target: float | None = None
    better: str = "<="
    repeat: int = 5
    skip: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Minimum wall time of ``repeat`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(row: Row, rounds: int) -> tuple[float, float, float]:
    """Return (ours seconds, peer seconds, median ratio) over ``rounds`` paired rounds."""
    assert row.peer is not None
    ratios, ours_t, peer_t = [], [], []
    for _ in range(rounds):
        o = best_time(row.ours, row.repeat)
        p = best_time(row.peer, row.repeat)
        ours_t.append(o)
        peer_t.append(p)
        ratios.append(o / p)
    return statistics.median(ours_t), statistics.median(peer_t), statistics.median(ratios)
