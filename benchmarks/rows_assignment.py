"""Assignment, transportation and batch rows for ``compare.py``.

Peers: lapx (``lapjvr``, ``lapjvh``, ``lapjvh_batch``), OR-Tools (``LinearSumAssignment``,
``SimpleMinCostFlow``), POT (``ot.emd``), scipy (always, for scale). Missing peers give a
skipped row. Every row builds its input once, outside the timed calls.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from _harness import Row

from clearing import assign, assign_batch, linear_sum_assignment, transport


def _peer(module: str, package: str) -> tuple[Any, str]:
    try:
        return importlib.import_module(module), ""
    except ImportError:
        return None, f"{package} not installed (pip install {package} or 'clearing[bench]')"


def _dense_rows(n: int, repeat: int) -> list[Row]:
    cost = np.random.default_rng(n).random((n, n))
    lap, why = _peer("lap", "lapx")
    rows = []
    for solver in ("lapjvr", "lapjvh"):
        peer: Callable[[], object] | None = None
        if lap is not None:
            fn = getattr(lap, solver)
            peer = lambda fn=fn: fn(cost)  # noqa: E731
        rows.append(
            Row(
                name=f"lsap dense {n}x{n} uniform",
                ours=lambda: linear_sum_assignment(cost),
                peer=peer,
                peer_name=f"lapx {solver}",
                target=1.0,
                repeat=repeat,
                skip=why,
            )
        )
    rows.append(
        Row(
            name=f"lsap dense {n}x{n} uniform",
            ours=lambda: linear_sum_assignment(cost),
            peer=lambda: scipy.optimize.linear_sum_assignment(cost),
            peer_name="scipy linear_sum_assignment",
            repeat=repeat,
        )
    )
    return rows


def _integer_rows(n: int, repeat: int) -> list[Row]:
    """Tie-heavy inputs: integer costs 1..10/100/1000, 0/1 (scipy's "binary" workload,
    n x n/2) and a rectangular integer matrix; ``linear_sum_assignment`` and dense
    ``assign`` against scipy and lapx ``lapjv`` (square only)."""
    rng = np.random.default_rng(n + 7)
    lap, why = _peer("lap", "lapx")
    cases = {
        f"ints 1..{hi}": rng.integers(1, hi + 1, (n, n)).astype(float) for hi in (10, 100, 1000)
    }
    cases["0/1 binary"] = (rng.random((n, n // 2)) < 0.5).astype(float)
    cases["ints 1..100 rect"] = rng.integers(1, 101, (n // 2, n)).astype(float)
    rows = []
    for label, cost in cases.items():
        shape = f"{cost.shape[0]}x{cost.shape[1]}"
        rows.append(
            Row(
                name=f"lsap dense {shape} {label}",
                ours=lambda cost=cost: linear_sum_assignment(cost),
                peer=lambda cost=cost: scipy.optimize.linear_sum_assignment(cost),
                peer_name="scipy linear_sum_assignment",
                target=1.0,
                repeat=repeat,
            )
        )
        if cost.shape[0] == cost.shape[1]:
            rows.append(
                Row(
                    name=f"lsap dense {shape} {label}",
                    ours=lambda cost=cost: linear_sum_assignment(cost),
                    peer=None if lap is None else lambda cost=cost: lap.lapjv(cost),
                    peer_name="lapx lapjv",
                    target=1.0,
                    repeat=repeat,
                    skip=why,
                )
            )
        value = cost.max() + 1.0 - cost  # positive surplus: everyone is served
        rows.append(
            Row(
                name=f"assign dense {shape} {label}",
                ours=lambda value=value: assign(value, prices=None),
                peer=lambda value=value: scipy.optimize.linear_sum_assignment(value, maximize=True),
                peer_name="scipy linear_sum_assignment",
                target=1.0,
                repeat=repeat,
            )
        )
    return rows


def _sparse_full_rows(n: int) -> list[Row]:
    """A full CSR of integer costs 1..100 as a min-cost perfect matching."""
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    cost = sp.csr_array(np.random.default_rng(n + 8).integers(1, 101, (n, n)).astype(float))
    value = cost.copy()
    value.data = 101.0 * n - cost.data  # a constant offset: the optimum matches everyone
    return [
        Row(
            name=f"assign sparse {n}x{n} full, ints 1..100",
            ours=lambda: assign(value, prices=None),
            peer=lambda: min_weight_full_bipartite_matching(cost),
            peer_name="scipy min_weight_full_bipartite_matching",
            target=1.0,
            repeat=2,
        )
    ]


def _sparse_row(n: int, per_row: int) -> Row:
    rng = np.random.default_rng(1)
    cols = np.concatenate(
        [np.arange(n)[:, None], rng.integers(0, n, (n, per_row - 1))], axis=1
    )  # the diagonal keeps a perfect matching possible
    rows = np.repeat(np.arange(n), per_row)
    value = sp.coo_array((rng.random(n * per_row) + 0.01, (rows, cols.ravel())), shape=(n, n))
    value = value.tocsr()
    value.sum_duplicates()
    ortools, why = _peer("ortools.graph.python.linear_sum_assignment", "ortools")
    peer: Callable[[], object] | None = None
    if ortools is not None:
        coo = value.tocoo()
        heads, tails = coo.row.astype(np.int64), coo.col.astype(np.int64)
        costs = (-(coo.data * 1e6)).astype(np.int64)

        def peer() -> object:
            solver = ortools.SimpleLinearSumAssignment()
            solver.add_arcs_with_cost(heads, tails, costs)
            return solver.solve()

    return Row(
        name=f"assign sparse {n}x{n} ~{per_row}/row",
        ours=lambda: assign(value, prices=None),
        peer=peer,
        peer_name="OR-Tools LinearSumAssignment",
        target=1.0,
        repeat=3,
        skip=why,
    )


def _transport_rows(n: int, m: int, cap: int) -> list[Row]:
    rng = np.random.default_rng(2)
    value = rng.random((n, m))
    demand = np.ones(n, np.int64)
    capacity = np.full(m, cap, np.int64)
    out = []

    def ours() -> object:
        return transport(value, demand=demand, capacity=capacity, prices=None)

    ot, why = _peer("ot", "pot")
    out.append(
        Row(
            name=f"transport {n}x{m} cap {cap}",
            ours=ours,
            peer=None
            if ot is None
            else lambda: ot.emd(demand.astype(float), capacity.astype(float), 1.0 - value),
            peer_name="POT ot.emd",
            target=1.0,
            repeat=3,
            skip=why,
        )
    )
    mcf, why = _peer("ortools.graph.python.min_cost_flow", "ortools")
    peer: Callable[[], object] | None = None
    if mcf is not None:
        src = np.repeat(np.arange(n), m)
        dst = n + np.tile(np.arange(m), n)
        unit_cost = (-(value.ravel() * 1e6)).astype(np.int64)
        supplies = np.concatenate([demand, -capacity])

        def peer() -> object:
            flow = mcf.SimpleMinCostFlow()
            flow.add_arcs_with_capacity_and_unit_cost(
                src, dst, np.full(n * m, n, np.int64), unit_cost
            )
            flow.set_nodes_supplies(np.arange(n + m), supplies)
            return flow.solve()

    out.append(
        Row(
            name=f"transport {n}x{m} cap {cap}",
            ours=ours,
            peer=peer,
            peer_name="OR-Tools SimpleMinCostFlow",
            target=1.0,
            repeat=3,
            skip=why,
        )
    )
    return out


def _batch_rows(count: int, k: int) -> list[Row]:
    values = np.random.default_rng(3).random((count, k, k))
    lap, why = _peer("lap", "lapx")
    cost = 1.0 - values
    return [
        *(
            Row(
                name=f"assign_batch {count} x {k}x{k}" + (", parallel" if parallel else ""),
                ours=lambda parallel=parallel: assign_batch(values, prices=None, parallel=parallel),
                peer=None if lap is None else lambda: lap.lapjvh_batch(cost),
                peer_name="lapx lapjvh_batch",
                target=0.5,
                skip=why,
            )
            for parallel in (False, True)
        ),
        Row(
            name=f"assign_batch {count} x {k}x{k}",
            ours=lambda: assign_batch(values, prices=None),
            peer=lambda: [scipy.optimize.linear_sum_assignment(c) for c in cost],
            peer_name="scipy loop",
            repeat=2,
        ),
    ]


def _prices_row(n: int) -> Row:
    value = np.random.default_rng(4).random((n, n))
    return Row(
        name=f"assign {n}x{n} prices='both' vs None",
        ours=lambda: assign(value, prices="both"),
        peer=lambda: assign(value, prices=None),
        peer_name="clearing assign(prices=None)",
        target=2.0,
        repeat=3,
    )


def rows(quick: bool) -> list[Row]:
    """The assignment workloads (``quick``: small sizes for a smoke run)."""
    if quick:
        return [
            *_dense_rows(200, 3),
            *_integer_rows(200, 3),
            *_sparse_full_rows(200),
            _sparse_row(2000, 20),
            *_transport_rows(400, 10, 40),
            *_batch_rows(1000, 8),
            _prices_row(200),
        ]
    return [
        *_dense_rows(1000, 5),
        *_dense_rows(4000, 1),
        *_integer_rows(1000, 3),
        *_integer_rows(4000, 1),
        *_sparse_full_rows(2000),
        _sparse_row(10_000, 20),
        *_transport_rows(2000, 50, 40),
        *_batch_rows(10_000, 8),
        _prices_row(1000),
    ]
