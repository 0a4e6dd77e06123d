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
dense ``O(n m)`` with an array scan, sparse ``O(nnz log m)`` with a heap
(:mod:`clearing._kernels.assignment.prices_csr`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit, jit_inline
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


@jit_inline
def prices_dense_core(W, pw, want_min, want_max):
    """Unit-demand minimum and maximum prices over a dense surplus.

    The minimum prices come from a forward search over the matched providers
    (:func:`_min_prices`), the maximum from a backward one over the served requests
    (:func:`_max_prices`); see the module docstring.

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
        Which prices to compute. This is spliced into its caller: with a constant
        ``want_max``, only the kernel of the searches asked for is compiled.
    """
    if want_max:
        prices_dense_both(W, pw, want_min)
    elif want_min:
        prices_dense_min(W, pw)
    else:
        _price_potentials(W, pw)


@jit
def prices_dense_min(W, pw):
    """:func:`prices_dense_core` with the minimum prices only (same parameters).

    One kernel per combination, each run as one call: in a batch of small problems the
    price step is about a microsecond, and a call passing the work arrays costs a share."""
    _price_potentials(W, pw)
    _min_prices(W, pw)


@jit
def prices_dense_both(W, pw, want_min):
    """:func:`prices_dense_core` with the maximum prices, and the minimum with ``want_min``
    (same parameters)."""
    _price_potentials(W, pw)
    if want_min:
        _min_prices(W, pw)
    _max_prices(W, pw, want_min)


@jit_inline
def _price_potentials(W, pw):
    """Set ``pw.y`` (the request holding each provider), the request potentials ``pw.U``
    and zero prices, for :func:`prices_dense_core` (same parameters)."""
    x, P, pmin, pmax = pw.x, pw.P, pw.pmin, pw.pmax
    y, U = pw.y, pw.U
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


@jit_inline
def _min_prices(W, pw):
    """The minimum prices ``pw.pmin`` of :func:`prices_dense_core`, once
    :func:`_price_potentials` has run (same parameters)."""
    x, P, pmin = pw.x, pw.P, pw.pmin
    y, U, rd, b = pw.y, pw.U, pw.rd, pw.b
    n = W.shape[0]
    m = W.shape[1]
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


@jit_inline
def _max_prices(W, pw, above_min):
    """The maximum prices ``pw.pmax`` of :func:`prices_dense_core`, once
    :func:`_price_potentials` (and, with ``above_min``, :func:`_min_prices`) has run.

    Parameters
    ----------
    W, pw
        As in :func:`prices_dense_core`.
    above_min : bool
        ``pw.pmin`` holds the minimum prices: raise any maximum below them (rounding).
    """
    x, P, pmin, pmax = pw.x, pw.P, pw.pmin, pw.pmax
    y, U, B, WT = pw.y, pw.U, pw.B, pw.WT
    n = W.shape[0]
    m = W.shape[1]
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
    if above_min:
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
