"""The entries carrying flow in a transportation problem, one linked list per provider.

Shared by the two searches of :func:`clearing._kernels.assignment.transport.transport_csr`:
the CSR search walks a popped column's list to reach the requests shipping on it, and the
provider-graph search (:mod:`~clearing._kernels.assignment.transport_columns`) keeps one
segment tree per column over the same entries. The list order (most recent link first)
and the link stamps decide ties between equal hop lengths, so both searches see the same
order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..._jit import jit


class Links(NamedTuple):
    """The entries carrying flow, one doubly linked list per column.

    ``rowof`` (nnz,) int64: the row of each entry; ``head`` (m,) int64: the entry linked
    last on each column, -1 for none; ``nxt``/``prv`` (nnz,) int64: the list order (most
    recent first), -1 at the ends and for entries without flow; ``stamp`` (nnz,) int64: when
    each entry was linked (a counter, ``stamp[nnz]`` is the next value; shape (nnz + 1,)).
    """

    rowof: np.ndarray
    head: np.ndarray
    nxt: np.ndarray
    prv: np.ndarray
    stamp: np.ndarray


# The helpers below take plain arrays: reading a field of a named tuple inside a compiled
# loop takes and drops a reference to the array each time (two atomic operations), which
# measured more than the searches themselves; the tuples are unpacked once per call.


@jit
def link(e, j, head, nxt, prv, stamp):
    """Put entry ``e`` at the head of column ``j``'s list and stamp it.

    Parameters
    ----------
    e, j : int
        The entry and its column.
    head : ndarray, shape (m,), int64
        First entry of each column's list (-1: empty); in place.
    nxt, prv : ndarray, shape (nnz,), int64
        List links; in place.
    stamp : ndarray, shape (nnz + 1,), int64
        Link time of each entry, the last element the clock; in place.
    """
    nxt[e] = head[j]
    prv[e] = -1
    if head[j] >= 0:
        prv[head[j]] = e
    head[j] = e
    last = stamp.shape[0] - 1
    stamp[e] = stamp[last]
    stamp[last] += 1


@jit
def unlink(e, j, head, nxt, prv):
    """Take entry ``e`` out of column ``j``'s list.

    Parameters
    ----------
    e, j : int
        The entry and its column.
    head : ndarray, shape (m,), int64
        First entry of each column's list; in place.
    nxt, prv : ndarray, shape (nnz,), int64
        List links (-1 for ``e`` on return); in place.
    """
    if prv[e] >= 0:
        nxt[prv[e]] = nxt[e]
    else:
        head[j] = nxt[e]
    if nxt[e] >= 0:
        prv[nxt[e]] = prv[e]
    nxt[e] = -1
    prv[e] = -1
