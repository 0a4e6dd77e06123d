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
def _precedes(ka, a, kb, b):
    """Does node ``a`` leave the heap before node ``b``? The smaller key first, on equal
    keys the smaller id.

    Parameters
    ----------
    ka, kb : float
        The keys of the two nodes.
    a, b : int
        The two node ids.
    """
    return ka < kb or (ka == kb and a < b)


@jit_inline
def _put(heap, pos, k, node):
    """Place ``node`` at position ``k`` of the heap.

    Parameters
    ----------
    heap, pos : ndarray of int64, shape (n,)
        The heap and each node's position in it; ``heap[k]`` and ``pos[node]`` written.
    k, node : int
        The position and the node.
    """
    heap[k] = node
    pos[node] = k


@jit_inline
def _sift_up(heap, pos, key, k):
    """Move the node at position ``k`` up to its place.

    Parameters
    ----------
    heap, pos : ndarray of int64, shape (n,)
        The heap and each node's position; updated in place.
    key : ndarray of float64, shape (n,)
        Distance of each node (read).
    k : int
        The position of the node whose key was lowered.
    """
    node = heap[k]
    kv = key[node]
    while k > 0:
        parent = (k - 1) >> 1
        pn = heap[parent]
        if _precedes(key[pn], pn, kv, node):
            break
        _put(heap, pos, k, pn)
        k = parent
    _put(heap, pos, k, node)


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
        The node to insert or move up.

    Returns
    -------
    int
        The new size.
    """
    k = pos[node]
    if k < 0:
        k = size
        _put(heap, pos, k, node)
        size += 1
    _sift_up(heap, pos, key, k)
    return size


@jit_inline
def heap_pop(heap, pos, key, size):
    """Remove and return the node with the least key (ties: smallest id).

    Parameters
    ----------
    heap : ndarray of int64, shape (n,)
        Node ids in heap order; the last one sinks from the top, in place.
    pos : ndarray of int64, shape (n,)
        Where each node sits in ``heap`` (-1 for the popped one); in place.
    key : ndarray of float64, shape (n,)
        The distances that order the heap; read only.
    size : int
        Nodes in the heap, at least 1.

    Returns
    -------
    tuple of int
        ``(node, size - 1)``.
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
            if _precedes(key[c2], c2, key[cn], cn):
                child += 1
                cn = c2
        if _precedes(kv, node, key[cn], cn):
            break
        _put(heap, pos, k, cn)
        k = child
    _put(heap, pos, k, node)
    return top, size


@jit
def closest_open(dist, done, n):
    """The node among ``0..n-1`` not yet ``done`` with the smallest finite ``dist``.

    The selection step of a dense Dijkstra search, where a linear scan beats a heap.

    Parameters
    ----------
    dist : ndarray of float64, shape (>= n,)
        Tentative distance of each node (read).
    done : ndarray of bool, shape (>= n,)
        Nodes already settled (read).
    n : int
        Nodes ``0..n-1`` are considered.

    Returns
    -------
    tuple
        ``(node, distance)``: the lowest index on ties, ``(-1, inf)`` when none is left.
    """
    node = -1
    best = np.inf
    for k in range(n):
        if not done[k] and dist[k] < best:
            best = dist[k]
            node = k
    return node, best
