"""What an incoming order could reach before it matches: read-only scans of the other side.

:func:`~clearing._kernels.orderbook.book.process_event` asks them before changing anything:
how much a fill-or-kill order could fill, and how many report rows an order could write (so
that it can ask for a larger report buffer first).
"""

from __future__ import annotations

from ..._jit import jit
from .layout import (
    BUY,
    LV_HEAD,
    LV_KEY,
    M_NLV,
    NCOLS,
    O_NEXT,
    O_OWNER,
    O_QTY,
    STP_CANCEL_RESTING,
    STP_CANCEL_TAKER,
    STP_NONE,
    level_at,
    level_rows,
)


@jit
def fillable(B, F, M, side, price, is_market, qty, owner, stp):
    """Quantity a taker could fill now (stops counting once ``qty`` is reached).

    Parameters
    ----------
    B, F : ndarray of int64 and float64, shape (2 * cap * NCOLS,)
        Order and level rows and their float64 view (read only).
    M : ndarray of int64, shape (M_SIZE,)
        Counters (read only).
    side : int
        The taker's side.
    price : int
        Its limit price in ticks (ignored when ``is_market``).
    is_market : bool
        A market order (no price limit).
    qty : float
        Its quantity.
    owner, stp : int
        Its owner and the self-trade prevention mode that applies (``STP_NONE`` without an
        owner).
    """
    L0 = level_rows(B)
    opp = 1 - side
    avail = 0.0
    for lvl in range(M[M_NLV + opp] - 1, -1, -1):
        at = level_at(L0, lvl, opp)
        key = B[at + LV_KEY]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[at + LV_HEAD]
        while slot != -1:
            if owner >= 0 and B[slot * NCOLS + O_OWNER] == owner:
                if stp == STP_CANCEL_TAKER:
                    return avail
                if stp == STP_CANCEL_RESTING:
                    slot = B[slot * NCOLS + O_NEXT]
                    continue
            avail += F[slot * NCOLS + O_QTY]
            if avail >= qty:
                return avail
            slot = B[slot * NCOLS + O_NEXT]
    return avail


@jit
def reports_needed(B, F, M, side, price, is_market, qty, owner, stp):
    """An upper bound on the report rows a taker can write: the resting orders it could reach
    in priority order until the quantity of those it can trade with covers ``qty`` (orders of
    its own owner are counted as rows but not as quantity), plus one.

    Parameters
    ----------
    B, F : ndarray of int64 and float64, shape (2 * cap * NCOLS,)
        Order and level rows and their float64 view (read only).
    M : ndarray of int64, shape (M_SIZE,)
        Counters (read only).
    side : int
        The taker's side.
    price : int
        Its limit price in ticks (ignored when ``is_market``).
    is_market : bool
        A market order (no price limit).
    qty : float
        Its quantity.
    owner, stp : int
        Its owner and the self-trade prevention mode that applies (``STP_NONE`` without an
        owner).
    """
    L0 = level_rows(B)
    opp = 1 - side
    count = 1
    avail = 0.0
    for lvl in range(M[M_NLV + opp] - 1, -1, -1):
        at = level_at(L0, lvl, opp)
        key = B[at + LV_KEY]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[at + LV_HEAD]
        while slot != -1:
            count += 1
            if stp == STP_NONE or B[slot * NCOLS + O_OWNER] != owner:
                avail += F[slot * NCOLS + O_QTY]
            if avail >= qty:
                return count
            slot = B[slot * NCOLS + O_NEXT]
    return count
