"""Solver plumbing behind :mod:`clearing.assignment`: kernels in, result objects out.

Inputs arrive here already checked (see :mod:`clearing.assignment._inputs`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np

from .._kernels.assignment.dense import BatchOut, DenseProblems, assign_csr_dense
from .._kernels.assignment.dense_batch import BATCH_KERNELS
from .._kernels.assignment.lap import LapWork
from .._kernels.assignment.lap_outside import SHORT_ROW
from .._kernels.assignment.prices_csr import csr_max_prices, csr_min_prices, csr_price_graph
from .._kernels.assignment.sparse import sparse_assign
from .._kernels.assignment.transport import transport_csr
from .._kernels.assignment.transport_dense import transport_dense_long, transport_dense_short
from .._validate import FloatArray, IntArray
from ..errors import InputError
from ._inputs import DenseInput, SparseSurplus, dense_to_csr
from ._results import AssignmentBatchResult, AssignmentReason, AssignmentResult


def lap_workspace(n: int, m: int) -> LapWork:
    """The work arrays of :func:`~clearing._kernels.assignment.lap.lap_dense_core` for an
    ``n x m`` problem, allocated here (the kernel's own allocator would compile a kernel
    more on the first call)."""
    i8, f8 = np.int64, np.float64
    return LapWork(
        *(np.empty(m, f8) for _ in range(3)),
        *(np.empty(n, i8) for _ in range(2)),
        *(np.empty(m, i8) for _ in range(3)),
    )


def unmatched_with_reason(x: IntArray, reason: Any) -> tuple[IntArray, Any]:
    """The unmatched requests (``x < 0``) and every request's reason (``MATCHED`` if matched)."""
    unmatched = np.flatnonzero(x < 0).astype(np.int64)
    return unmatched, np.where(x < 0, reason, AssignmentReason.MATCHED).astype(np.int8)


def solve_dense_batch(
    inp: DenseInput, with_prices: bool, want_max: bool, parallel: bool
) -> AssignmentBatchResult:
    """Check and solve every problem of ``inp`` (one or a stack of them) in one call."""
    n, m = inp.value.shape[-2:]
    nb = int(np.prod(inp.value.shape[:-2]))
    v3 = inp.value.reshape(nb, n, m)
    # np.empty: the kernel writes every entry (first touches of fresh pages then happen in
    # the kernel's threads rather than here)
    x = np.empty((nb, n), np.int64)
    welfare = np.empty(nb, np.float64)
    col = np.empty((nb, m), np.float64)
    pmax = np.empty((nb, m if with_prices else 0), np.float64)
    row_dual = np.empty((nb, n), np.float64)
    reason = np.empty((nb, n), np.int8)
    if nb and n and m:
        problems = DenseProblems(v3, inp.c1, inp.c2, inp.forb)
        out = BatchOut(x, welfare, col, pmax, row_dual, reason)
        # one kernel per combination, so that a call compiles only what it runs
        kernel = BATCH_KERNELS[max(n, m) <= SHORT_ROW, with_prices, with_prices and want_max]
        if parallel:
            code, k = _in_threads(kernel, problems, out)
        else:
            code, k = kernel(problems, out)  # type: ignore[no-untyped-call]
        inp.raise_for_code(int(code), int(k))
    else:
        for a in (welfare, col, row_dual, pmax):  # nothing to match: every price is 0
            a.fill(0.0)
        x.fill(-1)
        reason.fill(AssignmentReason.NO_ELIGIBLE_PROVIDER)
    return AssignmentBatchResult(
        provider_index=x,
        welfare=welfare,
        row_duals=row_dual,
        col_duals=col,
        min_prices=col.copy() if with_prices else None,
        max_prices=pmax if want_max else None,
        utility=row_dual,  # the same read-only array: the utility is the row dual
        reason=reason,
    )


_THREADS: list[ThreadPoolExecutor] = []  # the pool of parallel batches, made on first use


