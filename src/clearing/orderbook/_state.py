"""The order book's state: one buffer, its views, the price grid and the counters.

:class:`BookState` owns the int64 state buffer laid out by
:mod:`clearing._kernels.orderbook.layout` (a small header, the counters, the order and level
rows, the id index and the report buffer), the views the kernels and the queries read, and
the conversion between prices and ticks. :class:`clearing.OrderBook` holds one and
delegates to it; batches, queries and the uncross work on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._kernels.orderbook import book as _kb
from .._kernels.orderbook import index as _ki
from .._kernels.orderbook import layout as _k
from .._kernels.orderbook import queries as _kq
from ._reports import (
    _REASONS,
    _STATES,
    BookSnapshot,
    ExecutionReport,
    Fill,
    execution_report,
    fill,
)

STP = {
    "none": _k.STP_NONE,
    "cancel_taker": _k.STP_CANCEL_TAKER,
    "cancel_resting": _k.STP_CANCEL_RESTING,
}

# the counters of BookState.counters: (name, index in M); M_NFILL (report rows of the last
# call) and M_STP (a setting) are not book state
COUNTERS = (
    ("bid_levels", _k.M_NLV + _k.BUY),
    ("ask_levels", _k.M_NLV + _k.SELL),
    ("resting_bids", _k.M_LIVE + _k.BUY),
    ("resting_asks", _k.M_LIVE + _k.SELL),
    ("next_order_id", _k.M_NEXTID),
    ("arrivals", _k.M_ARRIVAL),
    ("fills", _k.M_SEQ),
    ("in_call", _k.M_CALL),
    ("free_slot", _k.M_FREE),
    ("slots_used", _k.M_HWM),
)


def _python(kernel: Any) -> Any:
    """The Python function of a kernel: what runs once per book on a few counters costs
    microseconds as Python, where compiling it would cost a first call a compile."""
    return getattr(kernel, "py_func", kernel)


def tick_scale(tick: float) -> tuple[bool, float]:
    """``(div, scale)`` of the tick rule for ``tick``.

    For decimal ticks (0.01, 0.5, 5) ``1 / tick`` is an integer ``scale``: ``ticks / scale``
    is then the correctly rounded decimal price (``div`` true); otherwise ``scale = 1 / tick``
    and prices are ``ticks * tick``.
    """
    inv = 1.0 / tick
    div = abs(inv - round(inv)) <= 1e-9 * inv and round(inv) >= 1
    return div, float(round(inv)) if div else inv


class BookState:
    """The state of one order book (see the module docstring).

    Attributes
    ----------
    buf : ndarray of int64
        The state buffer; replaced (copied) when the book grows.
    arrays : BookArrays
        Flat views of ``buf`` in the kernels' argument order.
    orders : ndarray of int64, shape (2 * capacity, NCOLS)
        Order rows, then level rows (``orders_f`` is its float64 view).
    meta, sums : ndarray
        The integer counters (``M_*``) and the float running totals (``MF_*``).
    reports, report_qty : ndarray
        The report buffer: rows of ``R_NCOLS`` int64 and their quantities.
    tick, stp, rule : float, str, TickRule
        Tick size, self-trade prevention mode and the tick rule's settings (``div`` and
        ``scale`` of the rule are also kept as attributes, for the per-call path).

    Examples
    --------
    >>> state = BookState.new(0.5, stp="none", rnd=False, capacity=4)
    >>> state.price_code(10.5), state.to_price(21)
    ((0, 21), 10.5)
    >>> state.price_code(10.25)[0] == _k.TICK_OFF_GRID
    True
    >>> state.capacity, state.counters()["next_order_id"]
    (4, 0)
    """

    __slots__ = ("arrays", "buf", "div", "meta", "orders", "orders_f", "report_qty",
                 "reports", "rule", "scale", "stp", "sums", "tick")  # fmt: skip

    def __init__(self, buf: np.ndarray, stp: str) -> None:
        self.stp = stp
        Sf = buf.view(np.float64)
        self.tick = float(Sf[_k.S_TICK])
        self.div, self.scale = bool(buf[_k.S_DIV]), float(Sf[_k.S_SCALE])
        self.rule = _kq.TickRule(self.div, self.scale, self.tick, bool(buf[_k.S_ROUND]))
        self._bind(buf)

    @classmethod
    def new(cls, tick: float, *, stp: str, rnd: bool, capacity: int) -> BookState:
        """An empty book with room for ``capacity`` orders (rounded up to a power of two)."""
        div, scale = tick_scale(tick)
        cap = 1 << max(int(capacity) - 1, 1).bit_length()
        state = cls(_buffer(cap, 1024, div=div, rnd=rnd, scale=scale, tick=tick), stp)
        _python(_kb.init_state)(state.arrays, STP[stp])
        return state

    def _bind(self, buf: np.ndarray) -> None:
        self.buf = buf
        bk = _python(_k.views)(buf)
        self.arrays = bk
        self.orders = bk.B.reshape(-1, _k.NCOLS)
        self.orders_f = bk.F.reshape(-1, _k.NCOLS)
        self.meta, self.sums = bk.M, bk.MF
        self.reports = bk.FI.reshape(-1, _k.R_NCOLS)
        self.report_qty = bk.FF

    # ------------------------------------------------------------ prices
    def to_price(self, ticks: int) -> float:
        """The price of ``ticks`` (a Python float)."""
        return ticks / self.scale if self.div else ticks * self.tick

    def prices(self, ticks: np.ndarray) -> np.ndarray:
        """The prices of an array of ticks (float64)."""
        t = ticks.astype(np.float64)
        div, scale, tick, _ = self.rule
        return t / scale if div else t * tick

    def price_code(self, price: float) -> tuple[int, int]:
        """The tick rule (:func:`~clearing._kernels.orderbook.layout.price_ticks`) on one
        price: ``(code, ticks)``."""
        code, ticks = _k.price_ticks(price, *self.rule)  # type: ignore[no-untyped-call]
        return int(code), int(ticks)

    # ------------------------------------------------------------ counters
    @property
    def capacity(self) -> int:
        """Number of order slots allocated."""
        return int(self.orders.shape[0] // 2)

    def resting_count(self) -> int:
        """Number of resting orders."""
        return int(self.meta[_k.M_LIVE] + self.meta[_k.M_LIVE + 1])

    def best(self, side: int) -> float | None:
        """Best resting price of ``side`` (``BUY``/``SELL``), ``None`` when it has none."""
        n = int(self.meta[_k.M_NLV + side])
        if n == 0:
            return None
        key = int(self.orders[self.capacity + n - 1, _k.LV_WIDTH * side + _k.LV_KEY])
        return self.to_price(key if side == _k.BUY else -key)

    def counters(self) -> dict[str, int]:
        """The integer counters of the book, by name (see :data:`COUNTERS`)."""
        m = self.meta.tolist()
        return {name: m[i] for name, i in COUNTERS}

    def totals(self) -> dict[str, float]:
        """Running totals: ``submitted == 2 * traded + resting + cancelled + expired``."""
        mf = self.sums
        return {
            "submitted": float(mf[_k.MF_SUBMITTED]),
            "traded": float(mf[_k.MF_TRADED]),
            "cancelled": float(mf[_k.MF_CANCELLED]),
            "expired": float(mf[_k.MF_EXPIRED]),
            "resting": float(self.orders_f[: self.meta[_k.M_HWM], _k.O_QTY].sum()),
        }

    def snapshot(self) -> BookSnapshot:
        """A complete copy of the state (see :meth:`clearing.OrderBook.snapshot`)."""
        return BookSnapshot(
            tick_size=self.tick,
            self_trade_prevention=self.stp,
            round_prices=self.rule.rnd,
            state=self.buf.copy(),
        )

    # ------------------------------------------------------------ reports
    def report(self, r: Any) -> ExecutionReport:
        """The :class:`ExecutionReport` of :func:`~clearing._kernels.orderbook.book.event`'s
        result ``r`` (its ``r[5]`` report rows decoded into fills and cancellations)."""
        n = r[5]
        fills: list[Fill] = []
        cancelled: list[tuple[int, float]] = []
        div, scale, tick = self.div, self.scale, self.tick
        rows = self.reports[:n].tolist()
        # columns in the order R_EVENT, R_SEQ, R_TAKER, R_MAKER, R_PRICE, R_KIND
        for (_, seq, taker, maker, ticks, kind), q in zip(
            rows, self.report_qty[:n].tolist(), strict=True
        ):
            if kind == 0:
                price = ticks / scale if div else ticks * tick
                fills.append(fill(seq, taker, maker, price, q))
            else:
                cancelled.append((maker, q))
        return execution_report(
            r[4], _STATES[r[0]], _REASONS[r[1]], r[2], r[3], tuple(fills), tuple(cancelled)
        )

    # ------------------------------------------------------------ storage
    def grow_and_retry(self, event: Callable[..., Any], *args: Any) -> Any:
        """Grow the state until ``event(buf, *args)`` (one event that returned
        ``NEED_SPACE``) runs; return its result."""
        while True:
            self.make_room()
            r = event(self.buf, *args)
            if r[0] >= 0:
                return r

    def make_room(self) -> None:
        """Grow what :func:`process_event` found missing: order slots, else report rows."""
        cap = self.capacity
        if self.meta[_k.M_FREE] == -1 and self.meta[_k.M_HWM] >= cap:
            self.regrow(2 * cap, self.reports.shape[0])
        else:
            self.regrow(cap, 2 * self.reports.shape[0])

    def regrow(self, cap: int, fcap: int) -> None:
        """Move the state into a buffer with ``cap`` slots and ``fcap`` report rows.

        Only what is in use is copied: slots below the high-water mark, the levels, the
        report rows written so far; the id index is rebuilt when ``cap`` changes.
        """
        div, scale, tick, rnd = self.rule
        old = self.arrays
        oB, oM = self.orders, self.meta
        self._bind(_buffer(cap, fcap, div=div, rnd=rnd, scale=scale, tick=tick))
        B = self.orders
        ocap = oB.shape[0] // 2
        self.meta[:] = oM
        self.sums[:] = old.MF
        hwm = int(oM[_k.M_HWM])
        B[:hwm] = oB[:hwm]
        nlv = int(max(oM[_k.M_NLV], oM[_k.M_NLV + 1]))
        B[cap : cap + nlv] = oB[ocap : ocap + nlv]
        if cap == ocap:
            self.arrays.H[:] = old.H
        else:
            _ki.rehash(old.H, self.arrays.H)  # type: ignore[no-untyped-call]
        used = int(oM[_k.M_NFILL])
        self.arrays.FI[: used * _k.R_NCOLS] = old.FI[: used * _k.R_NCOLS]
        self.report_qty[:used] = old.FF[:used]


def _buffer(cap: int, fcap: int, *, div: bool, rnd: bool, scale: float, tick: float) -> np.ndarray:
    """An uninitialised buffer for ``cap`` order slots and ``fcap`` report rows."""
    hcap = 2 * cap
    dcap = 2 * cap  # ids below dcap are indexed directly (dense ids never hash)
    off_m = _k.HEADER
    off_b = off_m + 16
    off_h = off_b + 2 * cap * _k.NCOLS
    off_fi = off_h + 2 + dcap + 2 * hcap
    off_mf = off_fi + fcap * _k.R_NCOLS
    off_ff = off_mf + 8
    # zeros: the index reads 0 as empty, and untouched zero pages cost nothing
    S = np.zeros(off_ff + fcap, dtype=np.int64)
    S[[_k.S_CAP, _k.S_HCAP, _k.S_FCAP]] = cap, hcap, fcap
    S[[_k.S_OFF_M, _k.S_OFF_B, _k.S_OFF_H, _k.S_OFF_FI, _k.S_OFF_MF, _k.S_OFF_FF]] = (
        off_m, off_b, off_h, off_fi, off_mf, off_ff
    )  # fmt: skip
    S[_k.S_DCAP] = dcap
    S[off_h] = dcap
    S[_k.S_DIV] = int(div)
    S[_k.S_ROUND] = int(rnd)
    Sf = S.view(np.float64)
    Sf[_k.S_SCALE] = scale
    Sf[_k.S_TICK] = tick
    return S
