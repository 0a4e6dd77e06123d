"""The order book's event loop: one matching function for single events and batches.

The state layout (columns, counters, codes, the tick rule) is in
:mod:`clearing._kernels.orderbook.layout`, the level lists in
:mod:`clearing._kernels.orderbook.levels`, the scans that precede matching in
:mod:`clearing._kernels.orderbook.reach`. Every event goes through :func:`process_event`;
:func:`event` (one event per Python call) and :func:`run_batch` (arrays of events) both call
it, so there is one matching loop. When a slot or report row might be missing,
:func:`process_event` changes nothing and returns ``NEED_SPACE``; the caller grows the state
and calls again.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._jit import jit, jit_inline
from .index import hash_find
from .layout import (
    BAD_EVENT,
    BAD_PRICE,
    BAD_QUANTITY,
    BUY,
    CALL_PHASE,
    CANCEL,
    CANCELLED,
    DUPLICATE_ID,
    EXPIRED,
    FILLED,
    FOK,
    GTC,
    IOC,
    LIMIT,
    LV_HEAD,
    LV_KEY,
    M_CALL,
    M_FREE,
    M_LIVE,
    M_NEXTID,
    M_NFILL,
    M_NLV,
    M_SEQ,
    M_STP,
    MARKET,
    MAX_QTY,
    MF_CANCELLED,
    MF_EXPIRED,
    MF_SUBMITTED,
    MF_TRADED,
    NCOLS,
    NEED_SPACE,
    NONE,
    NOT_FILLABLE,
    O_ID,
    O_NEXT,
    O_OWNER,
    O_QTY,
    R_EVENT,
    R_KIND,
    R_MAKER,
    R_NCOLS,
    R_PRICE,
    R_SEQ,
    R_TAKER,
    REDUCE,
    REJECTED,
    RESTING,
    S_DIV,
    S_ROUND,
    S_SCALE,
    S_TICK,
    SELF_TRADE,
    SELL,
    STP_CANCEL_TAKER,
    STP_NONE,
    TICK_OK,
    UNKNOWN_ID,
    level_at,
    level_rows,
    price_ticks,
    views,
)
from .levels import has_slot, rest, unlink
from .reach import reach

#: Arrays of events for :func:`run_batch`, each of shape (n,): ``kind`` int64 (``LIMIT`` ..
#: ``REDUCE``), ``side`` int64 (``BUY``/``SELL``), ``ticks`` int64 (limit price in ticks),
#: ``qty`` float64, ``oid`` int64 (-1: assign), ``owner`` int64 (-1: none), ``tif`` int64.
BatchEvents = namedtuple("BatchEvents", ["kind", "side", "ticks", "qty", "oid", "owner", "tif"])
#: Per-event results written by :func:`run_batch`, each of shape (n,): ``state``,
#: ``reason`` and ``oid`` int64, ``filled`` and ``remaining`` float64.
BatchOut = namedtuple("BatchOut", ["state", "reason", "filled", "remaining", "oid"])


@jit
def init_state(bk, stp):
    """Make an empty book in freshly allocated arrays.

    Run as Python (``init_state.py_func``, by :class:`clearing.orderbook._state.BookState`):
    a first call then compiles nothing for it.

    Parameters
    ----------
    bk : BookArrays
        Views of a new state buffer (``H[0]`` already set); ``H``, ``M`` and ``MF`` are
        written in place.
    stp : int
        Self-trade prevention mode (``STP_*``).
    """
    bk.H[2:] = 0  # H[0] (dcap) was set with the layout; order and level rows need no init
    bk.M[:] = 0
    bk.MF[:] = 0.0
    bk.M[M_FREE] = -1
    bk.M[M_STP] = stp


@jit
def _record(M, FI, FF, ev, taker, maker, price, qty, kind):
    """Write one report row (a fill, or with ``kind`` 1 a resting order cancelled by
    self-trade prevention).

    Parameters
    ----------
    M : ndarray of int64, shape (M_SIZE,)
        Counters: ``M_NFILL`` (and ``M_SEQ`` for a fill) advance in place.
    FI : ndarray of int64, shape (fcap * R_NCOLS,)
        Report rows; row ``M[M_NFILL]`` is written in place.
    FF : ndarray of float64, shape (fcap,)
        Report quantities, written in place.
    ev, taker, maker, price : int
        Event number, taker and maker ids, price in ticks.
    qty : float
        Quantity traded (or cancelled).
    kind : int
        0 fill, 1 resting order cancelled by self-trade prevention.
    """
    r = M[M_NFILL]
    at = r * R_NCOLS
    FI[at + R_EVENT] = ev
    FI[at + R_SEQ] = M[M_SEQ]
    FI[at + R_TAKER] = taker
    FI[at + R_MAKER] = maker
    FI[at + R_PRICE] = price
    FI[at + R_KIND] = kind
    FF[r] = qty
    if kind == 0:  # the sequence counts fills; a cancelled self-trade (kind 1) takes none
        M[M_SEQ] += 1
    M[M_NFILL] = r + 1


@jit_inline
def _cancel_or_reduce(B, F, H, M, MF, kind, qty, oid):
    """Cancel order ``oid``, or reduce it by ``qty``; the result as for :func:`process_event`.

    Parameters
    ----------
    B, F, H, M : ndarray
        As for :func:`~clearing._kernels.orderbook.levels.unlink`, modified in place.
    MF : ndarray of float64, shape (MF_SIZE,)
        Running totals, modified in place.
    kind : int
        ``CANCEL`` or ``REDUCE``.
    qty : float
        The quantity a reduce takes off (ignored by a cancel).
    oid : int
        The order id.
    """
    slot = hash_find(H, oid) if oid >= 0 else -1
    if kind == REDUCE and not qty > 0.0:
        return REJECTED, BAD_QUANTITY, 0.0, 0.0, oid
    if slot == -1:
        return REJECTED, UNKNOWN_ID, 0.0, 0.0, oid
    left = F[slot * NCOLS + O_QTY]
    if kind == REDUCE and qty < left:
        F[slot * NCOLS + O_QTY] = left - qty
        MF[MF_CANCELLED] += qty
        return RESTING, NONE, 0.0, left - qty, oid
    MF[MF_CANCELLED] += left
    unlink(B, F, H, M, slot)
    return CANCELLED, NONE, 0.0, 0.0, oid


@jit
def process_event(bk, ev, kind, side, price, qty, oid, owner, tif):
    """Apply one event; return ``(state, reason, filled, remaining, order_id)``.

    Parameters
    ----------
    bk : BookArrays
        The book; modified in place unless the state returned is ``REJECTED`` or
        ``NEED_SPACE``. Report rows are appended from ``M[M_NFILL]`` on.
    ev : int
        The event's number, written to its report rows.
    kind, side, tif : int
        ``LIMIT``/``MARKET``/``CANCEL``/``REDUCE``, ``BUY``/``SELL``, ``GTC``/``IOC``/``FOK``
        (``side`` and ``tif`` are ignored on cancel and reduce).
    price : int
        Limit price in ticks (ignored unless ``kind == LIMIT``).
    qty : float
        Order quantity, or the quantity a reduce takes off.
    oid, owner : int
        Order id (-1 on a limit or market order: assign one) and owner (-1: none).

    Returns
    -------
    tuple of (int, int, float, float, int)
        State and reason codes, what the event's order traded in this event, its quantity
        still resting afterwards, and its id.
    """
    B, F, H, M, MF, FI, FF = bk
    if kind in (CANCEL, REDUCE):
        return _cancel_or_reduce(B, F, H, M, MF, kind, qty, oid)
    if (kind != LIMIT and kind != MARKET) or (side != BUY and side != SELL):
        return REJECTED, BAD_EVENT, 0.0, 0.0, oid
    if not (qty > 0.0 and qty <= MAX_QTY):
        return REJECTED, BAD_QUANTITY, 0.0, 0.0, oid
    if tif != GTC and tif != IOC and tif != FOK:
        return REJECTED, BAD_EVENT, 0.0, 0.0, oid
    # an id above every id accepted so far cannot be resting: skip the lookup
    if oid >= 0 and oid < M[M_NEXTID] and hash_find(H, oid) != -1:
        return REJECTED, DUPLICATE_ID, 0.0, 0.0, oid
    opp = 1 - side
    is_market = kind == MARKET
    if not has_slot(B, M):
        return NEED_SPACE, NONE, 0.0, 0.0, oid
    stp = M[M_STP] if owner >= 0 else STP_NONE
    spare = FI.shape[0] // R_NCOLS - M[M_NFILL]
    if spare <= M[M_LIVE + opp] and (
        spare < reach(B, F, M, side, price, is_market, qty, owner, stp, False)[1]
    ):
        return NEED_SPACE, NONE, 0.0, 0.0, oid
    if M[M_CALL] == 1 and (is_market or tif != GTC):
        return REJECTED, CALL_PHASE, 0.0, 0.0, oid
    if oid < 0:
        oid = M[M_NEXTID]
    if oid >= M[M_NEXTID]:
        M[M_NEXTID] = oid + 1
    MF[MF_SUBMITTED] += qty
    if M[M_CALL] == 1:
        rest(B, F, H, M, side, price, qty, oid, owner)
        return RESTING, NONE, 0.0, qty, oid
    if tif == FOK and reach(B, F, M, side, price, is_market, qty, owner, stp, True)[0] < qty:
        MF[MF_EXPIRED] += qty
        return EXPIRED, NOT_FILLABLE, 0.0, 0.0, oid
    L0 = level_rows(B)
    rem = qty
    stopped = False
    while rem > 0.0:
        n = M[M_NLV + opp]
        if n == 0:
            break
        best = level_at(L0, n - 1, opp)
        key = B[best + LV_KEY]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[best + LV_HEAD]
        while slot != -1 and rem > 0.0:
            row = slot * NCOLS
            nxt = B[row + O_NEXT]
            avail = F[row + O_QTY]
            if stp != STP_NONE and B[row + O_OWNER] == owner:
                if stp == STP_CANCEL_TAKER:
                    stopped = True
                    break
                _record(M, FI, FF, ev, oid, B[row + O_ID], lp, avail, 1)
                MF[MF_CANCELLED] += avail
                unlink(B, F, H, M, slot)
                slot = nxt
                continue
            q = rem if rem < avail else avail
            _record(M, FI, FF, ev, oid, B[row + O_ID], lp, q, 0)
            rem -= q
            MF[MF_TRADED] += q
            if q == avail:
                unlink(B, F, H, M, slot)
            else:
                F[row + O_QTY] = avail - q
            slot = nxt
        if stopped:
            break
    filled = qty - rem
    if rem == 0.0:
        return FILLED, NONE, filled, 0.0, oid
    if stopped:
        MF[MF_CANCELLED] += rem
        return CANCELLED, SELF_TRADE, filled, 0.0, oid
    if is_market or tif != GTC:
        MF[MF_EXPIRED] += rem
        return EXPIRED, NONE, filled, 0.0, oid
    rest(B, F, H, M, side, price, rem, oid, owner)
    return RESTING, NONE, filled, rem, oid


@jit
def event(S, kind, side, price, qty, oid, owner, tif):
    """One event per Python call, its price a float converted to ticks here.

    Parameters
    ----------
    S : ndarray of int64, shape (n,)
        The book's state buffer, modified in place; reports go to the start of its report
        buffer.
    kind, side, tif : int
        As for :func:`process_event`.
    price : float
        Limit price (ignored unless ``kind == LIMIT``), checked by
        :func:`~clearing._kernels.orderbook.layout.price_ticks`.
    qty : float
        As for :func:`process_event`.
    oid, owner : int
        As for :func:`process_event`.

    Returns
    -------
    tuple of (int, int, float, float, int, int)
        :func:`process_event`'s result and the number of report rows written. A limit price
        the tick rule refuses gives ``(REJECTED, BAD_PRICE, ...)`` with nothing changed.
    """
    bk = views(S)
    bk.M[M_NFILL] = 0
    ticks = 0
    if kind == LIMIT:
        Sf = S.view(np.float64)
        code, ticks = price_ticks(price, S[S_DIV] == 1, Sf[S_SCALE], Sf[S_TICK], S[S_ROUND] == 1)
        if code != TICK_OK:
            return REJECTED, BAD_PRICE, 0.0, 0.0, oid, 0
    st, rs, fl, rm, o = process_event(bk, 0, kind, side, ticks, qty, oid, owner, tif)
    return st, rs, fl, rm, o, bk.M[M_NFILL]


@jit
def run_batch(bk, events, start, out):
    """Process events ``start..n-1`` in order.

    Parameters
    ----------
    bk : BookArrays
        The book, modified in place; report rows are appended from ``M[M_NFILL]`` on.
    events : BatchEvents
        The checked event columns, each of shape (n,).
    start : int
        The first event to process.
    out : BatchOut
        Per-event results, each of shape (n,), written for events ``start..`` (returned).

    Returns
    -------
    int
        The index of the first event not processed: ``n`` when done, earlier when the state
        must grow first.
    """
    kinds, sides, ticks, qtys, oids, owners, tifs = events
    n = kinds.shape[0]
    for e in range(start, n):
        st, rs, fl, rm, o = process_event(
            bk, e, kinds[e], sides[e], ticks[e], qtys[e], oids[e], owners[e], tifs[e]
        )
        if st == NEED_SPACE:
            return e
        out.state[e] = st
        out.reason[e] = rs
        out.filled[e] = fl
        out.remaining[e] = rm
        out.oid[e] = o
    return n
