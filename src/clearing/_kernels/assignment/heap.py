"""An indexed binary min-heap over node ids ``0..n-1`` for Dijkstra searches.

Also :func:`closest_open`, the linear-scan selection of dense searches.

The heap lives in three arrays owned by the caller: ``heap`` (node ids in heap order),
``pos`` (position of each node in ``heap`` or -1) and ``key`` (the node's distance). The
size is returned and passed back explicitly, so the functions allocate nothing. The heap
operations are spliced into their callers (``jit_inline``): as calls, passing three arrays
each, they were a large share of a sparse search on tie-heavy surpluses.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline


@jit_inline
def _sift_up(heap, pos, key, k):
    node = heap[k]
    kv = key[node]
    while k > 0:
        parent = (k - 1) >> 1
        pn = heap[parent]
        if key[pn] < kv or (key[pn] == kv and pn < node):
            break
        heap[k] = pn
        pos[pn] = k
        k = parent
    heap[k] = node
    pos[node] = k


@jit_inline
def heap_push_or_decrease(heap, pos, key, size, node):
    """Insert ``node`` (its ``key`` already lowered) or restore order after a decrease.

    Parameters
    ----------
    heap, pos : ndarray of int64, shape (n,)
        The heap and each node's position in it (-1: absent); updated in place.
    key : ndarray of float64, shape (n,)
        Distance of each node (read).
    size : int
        Nodes in the heap.
    node : int

    Returns
    -------
    int
        The new size.
    """
    k = pos[node]
    if k < 0:
        k = size
        heap[k] = node
        pos[node] = k
        size += 1
    _sift_up(heap, pos, key, k)
    return size


@jit_inline
def heap_pop(heap, pos, key, size):
    """Remove and return the node with the least key (ties: smallest id).

    Arguments as in :func:`heap_push_or_decrease`; returns ``(node, size - 1)``.
    """
    top = heap[0]
    pos[top] = -1
    size -= 1
    if size == 0:
        return top, size
    node = heap[size]
    kv = key[node]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        cn = heap[child]
        if child + 1 < size:
            c2 = heap[child + 1]
            if key[c2] < key[cn] or (key[c2] == key[cn] and c2 < cn):
                child += 1
                cn = c2
        if kv < key[cn] or (kv == key[cn] and node < cn):
            break
        heap[k] = cn
        pos[cn] = k
        k = child
    heap[k] = node
    pos[node] = k
    return top, size


@jit
def closest_open(dist, done, n):
    """The node among ``0..n-1`` not yet ``done`` with the smallest finite ``dist``.

    Returns ``(node, distance)``, or ``(-1, inf)`` when none is left: the selection step of
    a dense Dijkstra search, where a linear scan beats a heap.
    """
    node = -1
    best = np.inf
    for k in range(n):
        if not done[k] and dist[k] < best:
            best = dist[k]
            node = k
    return node, best
