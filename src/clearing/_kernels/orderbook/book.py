"""Continuous double auction (limit order book) kernels.

The whole book lives in a handful of numpy arrays owned by :class:`clearing.OrderBook`:

All of them are views into one int64 state buffer ``S`` (see :func:`views`), used flat:

``B`` int64, ``2 * cap`` rows of ``NCOLS`` (``B[row * NCOLS + col]``). Rows ``0..cap-1`` are
order slots (columns ``O_*``, one 64-byte row per order; the quantity is stored as float64
through ``F``, the float64 view of ``B``). Rows ``cap..2*cap-1`` hold the price levels of
both sides (level ``j`` of side ``s`` is row ``cap + j``, columns ``LV_* + 3 * s``). Levels
of a side are kept sorted ascending by ``key`` (``price`` for bids, ``-price`` for asks), so
the best level of either side is the last one and most insertions touch the end of the
array. A level emptied inside the book stays in place (no shifting) until it is reused,
becomes the best level or the level rows run out; the best level is never empty. Each level
holds a FIFO doubly linked list of order slots. Slots are handed out from released slots
first, then from a high-water mark, so rows never used are never touched.

``H`` int64: order id -> slot. ``H[0] = dcap``; ids below ``dcap`` use a direct table, the
others an open-addressing hash table of ``hcap`` (key, slot) pairs (linear probing,
backward-shift deletion; ``hcap`` a power of two >= 2 * cap); 0 = empty.
``M`` int64 meta counters (``M_*``), ``MF`` float64 running totals (``MF_*``).
``FI`` (rows of ``R_NCOLS``) and ``FF``: the report buffer, one row per fill or per resting
order removed by self-trade prevention (``FI`` columns ``R_*``, ``FF`` the quantity).

Every event goes through :func:`process_event`; :func:`event` (one event per Python call) and
:func:`run_batch` (arrays of events) both call it, so there is one matching loop. When a slot
or report row might be missing, :func:`process_event` changes nothing and returns
``NEED_SPACE``; the caller grows the arrays and calls again.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit
from .index import hash_delete, hash_find, hash_insert

# order columns of B
O_ID = 0
O_OWNER = 1
O_PRICE = 2
O_PREV = 3
O_NEXT = 4
O_SIDE = 5
O_ARRIVAL = 6
O_QTY = 7  # float64 (read and written through F, the float64 view of B)
NCOLS = 8
# level columns of the level rows of B: side s uses LV_KEY + 3 * s, LV_HEAD + 3 * s, ...
LV_KEY = 0
LV_HEAD = 1
LV_TAIL = 2

# M: integer meta
M_NLV = 0  # M[M_NLV + side]: number of levels on a side
M_FREE = 2  # head of the list of released slots (linked through O_NEXT), -1 when empty
M_NEXTID = 3  # next automatic order id (1 + largest id accepted so far)
M_ARRIVAL = 4  # arrival counter (time priority)
M_SEQ = 5  # fill sequence counter
M_NFILL = 6  # rows used in the report buffer
M_STP = 7  # self-trade prevention mode
M_LIVE = 8  # M[M_LIVE + side]: resting orders on a side
M_CALL = 10  # 1 while collecting orders for a call auction (no matching)
M_HWM = 11  # slots 0..M_HWM-1 have been used; slots above were never touched
M_SIZE = 12

# MF: float running totals
MF_SUBMITTED = 0
MF_TRADED = 1  # traded volume (each fill counted once)
MF_CANCELLED = 2
MF_EXPIRED = 3
MF_SIZE = 4

# report buffer columns of FI
R_EVENT = 0
R_SEQ = 1
R_TAKER = 2
R_MAKER = 3
R_PRICE = 4
R_KIND = 5  # 0 fill, 1 resting order cancelled by self-trade prevention
R_NCOLS = 6

# event kinds, sides, time in force, self-trade prevention modes
LIMIT = 0
MARKET = 1
CANCEL = 2
REDUCE = 3
BUY = 0
SELL = 1
GTC = 0
IOC = 1
FOK = 2
STP_NONE = 0
STP_CANCEL_TAKER = 1
STP_CANCEL_RESTING = 2

# order states and reasons
NEED_SPACE = -1
RESTING = 0
FILLED = 1
CANCELLED = 2
EXPIRED = 3
REJECTED = 4
NONE = 0
DUPLICATE_ID = 1
UNKNOWN_ID = 2
BAD_QUANTITY = 3
BAD_EVENT = 4
SELF_TRADE = 5
NOT_FILLABLE = 6
UNCROSS = 7
CALL_PHASE = 8

BAD_PRICE = 9  # internal: the single-event path raises InputError instead

MAX_ID = 1 << 62  # ids, owners and prices in ticks stay below this
# the largest order quantity: with prices below MAX_ID ticks of at most MAX_TICK, every
# running total of the book and of an uncross stays finite
MAX_QTY = 2.0**53
MIN_TICK = 1e-12
MAX_TICK = 1e12

# The state buffer S (int64, 1-D) holds every array above, so that one Python call passes one
# array (numba unboxes each array argument: one array instead of seven saves ~0.3 us a call).
# S[:HEADER] describes the layout; the float64 parts are read through S.view(float64).
S_CAP = 0  # order slots
S_HCAP = 1  # hash table rows
S_FCAP = 2  # report buffer rows
S_OFF_M = 3
S_OFF_B = 4
S_OFF_H = 5
S_OFF_FI = 6
S_OFF_MF = 7
S_OFF_FF = 8
S_DIV = 9  # 1: ticks = price * scale, price = ticks / scale; 0: price / tick, ticks * tick
S_ROUND = 10  # 1: round off-grid prices to the nearest tick
S_SCALE = 11  # float64
S_TICK = 12  # float64
S_DCAP = 13  # ids below this use the direct table in H
HEADER = 16


@jit
def init_state(B, F, H, M, MF, stp):
    """Empty book in freshly allocated arrays (``F`` is the float64 view of ``B``)."""
    H[2:] = 0  # H[0] (dcap) was set with the layout; order and level rows need no init
    M[:] = 0
    MF[:] = 0.0
    M[M_FREE] = -1
    M[M_STP] = stp


@jit
def _has_slot(B, M):
    return M[M_FREE] != -1 or M[M_HWM] < ((B.shape[0] // NCOLS) >> 1)


@jit
def _level_pos(B, L0, n, krow, key):
    """First level index whose key is >= ``key`` (``n`` when none)."""
    lo = 0
    hi = n
    while lo < hi:
        mid = (lo + hi) >> 1
        if B[(L0 + mid) * NCOLS + krow] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def _unlink(B, F, H, M, slot):
    """Take a resting order out of its level, the hash table and the live set."""
    L0 = (B.shape[0] // NCOLS) >> 1
    side = B[slot * NCOLS + O_SIDE]
    base = LV_KEY + 3 * side
    prv = B[slot * NCOLS + O_PREV]
    nxt = B[slot * NCOLS + O_NEXT]
    n = M[M_NLV + side]
    key = B[slot * NCOLS + O_PRICE] if side == BUY else -B[slot * NCOLS + O_PRICE]
    lvl = (
        n - 1
        if n > 0 and B[(L0 + n - 1) * NCOLS + base] == key
        else _level_pos(B, L0, n, base, key)
    )
    if prv == -1:
        B[(L0 + lvl) * NCOLS + base + 1] = nxt
    else:
        B[prv * NCOLS + O_NEXT] = nxt
    if nxt == -1:
        B[(L0 + lvl) * NCOLS + base + 2] = prv
    else:
        B[nxt * NCOLS + O_PREV] = prv
    if lvl == n - 1 and B[(L0 + lvl) * NCOLS + base + 1] == -1:
        # the best level emptied: drop it and any empty levels behind it, so the last level
        # is never empty; an emptied level inside the book stays (no shifting) and is
        # reused by its price or dropped when it becomes the best or at compaction
        n -= 1
        while n > 0 and B[(L0 + n - 1) * NCOLS + base + 1] == -1:
            n -= 1
        M[M_NLV + side] = n
    hash_delete(H, B[slot * NCOLS + O_ID])
    F[slot * NCOLS + O_QTY] = 0.0
    B[slot * NCOLS + O_ID] = -1
    B[slot * NCOLS + O_PREV] = -1
    B[slot * NCOLS + O_NEXT] = M[M_FREE]
    M[M_FREE] = slot
    M[M_LIVE + side] -= 1


@jit
def _compact_levels(B, L0, n, base):
    """Remove the empty levels of one side (order kept); return the new level count."""
    m = 0
    for j in range(n):
        if B[(L0 + j) * NCOLS + base + 1] != -1:
            B[(L0 + m) * NCOLS + base] = B[(L0 + j) * NCOLS + base]
            B[(L0 + m) * NCOLS + base + 1] = B[(L0 + j) * NCOLS + base + 1]
            B[(L0 + m) * NCOLS + base + 2] = B[(L0 + j) * NCOLS + base + 2]
            m += 1
    return m


@jit
def _rest(B, F, H, M, side, price, qty, oid, owner):
    """Append a new order at the tail of its price level."""
    L0 = (B.shape[0] // NCOLS) >> 1
    slot = M[M_FREE]
    if slot != -1:
        M[M_FREE] = B[slot * NCOLS + O_NEXT]
    else:
        slot = M[M_HWM]
        M[M_HWM] = slot + 1
    base = LV_KEY + 3 * side
    n = M[M_NLV + side]
    key = price if side == BUY else -price
    lvl = (
        n - 1
        if n > 0 and B[(L0 + n - 1) * NCOLS + base] == key
        else _level_pos(B, L0, n, base, key)
    )
    if (lvl == n or B[(L0 + lvl) * NCOLS + base] != key) and n == L0:
        n = _compact_levels(B, L0, n, base)  # every level row is used: drop empty levels
        M[M_NLV + side] = n
        lvl = _level_pos(B, L0, n, base, key)
    if lvl == n or B[(L0 + lvl) * NCOLS + base] != key:  # new level at lvl
        for j in range(n, lvl, -1):
            B[(L0 + j) * NCOLS + base] = B[(L0 + j - 1) * NCOLS + base]
            B[(L0 + j) * NCOLS + base + 1] = B[(L0 + j - 1) * NCOLS + base + 1]
            B[(L0 + j) * NCOLS + base + 2] = B[(L0 + j - 1) * NCOLS + base + 2]
        B[(L0 + lvl) * NCOLS + base] = key
        B[(L0 + lvl) * NCOLS + base + 1] = -1
        B[(L0 + lvl) * NCOLS + base + 2] = -1
        M[M_NLV + side] = n + 1
    tail = B[(L0 + lvl) * NCOLS + base + 2]
    B[slot * NCOLS + O_ID] = oid
    B[slot * NCOLS + O_OWNER] = owner
    B[slot * NCOLS + O_PRICE] = price
    B[slot * NCOLS + O_SIDE] = side
    B[slot * NCOLS + O_ARRIVAL] = M[M_ARRIVAL]
    M[M_ARRIVAL] += 1
    B[slot * NCOLS + O_PREV] = tail
    B[slot * NCOLS + O_NEXT] = -1
    if tail == -1:
        B[(L0 + lvl) * NCOLS + base + 1] = slot
    else:
        B[tail * NCOLS + O_NEXT] = slot
    B[(L0 + lvl) * NCOLS + base + 2] = slot
    F[slot * NCOLS + O_QTY] = qty
    hash_insert(H, oid, slot)
    M[M_LIVE + side] += 1


@jit
def _fillable(B, F, M, side, price, is_market, qty, owner, stp):
    """Quantity a taker could fill now (stops counting once ``qty`` is reached)."""
    L0 = (B.shape[0] // NCOLS) >> 1
    opp = 1 - side
    base = LV_KEY + 3 * opp
    avail = 0.0
    for lvl in range(M[M_NLV + opp] - 1, -1, -1):
        key = B[(L0 + lvl) * NCOLS + base]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[(L0 + lvl) * NCOLS + base + 1]
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
def _reports_needed(B, F, M, side, price, is_market, qty, owner, stp):
    """An upper bound on the report rows a taker can write: the resting orders it could reach
    in priority order until the quantity of those it can trade with covers ``qty`` (orders of
    its own owner are counted as rows but not as quantity), plus one."""
    L0 = (B.shape[0] // NCOLS) >> 1
    opp = 1 - side
    base = LV_KEY + 3 * opp
    count = 1
    avail = 0.0
    for lvl in range(M[M_NLV + opp] - 1, -1, -1):
        key = B[(L0 + lvl) * NCOLS + base]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[(L0 + lvl) * NCOLS + base + 1]
        while slot != -1:
            count += 1
            if stp == STP_NONE or B[slot * NCOLS + O_OWNER] != owner:
                avail += F[slot * NCOLS + O_QTY]
            if avail >= qty:
                return count
            slot = B[slot * NCOLS + O_NEXT]
    return count


@jit
def _record(M, FI, FF, ev, taker, maker, price, qty, kind):
    r = M[M_NFILL]
    FI[r * R_NCOLS + R_EVENT] = ev
    FI[r * R_NCOLS + R_SEQ] = M[M_SEQ]
    FI[r * R_NCOLS + R_TAKER] = taker
    FI[r * R_NCOLS + R_MAKER] = maker
    FI[r * R_NCOLS + R_PRICE] = price
    FI[r * R_NCOLS + R_KIND] = kind
    FF[r] = qty
    if kind == 0:  # the sequence counts fills; a cancelled self-trade (kind 1) takes none
        M[M_SEQ] += 1
    M[M_NFILL] = r + 1


@jit
def process_event(B, F, H, M, MF, FI, FF, ev, kind, side, price, qty, oid, owner, tif):
    """Apply one event; return ``(state, reason, filled, remaining, order_id)``.

    ``filled`` is what the event's order traded in this event, ``remaining`` its quantity
    still resting afterwards. Nothing changes when the state is ``REJECTED`` or
    ``NEED_SPACE``.
    """
    if kind in (CANCEL, REDUCE):
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
        _unlink(B, F, H, M, slot)
        return CANCELLED, NONE, 0.0, 0.0, oid
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
    if not _has_slot(B, M):
        return NEED_SPACE, NONE, 0.0, 0.0, oid
    stp = M[M_STP] if owner >= 0 else STP_NONE
    spare = FI.shape[0] // R_NCOLS - M[M_NFILL]
    if spare <= M[M_LIVE + opp] and spare < _reports_needed(
        B, F, M, side, price, is_market, qty, owner, stp
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
        _rest(B, F, H, M, side, price, qty, oid, owner)
        return RESTING, NONE, 0.0, qty, oid
    if tif == FOK and _fillable(B, F, M, side, price, is_market, qty, owner, stp) < qty:
        MF[MF_EXPIRED] += qty
        return EXPIRED, NOT_FILLABLE, 0.0, 0.0, oid
    L0 = (B.shape[0] // NCOLS) >> 1
    base = LV_KEY + 3 * opp
    rem = qty
    stopped = False
    while rem > 0.0:
        n = M[M_NLV + opp]
        if n == 0:
            break
        key = B[(L0 + n - 1) * NCOLS + base]
        lp = key if opp == BUY else -key
        if not is_market and (lp > price if side == BUY else lp < price):
            break
        slot = B[(L0 + n - 1) * NCOLS + base + 1]
        while slot != -1 and rem > 0.0:
            nxt = B[slot * NCOLS + O_NEXT]
            if stp != STP_NONE and B[slot * NCOLS + O_OWNER] == owner:
                if stp == STP_CANCEL_TAKER:
                    stopped = True
                    break
                _record(M, FI, FF, ev, oid, B[slot * NCOLS + O_ID], lp, F[slot * NCOLS + O_QTY], 1)
                MF[MF_CANCELLED] += F[slot * NCOLS + O_QTY]
                _unlink(B, F, H, M, slot)
                slot = nxt
                continue
            avail = F[slot * NCOLS + O_QTY]
            q = rem if rem < avail else avail
            _record(M, FI, FF, ev, oid, B[slot * NCOLS + O_ID], lp, q, 0)
            rem -= q
            MF[MF_TRADED] += q
            if q == avail:
                _unlink(B, F, H, M, slot)
            else:
                F[slot * NCOLS + O_QTY] = avail - q
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
    _rest(B, F, H, M, side, price, rem, oid, owner)
    return RESTING, NONE, filled, rem, oid


@jit
def views(S):
    """The arrays held in the state buffer ``S``: 1-D views, no copies.

    The 2-D tables are used flat (``B[row * NCOLS + col]``, ``H[2 * i + k]``,
    ``FI[r * R_NCOLS + c]``): cutting 1-D slices is much cheaper per call than reshaping.
    """
    Sf = S.view(np.float64)
    ob = S[S_OFF_B]
    nb = 2 * S[S_CAP] * NCOLS
    B = S[ob : ob + nb]
    F = Sf[ob : ob + nb]
    H = S[S[S_OFF_H] : S[S_OFF_H] + 2 + S[S_DCAP] + 2 * S[S_HCAP]]
    M = S[S[S_OFF_M] : S[S_OFF_M] + M_SIZE]
    MF = Sf[S[S_OFF_MF] : S[S_OFF_MF] + MF_SIZE]
    FI = S[S[S_OFF_FI] : S[S_OFF_FI] + S[S_FCAP] * R_NCOLS]
    FF = Sf[S[S_OFF_FF] : S[S_OFF_FF] + S[S_FCAP]]
    return B, F, H, M, MF, FI, FF


@jit
def event(S, kind, side, price, qty, oid, owner, tif):
    """One event per Python call; ``price`` is a float, converted to ticks here.

    Reports go to the start of the report buffer. Returns ``(state, reason, filled,
    remaining, order_id, n_reports)``; a limit price that is not finite, off the grid or out
    of range gives ``(REJECTED, BAD_PRICE, ...)`` with nothing changed.
    """
    B, F, H, M, MF, FI, FF = views(S)
    M[M_NFILL] = 0
    ticks = 0
    if kind == LIMIT:
        Sf = S.view(np.float64)
        t = price * Sf[S_SCALE] if S[S_DIV] == 1 else price / Sf[S_TICK]
        if not (t > -np.inf and t < np.inf):
            return REJECTED, BAD_PRICE, 0.0, 0.0, oid, 0
        r = np.rint(t)
        if S[S_ROUND] == 0 and abs(t - r) > 1e-9 * (1.0 + abs(t)):
            return REJECTED, BAD_PRICE, 0.0, 0.0, oid, 0
        if not abs(r) < 4.611686018427388e18:  # 2**62
            return REJECTED, BAD_PRICE, 0.0, 0.0, oid, 0
        ticks = np.int64(r)
    st, rs, fl, rm, o = process_event(
        B, F, H, M, MF, FI, FF, 0, kind, side, ticks, qty, oid, owner, tif
    )
    return st, rs, fl, rm, o, M[M_NFILL]


@jit
def run_batch(
    B,
    F,
    H,
    M,
    MF,
    FI,
    FF,
    kinds,
    sides,
    prices,
    qtys,
    oids,
    owners,
    tifs,
    start,
    out_state,
    out_reason,
    out_filled,
    out_remaining,
    out_oid,
):
    """Process events ``start..n-1`` in order; return the index of the first event not
    processed (``n`` when done, earlier when the arrays must grow first)."""
    n = kinds.shape[0]
    for e in range(start, n):
        st, rs, fl, rm, o = process_event(
            B,
            F,
            H,
            M,
            MF,
            FI,
            FF,
            e,
            kinds[e],
            sides[e],
            prices[e],
            qtys[e],
            oids[e],
            owners[e],
            tifs[e],
        )
        if st == NEED_SPACE:
            return e
        out_state[e] = st
        out_reason[e] = rs
        out_filled[e] = fl
        out_remaining[e] = rm
        out_oid[e] = o
    return n
