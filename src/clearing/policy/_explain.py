"""Reason codes for unserved units, and the sentences that explain them.

Each unmatched row of :attr:`clearing.Clearing.unmatched` carries a reason code (a short,
stable string) and a message a person can read, naming the rule (by its location in the
policy, e.g. ``services.legal.price_cap``) or the competing orders responsible. Messages are
formatted lazily, on first access to the ``message`` column.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["REASONS", "MarketReason", "explain"]


class MarketReason(enum.StrEnum):
    """Why units of a request or an offer are unmatched by :func:`clearing.clear`.

    The values are the strings of the ``reason`` column of ``Clearing.unmatched``
    (a member compares equal to its string); ``message`` says the same in a sentence. Each
    code with its meaning: :doc:`/api/vocabulary`.

    Examples
    --------
    >>> from clearing import MarketReason, clear
    >>> c = clear({"request_id": ["r1"], "team": ["t"], "service": ["it"],
    ...            "quantity": [1.0], "max_price": [10.0]},
    ...           {"offer_id": ["o1"], "provider": ["p"], "service": ["it"],
    ...            "capacity": [1.0], "ask": [40.0]})
    >>> [MarketReason(r).name for r in c.unmatched["reason"]]
    ['PRICED_OUT', 'PRICED_OUT']
    """

    FORBIDDEN = "forbidden"  #: a ``forbidden`` rule excludes the team or the provider
    MANDATORY_PROVIDER = "mandatory_provider"  #: the service is reserved for another provider
    EXTERNAL_NOT_ALLOWED = "external_not_allowed"  #: outside vendors may not serve the service
    MIN_QUALITY = "min_quality"  #: the provider's rating is below the service's minimum
    PRICE_CAP = "price_cap"  #: the ask is above the service's price cap
    PRICE_FLOOR = "price_floor"  #: the request's ``max_price`` is below the price floor
    NO_ELIGIBLE_OFFER = "no_eligible_offer"  #: every offer for the service is excluded
    NO_OFFER = "no_offer"  #: nobody offers the service
    NO_DEMAND = "no_demand"  #: nobody requests the service
    BUDGET = "budget"  #: cut by the team's budget
    CONCENTRATION_CAP = "concentration_cap"  #: withheld or trimmed by the concentration cap
    PRICED_OUT = "priced_out"  #: the bid is below (the ask above) what cleared
    TRADE_REDUCTION = "trade_reduction"  #: McAfee's or SBBA's withheld marginal unit
    LOTTERY = "lottery"  #: SBBA's lottery dropped an ask unit
    PRICE_SETTER = "price_setter"  #: set the price under ``"huang"`` and does not trade
    RATIONED = "rationed"  #: the long side under ``"huang"`` is cut by equal reduction
    OUTCOMPETED = "outcompeted"  #: transport: the capacity went to higher surpluses
    NO_ELIGIBLE_REQUEST = "no_eligible_request"  #: no request may be served by this provider
    MARGINAL = "marginal"  #: partly filled at the margin


# code: (name, request-side sentence, offer-side sentence)
# Placeholders: {id} {party} {service} {qty} {own} {price} {rule} {limit} {other}
_TABLE: dict[int, tuple[str, str, str]] = {
    1: (
        "forbidden",
        "{rule} forbids team {party} from buying {service}",
        "{rule} forbids provider {party} from serving {service}",
    ),
    2: (
        "mandatory_provider",
        "{rule} reserves {service} for provider {other}",
        "{rule} reserves {service} for provider {other}; {party} may not serve it",
    ),
    3: (
        "external_not_allowed",
        "{rule} = false: outside vendors may not serve {service}",
        "{rule} = false: {party} is an outside vendor and {service} is internal only",
    ),
    4: ("min_quality", "{rule}", "rating {own:g} of {party} is below {rule} = {limit:g}"),
    5: (
        "price_cap",
        "{rule}",
        "ask {own:g} is above {rule} = {limit:g}; no trade may happen above the cap",
    ),
    6: (
        "price_floor",
        "max_price {own:g} is below {rule} = {limit:g}; no trade may happen below the floor",
        "{rule}",
    ),
    7: ("no_eligible_offer", "no offer for {service} is open to team {party}: {other}", "{rule}"),
    8: ("no_offer", "nobody offers {service}", "{rule}"),
    9: ("no_demand", "{rule}", "no request for {service} this period"),
    10: (
        "budget",
        "{qty:g} unit(s) cut by the budget of team {party} ({limit:g}): requests are funded "
        "in priority then input order at their worst-case price ({own:g} per unit)",
        "{rule}",
    ),
    11: (
        "concentration_cap",
        "provider {other} reached {rule} = {limit:g} of the {service} volume; "
        "this request's later units were cut (priority then input order, last first)",
        "{rule} = {limit:g}: provider {party} may hold at most that share of the {service} volume",
    ),
    12: (
        "priced_out",
        "priced out: {service} {req_price}; this request bids {own:g} per unit and "
        "higher bids (then priority, then input order) are served first",
        "priced out: {service} {off_price}; this ask is {own:g} per unit and cheaper "
        "asks (then priority, then input order) are served first",
    ),
    13: (
        "trade_reduction",
        "trade reduction ({other}): the marginal unit is withheld to keep the mechanism truthful",
        "trade reduction ({other}): the marginal unit is withheld to keep the mechanism truthful",
    ),
    14: (
        "lottery",
        "{rule}",
        "lottery ({other}): one ask unit is dropped at random to balance the budget",
    ),
    15: (
        "price_setter",
        "price setter ({other}): this order set the price and does not trade",
        "price setter ({other}): this order set the price and does not trade",
    ),
    16: (
        "rationed",
        "rationed ({other}): the long side is cut by equal reduction",
        "rationed ({other}): the long side is cut by equal reduction",
    ),
    17: (
        "outcompeted",
        "every eligible provider's capacity went to requests with a higher surplus "
        "(value minus ask); best surplus here was {own:.6g} per unit",
        "requests preferred other providers (higher value minus ask); this ask is {own:g}",
    ),
    18: (
        "no_eligible_request",
        "{rule}",
        "no request for {service} may be served by {party}: {other}",
    ),
    19: (
        "marginal",
        "marginal: the {service} supply ran out part-way through this request{at_price} "
        "(ties: priority, then input order)",
        "marginal: the {service} demand ran out part-way through this offer{at_price} "
        "(ties: priority, then input order)",
    ),
}

REASONS: dict[int, str] = {code: MarketReason(row[0]).value for code, row in _TABLE.items()}
CODE: dict[str, int] = {name: code for code, name in REASONS.items()}


def reason_names(codes: np.ndarray) -> np.ndarray:
    """The reason name of each code, as an object array."""
    lookup = np.empty(max(REASONS) + 1, dtype=object)
    for code, name in REASONS.items():
        lookup[code] = name
    return np.asarray(lookup[codes], dtype=object)


def explain(
    side: np.ndarray,
    code: np.ndarray,
    ids: np.ndarray,
    party: np.ndarray,
    service: np.ndarray,
    qty: np.ndarray,
    own: np.ndarray,
    price: np.ndarray,
    limit: np.ndarray,
    rule: np.ndarray,
    other: np.ndarray,
) -> Callable[[], np.ndarray]:
    """A thunk formatting one message per row (``side`` 0 = request, 1 = offer)."""

    def build() -> np.ndarray:
        out = np.empty(len(code), dtype=object)
        if not len(code):
            return out
        # one pass per (side, code) group, with plain Python lists: ~3 us a message
        cols = {
            "id": ids.tolist(),
            "party": party.tolist(),
            "service": service.tolist(),
            "qty": qty.tolist(),
            "own": own.tolist(),
            "price": price.tolist(),
            "limit": limit.tolist(),
            "rule": rule.tolist(),
            "other": other.tolist(),
        }
        key = side.astype(np.int64) * 256 + code.astype(np.int64)
        for k in np.unique(key).tolist():
            rows = np.flatnonzero(key == k).tolist()
            sd, cd = divmod(k, 256)
            template = ("request " if sd == 0 else "offer ") + "{id}: " + _TABLE[cd][1 + sd]
            uses_price = "price}" in template or "_price}" in template
            for i in rows:
                fields: dict[str, Any] = {name: col[i] for name, col in cols.items()}
                if uses_price:
                    p = fields["price"]
                    ok = p == p
                    fields["req_price"] = (
                        f"cleared at {p:.6g} per unit" if ok else "had no ask at or below this bid"
                    )
                    fields["off_price"] = (
                        f"cleared at {p:.6g} per unit" if ok else "had no bid at or above this ask"
                    )
                    fields["at_price"] = f" at {p:.6g} per unit" if ok else ""
                out[i] = template.format_map(fields)
        return out

    return build
