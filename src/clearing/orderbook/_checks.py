"""Argument checks of :class:`clearing.OrderBook`.

The book's fast path checks only what is cheap (types, ``None``); when something looks wrong
(or the kernel rejects a malformed value) these functions find the bad argument and raise
:class:`InputError` with a message naming it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels.orderbook import layout as _k
from .._validate import is_real
from ..errors import InputError
from ._reports import BookSnapshot
from ._state import STP, BookState

INF = math.inf
MAXT = 2**62
MAX_QTY = _k.MAX_QTY
SIDES: dict[Any, int] = {"buy": _k.BUY, "sell": _k.SELL, 1: _k.BUY, -1: _k.SELL}
# (True == 1 as a dict key: a bool side is taken as +1; documented)
TIFS: dict[Any, int] = {"GTC": _k.GTC, "IOC": _k.IOC, "FOK": _k.FOK}


def real(fn: str, name: str, x: Any) -> float:
    """``x`` as a float if it is a real number (not str, bytes, bool or complex)."""
    if isinstance(x, bool | np.bool_) or not is_real(x):
        raise InputError(f"{fn}: {name} must be a real number, got {x!r}", argument=name)
    try:
        return float(x)
    except OverflowError:
        raise InputError(f"{fn}: {name} is out of range, got {x!r}", argument=name) from None


def ticks(fn: str, price: Any, state: BookState) -> int:
    """Slow, explicit price check with a precise message (the fast path failed)."""
    p = real(fn, "price", price)
    code, t = state.price_code(p)
    if code == _k.TICK_NOT_FINITE:
        raise InputError(f"{fn}: price is {p!r}; prices must be finite", argument="price")
    if code == _k.TICK_OUT_OF_RANGE:
        raise InputError(f"{fn}: price {p!r} is out of range", argument="price")
    if code == _k.TICK_OFF_GRID:
        raise InputError(
            f"{fn}: price {p!r} is not a multiple of tick_size {state.tick!r} "
            "(build the book with round_prices=True to round)",
            argument="price",
            value=price,
        )
    return t


def check(fn: str, side: Any, quantity: Any, tif: Any) -> None:
    """Raise for a bad side, quantity or time in force (price: see :func:`ticks`)."""
    try:
        known = side in SIDES
    except TypeError:  # unhashable
        known = False
    if not known:
        raise InputError(
            f"{fn}: side must be 'buy' or 'sell' (or +1/-1), got {side!r}", argument="side"
        )
    q = real(fn, "quantity", quantity)
    if not 0.0 < q <= MAX_QTY:
        raise InputError(
            f"{fn}: quantity is {q!r}; quantities must be > 0 and at most 2**53",
            argument="quantity",
            value=quantity,
        )
    try:
        known = tif in TIFS
    except TypeError:
        known = False
    if not known:
        raise InputError(
            f"{fn}: unknown tif {tif!r}; expected 'GTC', 'IOC' or 'FOK'",
            argument="tif",
            value=tif,
        )


def order_id(fn: str, name: str, value: Any, allow_none: bool) -> int:
    """An id or owner in [0, 2**62) (``None`` -> -1 when allowed)."""
    if value is None and allow_none:
        return -1
    if (
        isinstance(value, int | np.integer)
        and not isinstance(value, bool | np.timedelta64)
        and 0 <= value < MAXT
    ):
        return int(value)
    raise InputError(
        f"{fn}: {name} must be an integer in [0, 2**62), got {value!r}",
        argument=name,
        value=value,
    )


def numbers(fn: str, price: Any, quantity: Any) -> tuple[float, float]:
    """Price and quantity as floats when they are real numbers (not str, bool...)."""
    return real(fn, "price", price), real(fn, "quantity", quantity)


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else f"{text[:12]}... ({len(text)} digits)"


def book_options(tick_size: Any, stp: Any, capacity: Any) -> float:
    """Check the arguments of :class:`OrderBook`; return the tick size as a float."""
    fn = "OrderBook"
    if isinstance(tick_size, bool | np.bool_) or not is_real(tick_size):
        raise InputError(
            f"{fn}: tick_size must be a number, got {tick_size!r}",
            argument="tick_size",
            value=tick_size,
        )
    if not _k.MIN_TICK <= tick_size <= _k.MAX_TICK:  # compared before float(): 2**2000
        raise InputError(
            f"{fn}: tick_size must lie in [{_k.MIN_TICK:g}, {_k.MAX_TICK:g}], got "
            f"{_short(tick_size)}",
            argument="tick_size",
            value=tick_size,
        )
    if not isinstance(stp, str) or stp not in STP:
        raise InputError(
            f"{fn}: unknown self_trade_prevention {stp!r}; expected one of "
            f"{', '.join(map(repr, STP))}",
            argument="self_trade_prevention",
            value=stp,
        )
    if (
        isinstance(capacity, bool | np.bool_ | np.timedelta64)
        or not isinstance(capacity, int | np.integer)
        or not 1 <= capacity <= 2**31
    ):
        raise InputError(
            f"{fn}: capacity must be an int in [1, 2**31], got {capacity!r}",
            argument="capacity",
            value=capacity,
        )
    return float(tick_size)


def snapshot(value: Any) -> None:
    """Raise unless ``value`` is a :class:`BookSnapshot`."""
    if not isinstance(value, BookSnapshot):
        raise InputError(
            f"OrderBook.restore: expected a BookSnapshot, got {type(value).__name__}",
            argument="snapshot",
        )
