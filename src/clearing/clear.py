"""The market façade: :func:`clear` service requests against competing offers, inside a policy.

``clear`` adds no solver of its own. It reads the two tables, applies the policy's hard rules
(exclusions, clipping, budgets, concentration), routes gray-zone requests to negotiation, and
clears every service in batch calls to the cores: one :func:`clearing.double_auction_batch`
for all services whose requests value every provider alike, one :func:`clearing.transport`
per service where value depends on the provider. Then it enforces what only the outcome can
show (the concentration cap on the cleared volume) and explains every unserved unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import ResultBase
from ._tables import Table
from ._validate import as_rng, choice, first_bad
from .auction import MECHANISMS, double_auction_batch
from .errors import InputError
from .policy import Policy
from .policy._eligibility import Eligibility, ration, resolve
from .policy._explain import CODE
from .policy._inputs import Offers, Requests, read_inputs
from .policy._markets import (
    assemble,
    concentration_precap,
    concentration_trim,
    negotiations_table,
    route_transport,
)
from .policy._outcome import Outcome

__all__ = ["Clearing", "clear"]

_UNIT = frozenset({"mcafee", "sbba"})
# auction Reason code -> façade reason code
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


@dataclass(frozen=True, slots=True, eq=False)
class Clearing(ResultBase):
    """The outcome of :func:`clear`: four tidy tables.

    Attributes
    ----------
    allocations : Table
        One row per (request, offer) pair that trades: ``request_id``, ``offer_id``,
        ``team``, ``provider``, ``service``, ``quantity``, ``unit_price`` (per unit, paid by
        the team), ``amount`` (``quantity * unit_price``), ``provider_price`` (per unit,
        received by the provider; differs from ``unit_price`` only under mechanisms that are
        not budget balanced), the service's consequences of failure ``refund_share``,
        ``penalty``, ``rating_change``, then the extra input columns of both tables.
    markets : Table
        One row per service: ``service``, ``route`` (``"double_auction"`` or
        ``"transport"``), ``price`` (the one price, NaN when there is none), ``price_low``,
        ``price_high`` (the clearing range, or the range of provider prices), ``volume``,
        ``requested``, ``negotiated``, ``welfare``, ``max_welfare``, ``efficiency``, ``hhi``
        (Herfindahl index of provider shares of the volume, 0-1).
    unmatched : Table
        Every unserved unit of every request and every unsold unit of every offer:
        ``side``, ``request_id`` or ``offer_id``, ``party`` (team or provider), ``service``,
        ``quantity``, ``reason`` (a stable code) and ``message`` (a sentence naming the rule
        or the competition responsible; formatted on first access).
    negotiations : Table
        Requests routed to a bilateral negotiation: ``request_id``, ``team``, ``service``,
        ``quantity``, ``providers`` (tuple of eligible providers), ``rule``, ``zopa_low``
        (best eligible ask), ``zopa_high`` (the request's ``max_price``) and ``zopa_empty``
        (``zopa_low > zopa_high``: no price both sides accept).
    mechanism : str
        The double-auction mechanism used.
    policy : Policy
        The policy applied.
    """

    allocations: Table
    markets: Table
    unmatched: Table
    negotiations: Table
    mechanism: str
    policy: Policy

    def spend(self) -> dict[Any, float]:
        """Total amount paid per team."""
        teams = self.allocations["team"]
        amounts = self.allocations["amount"]
        out: dict[Any, float] = {}
        for t, a in zip(teams.tolist(), amounts.tolist(), strict=True):
            out[t] = out.get(t, 0.0) + a
        return out

    def __repr__(self) -> str:
        return (
            f"Clearing(mechanism={self.mechanism!r}, allocations={len(self.allocations)} "
            f"rows, markets={len(self.markets)}, unmatched={len(self.unmatched)} rows, "
            f"negotiations={len(self.negotiations)} rows)"
        )


def _policy(policy: Any) -> Policy:
    if policy is None:
        return Policy()
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy.from_dict(policy)
    raise InputError(
        f"clear: policy must be a Policy, a mapping or None, got {type(policy).__name__} "
        "(load a file with Policy.from_toml)",
        argument="policy",
    )


def _check_whole(fn: str, arg: str, values: np.ndarray, mask: np.ndarray, why: str) -> None:
    bad = mask & (values != np.floor(values))
    if bad.any():
        first_bad(fn, arg, values, bad, why)


def clear(
    requests: Any, offers: Any, policy: Any = None, *, mechanism: str = "uniform", rng: Any = None
) -> Clearing:
    """Clear service requests against offers, inside the organisation's guard rails.

    Parameters
    ----------
    requests : DataFrame or mapping of column to array
        One row per request: ``request_id`` (unique), ``team``, ``service``, ``quantity``
        (>= 0), ``max_price`` (per unit, >= 0); optional ``priority`` (lower is served
        first; default input order), ``quality_weight`` (>= 0, value per rating point) and
        ``value:<provider>`` columns (per-unit value of that provider; NaN = none).
        Extra columns are carried to ``allocations`` and ``negotiations``.
    offers : DataFrame or mapping of column to array
        One row per offer: ``offer_id`` (unique), ``provider``, ``service``, ``capacity``
        (>= 0), ``ask`` (per unit, >= 0); optional ``quality`` (rating 0-5, NaN = unrated),
        ``external`` (outside vendor, default false) and ``priority``.
    policy : Policy, mapping or None
        Guard rails (see :class:`Policy`); ``None`` clears without rules.
    mechanism : str
        Double-auction mechanism for services whose requests value every provider alike:
        one of ``clearing.MECHANISMS``. ``"mcafee"`` and ``"sbba"`` trade whole units.
    rng : None, int or numpy.random.Generator
        Randomness (only ``"sbba"`` draws); same seed, same result.

    Returns
    -------
    Clearing
        ``allocations``, ``markets``, ``unmatched`` and ``negotiations`` tables.

    Notes
    -----
    *Routing.* A service is a double auction unless a request for it has a positive
    ``quality_weight`` or a ``value:<provider>`` entry, or a ``forbidden`` rule names a team and
    a provider that both take part in it; then it is a transport problem (whole units) with the
    minimum competitive prices per offer. A request's value of an offer is its
    ``value:<provider>`` entry when it has one, else ``max_price - quality_weight * (5 -
    quality)`` (unrated counts as 0), never above ``max_price`` (nor the price cap): a team
    never pays more than its ``max_price``.

    *Hard rules.* Excluded offers and requests keep all their units unserved with the rule as
    the reason. Bids above a price cap are lowered to the cap and asks below a floor raised
    to the floor, so every price lies in [floor, cap]. Budgets ration bids before clearing
    (see :func:`clearing.policy._eligibility.ration`): the spend at any price a mechanism can
    charge stays within the budget. The concentration cap limits each provider's capacity to
    ``cap * requested volume`` before clearing, then trims any provider still above
    ``cap * cleared volume`` to the exact level where the cap holds.

    Examples
    --------
    >>> from clearing import clear, Policy
    >>> requests = {"request_id": [1, 2], "team": ["t1", "t2"], "service": ["legal"] * 2,
    ...             "quantity": [2.0, 1.0], "max_price": [120.0, 90.0]}
    >>> offers = {"offer_id": ["a", "b"], "provider": ["legal_a", "firm_b"],
    ...           "service": ["legal"] * 2, "capacity": [2.0, 5.0], "ask": [60.0, 50.0],
    ...           "external": [False, True]}
    >>> policy = Policy(services={"legal": {"price_cap": 100.0, "external_allowed": False}})
    >>> c = clear(requests, offers, policy)
    >>> c.allocations["unit_price"].tolist(), c.allocations["quantity"].tolist()
    ([95.0], [2.0])
    >>> c.unmatched["reason"].tolist()
    ['priced_out', 'external_not_allowed']
    """
    fn = "clear"
    choice(fn, "mechanism", mechanism, MECHANISMS)
    gen = as_rng(rng, fn)
    pol = _policy(policy)
    req, off, services = read_inputs(requests, offers, fn)
    el = resolve(pol, req, off, services)
    n_s = len(services)

    transport = el.pair_services.copy()
    if len(req):
        specific = req.quality_weight > 0
        for col in req.values.values():
            specific |= np.isfinite(col)
        transport |= np.bincount(req.service, weights=specific, minlength=n_s) > 0
    r_tr = transport[req.service]
    o_tr = transport[off.service]
    r_whole = r_tr | (mechanism in _UNIT)
    o_whole = o_tr | (mechanism in _UNIT)
    why = (
        "service {} is cleared by transport (quality-weighted or with forbidden pairs), "
        "which trades whole units"
    )
    if mechanism in _UNIT:
        why = f"mechanism {mechanism!r} trades whole units only"
    _check_whole(fn, "requests.quantity", req.quantity, r_whole, why.format("of this row"))
    _check_whole(fn, "offers.capacity", off.capacity, o_whole, why.format("of this row"))

    bid = np.minimum(req.max_price, el.cap[req.service])
    ask = np.maximum(off.ask, el.floor[off.service])
    out = Outcome()
    go = _exclusions(out, req, off, el, services)
    nego = negotiations_table(out, req, off, el, services, go, ask)
    go &= el.nego_rule < 0
    q_go = np.where(go, req.quantity, 0.0)
    budget = np.full(len(req.team.labels), np.inf)
    team_code = {str(t): i for i, t in enumerate(req.team.labels.tolist())}
    for team, amount in pol.budgets.items():
        if str(team) in team_code:
            budget[team_code[str(team)]] = amount
    prio = req.priority if req.priority is not None else np.zeros(len(req))
    q_bid = ration(req.team.codes, (prio, np.arange(len(req))), q_go, bid, r_whole, budget)
    cut = q_go - q_bid
    out.unserved(
        0,
        np.flatnonzero(cut > 0),
        cut[cut > 0],
        CODE["budget"],
        own=bid[cut > 0],
        limit=budget[req.team.codes[cut > 0]],
        rule=np.array(
            [f"budgets.{t}" for t in req.team.take(np.flatnonzero(cut > 0))], dtype=object
        ),
        base=req.quantity[cut > 0],
    )

    o_ok = el.offer_code == 0
    svc_whole = transport | (mechanism in _UNIT)
    cap_eff = concentration_precap(out, req, off, el, services, q_bid, ask, o_ok, svc_whole)

    da_r = np.flatnonzero(~r_tr)
    da_o = np.flatnonzero(~o_tr)
    stats: dict[int, dict[str, float]] = {}
    if len(da_r) or len(da_o):
        _route_auction(
            out, req, off, el, services, da_r, da_o, bid, ask, q_bid, cap_eff, mechanism, gen, stats
        )
    for s in np.flatnonzero(transport):
        route_transport(out, req, off, el, services, int(s), bid, ask, q_bid, cap_eff, stats)
    alloc = concentration_trim(out, req, off, el, services, svc_whole, prio)
    allocations, markets = assemble(alloc, req, off, el, services, bid, ask, transport, stats, nego)
    return Clearing(
        allocations, markets, out.unmatched_table(req, off, services), nego, mechanism, pol
    )


def _exclusions(
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


def _route_auction(
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
    """One batch call for every double-auction service."""
    res = double_auction_batch(
        bid[r],
        q_bid[r],
        ask[o],
        cap_eff[o],
        bid_market=req.service[r],
        ask_market=off.service[o],
        mechanism=mechanism,
        bid_priority=None if req.priority is None else req.priority[r],
        ask_priority=None if off.priority is None else off.priority[o],
        rng=gen,
    )
    out.add_allocations(
        r[res.trade_bid],
        o[res.trade_ask],
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
    demand = np.bincount(req.service[r], weights=q_bid[r], minlength=len(services))
    supply = np.bincount(
        off.service[o], weights=cap_eff[o] * (el.offer_code[o] == 0), minlength=len(services)
    )
    n_off = np.bincount(off.service, minlength=len(services))
    rem = q_bid[r] - res.bid_filled
    code = _AUCTION_REASON[res.bid_reason]
    s = req.service[r]
    other = np.full(len(r), mechanism, dtype=object)
    nobody = (supply[s] <= 0) & (code == CODE["priced_out"])
    code = np.where(
        nobody, np.where(n_off[s] > 0, CODE["no_eligible_offer"], CODE["no_offer"]), code
    )
    other[nobody] = "every offer for it is excluded by the policy (see the offers' reasons)"
    part = (code == CODE["priced_out"]) & (res.bid_filled > 0)
    code = np.where(part, CODE["marginal"], code)
    out.unserved(0, r, rem, code, own=bid[r], price=price[s], other=other, base=req.quantity[r])
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
        other=np.full(len(o), mechanism, dtype=object),
        base=off.capacity[o],
    )
