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
from typing import Any

import numpy as np

from .._result import ResultBase, result
from .._validate import as_rng, check_totals, choice, first_bad
from ..auction._api import MECHANISMS
from ..errors import InputError
from ..policy import Policy
from ..policy._eligibility import codes_of, ration, resolve
from ..policy._explain import CODE
from ._auction_route import exclusions, route_auction
from ._inputs import read_inputs
from ._outcome import Outcome
from ._steps import (
    assemble,
    concentration_precap,
    concentration_trim,
    negotiations_table,
    route_transport,
)
from ._tables import Table

__all__ = ["Clearing", "clear"]

_UNIT = frozenset({"mcafee", "sbba"})


@result
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
        ``penalty``, ``rating_change``, ``external`` (the offer comes from an outside
        vendor), then the extra input columns of both tables.
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

    Examples
    --------
    >>> from clearing import clear, datasets
    >>> org = datasets.organisation()
    >>> c = clear(org.requests, org.offers, org.policy, rng=2026)
    >>> c
    Clearing(mechanism='uniform', allocations=13 rows, markets=4, unmatched=14 rows, negotiations=1 rows)
    >>> c.markets["route"].tolist()
    ['double_auction', 'transport', 'double_auction', 'double_auction']
    """  # noqa: E501

    allocations: Table
    markets: Table
    unmatched: Table
    negotiations: Table
    mechanism: str
    policy: Policy

    def spend(self) -> dict[Any, float]:
        """Total amount paid per team.

        Examples
        --------
        >>> from clearing import clear
        >>> c = clear({"request_id": ["r1", "r2"], "team": ["t", "u"], "service": ["it"] * 2,
        ...            "quantity": [2.0, 1.0], "max_price": [50.0, 60.0]},
        ...           {"offer_id": ["o1"], "provider": ["p"], "service": ["it"],
        ...            "capacity": [5.0], "ask": [40.0]})
        >>> {team: round(amount, 2) for team, amount in c.spend().items()}
        {'t': 80.0, 'u': 40.0}
        """
        teams = self.allocations["team"]
        amounts = self.allocations["amount"]
        out: dict[Any, float] = {}
        for t, a in zip(teams.tolist(), amounts.tolist(), strict=True):
            out[t] = out.get(t, 0.0) + a
        return out

    def explain(self, order_id: Any) -> list[str]:
        """Every sentence about one request or offer id: allocations, negotiation, unmatched.

        Examples
        --------
        >>> from clearing import clear
        >>> c = clear({"request_id": ["r1"], "team": ["t"], "service": ["it"],
        ...            "quantity": [2.0], "max_price": [50.0]},
        ...           {"offer_id": ["o1"], "provider": ["p"], "service": ["it"],
        ...            "capacity": [1.0], "ask": [40.0]})
        >>> for line in c.explain("r1"):
        ...     print(line)
        request r1: 1 unit(s) from offer o1 (p) at 50 per unit
        request r1: marginal: the it supply ran out part-way through this request at 50 per unit (ties: priority, then input order)
        """  # noqa: E501
        out = []
        a = self.allocations
        for side, other, name in (
            ("request", "offer_id", "provider"),
            ("offer", "request_id", "team"),
        ):
            for i in np.flatnonzero(a[f"{side}_id"] == order_id).tolist() if len(a) else []:
                out.append(
                    f"{side} {order_id}: {a['quantity'][i]:g} unit(s) "
                    f"{'from' if side == 'request' else 'to'} {other[:-3]} {a[other][i]} "
                    f"({a[name][i]}) at {a['unit_price'][i]:.6g} per unit"
                )
        n = self.negotiations
        for i in np.flatnonzero(n["request_id"] == order_id).tolist() if len(n) else []:
            out.append(
                f"request {order_id}: {n['quantity'][i]:g} unit(s) to negotiate with "
                f"{', '.join(map(str, n['providers'][i]))} ({n['rule'][i]}); zone of possible "
                f"agreement {n['zopa_low'][i]:.6g} to {n['zopa_high'][i]:.6g}"
            )
        u = self.unmatched
        if len(u):
            mine = np.flatnonzero((u["request_id"] == order_id) | (u["offer_id"] == order_id))
            out.extend(u["message"][i] for i in mine)
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
    if not mask.any():
        return
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

    Raises
    ------
    InputError
        A table or column that does not fit (see :doc:`/api/market`), non-numbers in a
        numeric column (only bool, int and float are numbers), an unknown ``mechanism``, a
        bad ``rng``, or requests or offers whose total quantity or total value (``sum
        price * quantity``, after the policy's clipping) is above 1e300.
    PolicyError
        A malformed ``policy`` mapping.

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
    (see ``ration`` (in ``clearing.policy``)): the spend at any price a mechanism can
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
    some = bool(transport.any())
    r_tr = transport[req.service] if some else np.zeros(len(req), dtype=bool)
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
    # after the policy's clipping: what the cores see must keep every total finite
    check_totals(fn, "requests.max_price", "requests.quantity", bid, req.quantity)
    check_totals(fn, "offers.ask", "offers.capacity", ask, off.capacity)
    out = Outcome()
    go = exclusions(out, req, off, el, services)
    nego = negotiations_table(out, req, off, el, services, go, ask)
    go &= el.nego_rule < 0
    q_go = np.where(go, req.quantity, 0.0)
    budget = np.full(len(req.team), np.inf)
    if pol.budgets:
        code = codes_of(req.team, [str(t) for t in pol.budgets])
        amount = np.fromiter(pol.budgets.values(), dtype=np.float64, count=len(code))
        budget[code[code >= 0]] = amount[code >= 0]
    prio = req.priority if req.priority is not None else np.zeros(len(req))
    # ties in priority go to input order: the order ``ration`` keeps among equal keys
    q_bid = ration(req.team.codes, (prio,), q_go, bid, r_whole, budget)
    cut = q_go - q_bid
    was_cut = np.flatnonzero(cut > 0)
    out.unserved(
        0,
        was_cut,
        cut[was_cut],
        CODE["budget"],
        own=bid[was_cut],
        limit=budget[req.team.codes[was_cut]],
        rule=lambda: np.array([f"budgets.{t}" for t in req.team.take(was_cut)], dtype=object),
        base=req.quantity[was_cut],
    )

    o_ok = el.offer_code == 0
    svc_whole = transport | (mechanism in _UNIT)
    cap_eff = concentration_precap(out, req, off, el, services, q_bid, ask, o_ok, svc_whole)

    da_r = np.flatnonzero(~r_tr) if some else np.arange(len(req))
    da_o = np.flatnonzero(~o_tr)
    stats: dict[int, dict[str, float]] = {}
    if len(da_r) or len(da_o):
        route_auction(
            out, req, off, el, services, da_r, da_o, bid, ask, q_bid, cap_eff, mechanism, gen, stats
        )
    for s in np.flatnonzero(transport):
        route_transport(out, req, off, el, services, int(s), bid, ask, q_bid, cap_eff, stats)
    alloc = concentration_trim(out, req, off, el, services, svc_whole, prio)
    allocations, markets = assemble(alloc, req, off, el, services, bid, ask, transport, stats, nego)
    return Clearing(
        allocations, markets, out.unmatched_table(req, off, services), nego, mechanism, pol
    )
