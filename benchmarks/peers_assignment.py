"""Peers of the assignment rows, each wrapped to return the pairs (or flow) it chose.

Every peer is a :class:`_harness.Peer` whose ``objective`` recomputes the optimum from the
peer's own answer on the row's matrix, so a row compares optima, not reported totals:
lapx (``lapjv``, ``lapjvr``, ``lapjvh``, ``lapmod``, ``lapjvh_batch``), OR-Tools
(``SimpleLinearSumAssignment``, ``SimpleMinCostFlow``), POT (``ot.emd``) and scipy
(``linear_sum_assignment``, ``min_weight_full_bipartite_matching``). A peer that is not
installed is left out and named in the row's note.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from _harness import Peer
from inputs_assignment import Lazy

Matrix = Callable[[], np.ndarray]


def _negated(matrix: Any) -> Any:
    """``-matrix()``, built once per input when ``matrix`` is a :class:`Lazy`."""
    if isinstance(matrix, Lazy):
        return matrix.derive(lambda m: -m)
    return lambda: -matrix()


def load(module: str, package: str, missing: list[str]) -> Any:
    """Import a peer's module, or record ``package`` as missing and return ``None``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing.append(package)
        return None


def pairs_sum(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    rows, cols = np.asarray(rows), np.asarray(cols)
    keep = (rows >= 0) & (cols >= 0)
    return float(matrix[rows[keep], cols[keep]].sum())


def _from_map(matrix: np.ndarray, x: np.ndarray) -> float:
    """lapjv's answer: the column of each row (-1: none)."""
    x = np.asarray(x)
    return pairs_sum(matrix, np.arange(x.size), x)


def _rect(m: np.ndarray) -> bool:
    return bool(m.shape[0] != m.shape[1])


def lsap_peers(cost: Matrix, *, sign: float, missing: list[str], measure: Matrix) -> list[Peer]:
    """scipy and lapx on ``sign * cost()`` (minimised); objectives summed on ``measure()``.

    ``sign = -1`` turns a maximisation of ``cost`` into lapx's minimisation; scipy is told to
    maximise instead, so it sees the matrix itself.
    """
    maximize = sign < 0
    peers = [
        Peer(
            "scipy linear_sum_assignment",
            lambda: scipy.optimize.linear_sum_assignment(cost(), maximize=maximize),
            lambda out: pairs_sum(measure(), *out),
        )
    ]
    lap = load("lap", "lapx", missing)
    if lap is None:
        return peers
    signed = cost if sign > 0 else _negated(cost)
    for name in ("lapjv", "lapjvr", "lapjvh"):
        fn = getattr(lap, name)
        if name == "lapjv":
            objective: Callable[[Any], float] = lambda out: _from_map(measure(), out[1])  # noqa: E731
        else:  # (total, row indices, column indices)
            objective = lambda out: pairs_sum(measure(), out[1], out[2])  # noqa: E731
        peers.append(
            Peer(
                f"lapx {name}",
                lambda fn=fn: fn(signed(), extend_cost=_rect(signed())),
                objective,
            )
        )
    return peers


def sparse_peers(
    cost: Callable[[], sp.csr_array],
    *,
    integral: bool,
    shift_exact: bool,
    square: bool,
    missing: list[str],
    measure: Matrix,
    cost_sign: float = 1.0,
) -> list[Peer]:
    """Min-cost full matching peers on the CSR ``cost()`` (every row or column matched),
    objectives summed on ``measure()`` (OR-Tools reports its own: ``cost_sign`` times it).

    lapmod needs non-negative costs and a square matrix; OR-Tools whole numbers and a square
    matrix. ``shift_exact`` says whether ``cost()`` is non-negative without rounding.
    """
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    peers = [
        Peer(
            "scipy min_weight_full_bipartite_matching",
            lambda: min_weight_full_bipartite_matching(cost()),
            lambda out: pairs_sum(measure(), *out),
        )
    ]
    lap = load("lap", "lapx", missing)
    if lap is not None and shift_exact and square:

        def lapmod() -> object:
            c = cost()
            return lap.lapmod(c.shape[0], c.data, c.indptr, c.indices)

        peers.append(Peer("lapx lapmod", lapmod, lambda out: _from_map(measure(), out[1])))
    ortools = load("ortools.graph.python.linear_sum_assignment", "ortools", missing)
    if ortools is not None and integral:

        def or_lsa() -> object:
            coo = cost().tocoo()
            solver = ortools.SimpleLinearSumAssignment()
            solver.add_arcs_with_cost(
                coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.int64)
            )
            solver.solve()
            return solver

        if square:  # it matches every left node
            peers.append(
                Peer(
                    "OR-Tools SimpleLinearSumAssignment",
                    or_lsa,
                    lambda solver: float(solver.optimal_cost()) * cost_sign,
                )
            )
    return peers


def transport_peers(
    value: Matrix,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    integral: bool,
    missing: list[str],
) -> list[Peer]:
    """Peers maximising ``sum(flow * value)`` with row sums ``demand``, column sums
    ``capacity`` (balanced); with unit supplies scipy's assignment solves the same problem."""
    peers: list[Peer] = []
    neg = _negated(value)
    # POT's network simplex reports some integer problems infeasible when the costs are
    # negative (lapx's hard matrix): whole numbers get the exact non-negative shift instead
    pot_cost = value.derive(lambda v: v.max() - v) if integral and isinstance(value, Lazy) else neg
    ot = load("ot", "pot", missing)
    if ot is not None:
        a, b = demand.astype(np.float64), capacity.astype(np.float64)
        peers.append(
            Peer(
                "POT ot.emd",
                lambda: ot.emd(a, b, pot_cost(), numItermax=50_000_000),
                lambda flow: float((np.asarray(flow) * value()).sum()),
            )
        )
    if (demand == 1).all() and (capacity == 1).all():
        peers.append(
            Peer(
                "scipy linear_sum_assignment",
                lambda: scipy.optimize.linear_sum_assignment(value(), maximize=True),
                lambda out: pairs_sum(value(), *out),
            )
        )
    mcf = load("ortools.graph.python.min_cost_flow", "ortools", missing)
    if mcf is not None and integral:
        n, m = demand.size, capacity.size
        src = np.repeat(np.arange(n), m)
        dst = n + np.tile(np.arange(m), n)
        supplies = np.concatenate([demand, -capacity]).astype(np.int64)
        arc_cap = np.full(n * m, int(demand.max()), np.int64)

        def or_mcf() -> object:
            flow = mcf.SimpleMinCostFlow()
            flow.add_arcs_with_capacity_and_unit_cost(
                src, dst, arc_cap, neg().ravel().astype(np.int64)
            )
            flow.set_nodes_supplies(np.arange(n + m), supplies)
            flow.solve()
            return flow

        peers.append(
            Peer("OR-Tools SimpleMinCostFlow", or_mcf, lambda flow: -float(flow.optimal_cost()))
        )
    return peers
