"""The five market structures of the comparison, as ready-made :class:`SimConfig` objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clearing import InputError, Policy

from ._config import (
    DynamicsConfig,
    PricingConfig,
    ProviderConfig,
    SimConfig,
    TeamConfig,
    service_names,
)

__all__ = ["PRESETS", "preset"]

_PERIOD = 13  # a quarter of weekly rounds
_CAP = 2.0 * 45.0  # price cap where there is one: twice the efficient unit cost
_FAILURE = {"refund_share": 0.5, "penalty": 10.0, "rating_change": -0.2}


@dataclass(frozen=True, slots=True)
class _Structure:
    """What sets one market structure apart; the teams and the rest are shared."""

    providers: ProviderConfig
    pricing: PricingConfig
    rules: dict[str, Any]  # the guard rails of every service
    dynamics: DynamicsConfig = field(default_factory=DynamicsConfig)  # no entry or exit


def _free_entry(**terms: Any) -> DynamicsConfig:
    """Outside providers enter where the market pays and the uncompetitive are dissolved."""
    return DynamicsConfig(entry=True, external_entry=True, dissolution=True, **terms)


def _internal_monopoly(s: int, per_service: float) -> _Structure:
    providers = ProviderConfig(
        internal=s,
        unit_cost=55.0,
        fixed_cost=0.6 * per_service * 55.0,  # a large standing headcount
        quality=2.5,
        reliability=0.92,
        capacity=1.3,
    )
    return _Structure(providers, PricingConfig(rule="cost_allocation"), {"external_allowed": False})


def _minimal_back_office(s: int, per_service: float) -> _Structure:
    providers = ProviderConfig(
        internal=s,
        unit_cost=45.0,  # automated
        fixed_cost=0.05 * per_service * 45.0,  # cut to the essential
        quality=3.0,
        reliability=0.95,
        capacity=1.3,
    )
    rules = {"external_allowed": False, "price_cap": _CAP}
    return _Structure(providers, PricingConfig(rule="markup"), rules)


def _internal_competition(s: int, per_service: float) -> _Structure:
    providers = ProviderConfig(
        internal=2 * s,
        unit_cost=45.0,
        fixed_cost=0.05 * per_service * 45.0,
        capacity=1.0,  # each of two can serve most of the service alone
        quality=3.0,
    )
    rules = {"external_allowed": False, "price_cap": _CAP, "failure": _FAILURE}
    return _Structure(providers, PricingConfig(rule="markup"), rules)


def _open_market(s: int, per_service: float) -> _Structure:
    providers = ProviderConfig(
        internal=s,
        external=2 * s,
        unit_cost=45.0,
        fixed_cost=0.03 * per_service * 45.0,
        external_fixed_cost=0.02 * per_service * 45.0,
        capacity=1.0,
        quality=3.0,
        quality_spread=1.5,
    )
    dynamics = _free_entry(
        internal_entry=True, entry_probability=0.3, max_per_service=8, exit_rounds=4, min_rating=2.0
    )
    rules = {"price_cap": _CAP, "min_quality": 1.5, "failure": _FAILURE}
    return _Structure(providers, PricingConfig(rule="markup"), rules, dynamics)


def _perfect_competition(s: int, per_service: float) -> _Structure:
    providers = ProviderConfig(
        internal=0,
        external=20 * s,
        unit_cost=45.0,
        external_cost=1.0,
        cost_spread=0.02,
        fixed_cost=0.0,
        external_fixed_cost=0.0,  # small providers: no standing headcount
        capacity=2.0,
        quality=3.0,
        quality_spread=0.0,
    )
    dynamics = _free_entry(entry_probability=0.5, max_per_service=40, exit_rounds=3)
    pricing = PricingConfig(rule="markup", initial_markup=0.1)
    return _Structure(providers, pricing, {"failure": {"refund_share": 1.0}}, dynamics)


_STRUCTURES: dict[str, Callable[[int, float], _Structure]] = {
    "internal_monopoly": _internal_monopoly,
    "minimal_back_office": _minimal_back_office,
    "internal_competition": _internal_competition,
    "open_market": _open_market,
    "perfect_competition": _perfect_competition,
}
PRESETS = tuple(_STRUCTURES)


def _rules(services: int, **rules: Any) -> Policy:
    table: dict[Any, Any] = {name: dict(rules) for name in service_names(services)}
    return Policy(services=table)


def preset(name: str, *, teams: int = 1000, services: int = 5) -> SimConfig:
    """The configuration of one market structure.

    Parameters
    ----------
    name : str
        ``"internal_monopoly"``, ``"minimal_back_office"``, ``"internal_competition"``,
        ``"open_market"`` or ``"perfect_competition"`` (see ``docs/sim.md`` for the table).
    teams, services : int
        Size of the organisation; provider counts scale with ``services``.

    Returns
    -------
    SimConfig
        A frozen config; change a field with :func:`dataclasses.replace`.

    Examples
    --------
    >>> from clearing.sim import preset
    >>> cfg = preset("internal_competition", teams=200, services=3)
    >>> cfg.providers.internal, cfg.providers.external, cfg.pricing.rule
    (6, 0, 'markup')
    >>> preset("anarchy")
    Traceback (most recent call last):
    ...
    clearing.InputError: preset: unknown preset name 'anarchy'; choose one of internal_monopoly, minimal_back_office, internal_competition, open_market, perfect_competition
    """  # noqa: E501
    if name not in PRESETS:
        raise InputError(
            f"preset: unknown preset name {name!r}; choose one of {', '.join(PRESETS)}",
            argument="name",
            value=name,
        )
    s = services
    budget = 90.0 * s * _PERIOD  # about twice a team's expected spend per period
    team = TeamConfig(count=teams, budget=budget, budget_period=_PERIOD)
    per_service = teams * team.demand_rate * team.quantity_mean  # expected units per round
    parts = _STRUCTURES[name](s, per_service)
    return SimConfig(
        name=name,
        services=s,
        teams=team,
        providers=parts.providers,
        pricing=parts.pricing,
        dynamics=parts.dynamics,
        policy=_rules(s, **parts.rules),
    )
