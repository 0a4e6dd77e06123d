"""The price levels of the order book: find a level, rest an order at its tail, unlink one.

The layout is described in :mod:`clearing._kernels.orderbook.layout`. These helpers run
inside the event loop for every fill, so they take the few arrays they touch (``B``, ``F``,
``H``, ``M`` of :class:`~clearing._kernels.orderbook.layout.BookArrays`) rather than the
whole named tuple: numba takes and drops a reference on every array passed to a call, and
the event loop calls them once or more per event.
"""

from __future__ import annotations

from ..._jit import jit, jit_inline
from .index import hash_delete, hash_insert
from .layout import (
    BUY,
    LV_HEAD,
    LV_KEY,
    LV_TAIL,
    M_ARRIVAL,
    M_FREE,
    M_HWM,
    M_LIVE,
    M_NLV,
    NCOLS,
    O_ARRIVAL,
    O_ID,
    O_NEXT,
    O_OWNER,
    O_PREV,
    O_PRICE,
    O_QTY,
    O_SIDE,
    level_at,
    level_rows,
)


@jit_inline
def has_slot(B, M):
    """Whether an order slot is free (released, or above the high-water mark).

    Parameters
    ----------
    B : ndarray of int64, shape (2 * cap * NCOLS,)
        Order and level rows (read only).
    M : ndarray of int64, shape (M_SIZE,)
        Counters (read only).
    """
    return M[M_FREE] != -1 or M[M_HWM] < level_rows(B)


@jit
def level_pos(B, L0, n, side, key):
    """First level index of ``side`` whose key is >= ``key`` (``n`` when none).

    Parameters
    ----------
    B : ndarray of int64, shape (2 * cap * NCOLS,)
        Order and level rows (read only).
    L0 : int
        The first level row.
    n : int
        Number of levels of ``side``.
    side : int
        ``BUY`` or ``SELL``.
    key : int
        ``price`` in ticks for bids, ``-price`` for asks.
    """
    lo = 0
    hi = n
    while lo < hi:
        mid = (lo + hi) >> 1
        if B[level_at(L0, mid, side) + LV_KEY] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit_inline
def _find_level(B, L0, n, side, key):
    """Index of the level with ``key`` (the best level is tried first), else where it goes.

    Parameters
    ----------
    B, L0, n, side, key
        As for :func:`level_pos` (``B`` read only).
    """
    if n > 0 and B[level_at(L0, n - 1, side) + LV_KEY] == key:
        return n - 1
    return level_pos(B, L0, n, side, key)


@jit
def unlink(B, F, H, M, slot):
    """Take a resting order out of its level, the id index and the live set.

    Parameters
    ----------
    B : ndarray of int64, shape (2 * cap * NCOLS,)
        Order and level rows, modified in place.
    F : ndarray of float64, shape (2 * cap * NCOLS,)
        The float64 view of ``B`` (order quantities), modified in place.
    H : ndarray of int64
        The id index, modified in place.
    M : ndarray of int64, shape (M_SIZE,)
        Counters, modified in place.
    slot : int
        The order's slot (a resting order).
    """
    L0 = level_rows(B)
    row = slot * NCOLS
    side = B[row + O_SIDE]
    prv = B[row + O_PREV]
    nxt = B[row + O_NEXT]
    n = M[M_NLV + side]
    key = B[row + O_PRICE] if side == BUY else -B[row + O_PRICE]
    lvl = _find_level(B, L0, n, side, key)
    at = level_at(L0, lvl, side)
    if prv == -1:
        B[at + LV_HEAD] = nxt
    else:
        B[prv * NCOLS + O_NEXT] = nxt
    if nxt == -1:
        B[at + LV_TAIL] = prv
    else:
        B[nxt * NCOLS + O_PREV] = prv
    if lvl == n - 1 and B[at + LV_HEAD] == -1:
        # the best level emptied: drop it and any empty levels behind it, so the last level
        # is never empty; an emptied level inside the book stays (no shifting) and is
        # reused by its price or dropped when it becomes the best or at compaction
        n -= 1
        while n > 0 and B[level_at(L0, n - 1, side) + LV_HEAD] == -1:
            n -= 1
        M[M_NLV + side] = n
    hash_delete(H, B[row + O_ID])
    F[row + O_QTY] = 0.0
    B[row + O_ID] = -1
    B[row + O_PREV] = -1
    B[row + O_NEXT] = M[M_FREE]
    M[M_FREE] = slot
    M[M_LIVE + side] -= 1


