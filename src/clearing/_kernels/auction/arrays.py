"""The named tuples of arrays the call-market kernels take and fill.

Numba types a named tuple by its fields, so a kernel reads ``bid.quotes.price`` where it
would otherwise take a dozen positional arrays. Every array is C-contiguous: the wrappers
in :mod:`clearing.auction._api` allocate them (one type signature per kernel, whatever the
user passed).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Quotes(NamedTuple):
    """What one side of a market asks for, read-only for the kernels.

    Attributes
    ----------
    price : float64 array, shape (n,)
        Per-unit limit price of each order.
    quantity : float64 array, shape (n,)
        Units wanted or offered, >= 0.
    priority : float64 array, shape (n,) or (0,)
        Tie-break at equal prices (lower first); empty when priorities are not used.
    """

    price: np.ndarray
    quantity: np.ndarray
    priority: np.ndarray


class Fills(NamedTuple):
    """Per-order outputs of one side, written by the kernels.

    Attributes
    ----------
    fill : float64 array, shape (n,)
        Units traded.
    price : float64 array, shape (n,)
        Per-unit price paid (bids) or received (asks); NaN when nothing is filled.
    reason : int8 array, shape (n,)
        A reason code of :mod:`.codes` (``FILLED``, ``PRICED_OUT``, ...).
    """

    fill: np.ndarray
    price: np.ndarray
    reason: np.ndarray


class Side(NamedTuple):
    """One side of one market as :func:`.call_market.clear_market` clears it.

    Attributes
    ----------
    quotes : Quotes
        The orders, ``n`` of them.
    index : int64 array, shape (n,)
        Input index of each order, written to the trades.
    out : Fills
        Where the fills, prices and reasons go (modified in place).
    """

    quotes: Quotes
    index: np.ndarray
    out: Fills


class Trades(NamedTuple):
    """One entry per trade, written from the front (the kernels return how many).

    Attributes
    ----------
    bid, ask : int64 array, shape (capacity,)
        Input index of the bid and of the ask.
    market : int64 array, shape (capacity,)
        Dense market id (0 for a single market).
    quantity, buyer_price, seller_price : float64 array, shape (capacity,)
        Units traded and the per-unit price on each side.
    """

    bid: np.ndarray
    ask: np.ndarray
    market: np.ndarray
    quantity: np.ndarray
    buyer_price: np.ndarray
    seller_price: np.ndarray


class Rule(NamedTuple):
    """The mechanism and its parameters.

    Attributes
    ----------
    code : int
        Mechanism code of :mod:`.codes` (``UNIFORM``, ``MCAFEE``, ...).
    k : float
        Position of the uniform price in the clearing range, in [0, 1].
    use_priority : bool
        Whether :attr:`Quotes.priority` breaks ties (else input order alone does).
    """

    code: int
    k: float
    use_priority: bool


class Work(NamedTuple):
    """Scratch buffers of one market of at most ``nb`` bids and ``na`` asks.

    Attributes
    ----------
    crossing : float64 array, shape (max(3 * SMALL_MARKET, nb),)
        The crossing search's bid keys, or every candidate price of a small market.
    asks : float64 array, shape (na,)
        The crossing search's ask keys.
    tie : int64 array, shape (2 * (nb + na),)
        Orders tied at a marginal price and their sort buffer, then the filled
        positions of both sides while trades are paired.
    """

    crossing: np.ndarray
    asks: np.ndarray
    tie: np.ndarray


class Grouped(NamedTuple):
    """One side of a batch in market order (positions ``start[m]:start[m + 1]`` for
    market ``m``), filled by :func:`.grouping.group_by_market`.

    Attributes
    ----------
    pq : float64 array, shape (n, 2)
        Price and quantity of each order side by side.
    priority : float64 array, shape (n,) or (0,)
        Priority of each order; empty when priorities are not used.
    index : int64 array, shape (n,)
        Input index of each order (ascending within a market).
    out : Fills
        The per-order outputs in market order, scattered back to input order at the end.
    """

    pq: np.ndarray
    priority: np.ndarray
    index: np.ndarray
    out: Fills
