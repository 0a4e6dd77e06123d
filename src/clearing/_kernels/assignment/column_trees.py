"""Segment trees of hop lengths, one per provider, for the provider-graph search.

The search of :mod:`~clearing._kernels.assignment.transport_columns` needs, for every
column ``j`` and every other column ``k``, the least hop length ``cost[r, k] - cost[r, j]``
over the requests ``r`` shipping on ``j`` (and the entry attaining it). A
:class:`ColumnTrees` keeps those minima in one segment tree per column over its shipping
entries: the leaves are blocks of ``BLOCK`` slots, one slot per entry carrying flow, and
every node holds the ``m + 1`` minima of its subtree (the last one: leaving for the
outside option). An augmentation changes the shipping entries of the columns on its path
only, so it updates ``O(path * m * log n)`` values (:func:`tree_add`, :func:`tree_drop`).
Equal lengths go to the entry that started shipping last (the order of the columns'
linked lists, :mod:`~clearing._kernels.assignment.transport_links`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..._jit import jit

#: entries per leaf of a column's segment tree
BLOCK = 8


class ColumnTrees(NamedTuple):
    """One segment tree of hop lengths per column (see the module docstring).

    ``key`` (nodes, m + 1) float64 and ``arg`` (nodes, m + 1) int64: the minimum over the
    subtree and the entry on the column attaining it (-1: none); column ``j``'s nodes are
    ``base[j] + 1 .. base[j] + 2 * leaves[j] - 1`` (root first, leaf ``b`` at ``base[j] +
    leaves[j] + b``). ``slot_e`` (slots,) int64: the entry in each slot (-1: free), column
    ``j``'s slots from ``sbase[j]``; ``free`` (slots,) int64 with ``nfree`` (m,) int64: a
    stack of free slots per column; ``slot_of`` (nnz,) int64: the slot of each linked entry.
    """

    key: np.ndarray
    arg: np.ndarray
    base: np.ndarray
    leaves: np.ndarray
    sbase: np.ndarray
    slot_e: np.ndarray
    free: np.ndarray
    nfree: np.ndarray
    slot_of: np.ndarray


# The helpers below take plain arrays: reading a field of a named tuple inside a compiled
# loop takes and drops a reference to the array each time (two atomic operations), which
# measured more than the searches themselves; the tuples are unpacked once per call.


@jit
def _wins(kn, an, ko, ao, stamp):
    """Does length ``kn`` of entry ``an`` beat ``ko`` of ``ao``? Ties: the later link wins.

    Parameters
    ----------
    kn, ko : float
        The new and the old length.
    an, ao : int
        Their entries (-1: none).
    stamp : ndarray, shape (nnz + 1,), int64
        Link times; read.
    """
    if kn < ko:
        return True
    return kn == ko and an >= 0 and (ao < 0 or stamp[an] > stamp[ao])


@jit
def _merge(node, e, j, indptr, indices, cost, rowof, stamp, key, arg):
    """Let entry ``e`` compete at ``node`` (``e`` linked last); did it win anywhere?

    Parameters
    ----------
    node, e, j : int
        The tree node, the entry and its column.
    indptr, indices, cost, rowof, stamp : ndarray
        The CSR problem, the row of each entry, the link times; read.
    key, arg : ndarray, shape (nodes, m + 1)
        Float64 minima and int64 entries of the trees; row ``node`` updated in place.
    """
    m = key.shape[1] - 1
    r = rowof[e]
    base = -cost[e]
    won = False
    for e2 in range(indptr[r], indptr[r + 1]):
        k = indices[e2]
        if k != j and _wins(cost[e2] + base, e, key[node, k], arg[node, k], stamp):
            key[node, k] = cost[e2] + base
            arg[node, k] = e
            won = True
    if _wins(base, e, key[node, m], arg[node, m], stamp):
        key[node, m] = base
        arg[node, m] = e
        won = True
    return won


@jit
def _leaf(node, s0, j, indptr, indices, cost, rowof, stamp, key, arg, slot_e):
    """Recompute leaf ``node`` of column ``j`` from the entries in slots ``s0 ..``.

    Parameters
    ----------
    node, s0, j : int
        The leaf, its first slot and its column.
    indptr, indices, cost, rowof, stamp, key, arg
        As in :func:`_merge`.
    slot_e : ndarray, shape (slots,), int64
        The entry in each slot (-1: free); read.
    """
    for k in range(key.shape[1]):
        key[node, k] = np.inf
        arg[node, k] = -1
    for s in range(s0, s0 + BLOCK):
        e = slot_e[s]
        if e >= 0:
            _merge(node, e, j, indptr, indices, cost, rowof, stamp, key, arg)


@jit
def _pull_node(base, i, stamp, key, arg):
    """Node ``i`` of a tree at ``base`` := elementwise best of its two children; changed?

    Parameters
    ----------
    base, i : int
        The tree's offset and the node within it.
    stamp : ndarray, shape (nnz + 1,), int64
        Link times; read.
    key, arg : ndarray, shape (nodes, m + 1)
        As in :func:`_merge`; row ``base + i`` updated in place.
    """
    p = base + i
    a = base + 2 * i
    c = a + 1
    changed = False
    for k in range(key.shape[1]):
        w = c if _wins(key[c, k], arg[c, k], key[a, k], arg[a, k], stamp) else a
        if key[p, k] != key[w, k] or arg[p, k] != arg[w, k]:
            key[p, k] = key[w, k]
            arg[p, k] = arg[w, k]
            changed = True
    return changed


@jit
def column_trees(indptr, indices, cost, capacity, rowof, head, nxt, stamp):
    """Build the trees for the entries already linked (after the greedy start).

    Column ``j`` gets ``min(entries of j, capacity[j])`` slots: every linked entry carries at
    least one unit, so no more are ever linked at once.

    Parameters
    ----------
    indptr, indices, cost : ndarray
        The CSR problem: shapes (n + 1,), (nnz,), (nnz,); int64, int64, float64.
    capacity : ndarray, shape (m,), int64
        Units per column.
    rowof : ndarray, shape (nnz,), int64
        Row of each entry.
    head, nxt : ndarray, int64
        The columns' lists of entries with flow (see
        :class:`~clearing._kernels.assignment.transport_links.Links`); read only.
    stamp : ndarray, shape (nnz + 1,), int64
        Link times (ties between equal hop lengths go to the later link); read only.

    Returns
    -------
    ColumnTrees
        Fresh arrays, built from the linked entries.
    """
    m = capacity.shape[0]
    m1 = m + 1
    nnz = indices.shape[0]
    count = np.zeros(m, np.int64)
    for e in range(nnz):
        count[indices[e]] += 1
    base = np.empty(m, np.int64)
    leaves = np.empty(m, np.int64)
    sbase = np.empty(m, np.int64)
    nfree = np.empty(m, np.int64)
    nodes = 0
    slots = 0
    for j in range(m):
        c = min(count[j], capacity[j])
        nb = max((c + BLOCK - 1) // BLOCK, 1)
        q = 1
        while q < nb:
            q *= 2
        base[j] = nodes
        leaves[j] = q
        sbase[j] = slots
        nfree[j] = c
        nodes += 2 * q
        slots += q * BLOCK
    free = np.empty(slots, np.int64)
    for j in range(m):
        for t in range(nfree[j]):
            free[sbase[j] + t] = nfree[j] - 1 - t  # slot 0 on top
    key = np.full((nodes, m1), np.inf)
    arg = np.full((nodes, m1), -1, np.int64)
    slot_e = np.full(slots, -1, np.int64)
    slot_of = np.full(nnz, -1, np.int64)
    for j in range(m):
        e = head[j]
        while e >= 0:
            nfree[j] -= 1
            slot = free[sbase[j] + nfree[j]]
            slot_e[sbase[j] + slot] = e
            slot_of[e] = slot
            e = nxt[e]
        for b in range(leaves[j]):
            node = base[j] + leaves[j] + b
            _leaf(
                node, sbase[j] + b * BLOCK, j, indptr, indices, cost, rowof, stamp, key, arg, slot_e
            )
        for i in range(leaves[j] - 1, 0, -1):
            _pull_node(base[j], i, stamp, key, arg)
    return ColumnTrees(key, arg, base, leaves, sbase, slot_e, free, nfree, slot_of)


@jit
def tree_add(e, k, indptr, indices, cost, rowof, stamp, tr):
    """Entry ``e`` starts shipping on column ``k``: give it a slot and update the minima.

    A new entry only lowers minima, so it climbs from its leaf while it wins somewhere.

    Parameters
    ----------
    e, k : int
        The entry (just linked on ``k``, so it wins ties) and its column.
    indptr, indices, cost : ndarray
        The CSR problem: shapes (n + 1,), (nnz,), (nnz,); int64, int64, float64.
    rowof : ndarray, shape (nnz,), int64
        Row of each entry.
    stamp : ndarray, shape (nnz + 1,), int64
        Link times; read only.
    tr : ColumnTrees
        The trees; ``key``, ``arg``, ``slot_e``, ``free``, ``nfree`` and ``slot_of``
        are updated in place.
    """
    key, arg, base, leaves, sbase = tr.key, tr.arg, tr.base, tr.leaves, tr.sbase
    slot_e, free, nfree, slot_of = tr.slot_e, tr.free, tr.nfree, tr.slot_of
    nfree[k] -= 1
    slot = free[sbase[k] + nfree[k]]
    slot_e[sbase[k] + slot] = e
    slot_of[e] = slot
    i = leaves[k] + slot // BLOCK
    while i >= 1 and _merge(base[k] + i, e, k, indptr, indices, cost, rowof, stamp, key, arg):
        i >>= 1


@jit
def tree_drop(e, j, indptr, indices, cost, rowof, stamp, tr):
    """Entry ``e`` stops shipping on column ``j``: free its slot and update the minima.

    Only the minima ``e`` attained change: its leaf is recomputed if it held one, and the
    nodes above it while they change.

    Parameters
    ----------
    e, j : int
        The entry (already unlinked from ``j``) and its column.
    indptr, indices, cost, rowof, stamp : ndarray
        As in :func:`tree_add`; read only.
    tr : ColumnTrees
        The trees; updated in place as in :func:`tree_add`.
    """
    key, arg, base, leaves, sbase = tr.key, tr.arg, tr.base, tr.leaves, tr.sbase
    slot_e, free, nfree, slot_of = tr.slot_e, tr.free, tr.nfree, tr.slot_of
    slot = slot_of[e]
    slot_e[sbase[j] + slot] = -1
    free[sbase[j] + nfree[j]] = slot
    nfree[j] += 1
    i = leaves[j] + slot // BLOCK
    held = False
    for kk in range(key.shape[1]):
        held |= arg[base[j] + i, kk] == e
    if held:
        s0 = sbase[j] + (slot // BLOCK) * BLOCK
        _leaf(base[j] + i, s0, j, indptr, indices, cost, rowof, stamp, key, arg, slot_e)
        while i > 1:
            i >>= 1
            if not _pull_node(base[j], i, stamp, key, arg):
                break
