"""The order book's state layout: one int64 buffer, its views, codes and the tick rule.

The whole book lives in one int64 state buffer ``S`` owned by
:class:`clearing.orderbook._state.BookState`; :func:`views` cuts it into the arrays the
kernels use (:class:`BookArrays`), all flat:

``B`` int64, ``2 * cap`` rows of ``NCOLS`` (``B[row * NCOLS + col]``). Rows ``0..cap-1`` are
order slots (columns ``O_*``, one 64-byte row per order; the quantity is stored as float64
through ``F``, the float64 view of ``B``). Rows ``cap..2*cap-1`` hold the price levels of
both sides: level ``j`` of side ``s`` starts at :func:`level_at` ``(L0, j, s)`` and has the
columns ``LV_KEY``, ``LV_HEAD``, ``LV_TAIL`` (``L0 = cap``, see :func:`level_rows`). Levels of
a side are kept sorted ascending by ``key`` (``price`` for bids, ``-price`` for asks), so the
best level of either side is the last one and most insertions touch the end of the array. A
level emptied inside the book stays in place (no shifting) until it is reused, becomes the
best level or the level rows run out; the best level is never empty. Each level holds a FIFO
doubly linked list of order slots (``LV_HEAD`` to ``LV_TAIL`` through ``O_NEXT``/``O_PREV``,
-1 ends it). Slots are handed out from released slots first, then from a high-water mark,
so rows never used are never touched.

``H`` int64: order id -> slot (see :mod:`clearing._kernels.orderbook.index`).
``M`` int64 meta counters (``M_*``), ``MF`` float64 running totals (``MF_*``).
``FI`` (rows of ``R_NCOLS``) and ``FF``: the report buffer, one row per fill or per resting
order removed by self-trade prevention (``FI`` columns ``R_*``, ``FF`` the quantity).

Module-level integers are compile-time constants for numba: the named offsets cost nothing.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._jit import jit_inline

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
# level columns, relative to level_at(L0, lvl, side): side s uses columns 3 * s .. 3 * s + 2
LV_KEY = 0
LV_HEAD = 1
LV_TAIL = 2
LV_WIDTH = 3

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

# results of the tick rule (price_ticks)
TICK_OK = 0
TICK_NOT_FINITE = 1
TICK_OFF_GRID = 2
TICK_OUT_OF_RANGE = 3

MAX_ID = 1 << 62  # ids, owners and prices in ticks stay below this
_MAX_TICKS = 4.611686018427388e18  # float(MAX_ID)
# the largest order quantity: with prices below MAX_ID ticks of at most MAX_TICK, every
# running total of the book and of an uncross stays finite
MAX_QTY = 2.0**53
MIN_TICK = 1e-12
MAX_TICK = 1e12

# The state buffer S (int64, 1-D) holds every array above, so that one Python call passes one
# array (numba unboxes each array argument separately). S[:HEADER] describes the layout; the
# float64 parts are read through S.view(float64).
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

#: The arrays of one book, all 1-D views into its state buffer (see the module docstring):
#: ``B`` int64 and ``F`` float64 (the same memory) the order and level rows, ``H`` int64 the
#: id index, ``M`` int64 and ``MF`` float64 the counters, ``FI`` int64 and ``FF`` float64
#: the report buffer.
BookArrays = namedtuple("BookArrays", ["B", "F", "H", "M", "MF", "FI", "FF"])


@jit_inline
def views(S):
    """The arrays held in the state buffer: 1-D views, no copies.

    Spliced into :func:`~clearing._kernels.orderbook.book.event`; the Python side runs
    its Python function (``views.py_func``), so no call compiles it on its own.

    Parameters
    ----------
    S : ndarray of int64, shape (n,)
        A state buffer laid out by :meth:`clearing.orderbook._state.BookState.new`.

    Returns
    -------
    BookArrays
        Flat views (``B[row * NCOLS + col]``, ``FI[r * R_NCOLS + c]``): cutting 1-D slices
        is cheaper per call than reshaping.
    """
    Sf = S.view(np.float64)
    ob = S[S_OFF_B]
    nb = 2 * S[S_CAP] * NCOLS
    return BookArrays(
        S[ob : ob + nb],
        Sf[ob : ob + nb],
        S[S[S_OFF_H] : S[S_OFF_H] + 2 + S[S_DCAP] + 2 * S[S_HCAP]],
        S[S[S_OFF_M] : S[S_OFF_M] + M_SIZE],
        Sf[S[S_OFF_MF] : S[S_OFF_MF] + MF_SIZE],
        S[S[S_OFF_FI] : S[S_OFF_FI] + S[S_FCAP] * R_NCOLS],
        Sf[S[S_OFF_FF] : S[S_OFF_FF] + S[S_FCAP]],
    )


@jit_inline
def level_rows(B):
    """``L0``: the row of ``B`` where the level rows start (the number of order slots).

    Parameters
    ----------
    B : ndarray of int64, shape (2 * cap * NCOLS,)
        The order and level rows of a book.
    """
    return (B.shape[0] // NCOLS) >> 1


@jit_inline
def level_at(L0, lvl, side):
    """Index in ``B`` of level ``lvl`` of ``side``; add ``LV_KEY``, ``LV_HEAD`` or ``LV_TAIL``.

    Parameters
    ----------
    L0 : int
        The first level row (:func:`level_rows`).
    lvl : int
        Level index within the side (0 the worst, the side's level count - 1 the best).
    side : int
        ``BUY`` or ``SELL``.
    """
    return (L0 + lvl) * NCOLS + LV_WIDTH * side


@jit_inline
def price_ticks(price, div, scale, tick, rnd):
    """The tick rule: a price as a whole number of ticks, and whether it is acceptable.

    Every price of the book goes through this one function (single events, batches and the
    explanations of their errors).

    Parameters
    ----------
    price : float
        The price given.
    div : bool
        True when ``1 / tick`` is a whole number ``scale``: ticks = ``price * scale`` (exact
        for decimal ticks); otherwise ticks = ``price / tick``.
    scale, tick : float
        ``round(1 / tick)`` (when ``div``) and the tick size.
    rnd : bool
        Round an off-grid price to the nearest tick instead of refusing it.

    Returns
    -------
    code : int
        ``TICK_OK``, or why the price is refused: ``TICK_NOT_FINITE``, ``TICK_OFF_GRID``
        (more than a relative 1e-9 from the grid, so binary rounding is absorbed),
        ``TICK_OUT_OF_RANGE`` (``2**62`` ticks or more).
    ticks : int
        The price in ticks (0 unless ``code == TICK_OK``).
    """
    if not (price > -np.inf and price < np.inf):
        return TICK_NOT_FINITE, 0
    t = price * scale if div else price / tick
    if not abs(t) < _MAX_TICKS:
        return TICK_OUT_OF_RANGE, 0
    r = np.rint(t)
    if not rnd and abs(t - r) > 1e-9 * (1.0 + abs(t)):
        return TICK_OFF_GRID, 0
    return TICK_OK, np.int64(r)
