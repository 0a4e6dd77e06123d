"""Assignment, transportation and batch rows for ``compare.py``.

Every assignment entry point runs on every input class of :mod:`inputs_assignment`
(uniform floats, integers 1..10/100/1000, 0/1, scipy's benchmark workloads, rectangular
shapes, lapx's hard matrices):

- ``lsap``: :func:`clearing.linear_sum_assignment` (minimise the cost) vs scipy and lapx
  ``lapjv``/``lapjvr``/``lapjvh``;
- ``assign dense``: :func:`clearing.assign` on ``value = inputs_assignment.value_of(cost)``
  (positive, same ties; everyone on the smaller side is matched) vs the same peers
  maximising it;
- ``assign sparse full``: the same value matrix as a CSR holding every entry, vs scipy
  ``min_weight_full_bipartite_matching`` and lapx ``lapmod``; plus genuinely sparse inputs
  (lapx's sparse hard matrix; about 20 entries a row) as min-cost perfect matchings, where
  ours maximises ``K - cost`` with ``K`` large enough that matching everyone comes first;
- ``transport``: :func:`clearing.transport` with unit demands and capacities (integer
  classes: the 1000 x 1000 workload) vs POT ``ot.emd`` and scipy, and one capacitated
  workload vs POT and OR-Tools ``SimpleMinCostFlow``;
- ``assign_batch`` 10,000 8 x 8 vs lapx ``lapjvh_batch`` (the parallel row reports the
  median of three runs) and a scipy loop.

Each row checks, on its warm-up call, that ours and every peer reach the same optimum
(recomputed from each solver's own pairs on the row's matrix; equal for whole numbers,
within 1e-9 relative for floats): a difference is an error in the table, not a timing.
Inputs are built on first use and dropped after their row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from _harness import Peer, Row
from inputs_assignment import CLASSES, CostClass, Lazy, lapx_sparse_hard, value_of
from peers_assignment import load, lsap_peers, pairs_sum, sparse_peers, transport_peers

from clearing import assign, assign_batch, linear_sum_assignment, transport


def _pairs(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """The matched (row, column) pairs of an assignment result."""
    names = [
        ("request_index", "provider_index"),  # AssignmentResult
        ("row_ind", "col_ind"),  # scipy's names, kept by linear_sum_assignment's tuple
    ]
    for rows, cols in names:
        if hasattr(result, rows):
            return getattr(result, rows), getattr(result, cols)
    raise AttributeError(f"no matched pairs found on {type(result).__name__}")


def _note(missing: list[str]) -> str:
    return "not installed: " + ", ".join(sorted(set(missing))) if missing else ""


def _full_csr(dense: np.ndarray) -> sp.csr_array:
    """Every entry of ``dense`` as an explicit CSR entry (zeros included)."""
    n, m = dense.shape
    indptr = np.arange(0, n * m + 1, m, dtype=np.int64)
    indices = np.tile(np.arange(m, dtype=np.int64), n)
    return sp.csr_array((dense.ravel().copy(), indices, indptr), shape=(n, m))


def _shape(cls: CostClass, n: int) -> str:
    r, c = cls.shape(n)
    return f"{r}x{c}"


def _peer_row(
    name: str,
    data: Lazy,
    *,
    ours: Callable[[], object],
    objective: Callable[[Any], float],
    peers: list[Peer],
    missing: list[str],
    exact: bool,
    repeat: int,
    input_class: str,
) -> Row:
    """A row timed against ``peers`` (target 1.0) on the inputs ``data`` (built on first use,
    released after the row); ``missing`` names the peers that are not installed."""
    return Row(
        name=name,
        ours=ours,
        objective=objective,
        peers=peers,
        target=1.0,
        exact=exact,
        repeat=repeat,
        input_class=input_class,
        note=_note(missing),
        release=data.release,
        inputs=data,
    )


def lsap_row(cls: CostClass, n: int, repeat: int) -> Row:
    cost = Lazy(lambda: cls.make(n, seed=n))
    missing: list[str] = []
    return _peer_row(
        f"lsap {_shape(cls, n)} {cls.name}",
        cost,
        ours=lambda: linear_sum_assignment(cost()),
        objective=lambda out: pairs_sum(cost(), *out),
        peers=lsap_peers(cost, sign=1.0, missing=missing, measure=cost),
        missing=missing,
        exact=cls.integral,
        repeat=repeat,
        input_class=cls.name,
    )


def assign_dense_row(cls: CostClass, n: int, repeat: int) -> Row:
    value = Lazy(lambda: value_of(cls.make(n, seed=n)))
    missing: list[str] = []
    return _peer_row(
        f"assign dense {_shape(cls, n)} {cls.name}",
        value,
        ours=lambda: assign(value(), prices=None),
        objective=lambda res: pairs_sum(value(), *_pairs(res)),
        peers=lsap_peers(value, sign=-1.0, missing=missing, measure=value),
        missing=missing,
        exact=cls.integral,
        repeat=repeat,
        input_class=cls.name,
    )


def _shift_exact(cls: CostClass) -> bool:
    """Whether ``value.max() + 1 - value`` (what lapmod may take: positive) is the same
    problem, i.e. the values' dynamic range leaves the differences exact enough."""
    spread = cls.hi / cls.lo if cls.lo > 0 else cls.hi - cls.lo + 1.0
    return cls.integral or spread < 1e12