def _in_threads(kernel: Any, problems: DenseProblems, out: BatchOut) -> tuple[int, int]:
    """``kernel(problems, out)`` on contiguous chunks of the problems, one a numba thread
    (``numba.get_num_threads()``), run in threads: kernels release the GIL, problems are
    independent, and each writes its own slots, so the results are the serial ones bit for
    bit. The first bad entry is that of the first chunk reporting one, as in serial.
    """
    v3, c1, c2, forb = problems
    nb = v3.shape[0]
    # one contiguous chunk a thread: an equal share each, and four a thread ran slower
    chunks = min(nb, numba.get_num_threads())
    bounds = [c * nb // chunks for c in range(chunks + 1)]

    def part(c: int) -> tuple[int, int]:
        lo, hi = bounds[c], bounds[c + 1]
        chunk = DenseProblems(
            v3[lo:hi],
            c1,
            c2[lo:hi] if c2.shape[1] > 0 else c2,
            forb[lo:hi] if forb.shape[1] > 0 else forb,
        )
        code, k = kernel(chunk, BatchOut(*(a[lo:hi] for a in out)))
        return int(code), int(k) + lo * v3.shape[1] * v3.shape[2] if code else -1

    if chunks == 1:
        return part(0)
    if not _THREADS:
        threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
        _THREADS.append(ThreadPoolExecutor(threads, "clearing-batch"))
    for code, k in _THREADS[0].map(part, range(chunks)):
        if code:
            return code, k
    return 0, -1


def _competitive_prices(
    s: SparseSurplus,
    flow: IntArray,
    unserved: IntArray,
    saturated: Any,
    duals: FloatArray,
    want_max: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Minimum (and, with ``want_max``, maximum) prices and the row duals at the minimum,
    from an optimal flow and the solver's column duals."""
    n, m = s.shape
    pmin = np.empty(m, np.float64)
    pmax = np.zeros(m, np.float64)
    row_dual = np.empty(n, np.float64)
    # three kernels, so that a call without maximum prices does not compile that search
    ptr, idx, w = s.indptr, s.indices, s.surplus
    g = csr_price_graph(ptr, idx, w, flow, duals, m)  # type: ignore[no-untyped-call]
    csr_min_prices(ptr, idx, w, flow, unserved, saturated, duals, g, pmin, row_dual)  # type: ignore[no-untyped-call]
    if want_max:
        csr_max_prices(ptr, idx, w, flow, saturated, duals, g, pmin, pmax, True)  # type: ignore[no-untyped-call]
    return pmin, pmax, row_dual


#: what the transport solvers give: flow (per CSR entry, or dense), unserved per request,
#: load per provider, the duals ``u``, ``v`` (cost form) and the welfare of the flow
TransportSolution = tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, float]


def solve_csr(s: SparseSurplus, demand: IntArray, capacity: IntArray) -> TransportSolution:
    """Solve the transportation problem on the CSR surplus ``s``; flow per entry."""
    n, m = s.shape
    flow = np.zeros(s.indices.shape[0], np.int64)
    unserved = demand.copy()
    u = np.zeros(n, np.float64)
    v = np.zeros(m, np.float64)
    cost = np.ascontiguousarray(-s.surplus)
    transport_csr(s.indptr, s.indices, cost, demand, capacity, flow, unserved, u, v)  # type: ignore[no-untyped-call]
    load = np.bincount(s.indices, weights=flow, minlength=m).astype(np.int64)
    with np.errstate(over="ignore"):
        welfare = float((s.surplus * flow).sum())
    return flow, unserved, load, u, v, welfare


#: a dense transport problem whose matrix of unit copies is at most this many times its
#: own size is solved as an assignment of the copies (:mod:`.transport_dense`)
DENSE_COPIES_GROWTH = 4


def dense_copies_fit(demand: IntArray, capacity: IntArray) -> bool:
    """Whether the unit copies of a dense problem make a matrix small enough to solve
    (any size when the solver reads the matrix itself: unit units, not tall)."""
    n, m = demand.shape[0], capacity.shape[0]
    if n <= m and (demand == 1).all() and (capacity == 1).all():
        return True
    rows, cols = _copies(demand, capacity)
    return bool(rows * cols <= min(DENSE_COPIES_GROWTH * n * m, DENSE_MAX))


def _copies(demand: IntArray, capacity: IntArray) -> tuple[int, int]:
    """How many unit copies of the requests and of the providers can trade."""
    total_d, total_k = int(demand.sum()), int(capacity.sum())
    return int(np.minimum(demand, total_k).sum()), int(np.minimum(capacity, total_d).sum())


def solve_dense_transport(w: FloatArray, demand: IntArray, capacity: IntArray) -> TransportSolution:
    """:func:`solve_csr` on a dense surplus ``w`` (when :func:`dense_copies_fit`); the flow
    is dense, shape ``w.shape``."""
    n, m = w.shape
    flow = np.zeros((n, m), np.int64)
    unserved = np.empty(n, np.int64)
    load = np.empty(m, np.int64)
    u = np.empty(n, np.float64)
    v = np.empty(m, np.float64)
    # the solver's variant for the row length of the copies (the longer side), compiled alone
    short = max(_copies(demand, capacity)) <= SHORT_ROW
    solve = transport_dense_short if short else transport_dense_long
    welfare = solve(w, demand, capacity, flow, unserved, load, u, v)  # type: ignore[no-untyped-call]
    return flow, unserved, load, u, v, float(welfare)


def dense_flow_as_csr(
    w: FloatArray, reason: Any, capacity: IntArray, flow: IntArray
) -> tuple[SparseSurplus, IntArray]:
    """The CSR problem of a dense surplus (providers without capacity dropped) and the
    dense ``flow`` per entry of it, for the price searches."""
    s = dense_to_csr(w, reason)
    if (capacity == 0).any():
        s = drop_columns(s, capacity > 0)
    rows = np.repeat(np.arange(w.shape[0], dtype=np.int64), np.diff(s.indptr))
    return s, flow[rows, s.indices]


def transport_prices(
    csr_flow: Callable[[], tuple[SparseSurplus, IntArray]],
    unserved: IntArray,
    load: IntArray,
    capacity: IntArray,
    u: FloatArray,
    v: FloatArray,
    want_prices: bool,
    want_max: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Row duals and min/max prices of an optimal flow: the competitive prices from the
    flow (``csr_flow`` gives the CSR problem and its flow per entry), or the solver's own
    optimal duals ``u``, ``v`` (cost form)."""
    m = v.shape[0]
    if want_prices:
        s, flow = csr_flow()
        saturated = (load == capacity) & (load > 0)
        pmin, pmax, row_dual = _competitive_prices(s, flow, unserved, saturated, -v, want_max)
        return row_dual, pmin, pmax
    pmin, pmax = np.maximum(-v, 0.0), np.zeros(m, np.float64)
    return np.where(unserved > 0, 0.0, np.maximum(-u, 0.0)), pmin, pmax


def checked_welfare(welfare: float, fn: str) -> float:
    """``welfare``, or the error for a total that overflows float64."""
    if not np.isfinite(welfare):
        raise InputError(
            f"{fn}: the total surplus of the optimal flow overflows float64 (surpluses "
            "times units); scale value and cost down",
            argument="value",
        )
    return welfare


# A sparse problem with at least this share of its pairs eligible (and at most DENSE_MAX
# pairs) is solved by the dense solver: its searches sweep whole rows in vector loads, and
# on a nearly full CSR of integer surpluses the dense solver is the faster one.
DENSE_SHARE = 0.125
DENSE_MAX = 1 << 24


def assign_sparse(s: SparseSurplus, want_min: bool, want_max: bool) -> AssignmentResult:
    n, m = s.shape
    nnz = s.indices.shape[0]
    if nnz and nnz >= DENSE_SHARE * n * m and n * m <= DENSE_MAX:
        xe = np.empty(n, np.int64)
        u = np.empty(n, np.float64)
        p = np.empty(m, np.float64)
        assign_csr_dense(s.indptr, s.indices, s.surplus, xe, u, p)  # type: ignore[no-untyped-call]
    else:
        # filled, not np.empty: with no row or no column the solver returns before writing
        xe = np.full(n, -1, np.int64)
        u = np.zeros(n, np.float64)
        p = np.zeros(m, np.float64)
        if n and m:
            sparse_assign(  # type: ignore[no-untyped-call]
                s.indptr, s.indices, s.surplus, xe, u, p, 3e-3, 1e-6, 20.0
            )
    x = np.full(n, -1, np.int64)
    x[xe >= 0] = s.indices[xe[xe >= 0]]
    matched = np.flatnonzero(x >= 0).astype(np.int64)
    pmin, pmax, row_dual = p, np.zeros(m, np.float64), u
    # the solver's duals carry rounding residue (~1e-17) where the contract says exactly 0:
    # unmatched providers and requests, and no negative dual anywhere
    free = np.ones(m, bool)
    free[x[matched]] = False
    p[free] = 0.0
    u[x < 0] = 0.0
    np.maximum(p, 0.0, out=p)
    np.maximum(u, 0.0, out=u)
    if want_min or want_max:
        saturated = np.zeros(m, bool)
        saturated[x[matched]] = True
        unserved = (x < 0).astype(np.int64)
        flow = np.zeros(s.indices.shape[0], np.int64)
        flow[xe[xe >= 0]] = 1
        pmin, pmax, row_dual = _competitive_prices(s, flow, unserved, saturated, p, want_max)
    welfare = float(s.surplus[xe[matched]].sum()) if matched.size else 0.0
    unmatched, reason = unmatched_with_reason(x, s.reason)
    return AssignmentResult(
        request_index=matched,
        provider_index=x[matched],
        welfare=welfare,
        row_duals=row_dual,
        col_duals=pmin,
        min_prices=pmin.copy() if want_min else None,
        max_prices=pmax if want_max else None,
        utility=row_dual.copy(),
        unmatched=unmatched,
        reason=reason,
        shape=(n, m),
    )


def drop_columns(s: SparseSurplus, keep_cols: Any) -> SparseSurplus:
    rows = np.repeat(np.arange(s.shape[0], dtype=np.int64), np.diff(s.indptr))
    keep = keep_cols[s.indices]
    indptr = np.zeros(s.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=s.shape[0]), out=indptr[1:])
    return SparseSurplus(
        indptr=indptr,
        indices=np.ascontiguousarray(s.indices[keep]),
        surplus=np.ascontiguousarray(s.surplus[keep]),
        shape=s.shape,
        reason=s.reason,
    )
