"""Minimum and maximum competitive prices of a served allocation in CSR form.

The searches of :mod:`clearing._kernels.assignment.prices` (see its docstring) on a sparse
surplus, for transport (any units) and sparse assignment: Dijkstra with a heap,
``O(nnz log m)``. Three kernels, so that a call compiles only the searches it asks for:
:func:`csr_price_graph` builds what both searches read, :func:`csr_min_prices` and
:func:`csr_max_prices` run one search each (the maximum after the minimum when both are
asked for).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit
from .heap import heap_pop, heap_push_or_decrease


class CsrPriceGraph(NamedTuple):
    """What :func:`csr_price_graph` gives the searches (``n`` rows, ``m`` providers).

    ``rowof`` (int64, ``nnz``) the row of each entry; ``U`` (float64, ``n``) the row
    potentials; ``served`` (bool, ``n``) rows with flow; ``cptr``, ``cent`` (int64) every
    entry of each column, ``fptr``, ``fent`` (int64) the entries carrying flow, both in CSC
    form. Work arrays of the searches: ``rd`` (float64, ``m``), ``done`` (bool, ``m``),
    ``heap`` and ``pos`` (int64, ``m``; ``pos`` is -1 everywhere on return).
    """

    rowof: Any
    U: Any
    served: Any
    cptr: Any
    cent: Any
    fptr: Any
    fent: Any
    rd: Any
    done: Any
    heap: Any
    pos: Any


@jit
def csr_price_graph(indptr, indices, W, flow, P, m):
    """The row potentials and column lists both price searches read.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
    W : ndarray of float64, shape (nnz,)
        The eligible surplus in CSR form. Read only.
    flow : ndarray of int64, shape (nnz,)
        Units on each entry (an optimal flow). Read only.
    P : ndarray of float64, shape (m,)
        The solver's optimal provider potentials. Read only.
    m : int
        The number of providers.

    Returns
    -------
    CsrPriceGraph
    """
    n = indptr.shape[0] - 1
    nnz = indices.shape[0]
    rowof = np.empty(nnz, np.int64)
    U = np.zeros(n, np.float64)
    served = np.zeros(n, np.bool_)
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            rowof[e] = i
            if flow[e] > 0 and not served[i]:
                served[i] = True
                U[i] = W[e] - P[indices[e]]
    # columns -> entries (all entries, and entries carrying flow)
    cptr = np.zeros(m + 1, np.int64)
    fptr = np.zeros(m + 1, np.int64)
    for e in range(nnz):
        cptr[indices[e] + 1] += 1
        if flow[e] > 0:
            fptr[indices[e] + 1] += 1
    for j in range(m):
        cptr[j + 1] += cptr[j]
        fptr[j + 1] += fptr[j]
    cent = np.empty(nnz, np.int64)
    fent = np.empty(fptr[m], np.int64)
    cfill = cptr[:m].copy()
    ffill = fptr[:m].copy()
    for e in range(nnz):
        j = indices[e]
        cent[cfill[j]] = e
        cfill[j] += 1
        if flow[e] > 0:
            fent[ffill[j]] = e
            ffill[j] += 1
    return CsrPriceGraph(
        rowof,
        U,
        served,
        cptr,
        cent,
        fptr,
        fent,
        np.empty(m, np.float64),
        np.zeros(m, np.bool_),
        np.empty(m, np.int64),
        np.full(m, -1, np.int64),
    )


@jit
def csr_min_prices(indptr, indices, W, flow, unserved, saturated, P, g, pmin, row_dual):
    """The minimum prices and each row's gain at them.

    Parameters
    ----------
    indptr, indices, W, flow, P
        As in :func:`csr_price_graph`.
    unserved : ndarray of int64, shape (n,)
        Units of each row left out. Read only.
    saturated : ndarray of bool, shape (m,)
        Providers at capacity (the only prices that may be positive). Read only.
    g : CsrPriceGraph
        From :func:`csr_price_graph` (its work arrays are used).
    pmin : ndarray of float64, shape (m,)
        Written: the minimum prices.
    row_dual : ndarray of float64, shape (n,)
        Written: each row's gain per unit at the minimum prices.
    """
    n = indptr.shape[0] - 1
    m = saturated.shape[0]
    rowof, U, served, fptr, fent = g.rowof, g.U, g.served, g.fptr, g.fent
    rd, done, heap, pos = g.rd, g.done, g.heap, g.pos
    b = np.zeros(m, np.float64)
    for i in range(n):
        base = -np.inf
        if unserved[i] > 0:
            base = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            if flow[e] > 0 and not saturated[indices[e]] and -W[e] > base:
                base = -W[e]
        if base > -np.inf:
            for e in range(indptr[i], indptr[i + 1]):
                if W[e] + base > b[indices[e]]:
                    b[indices[e]] = W[e] + base
    phi = np.inf
    for j in range(m):
        if saturated[j] and P[j] - b[j] < phi:
            phi = P[j] - b[j]
    size = 0
    for j in range(m):
        done[j] = not saturated[j]
        if saturated[j]:
            rd[j] = max(P[j] - phi - b[j], 0.0)
            size = heap_push_or_decrease(heap, pos, rd, size, j)
    while size > 0:
        j, size = heap_pop(heap, pos, rd, size)
        done[j] = True
        dj = rd[j]
        for t in range(fptr[j], fptr[j + 1]):
            i = rowof[fent[t]]
            ui = U[i]
            for e in range(indptr[i], indptr[i + 1]):
                k = indices[e]
                if not done[k]:
                    red = max(ui + P[k] - W[e], 0.0)
                    if dj + red < rd[k]:
                        rd[k] = dj + red
                        size = heap_push_or_decrease(heap, pos, rd, size, k)
    for j in range(m):
        pmin[j] = max(P[j] - phi - rd[j], 0.0) if saturated[j] else 0.0
    for i in range(n):
        row_dual[i] = 0.0
        if served[i] and unserved[i] == 0:
            best = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                if flow[e] > 0 and W[e] - pmin[indices[e]] > best:
                    best = W[e] - pmin[indices[e]]
            row_dual[i] = best


@jit
def csr_max_prices(indptr, indices, W, flow, saturated, P, g, pmin, pmax, above_min):
    """The maximum prices.

    Parameters
    ----------
    indptr, indices, W, flow, P, saturated, g
        As in :func:`csr_min_prices`.
    pmin : ndarray of float64, shape (m,)
        Read with ``above_min``: the minimum prices.
    pmax : ndarray of float64, shape (m,)
        Written: the maximum prices.
    above_min : bool
        Raise any maximum below the minimum (rounding) to it.
    """
    n = indptr.shape[0] - 1
    m = saturated.shape[0]
    nnz = indices.shape[0]
    rowof, U, served, cptr, cent = g.rowof, g.U, g.served, g.cptr, g.cent
    rd, done, heap, pos = g.rd, g.done, g.heap, g.pos
    B = np.zeros(n, np.float64)
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            if not saturated[indices[e]] and W[e] > B[i]:
                B[i] = W[e]
    phi = -np.inf
    for i in range(n):
        if served[i] and B[i] - U[i] > phi:
            phi = B[i] - U[i]
    for j in range(m):
        rd[j] = np.inf
        pos[j] = -1
        done[j] = not saturated[j]
    size = 0
    for e in range(nnz):
        j = indices[e]
        if flow[e] > 0 and saturated[j]:
            i = rowof[e]
            r = max(U[i] - B[i] + phi, 0.0)
            if r < rd[j]:
                rd[j] = r
                size = heap_push_or_decrease(heap, pos, rd, size, j)
    while size > 0:
        k, size = heap_pop(heap, pos, rd, size)
        done[k] = True
        dk = rd[k]
        pk = P[k]
        for t in range(cptr[k], cptr[k + 1]):
            ek = cent[t]
            i = rowof[ek]
            if not served[i]:
                continue
            red = max(U[i] + pk - W[ek], 0.0)
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                if flow[e] > 0 and not done[j] and dk + red < rd[j]:
                    rd[j] = dk + red
                    size = heap_push_or_decrease(heap, pos, rd, size, j)
    for j in range(m):
        pmax[j] = max(rd[j] + P[j] - phi, 0.0) if saturated[j] and rd[j] < np.inf else 0.0
    for e in range(nnz):
        j = indices[e]
        if flow[e] > 0 and pmax[j] > W[e]:
            pmax[j] = W[e]
    if above_min:
        for j in range(m):
            if pmax[j] < pmin[j]:
                pmax[j] = pmin[j]
