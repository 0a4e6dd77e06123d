"""The exact search of the sparse market solver (:mod:`clearing._kernels.assignment.sparse`).

One Dijkstra search on reduced costs ``U[i] + p[j] - w[e] >= 0`` from an unmatched node
with a positive dual, ending at a free node of the other side or by dropping a node of its
own side from the matching, then the dual update and the flip of the path. The same code
serves searches from rows and from columns: a :class:`Side` names which arrays play which
part.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..._jit import jit
from .heap import heap_pop, heap_push_or_decrease


class Side(NamedTuple):
    """The side a search starts from (rows, or columns), in terms of entries ``e``.

    ``ptr``/``ent``: the entries of node ``r`` of this side are ``ent[ptr[r]:ptr[r + 1]]``
    (rows: the CSR itself with ``ent = arange(nnz)``; columns: the column view).
    ``node_of[e]`` is the other side's node of entry ``e`` and ``own_of[e]`` this side's.
    ``own_match``/``node_match`` hold the matched entry of each node (-1: none) and
    ``own_dual``/``node_dual`` the duals (rows ``U``, columns ``p``); the search updates the
    four in place.
    """

    ptr: Any
    ent: Any
    node_of: Any
    own_of: Any
    own_match: Any
    node_match: Any
    own_dual: Any
    node_dual: Any


class Workspace(NamedTuple):
    """Arrays of one search, length ``max(n, m)``, reset by the search before it returns.

    ``dist`` (inf), ``done`` (False), ``pred``, ``heap`` and ``pos`` (-1) are per node of the
    other side; ``scanned`` and ``level_dist`` list the nodes of this side in scan order with
    their distance, ``touched`` the other side's nodes whose ``dist`` was set, and ``level``
    (a stack) the nodes reached at the distance of the node being scanned.
    """

    dist: Any
    level_dist: Any
    done: Any
    pred: Any
    heap: Any
    pos: Any
    touched: Any
    scanned: Any
    level: Any


@jit
def search_from(side, ws, w, f):
    """One Dijkstra search from the unmatched node ``f`` of ``side`` (a row or a column).

    Parameters
    ----------
    side : Side
        The arrays seen from the side of ``f``; matches and duals are updated in place.
    ws : Workspace
        Work arrays of length ``max(n, m)``, left reset.
    w : ndarray of float64, shape (nnz,)
        Surplus per entry.
    f : int
        The start node: unmatched, with a positive dual.

    The nodes of the search are those of the other side; ``ws.level_dist`` keeps the
    distance of each scanned node of this side. The search ends at a free node of the other
    side or by dropping a node of this side from the matching (``f`` itself, or the node
    reached), whichever is closer; ties: a free node first, then the drop, then the
    unscanned node of lower index. Duals are updated so that they stay feasible and the
    matched entries tight, then the path is flipped.
    """
    dist = ws.dist
    done = ws.done
    pred = ws.pred
    mine = side.own_match
    theirs = side.node_match
    nt = 0
    ns = 0
    nl = 0
    size = 0
    best_out = np.inf
    out_node = -1
    best_free = np.inf
    free_node = -1
    r = f
    dr = 0.0
    term = -1
    while True:
        ws.scanned[ns] = r
        ws.level_dist[ns] = dr
        ns += 1
        ur = side.own_dual[r]
        for t in range(side.ptr[r], side.ptr[r + 1]):
            e = side.ent[t]
            j = side.node_of[e]
            if done[j]:
                continue
            k = dr + ur + side.node_dual[j] - w[e]
            if k < dist[j]:
                if dist[j] == np.inf:
                    ws.touched[nt] = j
                    nt += 1
                dist[j] = k
                pred[j] = e
                if theirs[j] < 0:  # a free node ends the search: it waits outside the heap
                    if k < best_free:
                        best_free = k
                        free_node = j
                elif k == dr and ws.pos[j] < 0:  # as close as can be: no heap needed
                    ws.level[nl] = j
                    nl += 1
                else:
                    size = heap_push_or_decrease(ws.heap, ws.pos, dist, size, j)
        if dr + ur < best_out:
            best_out = dr + ur
            out_node = r
        j = -1
        while j < 0:
            top = dr if nl > 0 else dist[ws.heap[0]] if size > 0 else np.inf
            if best_free < np.inf and best_free <= top and best_free <= best_out:
                term = free_node
                break
            if (nl == 0 and size == 0) or best_out <= top:
                break
            if nl > 0:
                nl -= 1
                j = ws.level[nl]
            else:
                j, size = heap_pop(ws.heap, ws.pos, dist, size)
            if done[j]:  # reached again by a rounding-level shorter path: scanned already
                j = -1
        if j < 0:
            break
        done[j] = True
        r = side.own_of[theirs[j]]
        dr = dist[j]
    big_d = best_out if term < 0 else dist[term]
    for t in range(ns):
        side.own_dual[ws.scanned[t]] -= big_d - ws.level_dist[t]
    for t in range(nt):
        j = ws.touched[t]
        if done[j] and j != term:
            side.node_dual[j] += big_d - dist[j]
    # augment: drop out_node (its partner is the path's end), or end at the free node
    if term < 0:
        r = out_node
        prev = mine[r]
        mine[r] = -1
        if r == f:
            j = -1
        else:
            j = side.node_of[prev]
            theirs[j] = -1
    else:
        j = term
    while j >= 0:
        e = pred[j]
        r = side.own_of[e]
        prev = mine[r]
        mine[r] = e
        theirs[j] = e
        if r == f:
            break
        j = side.node_of[prev]
    for t in range(nt):
        j = ws.touched[t]
        dist[j] = np.inf
        done[j] = False
        ws.pos[j] = -1
