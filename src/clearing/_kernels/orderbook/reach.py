"""What an incoming order could reach before it matches: a read-only scan of the other side.

:func:`~clearing._kernels.orderbook.book.process_event` asks it before changing anything:
how many report rows an order could write (so that it can ask for a larger report buffer
first), and how much a fill-or-kill order could fill.
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
    STP_CANCEL_TAKER,
    STP_NONE,
    level_at,
    level_rows,
)


@jit
def reach(B, F, M, side, price, is_market, qty, owner, stp, stop_at_own):
    """What a taker could reach now, in priority order, until its quantity is covered.

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
        Its quantity, > 0.
    owner, stp : int
        Its owner and the self-trade prevention mode that applies (``STP_NONE`` without an
        owner).
    stop_at_own : bool
        Stop at the first order of its own owner under ``STP_CANCEL_TAKER`` (where the
        taker itself would stop); otherwise scan on.

    Returns
    -------
    fillable : float
        The quantity it could trade (orders of its own owner do not count), stopping once
        ``qty`` is reached: with ``stop_at_own`` what a fill-or-kill order could fill.
    rows : int
        One more than the orders reached: an upper bound on the report rows it can write
        (an order of its own owner may write a row, as a cancelled resting order).
    """
    L0 = level_rows(B)
    opp = 1 - side
    rows = 1
    avail = 0.0
    for lvl in range(M[M_NLV + opp] - 1, -1, -1):
        at = level_at(L0, lvl, opp)
        key = B[at + LV_KEY]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[at + LV_HEAD]
        while slot != -1:
            rows += 1
            if stp != STP_NONE and B[slot * NCOLS + O_OWNER] == owner:
                if stop_at_own and stp == STP_CANCEL_TAKER:
                    return avail, rows
            else:
                avail += F[slot * NCOLS + O_QTY]
                if avail >= qty:
                    return avail, rows
            slot = B[slot * NCOLS + O_NEXT]
    return avail, rows
