"""Order book kernels outside the event loop: batch checks, book queries, call-market fills.

They use the layout of :mod:`clearing._kernels.orderbook.layout` and the level lists of
:mod:`clearing._kernels.orderbook.levels`.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

from ..._jit import jit
from .index import hash_find
from .layout import (
    BUY,
    CANCEL,
    FOK,
    GTC,
    IOC,
    LIMIT,
    LV_HEAD,
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
    TICK_OK,
    level_at,
    level_rows,
    price_ticks,
)
from .levels import unlink

#: Raw batch columns for :func:`prepare_batch`, each of shape (n,): ``kind``, ``side`` (+1/-1),
#: ``oid``, ``owner`` and ``tif`` int64 (string columns already mapped to codes), ``price``
#: and ``qty`` float64.
RawEvents = namedtuple("RawEvents", ["kind", "side", "price", "qty", "oid", "owner", "tif"])


class TickRule(NamedTuple):
    """The tick rule's settings (see :func:`~clearing._kernels.orderbook.layout.price_ticks`)."""

    div: bool
    scale: float
    tick: float
    rnd: bool


@jit
def resting_orders(bk, side, out_id, out_price, out_qty, out_owner, out_arrival):
    """Resting orders of ``side`` in priority order (best level first, FIFO within).

    Parameters
    ----------
    bk : BookArrays
        The book (read only).
    side : int
        ``BUY`` or ``SELL``.
    out_id, out_price, out_owner, out_arrival : ndarray of int64, shape (m,)
        Written in place: id, price in ticks, owner and arrival number of each order
        (``m`` = the side's resting orders, ``M[M_LIVE + side]``).
    out_qty : ndarray of float64, shape (m,)
        Written in place: remaining quantity.

    Returns
    -------
    int
        Number of orders written.
    """
    B, F = bk.B, bk.F
    L0 = level_rows(B)
    r = 0
    for lvl in range(bk.M[M_NLV + side] - 1, -1, -1):
        slot = B[level_at(L0, lvl, side) + LV_HEAD]
        while slot != -1:
            row = slot * NCOLS
            out_id[r] = B[row + O_ID]
            out_price[r] = B[row + O_PRICE]
            out_qty[r] = F[row + O_QTY]
            out_owner[r] = B[row + O_OWNER]
            out_arrival[r] = B[row + O_ARRIVAL]
            r += 1
            slot = B[row + O_NEXT]
    return r


@jit
def depth(bk, side, levels, out_price, out_qty, out_count):
    """Aggregated quantity and order count of the best ``levels`` levels of ``side``.

    Parameters
    ----------
    bk, side
        As for :func:`resting_orders`.
    levels : int
        Levels wanted, at most the side's level count.
    out_price, out_count : ndarray of int64, shape (levels,)
        Written in place: price in ticks and number of orders of each non-empty level.
    out_qty : ndarray of float64, shape (levels,)
        Written in place: total quantity of each level.

    Returns
    -------
    int
        Number of levels written (emptied levels kept inside the book are skipped).
    """
    B, F = bk.B, bk.F
    L0 = level_rows(B)
    r = 0
    for lvl in range(bk.M[M_NLV + side] - 1, -1, -1):
        if r == levels:
            break
        slot = B[level_at(L0, lvl, side) + LV_HEAD]
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
def reduce_or_remove(bk, oids, qtys, cancel_rest, out_left):
    """Apply call-market fills: take ``qtys[i]`` off order ``oids[i]`` (traded volume).

    Parameters
    ----------
    bk : BookArrays
        The book, modified in place.
    oids : ndarray of int64, shape (m,)
        Ids of resting orders (every one must be resting).
    qtys : ndarray of float64, shape (m,)
        Quantity traded by each.
    cancel_rest : ndarray of bool, shape (m,)
        Also cancel what is left of the order.
    out_left : ndarray of float64, shape (m,)
        Written in place: the quantity still resting (0 if removed).
    """
    B, F, H, M = bk.B, bk.F, bk.H, bk.M
    for i in range(oids.shape[0]):
        slot = hash_find(H, oids[i])
        have = F[slot * NCOLS + O_QTY]
        left = have - qtys[i]
        if left <= 1e-12 * have:  # fully filled, up to the auction's rounding
            left = 0.0
        if cancel_rest[i] and left > 0.0:
            bk.MF[MF_CANCELLED] += left
            left = 0.0
        if left == 0.0:
            unlink(B, F, H, M, slot)
        else:
            F[slot * NCOLS + O_QTY] = left
        out_left[i] = left


@jit
def price_codes(price, is_limit, rule, out_code):
    """The tick rule's code for every limit price (``TICK_OK`` elsewhere).

    Parameters
    ----------
    price : ndarray of float64, shape (n,)
        Prices given.
    is_limit : ndarray of bool, shape (n,)
        Rows whose price counts.
    rule : TickRule
        The book's tick settings.
    out_code : ndarray of int64, shape (n,)
        Written in place.
    """
    for e in range(price.shape[0]):
        code = TICK_OK
        if is_limit[e]:
            code = price_ticks(price[e], rule.div, rule.scale, rule.tick, rule.rnd)[0]
        out_code[e] = code


@jit
def prepare_batch(raw, rule, out):
    """Check raw batch columns in one pass and write the kernel columns.

    Parameters
    ----------
    raw : RawEvents
        The columns given, each of shape (n,).
    rule : TickRule
        The book's tick settings.
    out : BatchEvents
        Kernel columns of shape (n,), written in place (``oid`` and ``owner`` may be the
        raw columns themselves: they are only read).

    Returns
    -------
    int
        The index of the first event with a problem, or -1; the caller then explains it.
    """
    kind, side, price, qty, oids, owner, tif = raw
    div, scale, tick, rnd = rule
    t_side, t_ticks, t_qty, t_tif = out.side, out.ticks, out.qty, out.tif
    for e in range(kind.shape[0]):
        k = kind[e]
        oid = oids[e]
        if k < LIMIT or k > REDUCE:
            return e
        if k in (CANCEL, REDUCE):
            if oid < 0 or oid >= MAX_ID:
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
            if oid < -1 or oid >= MAX_ID:
                return e
            if k == MARKET:
                t_ticks[e] = 0
                t_tif[e] = IOC
            else:
                f = tif[e]
                if f < GTC or f > FOK:
                    return e
                t_tif[e] = f
                code, ticks = price_ticks(price[e], div, scale, tick, rnd)
                if code != TICK_OK:
                    return e
                t_ticks[e] = ticks
        if owner[e] < -1 or owner[e] >= MAX_ID:
            return e
    return -1
