"""The rules of a policy: frozen dataclasses, validated when built.

Every check raises :class:`~clearing.PolicyError` whose message starts with the location of the
offending entry in TOML terms (``services.legal.price_cap``, ``forbidden[2]``), so the same
message serves a policy declared in Python and one loaded from a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

from ..errors import PolicyError

__all__ = ["FailureTerms", "Forbidden", "Negotiate", "ServiceRules"]


def fail(location: str, message: str, value: Any = None) -> PolicyError:
    """A :class:`PolicyError` whose message and ``argument`` name ``location``."""
    return PolicyError(f"policy: {location}: {message}", argument=location, value=value)


def number(
    value: Any,
    location: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(location, f"must be a number, got {value!r}", value)
    try:
        v = float(value)
    except OverflowError:  # an int beyond float range (TOML integers are unbounded)
        raise fail(
            location, f"must be finite, got an integer of {int(value).bit_length()} bits", value
        ) from None
    if not math.isfinite(v):
        raise fail(location, f"must be finite, got {value!r}", value)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise fail(location, f"must be {'>' if lo_open else '>='} {lo:g}, got {value!r}", value)
    if hi is not None and v > hi:
        raise fail(location, f"must be <= {hi:g}, got {value!r}", value)
    return v


def _name(value: Any, location: str) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise fail(location, f"must be a name (string or integer), got {value!r}", value)
    if isinstance(value, str) and not value:
        raise fail(location, "must not be empty", value)
    return value


def _opt(value: Any, check: Any, location: str, **kw: Any) -> Any:
    return None if value is None else check(value, location, **kw)


def _bool(value: Any, location: str) -> bool:
    if not isinstance(value, bool):
        raise fail(location, f"must be true or false, got {value!r}", value)
    return value


def check_keys(data: Mapping[str, Any], allowed: Sequence[str], location: str) -> None:
    """Unknown keys are errors, never ignored."""
    for key in data:
        if key not in allowed:
            raise fail(
                f"{location}.{key}" if location else str(key),
                f"unknown key; allowed keys here: {', '.join(allowed)}",
                key,
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class FailureTerms:
    """What happens when a provider misses its service level (executed by the ledger).

    Parameters
    ----------
    refund_share : float
        Share of the allocation's amount refunded to the team, in [0, 1].
    penalty : float
        Penalty paid by the provider per unit of the allocation, >= 0 (internal currency).
    rating_change : float
        Change applied to the provider's quality rating (usually negative), in [-5, 5].

    Examples
    --------
    >>> from clearing import Policy
    >>> p = Policy(services={"it": {"failure": {"refund_share": 0.5, "penalty": 2.0}}})
    >>> p.services["it"].failure.refund_share
    0.5
    """

    refund_share: float = 0.0
    penalty: float = 0.0
    rating_change: float = 0.0

    def __post_init__(self) -> None:
        self.check("FailureTerms")

    def check(self, location: str) -> None:
        """Raise :class:`~clearing.PolicyError` naming ``location`` if a term is out of range.

        Examples
        --------
        >>> from clearing.policy import FailureTerms
        >>> FailureTerms(refund_share=2.0)
        Traceback (most recent call last):
        ...
        clearing.PolicyError: policy: FailureTerms.refund_share: must be <= 1, got 2.0
        """
        number(self.refund_share, f"{location}.refund_share", lo=0.0, hi=1.0)
        number(self.penalty, f"{location}.penalty", lo=0.0)
        number(self.rating_change, f"{location}.rating_change", lo=-5.0, hi=5.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRules:
    """The hard rules of one service (every field optional).

    Parameters
    ----------
    price_cap, price_floor : float, optional
        No allocation at a unit price above the cap or below the floor. Asks above the cap
        and requests whose ``max_price`` is below the floor are excluded; requests above the
        cap bid the cap and asks below the floor ask the floor (clipping).
    external_allowed : bool
        ``False``: offers of outside vendors (``external``) are excluded ("internal only").
    mandatory_provider : str, optional
        All of the service's requests go to this provider only.
    concentration_cap : float, optional
        Largest share of the service's cleared volume one provider may hold, in (0, 1].
    min_quality : float, optional
        Offers rated below this (0-5) are excluded; unrated offers count as 0.
    failure : FailureTerms, optional
        Consequences of failure attached to every allocation of the service.

    Examples
    --------
    >>> from clearing.policy import ServiceRules
    >>> ServiceRules(price_cap=100.0, external_allowed=False).price_cap
    100.0
    """

    price_cap: float | None = None
    price_floor: float | None = None
    external_allowed: bool = True
    mandatory_provider: str | int | None = None
    concentration_cap: float | None = None
    min_quality: float | None = None
    failure: FailureTerms | None = None

    def __post_init__(self) -> None:
        self.check("ServiceRules")

    def check(self, location: str) -> None:
        """Raise :class:`~clearing.PolicyError` naming ``location`` if a rule is invalid.

        Examples
        --------
        >>> from clearing.policy import ServiceRules
        >>> ServiceRules(price_cap=10.0, price_floor=20.0)
        Traceback (most recent call last):
        ...
        clearing.PolicyError: ...
        """
        _opt(self.price_cap, number, f"{location}.price_cap", lo=0.0)
        _opt(self.price_floor, number, f"{location}.price_floor", lo=0.0)
        _bool(self.external_allowed, f"{location}.external_allowed")
        _opt(self.mandatory_provider, _name, f"{location}.mandatory_provider")
        _opt(
            self.concentration_cap,
            number,
            f"{location}.concentration_cap",
            lo=0.0,
            hi=1.0,
            lo_open=True,
        )
        _opt(self.min_quality, number, f"{location}.min_quality", lo=0.0, hi=5.0)
        if self.failure is not None and not isinstance(self.failure, FailureTerms):
            raise fail(f"{location}.failure", "must be a FailureTerms", self.failure)
        if (
            self.price_cap is not None
            and self.price_floor is not None
            and self.price_floor > self.price_cap
        ):
            raise fail(
                f"{location}.price_floor",
                f"floor {self.price_floor:g} is above the cap {self.price_cap:g}",
            )
        if (
            self.mandatory_provider is not None
            and self.concentration_cap is not None
            and self.concentration_cap < 1.0
        ):
            raise fail(
                f"{location}.concentration_cap",
                "a mandatory provider holds the whole volume, so a concentration cap "
                "below 1 would forbid every trade",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Forbidden:
    """A forbidden combination: every request/offer pair matching all given fields.

    ``team`` + ``provider``: that team may not buy from that provider; ``service`` +
    ``provider``: the provider may not serve that service; ``team`` + ``service``: the team
    may not buy that service; one field alone bans the team, provider or service outright.

    Examples
    --------
    >>> from clearing import Policy, clear
    >>> p = Policy(forbidden=[{"team": "t", "provider": "p"}])
    >>> c = clear({"request_id": ["r1"], "team": ["t"], "service": ["it"],
    ...            "quantity": [1.0], "max_price": [50.0]},
    ...           {"offer_id": ["o1"], "provider": ["p"], "service": ["it"],
    ...            "capacity": [1.0], "ask": [40.0]}, p)
    >>> c.unmatched["reason"].tolist()
    ['no_eligible_offer', 'priced_out']
    """

    team: str | int | None = None
    provider: str | int | None = None
    service: str | int | None = None

    def __post_init__(self) -> None:
        self.check("Forbidden")

    def check(self, location: str) -> None:
        """Raise :class:`~clearing.PolicyError` naming ``location`` if the combination is invalid.

        Examples
        --------
        >>> from clearing.policy import Forbidden
        >>> Forbidden()
        Traceback (most recent call last):
        ...
        clearing.PolicyError: policy: Forbidden: needs at least one of team, provider, ...
        """
        if self.team is None and self.provider is None and self.service is None:
            raise fail(location, "needs at least one of team, provider, service")
        for f in ("team", "provider", "service"):
            _opt(getattr(self, f), _name, f"{location}.{f}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Negotiate:
    """A gray-zone rule: matching requests go to ``negotiations`` instead of the market.

    A request matches when every given condition holds: ``service``, ``team`` equal;
    ``quantity >= min_quantity``; ``max_price`` within ``above_cap`` above the service's
    price cap (``cap < max_price <= cap + above_cap``). With ``provider``, the negotiation is
    with that provider only (a pair flagged for case-by-case agreement).

    Examples
    --------
    >>> from clearing import Policy, clear
    >>> p = Policy(negotiate=[{"service": "it", "min_quantity": 5.0, "name": "bulk"}])
    >>> c = clear({"request_id": ["r1"], "team": ["t"], "service": ["it"],
    ...            "quantity": [8.0], "max_price": [50.0]},
    ...           {"offer_id": ["o1"], "provider": ["p"], "service": ["it"],
    ...            "capacity": [10.0], "ask": [40.0]}, p)
    >>> c.negotiations["request_id"].tolist(), c.negotiations["rule"].tolist()
    (['r1'], ['bulk'])
    """

    service: str | int | None = None
    team: str | int | None = None
    provider: str | int | None = None
    min_quantity: float | None = None
    above_cap: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        self.check("Negotiate")

    def check(self, location: str) -> None:
        """Raise :class:`~clearing.PolicyError` naming ``location`` if a condition is invalid.

        Examples
        --------
        >>> from clearing.policy import Negotiate
        >>> Negotiate()
        Traceback (most recent call last):
        ...
        clearing.PolicyError: policy: Negotiate: matches every request; ...
        """
        for f in ("service", "team", "provider"):
            _opt(getattr(self, f), _name, f"{location}.{f}")
        _opt(self.min_quantity, number, f"{location}.min_quantity", lo=0.0)
        _opt(self.above_cap, number, f"{location}.above_cap", lo=0.0)
        if self.name is not None and not isinstance(self.name, str):
            raise fail(f"{location}.name", f"must be a string, got {self.name!r}", self.name)
        if (
            self.service is None
            and self.team is None
            and self.provider is None
            and self.min_quantity is None
            and self.above_cap is None
        ):
            raise fail(location, "matches every request; give at least one condition")

    def describe(self, location: str) -> str:
        """A label for the ``rule`` column: the name, or the location and conditions.

        Examples
        --------
        >>> from clearing.policy import Negotiate
        >>> Negotiate(service="it", name="bulk").describe("negotiate[0]")
        'bulk'
        """
        if self.name:
            return self.name
        parts = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name != "name" and getattr(self, f.name) is not None
        ]
        return f"{location} ({', '.join(parts)})"


def frozen_mapping(d: dict[Any, Any]) -> Mapping[Any, Any]:
    """A read-only view, so a frozen policy stays frozen."""
    return MappingProxyType(dict(d))
