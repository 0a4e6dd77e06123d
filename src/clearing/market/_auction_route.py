"""The steps of :func:`clearing.clear` that feed the double-auction core.

Recording the orders a hard rule excludes, and the one batch call of
:func:`clearing.double_auction_batch` for every double-auction service, with the core's
per-order reasons translated into the façade's explanations.
"""

from __future__ import annotations

import numpy as np

from .._records import Offers, Requests
from ..auction._api import double_auction_batch
from ..policy._eligibility import Eligibility
from ..policy._explain import CODE
from ._outcome import Detail, Outcome

__all__ = ["exclusions", "route_auction"]

# AuctionReason code -> façade reason code
_AUCTION_REASON = np.array(
    [
        0,
        CODE["priced_out"],
        CODE["trade_reduction"],
        CODE["lottery"],
        CODE["price_setter"],
        CODE["rationed"],
        0,
    ],
    dtype=np.int8,
)


def exclusions(
    out: Outcome, req: Requests, off: Offers, el: Eligibility, services: np.ndarray
) -> np.ndarray:
    """Record orders excluded by a hard rule; return the requests still in play."""
    oc = el.offer_code
    ex = np.flatnonzero(oc > 0)
    if ex.size:
        s = off.service[ex]
        limit = np.where(oc[ex] == 4, el.min_quality[s], np.where(oc[ex] == 5, el.cap[s], np.nan))
        own = np.where(oc[ex] == 4, np.nan_to_num(off.quality[ex]), off.ask[ex])
        mp = el.mandatory[s]
        other = np.full(len(ex), None, dtype=object)
        other[mp >= 0] = off.provider.labels[mp[mp >= 0]]
        out.unserved(
            1,
            ex,
            off.capacity[ex],
            oc[ex],
            own=own,
            limit=limit,
            rule=el.offer_rule[ex],
            other=other,
        )
    rc = el.request_code
    ex = np.flatnonzero(rc > 0)
    if ex.size:
        assert el.request_rule is not None  # every excluded request has its rule
        s = req.service[ex]
        out.unserved(
            0,
            ex,
            req.quantity[ex],
            rc[ex],
            own=req.max_price[ex],
            limit=np.where(rc[ex] == 6, el.floor[s], np.nan),
            rule=el.request_rule[ex],
        )
    return np.asarray(rc == 0, dtype=bool)


def route_auction(
    out: Outcome,
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    r: np.ndarray,
    o: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    q_bid: np.ndarray,
    cap_eff: np.ndarray,
    mechanism: str,
    gen: np.random.Generator,
    stats: dict[int, dict[str, float]],
) -> None:
    """One batch call for every double-auction service (``r`` and ``o``: the rows in it,
    ascending)."""
    r_all, o_all = len(r) == len(req), len(o) == len(off)

    def rows(col: np.ndarray, every: bool, idx: np.ndarray) -> np.ndarray:
        return col if every else col[idx]  # every row: the validated column itself, no copy

    bid_r, q_r, svc_r, base_r = (rows(c, r_all, r) for c in (bid, q_bid, req.service, req.quantity))
    res = double_auction_batch(
        bid_r,
        q_r,
        rows(ask, o_all, o),
        rows(cap_eff, o_all, o),
        bid_market=svc_r,
        ask_market=rows(off.service, o_all, o),
        mechanism=mechanism,
        bid_priority=None if req.priority is None else rows(req.priority, r_all, r),
        ask_priority=None if off.priority is None else rows(off.priority, o_all, o),
        rng=gen,
    )
    out.add_allocations(
        res.trade_bid_index if r_all else r[res.trade_bid_index],  # every row: r is 0..n-1
        res.trade_ask_index if o_all else o[res.trade_ask_index],
        res.trade_quantity,
        res.trade_buyer_price,
        res.trade_seller_price,
    )
    # the price quoted in explanations: what buyers paid / sellers got, or (when each order
    # trades at its own price) the clearing-range bound a bid or an ask had to beat
    price = np.full(len(services), np.nan)
    sell_price = np.full(len(services), np.nan)
    for j, m in enumerate(res.market.tolist()):
        lo, hi = res.clearing_range[j]
        bp, sp = res.buyer_price[j], res.seller_price[j]
        price[m] = bp if np.isfinite(bp) else lo
        sell_price[m] = sp if np.isfinite(sp) else hi
        stats[m] = {
            "price": float(res.price[j]),
            "lo": float(lo),
            "hi": float(hi),
            "max_welfare": float(res.max_welfare[j]),
        }
    demand = np.bincount(svc_r, weights=q_r, minlength=len(services))
    supply = np.bincount(
        off.service[o], weights=cap_eff[o] * (el.offer_code[o] == 0), minlength=len(services)
    )
    n_off = np.bincount(off.service, minlength=len(services))
    rem = q_r - res.bid_filled
    code = _AUCTION_REASON[res.bid_reason]
    s = svc_r
    other: Detail = mechanism
    no_supply = supply <= 0
    if no_supply.any():  # else no request is priced out for want of any offer
        nobody = no_supply[s] & (code == CODE["priced_out"])
        code = np.where(
            nobody, np.where(n_off[s] > 0, CODE["no_eligible_offer"], CODE["no_offer"]), code
        )
        excluded = "every offer for it is excluded by the policy (see the offers' reasons)"
        other = np.where(nobody, excluded, mechanism).astype(object)
    part = (code == CODE["priced_out"]) & (res.bid_filled > 0)
    code = np.where(part, CODE["marginal"], code)
    out.unserved(0, r, rem, code, own=bid_r, price=price[s], other=other, base=base_r)
    rem = cap_eff[o] - res.ask_filled
    code = _AUCTION_REASON[res.ask_reason]
    s = off.service[o]
    code = np.where((demand[s] <= 0) & (code == CODE["priced_out"]), CODE["no_demand"], code)
    part = (code == CODE["priced_out"]) & (res.ask_filled > 0)
    code = np.where(part, CODE["marginal"], code)
    out.unserved(
        1,
        o,
        rem,
        code,
        own=ask[o],
        price=sell_price[s],
        other=mechanism,
        base=off.capacity[o],
    )