NO_SPARSE_PEER = (
    "no peer finishes: scipy min_weight_full_bipartite_matching ran over 120 s on a 50x50 "
    "matrix of this class (on -value, and on -value / max); lapx lapmod takes only positive "
    "costs, and value.max() + 1 - value rounds the small entries away"
)


def assign_sparse_full_row(cls: CostClass, n: int, repeat: int) -> Row:
    shift_exact = _shift_exact(cls)
    if not shift_exact:
        return Row(
            name=f"assign sparse full {_shape(cls, n)} {cls.name}",
            peer_name="scipy, lapx",
            skip=NO_SPARSE_PEER,
            input_class=cls.name,
        )

    def build() -> dict[str, Any]:
        value = value_of(cls.make(n, seed=n))
        # positive: scipy drops explicit zeros from the graph, lapmod refuses negatives
        peer_cost = value.max() + 1.0 - value if shift_exact else -value
        return {"value": value, "csr": _full_csr(value), "peer": _full_csr(peer_cost)}

    data = Lazy(build)
    missing: list[str] = []
    value: Callable[[], np.ndarray] = lambda: data()["value"]  # noqa: E731
    r, c = cls.shape(n)
    return _peer_row(
        f"assign sparse full {_shape(cls, n)} {cls.name}",
        data,
        ours=lambda: assign(data()["csr"], prices=None),
        objective=lambda res: pairs_sum(value(), *_pairs(res)),
        peers=sparse_peers(
            lambda: data()["peer"],
            integral=False,
            shift_exact=shift_exact,
            square=r == c,
            missing=missing,
            measure=value,
        ),
        missing=missing,
        exact=cls.integral,
        repeat=repeat,
        input_class=cls.name,
    )


def _sparse_perfect_row(
    name: str, make: Callable[[], tuple[np.ndarray, np.ndarray]], integral: bool, repeat: int
) -> Row:
    """A min-cost perfect matching on the entries ``mask`` of ``cost`` (a perfect matching
    exists); ours maximises ``K - cost`` with ``K`` above any perfect matching's cost."""

    def build() -> dict[str, Any]:
        cost, mask = make()
        rows, cols = np.nonzero(mask)
        csr = sp.csr_array((cost[rows, cols], (rows, cols)), shape=cost.shape)
        csr.sort_indices()
        k = float(cost.max()) * min(cost.shape) + 1.0
        value = csr.copy()
        value.data = k - csr.data
        return {"cost": cost, "csr": csr, "value": value}

    data = Lazy(build)
    missing: list[str] = []
    cost: Callable[[], np.ndarray] = lambda: data()["cost"]  # noqa: E731
    return _peer_row(
        name,
        data,
        ours=lambda: assign(data()["value"], prices=None),
        objective=lambda res: pairs_sum(cost(), *_pairs(res)),
        peers=sparse_peers(
            lambda: data()["csr"],
            integral=integral,
            shift_exact=True,
            square=True,
            missing=missing,
            measure=cost,
        ),
        missing=missing,
        exact=integral,
        repeat=repeat,
        input_class="lapx sparse hard" if "lapx" in name else name.split(", ")[-1],
    )


def lapx_sparse_row(n: int, masked: float, repeat: int) -> Row:
    return _sparse_perfect_row(
        f"assign sparse {n}x{n} lapx sparse hard, {masked:.1%} masked",
        lambda: lapx_sparse_hard(n, masked),
        integral=True,
        repeat=repeat,
    )


def random_sparse_row(n: int, per_row: int, integral: bool, repeat: int) -> Row:
    def make() -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(1)
        mask = np.zeros((n, n), bool)
        mask[np.arange(n), np.arange(n)] = True  # the diagonal keeps a perfect matching
        mask[np.repeat(np.arange(n), per_row - 1), rng.integers(0, n, n * (per_row - 1))] = True
        cost = rng.integers(1, 101, (n, n)).astype(float) if integral else rng.random((n, n))
        return cost, mask

    label = "ints 1..100" if integral else "uniform floats"
    return _sparse_perfect_row(
        f"assign sparse {n}x{n} ~{per_row}/row, {label}", make, integral, repeat
    )


