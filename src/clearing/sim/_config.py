"""The simulator's configuration: editable, documented dataclasses validated on construction.

A :class:`SimConfig` describes one way of running a back-office: who the teams are
(:class:`TeamConfig`), who provides (:class:`ProviderConfig`), how providers set prices
(:class:`PricingConfig`), how ratings, failures, entry and exit work (:class:`DynamicsConfig`)
and the guard rails (a :class:`clearing.Policy`). Every field is checked when the object is
built; a bad value raises :class:`clearing.InputError` whose ``argument`` names the field
(``providers.capacity``), so nothing runs on a bad configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from clearing import InputError, Policy

from ._checks import check_fields
from ._parts import DynamicsConfig, PricingConfig, ProviderConfig, TeamConfig

__all__ = [
    "DynamicsConfig",
    "PricingConfig",
    "ProviderConfig",
    "SimConfig",
    "TeamConfig",
    "service_names",
]


def service_names(count: int) -> list[str]:
    """The simulator's service names: ``svc00``, ``svc01``, ..."""
    return [f"svc{i:02d}" for i in range(count)]


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class SimConfig:
    """One market structure: everything :func:`clearing.sim.simulate` needs.

    Parameters
    ----------
    name : str
        Label of the structure (the ``structure`` column of comparisons).
    services : int
        Number of services (>= 1), named ``svc00``, ``svc01``, ...
    teams : TeamConfig
        See :class:`TeamConfig`.
    providers : ProviderConfig
        See :class:`ProviderConfig`.
    pricing : PricingConfig
        See :class:`PricingConfig`.
    dynamics : DynamicsConfig
        See :class:`DynamicsConfig`.
    policy : clearing.Policy
        The guard rails of every round (price caps, ``external_allowed``, ``min_quality``,
        failure terms, negotiation rules) keyed by service name. Its ``budgets`` must be
        empty: the simulator sets them from ``teams.budget`` and what each team has spent.

    Examples
    --------
    >>> from clearing.sim import SimConfig, ProviderConfig
    >>> SimConfig(providers=ProviderConfig(capacity=-1.0))
    Traceback (most recent call last):
    ...
    clearing.InputError: providers.capacity must be > 0, got -1.0
    """

    name: str = "custom"
    services: int = 5
    teams: TeamConfig = field(default_factory=TeamConfig)
    providers: ProviderConfig = field(default_factory=ProviderConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    dynamics: DynamicsConfig = field(default_factory=DynamicsConfig)
    policy: Policy = field(default_factory=Policy)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InputError(f"name must be a string, got {self.name!r}", argument="name")
        check_fields(self, "config", {"services": ("int", 1, 100)})
        for part, cls in (
            ("teams", TeamConfig),
            ("providers", ProviderConfig),
            ("pricing", PricingConfig),
            ("dynamics", DynamicsConfig),
            ("policy", Policy),
        ):
            if not isinstance(getattr(self, part), cls):
                raise InputError(
                    f"{part} must be a {cls.__name__}, got {type(getattr(self, part)).__name__}",
                    argument=part,
                )
        p = self.providers
        if p.internal + p.external < self.services:
            raise InputError(
                f"providers: {p.internal} internal + {p.external} external providers leave "
                f"services without a provider (need at least services = {self.services})",
                argument="providers.internal",
                value=p.internal,
            )
        if self.policy.budgets:
            raise InputError(
                "policy.budgets must be empty: budgets come from teams.budget",
                argument="policy.budgets",
            )
        known = set(service_names(self.services))
        for name in self.policy.services:
            if str(name) not in known:
                raise InputError(
                    f"policy.services.{name}: no such service (services are svc00.."
                    f"svc{self.services - 1:02d})",
                    argument=f"policy.services.{name}",
                )

    def describe(self) -> dict[str, Any]:
        """Every field as a flat mapping ``part.field -> value`` (the preset table).

        Examples
        --------
        >>> from clearing.sim import preset
        >>> d = preset("open_market", teams=50, services=2).describe()
        >>> d["name"], d["services"], d["teams.count"]
        ('open_market', 2, 50)
        """
        out: dict[str, Any] = {"name": self.name, "services": self.services}
        for part in ("teams", "providers", "pricing", "dynamics"):
            obj = getattr(self, part)
            for f in fields(obj):
                out[f"{part}.{f.name}"] = getattr(obj, f.name)
        return out