@jit_inline
def _copy_level(B, L0, side, src, dst):
    """Copy level ``src`` of ``side`` onto level ``dst``.

    Parameters
    ----------
    B : ndarray of int64, shape (2 * cap * NCOLS,)
        Order and level rows; level ``dst`` is overwritten in place.
    L0 : int
        The first level row.
    side, src, dst : int
        The side and the two level indices.
    """
    a = level_at(L0, src, side)
    b = level_at(L0, dst, side)
    B[b + LV_KEY] = B[a + LV_KEY]
    B[b + LV_HEAD] = B[a + LV_HEAD]
    B[b + LV_TAIL] = B[a + LV_TAIL]


@jit
def _compact_levels(B, L0, n, side):
    """Remove the empty levels of one side (order kept); return the new level count.

    Parameters
    ----------
    B, L0, n, side
        As for :func:`level_pos`; the side's levels in ``B`` are moved down in place.
    """
    m = 0
    for j in range(n):
        if B[level_at(L0, j, side) + LV_HEAD] != -1:
            _copy_level(B, L0, side, j, m)
            m += 1
    return m


@jit
def rest(B, F, H, M, side, price, qty, oid, owner):
    """Append a new order at the tail of its price level (creating the level if needed).

    Parameters
    ----------
    B, F, H, M : ndarray
        As for :func:`unlink`, modified in place; a slot must be free (:func:`has_slot`).
    side : int
        ``BUY`` or ``SELL``.
    price : int
        Limit price in ticks.
    qty : float
        Quantity to rest, > 0.
    oid, owner : int
        Order id (not resting) and owner (-1 for none).
    """
    L0 = level_rows(B)
    slot = M[M_FREE]
    if slot != -1:
        M[M_FREE] = B[slot * NCOLS + O_NEXT]
    else:
        slot = M[M_HWM]
        M[M_HWM] = slot + 1
    n = M[M_NLV + side]
    key = price if side == BUY else -price
    lvl = _find_level(B, L0, n, side, key)
    if (lvl == n or B[level_at(L0, lvl, side) + LV_KEY] != key) and n == L0:
        n = _compact_levels(B, L0, n, side)  # every level row is used: drop empty levels
        M[M_NLV + side] = n
        lvl = level_pos(B, L0, n, side, key)
    at = level_at(L0, lvl, side)
    if lvl == n or B[at + LV_KEY] != key:  # new level at lvl
        for j in range(n, lvl, -1):
            _copy_level(B, L0, side, j - 1, j)
        B[at + LV_KEY] = key
        B[at + LV_HEAD] = -1
        B[at + LV_TAIL] = -1
        M[M_NLV + side] = n + 1
    tail = B[at + LV_TAIL]
    row = slot * NCOLS
    B[row + O_ID] = oid
    B[row + O_OWNER] = owner
    B[row + O_PRICE] = price
    B[row + O_SIDE] = side
    B[row + O_ARRIVAL] = M[M_ARRIVAL]
    M[M_ARRIVAL] += 1
    B[row + O_PREV] = tail
    B[row + O_NEXT] = -1
    if tail == -1:
        B[at + LV_HEAD] = slot
    else:
        B[tail * NCOLS + O_NEXT] = slot
    B[at + LV_TAIL] = slot
    F[row + O_QTY] = qty
    hash_insert(H, oid, slot)
    M[M_LIVE + side] += 1