def transport_row(cls: CostClass, n: int, repeat: int) -> Row:
    r, c = cls.shape(n)
    demand = np.full(r, max(1, c // r), np.int64)
    capacity = np.full(c, max(1, r // c), np.int64)
    value = Lazy(lambda: value_of(cls.make(n, seed=n)))
    missing: list[str] = []
    return _peer_row(
        f"transport {r}x{c} "
        + ("unit " if r == c else f"demand {demand[0]} cap {capacity[0]} ")
        + cls.name,
        value,
        ours=lambda: transport(value(), demand=demand, capacity=capacity, prices=None),
        objective=lambda res: float((np.asarray(res.quantity) * value()).sum()),
        peers=transport_peers(value, demand, capacity, integral=cls.integral, missing=missing),
        missing=missing,
        exact=cls.integral,
        repeat=repeat,
        input_class=cls.name,
    )


def capacitated_transport_row(n: int, m: int, cap: int, integral: bool) -> Row:
    cls = CLASSES["ints 1..100" if integral else "uniform floats"]
    value = Lazy(lambda: value_of(cls.draw(np.random.default_rng(2), (n, m))))
    demand = np.ones(n, np.int64)
    capacity = np.full(m, cap, np.int64)
    missing: list[str] = []
    peers = transport_peers(value, demand, capacity, integral=integral, missing=missing)
    return _peer_row(
        f"transport {n}x{m} cap {cap} {cls.name}",
        value,
        ours=lambda: transport(value(), demand=demand, capacity=capacity, prices=None),
        objective=lambda res: float((np.asarray(res.quantity) * value()).sum()),
        peers=peers,
        missing=missing,
        exact=integral,
        repeat=3,
        input_class=cls.name,
    )


def batch_rows(count: int, k: int) -> list[Row]:
    values = np.random.default_rng(3).random((count, k, k))
    cost = 1.0 - values
    missing: list[str] = []
    lap = load("lap", "lapx", missing)

    def ours_total(res: Any) -> float:
        return float(np.asarray(res.welfare).sum())

    def lap_total(out: Any) -> float:  # (totals, [column of each row, per problem])
        return float(k * count - np.asarray(out[0]).sum())

    rows = []
    for parallel in (False, True):
        peers = (
            []
            if lap is None
            else [Peer("lapx lapjvh_batch", lambda: lap.lapjvh_batch(cost), lap_total)]
        )
        rows.append(
            Row(
                name=f"assign_batch {count:,} x {k}x{k} uniform floats"
                + (", parallel" if parallel else ""),
                ours=lambda parallel=parallel: assign_batch(values, prices=None, parallel=parallel),
                objective=ours_total,
                peers=peers,
                target=0.5,
                runs=3 if parallel else 1,
                input_class="uniform floats",
                skip="" if lap is not None else "lapx not installed",
            )
        )
    rows.append(
        Row(
            name=f"assign_batch {count:,} x {k}x{k} uniform floats, vs scipy loop",
            ours=lambda: assign_batch(values, prices=None),
            objective=ours_total,
            peers=[
                Peer(
                    "scipy loop",
                    lambda: [scipy.optimize.linear_sum_assignment(c) for c in cost],
                    lambda out: sum(pairs_sum(v, *rc) for v, rc in zip(values, out, strict=True)),
                )
            ],
            repeat=2,
            input_class="uniform floats",
        )
    )
    return rows


def prices_row(n: int) -> Row:
    value = np.random.default_rng(4).random((n, n))
    return Row(
        name=f"assign {n}x{n} prices='both' vs None",
        ours=lambda: assign(value, prices="both"),
        objective=lambda res: pairs_sum(value, *_pairs(res)),
        peers=[
            Peer(
                "clearing assign(prices=None)",
                lambda: assign(value, prices=None),
                lambda res: pairs_sum(value, *_pairs(res)),
            )
        ],
        target=2.0,
        repeat=3,
        input_class="uniform floats",
    )


def class_rows(
    n_lsap: tuple[int, ...], n_assign: int, n_sparse: int, n_transport: int, repeat: int
) -> list[Row]:
    out: list[Row] = []
    for cls in CLASSES.values():
        out += [lsap_row(cls, n, repeat if n < 3000 else 1) for n in n_lsap]
        out.append(assign_dense_row(cls, n_assign, repeat))
        out.append(assign_sparse_full_row(cls, n_sparse, repeat))
        out.append(transport_row(cls, n_transport, repeat))
    return out


def rows(quick: bool, size: int | None = None) -> list[Row]:
    """The assignment workloads (``quick``: small sizes; ``size``: one size for all)."""
    if size is not None:
        return [
            *class_rows((size,), size, size, size, 3),
            lapx_sparse_row(size, 0.04, 3),
            random_sparse_row(size, min(20, size), integral=True, repeat=3),
            *batch_rows(100, 8),
        ]
    if quick:
        return [
            *class_rows((200,), 200, 200, 200, 3),
            lapx_sparse_row(100, 0.04, 3),
            random_sparse_row(2000, 20, integral=False, repeat=3),
            random_sparse_row(2000, 20, integral=True, repeat=3),
            capacitated_transport_row(400, 10, 40, integral=False),
            capacitated_transport_row(400, 10, 40, integral=True),
            *batch_rows(1000, 8),
            prices_row(200),
        ]
    return [
        *class_rows((1000, 2000, 4000), 2000, 2000, 1000, 3),
        lapx_sparse_row(1000, 0.01, 3),
        lapx_sparse_row(4000, 0.004, 1),
        random_sparse_row(10_000, 20, integral=False, repeat=3),
        random_sparse_row(10_000, 20, integral=True, repeat=3),
        capacitated_transport_row(2000, 50, 40, integral=False),
        capacitated_transport_row(2000, 50, 40, integral=True),
        *batch_rows(10_000, 8),
        prices_row(1000),
    ]
