"""Order book kernels outside the event loop: batch checks, book queries, call-market fills.

They use the layout and helpers of :mod:`clearing._kernels.orderbook.book`.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit
from .book import (
    BUY,
    CANCEL,
    FOK,
    GTC,
    IOC,
    LIMIT,
    LV_KEY,
    M_NLV,
    MARKET,
    MAX_ID,
    MAX_QTY,
    MF_CANCELLED,
    NCOLS,
    O_ARRIVAL,
    O_ID,
    O_NEXT,
    O_OWNER,
    O_PRICE,
    O_QTY,
    REDUCE,
    SELL,
    _unlink,
)
from .index import hash_find


@jit
def resting_orders(B, F, M, side, out_id, out_price, out_qty, out_owner, out_arrival):
    """Resting orders of ``side`` in priority order (best level first, FIFO within)."""
    L0 = (B.shape[0] // NCOLS) >> 1
    base = LV_KEY + 3 * side
    r = 0
    for lvl in range(M[M_NLV + side] - 1, -1, -1):
        slot = B[(L0 + lvl) * NCOLS + base + 1]
        while slot != -1:
            out_id[r] = B[slot * NCOLS + O_ID]
            out_price[r] = B[slot * NCOLS + O_PRICE]
            out_qty[r] = F[slot * NCOLS + O_QTY]
            out_owner[r] = B[slot * NCOLS + O_OWNER]
            out_arrival[r] = B[slot * NCOLS + O_ARRIVAL]
            r += 1
            slot = B[slot * NCOLS + O_NEXT]
    return r


@jit
def depth(B, F, M, side, levels, out_price, out_qty, out_count):
    """Aggregated quantity and order count of the best ``levels`` levels of ``side``."""
    L0 = (B.shape[0] // NCOLS) >> 1
    base = LV_KEY + 3 * side
    r = 0
    for lvl in range(M[M_NLV + side] - 1, -1, -1):
        if r == levels:
            break
        slot = B[(L0 + lvl) * NCOLS + base + 1]
        if slot == -1:  # an emptied level kept in place
            continue
        out_price[r] = B[slot * NCOLS + O_PRICE]
        total = 0.0
        count = 0
        while slot != -1:
            total += F[slot * NCOLS + O_QTY]
            count += 1
            slot = B[slot * NCOLS + O_NEXT]
        out_qty[r] = total
        out_count[r] = count
        r += 1
    return r


@jit
def reduce_or_remove(B, F, H, M, MF, oids, qtys, cancel_rest, out_left):
    """Apply call-market fills: take ``qtys[i]`` off order ``oids[i]`` (traded volume);
    when ``cancel_rest[i]`` also cancel what is left. ``out_left[i]`` gets the quantity
    still resting (0 if removed). Every id must be resting."""
    for i in range(oids.shape[0]):
        slot = hash_find(H, oids[i])
        have = F[slot * NCOLS + O_QTY]
        left = have - qtys[i]
        if left <= 1e-12 * have:  # fully filled, up to the auction's rounding
            left = 0.0
        if cancel_rest[i] and left > 0.0:
            MF[MF_CANCELLED] += left
            left = 0.0
        if left == 0.0:
            _unlink(B, F, H, M, slot)
        else:
            F[slot * NCOLS + O_QTY] = left
        out_left[i] = left


@jit
def prepare_batch(
    kind, side, price, qty, oid, owner, tif, div, scale, tick, round_prices,
    t_side, t_ticks, t_qty, t_tif,
):  # fmt: skip
    """Check raw batch columns in one pass and write the kernel columns.

    ``side`` holds +1/-1, ``tif`` 0..2 (string columns were mapped by the caller). Returns
    the index of the first event with a problem, or -1; the caller then explains it.
    """
    for e in range(kind.shape[0]):
        k = kind[e]
        if k < LIMIT or k > REDUCE:
            return e
        if k in (CANCEL, REDUCE):
            if oid[e] < 0 or oid[e] >= MAX_ID:
                return e
            t_side[e] = 0
            t_ticks[e] = 0
            t_tif[e] = 0
            q = qty[e] if k == REDUCE else 0.0
            if k == REDUCE and not (q > 0.0 and q <= MAX_QTY):
                return e
            t_qty[e] = q
        else:
            s = side[e]
            if s != 1 and s != -1:
                return e
            t_side[e] = BUY if s == 1 else SELL
            q = qty[e]
            if not (q > 0.0 and q <= MAX_QTY):
                return e
            t_qty[e] = q
            if oid[e] < -1 or oid[e] >= MAX_ID:
                return e
            if k == MARKET:
                t_ticks[e] = 0
                t_tif[e] = IOC
            else:
                f = tif[e]
                if f < GTC or f > FOK:
                    return e
                t_tif[e] = f
                p = price[e]
                if not (p > -np.inf and p < np.inf):
                    return e
                t = p * scale if div else p / tick
                r = np.rint(t)
                if not round_prices and abs(t - r) > 1e-9 * (1.0 + abs(t)):
                    return e
                if not abs(r) < 4.611686018427388e18:  # 2**62
                    return e
                t_ticks[e] = np.int64(r)
        if owner[e] < -1 or owner[e] >= MAX_ID:
            return e
    return -1
