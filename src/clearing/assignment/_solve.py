"""Solver plumbing behind :mod:`clearing.assignment`: kernels in, result objects out.

Inputs arrive here already checked (see :mod:`clearing.assignment._inputs`).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from .._kernels.assignment.dense import (
    BatchOut,
    DenseProblems,
    assign_csr_dense,
    assign_dense_batch,
    assign_dense_batch_parallel,
)
from .._kernels.assignment.lap import LapWork
from .._kernels.assignment.prices import prices_csr
from .._kernels.assignment.sparse import sparse_assign
from .._kernels.assignment.transport import transport_csr
from .._status import raise_for_status
from .._validate import FloatArray, IntArray
from ..errors import InputError
from ._inputs import DenseInput, SparseSurplus
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
        if parallel:
            # one contiguous chunk a thread: numba hands each thread an equal share of
            # the chunks anyway, and four a thread ran slower
            chunks = min(nb, numba.get_num_threads())
            code, k = assign_dense_batch_parallel(problems, with_prices, want_max, out, chunks)  # type: ignore[no-untyped-call]
        else:
            code, k = assign_dense_batch(problems, with_prices, want_max, out)  # type: ignore[no-untyped-call]
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
    pmin = np.zeros(m, np.float64)
    pmax = np.zeros(m, np.float64)
    row_dual = np.zeros(n, np.float64)
    prices_csr(  # type: ignore[no-untyped-call]
        s.indptr, s.indices, s.surplus, flow, unserved, saturated, duals, True, want_max,
        pmin, pmax, row_dual,
    )  # fmt: skip
    return pmin, pmax, row_dual


def solve_csr(
    s: SparseSurplus,
    demand: IntArray,
    capacity: IntArray,
    want_prices: bool,
    want_max: bool,
    fn: str,
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray, float]:
    """Flow per entry, unserved, load, row duals, min and max prices, welfare."""
    n, m = s.shape
    nnz = s.indices.shape[0]
    flow = np.zeros(nnz, np.int64)
    unserved = demand.copy()
    u = np.zeros(n, np.float64)
    v = np.zeros(m, np.float64)
    cost = np.ascontiguousarray(-s.surplus)
    status = transport_csr(  # type: ignore[no-untyped-call]
        s.indptr, s.indices, cost, demand, capacity, flow, unserved, u, v
    )
    raise_for_status(status, fn)
    load = np.bincount(s.indices, weights=flow, minlength=m).astype(np.int64)
    if want_prices:
        saturated = (load == capacity) & (load > 0)
        pmin, pmax, row_dual = _competitive_prices(s, flow, unserved, saturated, -v, want_max)
    else:  # the solver's own optimal duals
        pmin, pmax = np.maximum(-v, 0.0), np.zeros(m, np.float64)
        row_dual = np.where(unserved > 0, 0.0, np.maximum(-u, 0.0))
    with np.errstate(over="ignore"):
        welfare = float((s.surplus * flow).sum())
    if not np.isfinite(welfare):
        raise InputError(
            f"{fn}: the total surplus of the optimal flow overflows float64 (surpluses "
            "times units); scale value and cost down",
            argument="value",
        )
    return flow, unserved, load, row_dual, pmin, pmax, welfare


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
            status = sparse_assign(  # type: ignore[no-untyped-call]
                s.indptr, s.indices, s.surplus, xe, u, p, 3e-3, 1e-6, 20.0
            )
            raise_for_status(status, "assign")
    flow = np.zeros(s.indices.shape[0], np.int64)
    flow[xe[xe >= 0]] = 1
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
