"""Output and work arrays of the auction kernels, allocated on the Python side.

The kernels take these named tuples (:mod:`clearing._kernels.auction.arrays`) and write
every entry they return; the allocations live here, outside the compiled layer, so that a
call's fresh memory is numpy's (large arrays come from huge pages).
"""

from __future__ import annotations

import numpy as np

from .._kernels.auction.arrays import Fills, Grouped, Trades

__all__ = ["fills", "grouped", "trades"]


def fills(n: int) -> Fills:
    """Uninitialised per-order outputs for ``n`` orders."""
    return Fills(np.empty(n), np.empty(n), np.empty(n, dtype=np.int8))


def trades(capacity: int) -> Trades:
    """Uninitialised trade arrays with room for ``capacity`` trades."""

    def ints() -> np.ndarray:
        return np.empty(capacity, dtype=np.int64)

    floats = np.empty
    return Trades(ints(), ints(), ints(), floats(capacity), floats(capacity), floats(capacity))


def grouped(n: int, use_priority: bool) -> Grouped:
    """Work arrays of the batch kernel for a side of ``n`` orders.

    Allocated here rather than in the kernel because numpy backs large arrays with huge
    pages: the fresh memory of a call then costs a few page faults instead of thousands.
    """
    return Grouped(
        np.empty((n, 2)), np.empty(n if use_priority else 0), np.empty(n, dtype=np.int64), fills(n)
    )
