"""Input checking for :mod:`clearing.assignment`: surplus matrices from value, cost, forbidden.

The surplus of request ``i`` at provider ``j`` is ``value[i, j] - cost[i, j]`` (or
``- cost[j]``). A pair is *allowed* unless it is forbidden (mask, ``-inf`` value, ``+inf``
cost, or absent from a sparse ``value``), and *eligible* when it is allowed and its surplus is
positive: only eligible pairs are ever served. Kernels receive eligible surpluses only (dense:
``-inf`` elsewhere; CSR: eligible entries only) and a per-request reason code used for
requests that stay unserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._kernels.assignment.surplus import (
    SURPLUS_LIMIT,
    count_finite_rows,
    fill_finite_rows,
    surplus_csr,
    surplus_rows,
)
from .._status import SurplusCheck
from .._validate import FloatArray, IntArray, as_float, as_numeric, first_bad
from ..errors import InputError
from ._results import AssignmentReason, Int8Array


def is_sparse(x: Any) -> bool:
    """True for scipy.sparse arrays and matrices (without importing scipy.sparse eagerly)."""
    return hasattr(x, "tocsr") and hasattr(x, "nnz")


def surplus_too_large(fn: str, name: str, index: tuple[int, ...]) -> InputError:
    """The error for a pair whose ``value - cost`` exceeds :data:`SURPLUS_LIMIT`."""
    where = ", ".join(map(str, index))
    return InputError(
        f"{fn}: {name}[{where}] - cost is above {SURPLUS_LIMIT:g}, the largest surplus "
        "allowed (so that sums of surpluses stay finite); scale value and cost down",
        argument=name,
        index=index,
    )


def _as_mask(forbidden: Any, shape: tuple[int, ...], fn: str) -> Any:
    if is_sparse(forbidden):
        forbidden = forbidden.toarray()
    arr = as_numeric(forbidden, "forbidden", fn, len(shape))
    if arr.shape != shape:
        raise InputError(
            f"{fn}: forbidden has shape {arr.shape}, expected {shape}", argument="forbidden"
        )
    if arr.dtype.kind != "b":
        fl = as_float(arr, "forbidden", fn, ndim=len(shape))
        first_bad(fn, "forbidden", fl, (fl != 0) & (fl != 1), "a mask holds booleans or 0/1")
    return arr.astype(bool)


def _cost_dense(cost: Any, shape: tuple[int, ...], fn: str) -> FloatArray:
    """Cost broadcast to ``shape``; 1-D costs are per provider (the last axis)."""
    if is_sparse(cost):
        raise InputError(
            f"{fn}: cost must be dense (per provider or per pair); fold a sparse cost into value",
            argument="cost",
        )
    arr = as_numeric(cost, "cost", fn, None)  # a ragged or non-numeric cost fails here
    nd = arr.ndim
    if nd < 1 or nd > len(shape):
        raise InputError(
            f"{fn}: cost must be 1-D (per provider) up to {len(shape)}-D, got {nd}-D",
            argument="cost",
        )
    c = as_float(arr, "cost", fn, ndim=nd, allow_posinf=True)
    if c.shape != shape[len(shape) - nd :]:
        raise InputError(
            f"{fn}: cost has shape {c.shape}, expected {shape[len(shape) - nd :]}",
            argument="cost",
        )
    return c


@dataclass
class DenseInput:
    """Checked dense input, laid out for :func:`surplus_rows` one problem at a time.

    ``value`` has the caller's shape ``(..., n, m)``; ``c1`` is the cost per provider (or
    empty); ``c2`` (cost per pair) and ``forb`` are 3-D: ``(problems, n, m)``, or
    ``(1, 0, m)`` when absent.
    """

    value: FloatArray
    c1: FloatArray
    c2: FloatArray
    forb: Any
    fn: str
    name: str

    def raise_for_code(self, code: int, k: int) -> None:
        """Raise the message for a :func:`surplus_rows` code at flat index ``k``."""
        if not code:
            return
        v = self.value
        # NaN, then +inf, anywhere in the value take precedence (the converters' usual
        # message), then the first pair whose surplus is too large (codes 3 and 4, bad
        # cost entries, never come back: the cost was checked when it was converted)
        as_float(v, self.name, self.fn, ndim=v.ndim, allow_neginf=True)
        raise surplus_too_large(
            self.fn, self.name, tuple(int(t) for t in np.unravel_index(k, v.shape))
        )


def dense_input(
    value: Any, cost: Any, forbidden: Any, fn: str, ndim: int = 2, name: str = "value"
) -> DenseInput:
    """Convert and shape-check ``(value, cost, forbidden)``; entries are checked later."""
    v = np.ascontiguousarray(as_numeric(value, name, fn, ndim), dtype=np.float64)
    shape = v.shape
    n, m = shape[-2:]
    problems = int(np.prod(shape[:-2]))
    # no cost: c1 stays empty, which spares the pass a subtraction and two checks an entry
    c = np.empty(0, np.float64) if cost is None else _cost_dense(cost, shape, fn)
    c1 = c if c.ndim == 1 else np.empty(0, np.float64)
    c2 = (
        np.ascontiguousarray(np.broadcast_to(c, shape)).reshape(problems, n, m)
        if c.ndim > 1
        else np.empty((1, 0, m), np.float64)
    )
    forb = (
        np.ascontiguousarray(_as_mask(forbidden, shape, fn)).reshape(problems, n, m)
        if forbidden is not None
        else np.empty((1, 0, m), np.bool_)
    )
    return DenseInput(value=v, c1=c1, c2=c2, forb=forb, fn=fn, name=name)


def dense_surplus(value: Any, cost: Any, forbidden: Any, fn: str) -> tuple[FloatArray, Int8Array]:
    """Eligible surplus (``-inf`` elsewhere) and per-request reason codes of a 2-D input.

    The value checks (NaN, ``+inf``, a ``value - cost`` above the limit) run inside the same
    compiled pass that builds the surplus; the messages are the converters' own.
    """
    inp = dense_input(value, cost, forbidden, fn)
    n, m = inp.value.shape
    w = np.empty((n, m), np.float64)
    reason = np.full(n, int(AssignmentReason.NO_ELIGIBLE_PROVIDER), np.int8)
    if n and m:
        code, k = surplus_rows(inp.value, inp.c1, inp.c2[0], inp.forb[0], w, reason)  # type: ignore[no-untyped-call]
        inp.raise_for_code(code, k)
    return w, reason


@dataclass
class SparseSurplus:
    """Eligible entries of a surplus matrix in CSR form."""

    indptr: IntArray
    indices: IntArray
    surplus: FloatArray
    shape: tuple[int, int]
    reason: Int8Array


def sparse_surplus(value: Any, cost: Any, forbidden: Any, fn: str) -> SparseSurplus:
    """CSR eligible surplus from a scipy.sparse ``value`` (absent entries are forbidden)."""
    csr = value.tocsr()
    if csr.ndim != 2:
        raise InputError(f"{fn}: value must be 2-D", argument="value")
    if not csr.has_canonical_format:
        csr = csr.copy()
        csr.sum_duplicates()
    n, m = (int(s) for s in csr.shape)
    dt = csr.data.dtype
    if dt.kind not in "biuf":
        raise InputError(
            f"{fn}: value must hold numbers (bool, int or float), got dtype {dt}",
            argument="value",
        )
    indptr = np.ascontiguousarray(csr.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(csr.indices, dtype=np.int64)
    data = np.ascontiguousarray(csr.data, dtype=np.float64)
    nnz = data.shape[0]

    def rows() -> IntArray:
        return np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))

    ce = np.empty(0, np.float64)
    c1 = np.empty(0, np.float64)
    if cost is not None:
        cd = _cost_dense(cost, (n, m), fn)
        if cd.ndim == 1:
            c1 = cd
        else:
            ce = np.ascontiguousarray(cd[rows(), indices])
    fe = np.empty(0, np.bool_)
    if forbidden is not None:
        if is_sparse(forbidden):
            f = forbidden.tocsr()
            if f.shape != (n, m):
                raise InputError(
                    f"{fn}: forbidden has shape {f.shape}, expected {(n, m)}",
                    argument="forbidden",
                )
            fe = np.asarray(f[rows(), indices]).ravel().astype(bool)
        else:
            fe = np.ascontiguousarray(_as_mask(forbidden, (n, m), fn)[rows(), indices])
    out_ptr = np.empty(n + 1, np.int64)
    reason = np.empty(n, np.int8)
    # without cost or mask the surplus is the value itself: a counting pass first, and no
    # copy at all when every entry is kept (a full CSR of positive values)
    plain = cost is None and forbidden is None
    out_idx = np.empty(0 if plain else nnz, np.int64)
    out_w = np.empty(0 if plain else nnz, np.float64)
    code, e = surplus_csr(  # type: ignore[no-untyped-call]
        indptr, indices, data, ce, c1, fe, out_ptr, out_idx, out_w, reason
    )
    if plain and not code and nnz:
        if int(out_ptr[n]) == nnz:
            out_idx, out_w = indices, data
        else:
            out_idx, out_w = np.empty(nnz, np.int64), np.empty(nnz, np.float64)
            surplus_csr(indptr, indices, data, ce, c1, fe, out_ptr, out_idx, out_w, reason)  # type: ignore[no-untyped-call]
    if code:
        i = int(np.searchsorted(indptr, e, side="right") - 1)
        j = int(indices[e])
        if code == SurplusCheck.SURPLUS_TOO_LARGE:
            raise surplus_too_large(fn, "value", (i, j))
        bad = np.isnan(data) if code == SurplusCheck.NAN_VALUE else np.isposinf(data)
        count = int(bad.sum())
        what = "NaN is not allowed" if code == SurplusCheck.NAN_VALUE else "+inf is not allowed"
        raise InputError(
            f"{fn}: value[{i}, {j}] is {float(data[e])!r}; {what} "
            f"({count} bad {'entry' if count == 1 else 'entries'})",
            argument="value",
            index=(i, j),
            value=float(data[e]),
        )
    kept = int(out_ptr[n])
    if kept < nnz:  # compact (a full copy is skipped when every entry is eligible)
        out_idx, out_w = out_idx[:kept].copy(), out_w[:kept].copy()
    return SparseSurplus(
        indptr=out_ptr,
        indices=out_idx,
        surplus=out_w,
        shape=(n, m),
        reason=reason,
    )


def dense_to_csr(w: FloatArray, reason: Int8Array) -> SparseSurplus:
    """Eligible entries (finite) of a dense surplus matrix in CSR form."""
    n, m = w.shape
    indptr = np.zeros(n + 1, np.int64)
    nnz = count_finite_rows(w, indptr) if n and m else 0  # type: ignore[no-untyped-call]
    indices = np.empty(nnz, np.int64)
    data = np.empty(nnz, np.float64)
    if nnz:
        fill_finite_rows(w, indptr, indices, data)  # type: ignore[no-untyped-call]
    return SparseSurplus(
        indptr=indptr, indices=indices, surplus=data, shape=(int(n), int(m)), reason=reason
    )


def units(x: Any, name: str, length: int, fn: str) -> IntArray:
    """Non-negative whole units as int64 with the given length."""
    arr = as_float(x, name, fn, ndim=1)
    if arr.size:
        first_bad(fn, name, arr, arr < 0, "units must be >= 0")
        first_bad(fn, name, arr, arr != np.floor(arr), "units must be whole numbers")
        first_bad(fn, name, arr, arr > 2.0**53, "units must be below 2**53")
    if arr.shape[0] != length:
        raise InputError(
            f"{fn}: {name} has length {arr.shape[0]}, expected {length}", argument=name
        )
    return arr.astype(np.int64)
