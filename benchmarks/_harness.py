"""Workload registry shared by ``compare.py`` and the ``rows_*.py`` modules.

A row times our function and one or more peers on the same input in the same process and
reports ``ours / best peer`` (below 1: we are faster) and, when scipy is among the peers,
``ours / scipy``. Each ``rows_*.py`` module exposes ``rows(quick: bool, **options) -> list[Row]``
(``options`` are those of :class:`Options` that its ``rows`` names as parameters).

Three kinds of row:

- **timed in process**: ``ours`` and each :class:`Peer` are zero-argument callables doing one
  unit of work; every round times the best of ``repeat`` calls of each, after a warm-up call
  whose results feed the objective check (``objective``): when the objectives of ours and a
  peer differ the row is an error, not a timing;
- **measured elsewhere** (``measure`` set): a callable that runs the work itself (a fresh
  interpreter, another virtual environment) and returns a :class:`Measurement` of real
  timings; nothing is replayed;
- **against a budget** (``budget`` set, with ``measure``): the figure is compared to a bound
  in seconds, the ratio is ``figure / budget``.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Options:
    """Command-line options a rows module may ask for by naming them in ``rows``."""

    size: int | None = None  # overrides the assignment sizes (one size)
    cold_suite: bool = False  # also time the README test command on a cold numba cache


@dataclass
class Peer:
    """One peer of a row: ``fn`` does the unit of work; ``objective`` maps its output to the
    optimum it reached (``None``: not checked)."""

    name: str
    fn: Callable[[], object]
    objective: Callable[[Any], float] | None = None


@dataclass
class Measurement:
    """Figures measured by a row's own ``measure`` callable (seconds)."""

    ours: float
    peers: dict[str, float] = field(default_factory=dict)
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class Row:
    """One line of the comparison table.

    ``target`` bounds the median ratio against the best peer (``better`` says whether lower
    "<=" or higher ">=" is better); rows with a scipy peer must also not be slower than
    scipy (``scipy_bound``). ``peer`` / ``peer_name`` are shorthand for a single peer.
    ``runs`` is the least number of runs whose median is reported (``--repeat`` raises it).
    ``skip`` explains a row that cannot run (a peer not installed, say). ``release`` is
    called once the row is measured (it frees large inputs).
    """

    name: str
    ours: Callable[[], object] | None = None
    peer: Callable[[], object] | None = None
    peer_name: str = ""
    target: float | None = None
    better: str = "<="
    repeat: int = 5
    skip: str = ""
    note: str = ""
    peers: list[Peer] = field(default_factory=list)
    objective: Callable[[Any], float] | None = None  # maps ours' output to its optimum
    exact: bool = False  # objectives must be equal, not merely within rounding
    scipy_bound: float | None = 1.0
    runs: int = 1
    rounds_cap: int | None = None  # at most this many rounds (a cold start happens once)
    measure: Callable[[], Measurement] | None = None
    budget: float | None = None  # seconds, for rows measured against a bound
    input_class: str = ""
    release: Callable[[], None] | None = None
    inputs: Callable[[], Any] | None = None  # the row's input, built on demand (for tests)
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.peer is not None:
            self.peers.insert(0, Peer(self.peer_name, self.peer))
        if not self.peer_name and self.peers:
            self.peer_name = ", ".join(p.name for p in self.peers)

    @property
    def runnable(self) -> bool:
        return not self.skip and (self.measure is not None or bool(self.peers))


class ObjectiveMismatch(Exception):
    """Ours and a peer reached different optima on the same input."""


@dataclass
class Result:
    """The figures of one row, one run or the median of several."""

    ours: float
    peers: dict[str, float]
    best_peer: str
    ratio: float
    ratio_scipy: float | None
    note: str = ""
    objectives: dict[str, float] = field(default_factory=dict)


def best_time(fn: Callable[[], object], repeat: int, warm: bool = True) -> float:
    """Minimum wall time of ``repeat`` calls (after one warm-up call if ``warm``)."""
    if warm:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _same(a: float, b: float, exact: bool) -> bool:
    if exact:
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_objectives(row: Row) -> dict[str, float]:
    """Call ours and every peer once (the warm-up) and compare the optima they report.

    Raises :class:`ObjectiveMismatch` naming the solvers and their figures when they differ.
    """
    assert row.ours is not None
    out = row.ours()
    found: dict[str, float] = {}
    if row.objective is not None:
        found["ours"] = float(row.objective(out))
    for peer in row.peers:
        got = peer.fn()
        if peer.objective is not None:
            found[peer.name] = float(peer.objective(got))
    if "ours" in found:
        wrong = {k: v for k, v in found.items() if not _same(v, found["ours"], row.exact)}
        if wrong:
            figures = ", ".join(f"{k} {v!r}" for k, v in found.items())
            raise ObjectiveMismatch(f"objectives differ: {figures}")
    return found


def _scipy_name(peers: dict[str, float]) -> str | None:
    return next((name for name in peers if name.startswith("scipy")), None)


def _result(ours: float, peers: dict[str, float], note: str = "") -> Result:
    best = min(peers, key=peers.__getitem__)
    scipy = _scipy_name(peers)
    return Result(
        ours=ours,
        peers=peers,
        best_peer=best,
        ratio=ours / peers[best],
        ratio_scipy=None if scipy is None else ours / peers[scipy],
        note=note,
    )


def measure_once(row: Row, rounds: int) -> Result:
    """One run: the median over ``rounds`` paired rounds (ratios are per round)."""
    if row.rounds_cap is not None:
        rounds = min(rounds, row.rounds_cap)
    if row.measure is not None:
        results = [_from_measurement(row, row.measure()) for _ in range(rounds)]
        return _median(results)
    assert row.ours is not None
    results = []
    for _ in range(rounds):
        ours = best_time(row.ours, row.repeat, warm=False)
        peers = {p.name: best_time(p.fn, row.repeat, warm=False) for p in row.peers}
        results.append(_result(ours, peers))
    return _median(results)


def _from_measurement(row: Row, m: Measurement) -> Result:
    peers = dict(m.peers)
    if row.budget is not None:
        peers[f"budget {row.budget:g} s"] = row.budget
    res = _result(m.ours, peers, m.note)
    res.objectives.update(m.extra)
    return res


def _median(results: list[Result]) -> Result:
    """Median figures of several results (ratios: the median of the ratios)."""
    first = results[0]
    peers = {k: statistics.median(r.peers[k] for r in results) for k in first.peers}
    scip = [r.ratio_scipy for r in results if r.ratio_scipy is not None]
    out = Result(
        ours=statistics.median(r.ours for r in results),
        peers=peers,
        best_peer=min(peers, key=peers.__getitem__),
        ratio=statistics.median(r.ratio for r in results),
        ratio_scipy=statistics.median(scip) if scip else None,
        note=results[-1].note,
        objectives=dict(first.objectives),
    )
    for key in first.objectives:
        if all(key in r.objectives for r in results):
            out.objectives[key] = statistics.median(r.objectives[key] for r in results)
    return out


def met(row: Row, res: Result) -> bool:
    """Whether a result meets the row's target (and its bound against scipy)."""
    ok = True
    if row.target is not None:
        ok = res.ratio <= row.target if row.better == "<=" else res.ratio >= row.target
    if row.scipy_bound is not None and res.ratio_scipy is not None:
        ok = ok and res.ratio_scipy <= row.scipy_bound
    return ok


def median_of(values: list[float]) -> float:
    return statistics.median(values)
