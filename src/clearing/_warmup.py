"""Compile every kernel ahead of use, and say so when a first call has to.

numba compiles a kernel on its first call and keeps the machine code in its cache
(``NUMBA_CACHE_DIR``, else ``__pycache__`` next to the sources); later processes load it in
milliseconds. :func:`warmup` makes those first calls on tiny inputs, one entry point after
the other, for images and CI. Without it, the first call that has to compile prints one
line on stderr per process (see :func:`clearing._jit.note_compile`), so that a pause of
seconds is not silent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import _jit
from ._public import export
from .errors import InputError

__all__ = ["ENTRY_POINTS", "warmup"]


def _double_auction() -> None:
    from .auction._api import MECHANISMS, double_auction

    for mechanism in MECHANISMS:  # with and without priorities: each compiles its own
        double_auction([10, 9, 8], [1, 1, 1], [1, 2, 9], [1, 1, 1], mechanism=mechanism, rng=0)
        double_auction([10, 9], [1, 1], [1, 2], [1, 1], mechanism=mechanism, bid_priority=[1, 0])
    big = np.arange(70.0)  # above SMALL_MARKET orders: the other crossing search
    double_auction(big, np.ones(70), big, np.ones(70))


def _double_auction_batch() -> None:
    from .auction._api import double_auction_batch

    # serial: one compile per kind of mechanism, with and without priorities
    for mechanism, parallel in (("uniform", False), ("mcafee", False), ("uniform", True)):
        for priority in (None, [0, 1, 2]):
            double_auction_batch(
                [10, 8, 5], [1, 1, 2], [4, 7, 3], [1, 1, 1], bid_market=[7, 7, 2],
                ask_market=[7, 7, 2], mechanism=mechanism, parallel=parallel,
                bid_priority=priority,
            )  # fmt: skip


_VALUE = [[9.0, 6.0], [8.0, 7.0], [5.0, 4.0]]
# wider than SHORT_ROW (32) columns: the kernels for long rows
_WIDE = (np.arange(3 * 40.0).reshape(3, 40) * 7) % 11


def _linear_sum_assignment() -> None:
    from .assignment._api import linear_sum_assignment

    linear_sum_assignment(np.array([[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]]))


def _assign() -> None:
    from scipy import sparse

    from .assignment._api import assign

    for prices in (None, "min", "both"):  # each compiles its own kernel
        for value in (np.array(_VALUE), _WIDE):
            assign(value, cost=np.ones(value.shape[1]), prices=prices)
            assign(sparse.csr_array(value), prices=prices)


def _assign_batch() -> None:
    from .assignment._api import assign_batch

    for prices in (None, "min", "both"):
        for value in (np.arange(24.0).reshape(3, 2, 4) % 5, np.stack([_WIDE, _WIDE[::-1]])):
            assign_batch(value, prices=prices)
    assign_batch(np.arange(24.0).reshape(3, 2, 4) % 5, parallel=True)


def _transport() -> None:
    from .assignment._api import transport

    square = np.resize(_WIDE, (40, 40))  # 40 unit copies a side: the long-row variant
    for prices in (None, "min", "both"):
        transport(_VALUE, demand=[2, 1, 1], capacity=[2, 1], prices=prices)  # short copies
        transport(square, demand=np.ones(40), capacity=np.ones(40), prices=prices)
        transport(_VALUE, demand=[900, 1, 1], capacity=[900, 1], prices=prices)  # the CSR solver


def _orderbook() -> None:
    from .orderbook._book import OrderBook

    book = OrderBook(tick_size=0.01)
    book.limit("sell", 10.0, 2)
    book.limit("buy", 11.0, 1)
    book.market("buy", 1)
    report = book.limit("sell", 12.0, 2)
    book.reduce(report.order_id, 1)
    book.cancel(report.order_id)
    book.depth()
    book.resting("buy")
    book.submit_batch(["limit", "limit", "reduce", "cancel"], ["buy", "sell", "buy", "buy"],
                      [9.0, 13.0, 0.0, 0.0], [2, 1, 1, 0], order_id=[50, 51, 50, 50])  # fmt: skip
    book.open_call()
    book.limit("buy", 14.0, 1)
    book.uncross()


def _clear() -> None:
    from .market._clear import clear

    requests = {
        "request_id": ["r1", "r2", "r3"], "team": ["a", "b", "a"],
        "service": ["legal", "legal", "it"], "quantity": [2, 1, 1],
        "max_price": [100, 90, 50], "quality_weight": [0, 0, 2],
    }  # fmt: skip
    offers = {
        "offer_id": ["o1", "o2", "o3"], "provider": ["p", "q", "r"],
        "service": ["legal", "legal", "it"], "capacity": [2, 2, 1], "ask": [60, 70, 30],
        "quality": [4, 3, 5],
    }  # fmt: skip
    for mechanism in ("uniform", "mcafee"):
        clear(requests, offers, mechanism=mechanism)


#: What :func:`warmup` compiles, by public name, in the order it compiles them.
ENTRY_POINTS: dict[str, Callable[[], None]] = {
    "double_auction": _double_auction,
    "double_auction_batch": _double_auction_batch,
    "linear_sum_assignment": _linear_sum_assignment,
    "assign": _assign,
    "assign_batch": _assign_batch,
    "transport": _transport,
    "OrderBook": _orderbook,
    "clear": _clear,
}


def _bar(names: Sequence[str], progress: bool) -> Any:
    """A tqdm progress bar over ``names`` when tqdm is installed, else ``None``."""
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=len(names), desc="clearing: compiling", unit="entry point", file=sys.stderr)


def warmup(*, entry_points: Iterable[str] | None = None, progress: bool = True) -> float:
    """Compile (or load from numba's cache) every kernel the public functions use.

    Each entry point runs on a tiny input, in every variant that has kernels of its own
    (every mechanism, serial and parallel, dense and sparse, price options), so that a
    later process finds all of them in numba's cache. Run it once per install, e.g. when
    building an image: ``clearing warmup`` on the command line does the same.

    Parameters
    ----------
    entry_points : iterable of str, optional
        Names of entry points (``"double_auction"``, ``"assign"``, ...); default
        all of them.
    progress : bool, default True
        Show progress on stderr: a tqdm bar when tqdm is installed, else one line per
        entry point.

    Returns
    -------
    float
        The seconds it took.

    Raises
    ------
    InputError
        On a name that is not an entry point.

    Examples
    --------
    >>> from clearing import warmup
    >>> seconds = warmup(entry_points=["double_auction"], progress=False)
    >>> seconds >= 0
    True
    """
    names = list(ENTRY_POINTS) if entry_points is None else list(entry_points)
    for name in names:
        if name not in ENTRY_POINTS:
            raise InputError(
                f"warmup: unknown entry point {name!r}; expected some of "
                f"{', '.join(map(repr, ENTRY_POINTS))}",
                argument="entry_points",
                value=name,
            )
    _jit.COMPILE_NOTICE["done"] = True  # warmup reports its own progress instead
    start = time.perf_counter()
    bar = _bar(names, progress)
    for name in names:
        if bar is not None:
            bar.set_postfix_str(name)
        elif progress:
            sys.stderr.write(f"clearing: compiling kernels for {name}...\n")
        t = time.perf_counter()
        ENTRY_POINTS[name]()
        if bar is not None:
            bar.update()
        elif progress:
            sys.stderr.write(f"clearing: {name} ready ({time.perf_counter() - t:.1f} s)\n")
    if bar is not None:
        bar.close()
    return time.perf_counter() - start


export("clearing", globals(), ["warmup"])
