"""What each mechanism does to the efficient fills, and the per-order prices it sets.

Every mechanism starts from the efficient fills of :mod:`.margin`. Uniform, VCG and
pay-as-bid keep them; McAfee and SBBA may drop the marginal unit of each side; Huang's
price setters sit out and the long side is rationed. All functions here modify the fills
and reasons in place and never allocate.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline
from .codes import (
    LOTTERY,
    MCAFEE,
    PAY_AS_BID,
    PRICE_SETTER,
    RATIONED,
    SBBA,
    TRADE_REDUCTION,
    UNIFORM,
    VCG,
)
from .margin import slack_of


@jit_inline
def _drop_unit(fill, order):
    """Take one whole unit from the fill of order ``order``; return whether it did.

    McAfee's and SBBA's trade reduction: the marginal order (or the one the lottery drew)
    gives up a unit. Nothing happens for ``order == -1`` (no such order) or for a fill
    below one unit, and the caller then leaves the order's reason alone.

    Parameters
    ----------
    fill : float64 array, shape (n_orders,)
        Whole-unit fills of one side; ``fill[order]`` is modified in place.
    order : int
        Position of the order within the side, or -1.
    """
    if order >= 0 and fill[order] >= 1.0:
        fill[order] -= 1.0
        return True
    return False


@jit_inline
def _lottery_order(fill, draw, volume):
    """The position of the order holding efficient unit ``floor(draw * volume)``, or -1.

    Parameters
    ----------
    fill : float64 array, shape (n,)
        Whole-unit fills of one side, in input order.
    draw : float
        A uniform draw in [0, 1).
    volume : float
        The units filled in total.
    """
    r = np.floor(draw * volume)
    cum = 0.0
    for i in range(fill.size):
        if fill[i] > 0.0:
            cum += fill[i]
            if cum > r:
                return i
    return -1


@jit
def _ration(fill, reason, excess, slack):
    """Equal reduction of the long side (Huang et al. 2002, footnote p. 8).

    A share left within ``slack`` of zero (float residue of the reductions) is zero.

    Parameters
    ----------
    fill : float64 array, shape (n,)
        Fills of the long side, modified in place.
    reason : int8 array, shape (n,)
        Reasons of that side; every reduced order becomes ``RATIONED``.
    excess : float
        Units to take away in total.
    slack : float
        Rounding allowance (see :func:`.margin.slack_of`).
    """
    n = 0
    for i in range(fill.size):
        if fill[i] > 0.0:
            n += 1
    share = 0.0
    while n > 0:
        share = excess / n
        dropped = False
        for i in range(fill.size):
            q = fill[i]
            if q > 0.0 and q < share:
                excess -= q
                fill[i] = 0.0
                reason[i] = RATIONED
                n -= 1
                dropped = True
        if not dropped:
            break
    if share > 0.0:
        for i in range(fill.size):
            if fill[i] > 0.0:
                left = fill[i] - share
                fill[i] = left if left > slack else 0.0
                reason[i] = RATIONED


@jit_inline
def _total(x):
    """Sequential sum of a float64 array.

    ``ndarray.sum`` is pairwise in numpy but not in numba: results must not depend on
    whether the kernel is compiled.

    Parameters
    ----------
    x : float64 array, shape (n,)
    """
    acc = 0.0
    for i in range(x.size):
        acc += x[i]
    return acc


@jit_inline
def efficient_prices(rule, bk, bk1, sk, sk1):
    """``(price, buyer, seller)`` of a mechanism that keeps the efficient fills (uniform,
    VCG, pay-as-bid), as :func:`apply_mechanism` returns them.

    A function of its own, without the fill arrays: every array argument costs an
    increment and a decrement of its reference count per call, and this runs once per
    market of a batch.

    Parameters
    ----------
    rule : Rule
        The mechanism code (``UNIFORM``, ``VCG`` or ``PAY_AS_BID``) and ``k``.
    bk, bk1, sk, sk1 : float
        ``b_k``, ``b_{k+1}``, ``s_k`` and ``s_{k+1}`` from :func:`.margin.fill_side`.
    """
    lo = max(sk, bk1)
    hi = min(bk, sk1)
    if rule.code == UNIFORM:
        # clamped: lo + 1.0 * (hi - lo) may round to just above hi
        p = min(max(lo + rule.k * (hi - lo), lo), hi)
        return p, p, p
    if rule.code == VCG:
        return np.nan, lo, hi
    return np.nan, np.nan, np.nan


@jit
def apply_mechanism(rule, draw, volume, margin, bid, ask):
    """Adjust the efficient fills for the mechanism; return ``(price, buyer, seller)``.

    ``price`` is the one price of the market (NaN when there is none), ``buyer`` and
    ``seller`` the per-unit prices of each side (NaN under pay-as-bid).

    Parameters
    ----------
    rule : Rule
        The mechanism code and ``k``.
    draw : float
        A uniform draw in [0, 1) (SBBA's lottery only).
    volume : float
        The efficient volume, > 0.
    margin : tuple
        ``(b_k, b_{k+1}, marginal bid, s_k, s_{k+1}, marginal ask)`` from
        :func:`.margin.fill_side` of each side.
    bid, ask : Fills
        The efficient fills and reasons of each side, modified in place.
    """
    bk, bk1, mb, sk, sk1, ma = margin
    mech = rule.code
    if mech in (UNIFORM, VCG, PAY_AS_BID):
        return efficient_prices(rule, bk, bk1, sk, sk1)
    if mech in (MCAFEE, SBBA):
        if mech == MCAFEE:
            p0 = 0.5 * (bk1 + sk1)
            if bk1 > -np.inf and sk1 < np.inf and sk <= p0 <= bk:
                return p0, p0, p0
            seller, ask_code, prices = ma, TRADE_REDUCTION, (np.nan, bk, sk)
        else:
            if sk1 <= bk:
                return sk1, sk1, sk1
            seller, ask_code = _lottery_order(ask.fill, draw, volume), LOTTERY
            prices = (bk, bk, bk)
        if _drop_unit(bid.fill, mb):
            bid.reason[mb] = TRADE_REDUCTION
        if _drop_unit(ask.fill, seller):
            ask.reason[seller] = ask_code
        return prices
    # HUANG: the two price setters sit out; the long side is rationed.
    if mb >= 0:
        bid.fill[mb] = 0.0
        bid.reason[mb] = PRICE_SETTER
    if ma >= 0:
        ask.fill[ma] = 0.0
        ask.reason[ma] = PRICE_SETTER
    demand = _total(bid.fill)
    supply = _total(ask.fill)
    n = bid.fill.size + ask.fill.size
    if demand > supply:
        _ration(bid.fill, bid.reason, demand - supply, slack_of(n, demand))
    elif supply > demand:
        _ration(ask.fill, ask.reason, supply - demand, slack_of(n, supply))
    return np.nan, bk, sk


@jit_inline
def set_prices(fill, price, limit, unit_price, own):
    """Per-unit price of each order: ``unit_price``, or its own limit under pay-as-bid;
    NaN when unfilled. Returns the units filled.

    Parameters
    ----------
    fill : float64 array, shape (n,)
        Fills of one side (read).
    price : float64 array, shape (n,)
        Written: the per-unit price of each order.
    limit : float64 array, shape (n,)
        The orders' limit prices.
    unit_price : float
        The side's price.
    own : bool
        Pay-as-bid: each order trades at its own limit.
    """
    units = 0.0
    for i in range(fill.size):
        f = fill[i]
        price[i] = (limit[i] if own else unit_price) if f > 0.0 else np.nan
        units += f if f > 0.0 else 0.0
    return units
