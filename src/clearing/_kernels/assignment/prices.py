"""Minimum and maximum competitive provider prices from optimal duals, by shortest paths.

Setting: surplus ``W[i, j] >= 0`` on eligible pairs, an optimal allocation, and provider
potentials ``P`` from the solver's optimal duals (``U[i] + P[j] >= W[i, j]`` for the rows
that are served, equality where they are served). Competitive prices ``p`` (and utilities
``u``) satisfy ``u[i] + p[j] >= W[i, j]``, equality where ``i`` is served by ``j``,
``u, p >= 0``, ``p[j] == 0`` for providers with spare capacity and ``u[i] == 0`` for
requests with unserved demand. They form a lattice (Shapley and Shubik 1971); its least
element is the VCG outcome for unit demand (Leonard 1983; Demange, Gale, Sotomayor 1986).

Eliminating ``u`` leaves difference constraints between saturated providers: request ``i``
served by ``j`` gives ``p[k] >= p[j] + W[i, k] - W[i, j]`` for every eligible ``k``. So

* the minimum prices are longest paths from a root (price 0) to each provider, and
* the maximum prices are shortest paths from each provider back to the root,

with root edges collecting the fixed bounds (providers with spare capacity, unserved
requests, ``u >= 0``). The optimal potentials make every edge's reduced length
``U[i] + P[k] - W[i, k]`` non-negative, so both are Dijkstra searches (Johnson's trick):
dense ``O(n m)`` with an array scan, sparse ``O(nnz log m)`` with a heap.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit
from .heap import heap_pop, heap_push_or_decrease
from .lap_search import argmin_nonneg


class PriceWork(NamedTuple):
    """Inputs, outputs and work arrays of :func:`prices_dense_core` for an ``n x m`` surplus.

    Read: ``x`` (int64, ``n``) the provider of each request, -1 if none; ``P`` (float64,
    ``m``) the solver's provider potentials. Written: ``pmin``, ``pmax`` (float64, ``m``).
    Work arrays (contents on entry do not matter): ``y`` (int64, ``m``); ``U``, ``B``
    (float64, ``n``); ``rd``, ``b`` (float64, ``m``); ``WT`` (float64, ``m x n`` for the
    maximum prices of a non-square surplus, else may be ``0 x 0``).
    """

    x: Any
    P: Any
    pmin: Any
    pmax: Any
    y: Any
    U: Any
    B: Any
    rd: Any
    b: Any
    WT: Any


@jit
def prices_dense_core(W, pw, want_min, want_max):
    """Unit-demand minimum and maximum prices over a dense surplus.

    The minimum prices come from a forward search over the matched providers, the maximum
    from a backward one over the served requests (see the module docstring).

    Parameters
    ----------
    W : ndarray of float64, shape (n, m)
        Surplus, ``-inf`` off the eligible pairs. Read; a square ``W`` with an empty
        ``pw.WT`` is transposed in place for the maximum prices and left so (a fresh buffer
        of that size costs more in page faults than the search itself).
    pw : PriceWork
        The allocation ``x`` and potentials ``P`` in, ``pmin``/``pmax`` out (0 where not
        asked for), and the work arrays.
    want_min, want_max : bool
        Which prices to compute.
    """
    x, P, pmin, pmax = pw.x, pw.P, pw.pmin, pw.pmax
    y, U, B, rd, b, WT = pw.y, pw.U, pw.B, pw.rd, pw.b, pw.WT
    n = W.shape[0]
    m = W.shape[1]
    for j in range(m):
        y[j] = -1
    for i in range(n):
        U[i] = 0.0
    for i in range(n):
        if x[i] >= 0:
            y[x[i]] = i
            U[i] = W[i, x[i]] - P[x[i]]
    for j in range(m):
        pmin[j] = 0.0
        pmax[j] = 0.0
    if want_min:
        for j in range(m):
            b[j] = 0.0
        for i in range(n):
            if x[i] < 0:
                for j in range(m):
                    if W[i, j] > b[j]:
                        b[j] = W[i, j]
        phi = np.inf
        for j in range(m):
            if y[j] >= 0 and P[j] - b[j] < phi:
                phi = P[j] - b[j]
        for j in range(m):  # rd: distance of each matched provider; b: its potential
            open_ = y[j] >= 0
            r = P[j] - phi - b[j]
            rd[j] = (r if r > 0.0 else 0.0) if open_ else np.inf
            b[j] = P[j] if open_ else np.inf
        _dense_dijkstra(W, y, U, b, P, rd, phi, pmin, True)
    if want_max:
        nfree = 0
        for k in range(m):
            if y[k] < 0:
                nfree += 1
        for i in range(n):
            B[i] = 0.0
            if x[i] >= 0 and nfree > 0:
                for k in range(m):
                    if y[k] < 0 and W[i, k] > B[i]:
                        B[i] = W[i, k]
        phi = -np.inf
        for i in range(n):
            if x[i] >= 0 and B[i] - U[i] > phi:
                phi = B[i] - U[i]
        for i in range(n):  # B: distance of each served request's provider; U: its potential
            served = x[i] >= 0
            r = U[i] - B[i] + phi
            B[i] = (r if r > 0.0 else 0.0) if served else np.inf
            U[i] = U[i] if served else np.inf
        for j in range(m):  # unreached providers keep the surplus of their match as cap
            pmax[j] = W[y[j], j] if y[j] >= 0 else 0.0
        if WT.shape[0] == m:
            _transpose(W, WT)
            _dense_dijkstra(WT, x, P, U, P, B, phi, pmax, False)
        else:  # square, no buffer given: W is transposed in place and left so
            _transpose_in_place(W)
            _dense_dijkstra(W, x, P, U, P, B, phi, pmax, False)
        if want_min:
            for j in range(m):
                if pmax[j] < pmin[j]:
                    pmax[j] = pmin[j]


@jit
def _dense_dijkstra(M, link, S, opened, P, dist, phi, out, forward):
    """One Dijkstra search of the price lattice over a dense surplus; see the module docstring.

    Parameters
    ----------
    M : ndarray of float64, shape (n, m) forward, (m, n) backward
        Surplus (``-inf`` off the eligible pairs), read one row per settled node: ``W``
        forward, its transpose backward.
    link : ndarray of int64
        Forward: the row ``y[j]`` that holds provider ``j``; backward: the provider
        ``x[i]`` of request ``i``. It names the row of ``M`` a settled node reads.
    S : ndarray of float64
        The potential added to a swept row: ``U`` (per request) forward, ``P`` backward.
    opened : ndarray of float64, shape (nodes,)
        Potentials of the nodes still open, ``inf`` elsewhere (set to ``inf`` as each node
        is settled): ``P`` of matched providers forward, ``U`` of served requests backward.
    P : ndarray of float64, shape (m,)
        Provider potentials (the solver's duals).
    dist : ndarray of float64, shape (nodes,)
        Working distances (``inf`` off the open nodes); consumed (all ``inf`` on return).
    phi : float
        The root's offset.
    out : ndarray of float64, shape (m,)
        Forward: written ``pmin[j]`` as provider ``j`` is settled. Backward: ``pmax[k]``
        lowered to the settled bound (it enters capped by the surplus of ``k``'s match).
    forward : bool
        The minimum prices (forward, nodes are providers) or the maximum (backward,
        nodes are served requests standing for their providers).

    Notes
    -----
    ``dist`` and ``opened`` are ``inf`` off the open nodes, so a relaxation sweeps a whole row
    without branches (an ``inf`` potential or a forbidden pair gives an ``inf``
    candidate) and the selection is the vectorised :func:`argmin_nonneg` (distances are
    ``>= 0``).
    """
    width = M.shape[1]
    while True:
        a = argmin_nonneg(dist)
        if a < 0:
            return
        best = dist[a]
        g = link[a]
        if forward:
            p = P[a] - phi - best
            out[a] = p if p > 0.0 else 0.0
        else:
            p = best + P[g] - phi
            p = p if p > 0.0 else 0.0
            out[g] = p if p < out[g] else out[g]
        dist[a] = np.inf
        opened[a] = np.inf
        s = S[g]
        for k in range(width):
            red = s + opened[k] - M[g, k]
            c = best + (red if red > 0.0 else 0.0)
            dist[k] = c if c < dist[k] else dist[k]


@jit
def _transpose(W, WT):
    """``WT = W.T`` in 64 x 64 tiles (cache friendly).

    Parameters
    ----------
    W : ndarray of float64, shape (n, m)
        Read only.
    WT : ndarray of float64, shape (m, n)
        Written.
    """
    n = W.shape[0]
    m = W.shape[1]
    for i0 in range(0, n, 64):
        i1 = min(i0 + 64, n)
        for j0 in range(0, m, 64):
            j1 = min(j0 + 64, m)
            for i in range(i0, i1):
                for j in range(j0, j1):
                    WT[j, i] = W[i, j]


@jit
def _transpose_in_place(W):
    """``W = W.T`` for a square ``W``, swapping 64 x 64 tiles across the diagonal.

    Parameters
    ----------
    W : ndarray of float64, shape (n, n)
        Transposed in place.
    """
    n = W.shape[0]
    for i0 in range(0, n, 64):
        i1 = min(i0 + 64, n)
        for j0 in range(i0, n, 64):
            j1 = min(j0 + 64, n)
            for i in range(i0, i1):
                for j in range(max(j0, i + 1), j1):
                    t = W[i, j]
                    W[i, j] = W[j, i]
                    W[j, i] = t


@jit
def prices_csr(
    indptr, indices, W, flow, unserved, saturated, P, want_min, want_max, pmin, pmax, row_dual
):
    """Prices for a served allocation in CSR form (transport, sparse assignment).

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
    W : ndarray of float64, shape (nnz,)
        The eligible surplus in CSR form. Read only.
    flow : ndarray of int64, shape (nnz,)
        Units on each entry (an optimal flow). Read only.
    unserved : ndarray of int64, shape (n,)
        Units of each row left out. Read only.
    saturated : ndarray of bool, shape (m,)
        Providers at capacity (the only prices that may be positive). Read only.
    P : ndarray of float64, shape (m,)
        The solver's optimal provider potentials. Read only.
    want_min, want_max : bool
        Which prices to compute.
    pmin, pmax : ndarray of float64, shape (m,)
        Written: the minimum and maximum prices (0 where not asked for).
    row_dual : ndarray of float64, shape (n,)
        Written with ``want_min``: each row's gain per unit at the minimum prices.
    """
    n = indptr.shape[0] - 1
    m = saturated.shape[0]
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
    for j in range(m):
        pmin[j] = 0.0
        pmax[j] = 0.0
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
    rd = np.empty(m, np.float64)
    done = np.zeros(m, np.bool_)
    heap = np.empty(m, np.int64)
    pos = np.full(m, -1, np.int64)
    if want_min:
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
            if saturated[j]:
                pmin[j] = max(P[j] - phi - rd[j], 0.0)
        for i in range(n):
            row_dual[i] = 0.0
            if served[i] and unserved[i] == 0:
                best = 0.0
                for e in range(indptr[i], indptr[i + 1]):
                    if flow[e] > 0 and W[e] - pmin[indices[e]] > best:
                        best = W[e] - pmin[indices[e]]
                row_dual[i] = best
    if want_max:
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
            if saturated[j] and rd[j] < np.inf:
                pmax[j] = max(rd[j] + P[j] - phi, 0.0)
        for e in range(nnz):
            j = indices[e]
            if flow[e] > 0 and pmax[j] > W[e]:
                pmax[j] = W[e]
        if want_min:
            for j in range(m):
                if pmax[j] < pmin[j]:
                    pmax[j] = pmin[j]
