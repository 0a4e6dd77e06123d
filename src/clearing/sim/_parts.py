"""The parts of a simulator configuration: teams, providers, pricing, dynamics.

Each is a frozen dataclass validated on construction (see :mod:`clearing.sim._checks`);
:class:`clearing.sim.SimConfig` combines them with a :class:`clearing.Policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearing import InputError

from ._checks import INF, check_fields, check_positive

__all__ = ["PRICING_RULES", "DynamicsConfig", "PricingConfig", "ProviderConfig", "TeamConfig"]

PRICING_RULES = ("cost_allocation", "markup")


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class TeamConfig:
    """The front line: teams that need back-office services.

    Parameters
    ----------
    count : int
        Number of teams (>= 1).
    demand_rate : float
        Probability that a team needs a given service in a round (0-1).
    quantity_mean : float
        Mean units per need (>= 1): ``1 + Poisson(quantity_mean - 1)``.
    value_mean : float
        Mean value per unit of a top-rated (5) service, in internal currency (> 0).
        Each team's value of each service is ``value_mean * LogNormal(-s^2/2, s)`` with
        ``s = value_sigma`` (mean ``value_mean``), fixed for the run, times a per-round factor
        ``LogNormal(-n^2/2, n)`` with ``n = value_noise``.
    value_sigma, value_noise : float
        Spread of values across teams and across rounds (>= 0).
    quality_weight : float
        Mean value lost per unit and per rating point below 5 (>= 0); each team draws its
        own weight from an exponential distribution with this mean.
    budget : float
        Spending limit of each team per budget period (> 0), passed to the policy.
    budget_period : int
        Rounds per budget period (>= 1); the budget is renewed at the start of each.

    Examples
    --------
    >>> from clearing.sim import SimConfig, TeamConfig
    >>> SimConfig(teams=TeamConfig(count=40)).teams.count
    40
    """

    count: int = 1000
    demand_rate: float = 0.3
    quantity_mean: float = 2.0
    value_mean: float = 200.0
    value_sigma: float = 0.3
    value_noise: float = 0.1
    quality_weight: float = 6.0
    budget: float = 5000.0
    budget_period: int = 13

    def __post_init__(self) -> None:
        check_fields(
            self,
            "teams",
            {
                "count": ("int", 1, INF),
                "demand_rate": ("float", 0.0, 1.0),
                "quantity_mean": ("float", 1.0, INF),
                "value_sigma": ("float", 0.0, 5.0),
                "value_noise": ("float", 0.0, 5.0),
                "quality_weight": ("float", 0.0, INF),
                "budget_period": ("int", 1, INF),
            },
        )
        check_positive(self, "teams", ("value_mean", "budget"))


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class ProviderConfig:
    """Back-office teams and outside vendors.

    Provider *k* of each kind serves service ``k % services`` (round robin), so with
    ``internal == services`` every service has one internal provider.

    Parameters
    ----------
    internal, external : int
        Internal back-office teams and outside vendors at the start (>= 0; together at
        least one per service).
    unit_cost : float
        Mean marginal cost per unit of an internal provider (> 0); each draws
        ``unit_cost * Uniform(1 - cost_spread, 1 + cost_spread)``.
    external_cost : float
        Outside vendors' unit costs relative to internal ones (> 0).
    cost_spread : float
        Relative spread of unit costs (0-1).
    fixed_cost, external_fixed_cost : float
        Cost per round of keeping a provider (headcount), internal and external (>= 0).
    capacity : float
        Capacity of each provider, as a multiple of its share of the service's expected
        demand at the start (> 0); whole units.
    quality, quality_spread : float
        Mean true quality (0-5) and its spread (``Uniform(-spread, +spread)``, clipped to 0-5).
    reliability : float
        Probability that an allocation is delivered as agreed (0-1); otherwise it fails as a
        whole and the policy's failure terms apply.

    Examples
    --------
    >>> from clearing.sim import ProviderConfig, SimConfig
    >>> SimConfig(services=2, providers=ProviderConfig(internal=2, external=3)).providers.external
    3
    """

    internal: int = 5
    external: int = 0
    unit_cost: float = 50.0
    external_cost: float = 0.9
    cost_spread: float = 0.2
    fixed_cost: float = 2000.0
    external_fixed_cost: float = 500.0
    capacity: float = 1.3
    quality: float = 3.0
    quality_spread: float = 1.0
    reliability: float = 0.95

    def __post_init__(self) -> None:
        check_fields(
            self,
            "providers",
            {
                "internal": ("int", 0, INF),
                "external": ("int", 0, INF),
                "cost_spread": ("float", 0.0, 1.0),
                "fixed_cost": ("float", 0.0, INF),
                "external_fixed_cost": ("float", 0.0, INF),
                "quality": ("float", 0.0, 5.0),
                "quality_spread": ("float", 0.0, 5.0),
                "reliability": ("float", 0.0, 1.0),
            },
        )
        check_positive(self, "providers", ("unit_cost", "external_cost", "capacity"))
        if self.internal + self.external == 0:
            raise InputError(
                "providers: zero providers (internal + external must be >= 1)",
                argument="providers.internal",
                value=0,
            )


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class PricingConfig:
    """How providers set their asks.

    ``"cost_allocation"`` (no price): each round a provider charges its average cost of the
    last round, ``(fixed cost + unit cost * volume) / volume``, per unit used, and teams
    request every need whatever its value (they have no choice).

    ``"markup"``: a provider asks ``unit_cost * (1 + m)``. Its mark-up moves each round a
    share ``learning_rate`` of the way toward the inverse-elasticity target
    ``L / (1 - L)`` with ``L = min(share / elasticity, max_lerner)``, where ``share`` is its
    share of the service's volume last round (market power), and by
    ``fill_step * (fill - fill_target)`` on its fill rate last round (sold out: up; idle:
    down); it stays in ``[0, max_markup]``. One seller with the whole market ends at the
    monopoly mark-up, many small sellers near marginal cost: pricing power is an outcome.

    Parameters
    ----------
    rule : str
        ``"cost_allocation"`` or ``"markup"``.
    elasticity : float
        Demand elasticity the providers perceive (> 0).
    learning_rate : float
        Share of the gap to the target closed each round (0-1).
    fill_target, fill_step : float
        Fill rate a provider aims at (0-1) and the mark-up change per unit of fill gap (>= 0).
    initial_markup, max_markup : float
        Mark-up at the start and its ceiling (>= 0).
    max_lerner : float
        Ceiling of the target Lerner index (0-1, below 1).

    Examples
    --------
    >>> from clearing.sim import preset
    >>> preset("internal_competition").pricing.rule in ("markup", "cost_allocation", "market")
    True
    """

    rule: str = "markup"
    elasticity: float = 2.0
    learning_rate: float = 0.3
    fill_target: float = 0.8
    fill_step: float = 0.1
    initial_markup: float = 0.3
    max_markup: float = 3.0
    max_lerner: float = 0.75

    def __post_init__(self) -> None:
        if self.rule not in PRICING_RULES:
            raise InputError(
                f"pricing.rule must be one of {PRICING_RULES}, got {self.rule!r}",
                argument="pricing.rule",
                value=self.rule,
            )
        check_fields(
            self,
            "pricing",
            {
                "learning_rate": ("float", 0.0, 1.0),
                "fill_target": ("float", 0.0, 1.0),
                "fill_step": ("float", 0.0, INF),
                "initial_markup": ("float", 0.0, INF),
                "max_markup": ("float", 0.0, INF),
                "max_lerner": ("float", 0.0, 0.99),
            },
        )
        check_positive(self, "pricing", ("elasticity",))


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class DynamicsConfig:
    """Voice of the customer, entry and exit.

    Parameters
    ----------
    rating_noise : float
        Standard deviation of a team's rating around the true quality (>= 0).
    rating_memory : float
        Weight of a provider's past rating in its new one (0-1); the rest is this round's
        volume-weighted mean rating.
    failure_rating : float
        Rating a team gives a failed delivery (0-5), before the policy's ``rating_change``.
    initial_rating : float
        Rating signal of a provider with no history (0-5).
    entry : bool
        New providers may appear.
    internal_entry, external_entry : bool
        Which kinds may enter: new internal teams, new outside vendors.
    entry_probability : float
        Probability per round and service that one provider enters when the incumbents'
        mean profit last round exceeded ``entry_profit`` (0-1).
    entry_profit : float
        Profit per incumbent and round that attracts entry.
    max_per_service : int
        No entry beyond this many active providers in a service (>= 1).
    dissolution : bool
        A provider may be dissolved.
    exit_rounds : int
        Consecutive rounds of loss, or of a rating below ``min_rating``, after which a
        provider is dissolved (>= 1). The last provider of a service is never dissolved.
    min_rating : float
        Rating below which a round counts toward dissolution (0-5).

    Examples
    --------
    >>> from clearing.sim import DynamicsConfig, SimConfig
    >>> SimConfig(dynamics=DynamicsConfig(entry=False)).dynamics.entry
    False
    """

    rating_noise: float = 0.5
    rating_memory: float = 0.7
    failure_rating: float = 1.0
    initial_rating: float = 3.0
    entry: bool = False
    internal_entry: bool = False
    external_entry: bool = False
    entry_probability: float = 0.5
    entry_profit: float = 0.0
    max_per_service: int = 30
    dissolution: bool = False
    exit_rounds: int = 4
    min_rating: float = 2.0

    def __post_init__(self) -> None:
        check_fields(
            self,
            "dynamics",
            {
                "rating_noise": ("float", 0.0, INF),
                "rating_memory": ("float", 0.0, 1.0),
                "failure_rating": ("float", 0.0, 5.0),
                "initial_rating": ("float", 0.0, 5.0),
                "entry_probability": ("float", 0.0, 1.0),
                "entry_profit": ("float", -INF, INF),
                "max_per_service": ("int", 1, INF),
                "exit_rounds": ("int", 1, INF),
                "min_rating": ("float", 0.0, 5.0),
            },
        )
        for name in ("entry", "internal_entry", "external_entry", "dissolution"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(
                    f"dynamics.{name} must be True or False, got {getattr(self, name)!r}",
                    argument=f"dynamics.{name}",
                )
        if self.entry and not (self.internal_entry or self.external_entry):
            raise InputError(
                "dynamics.entry is on but neither internal_entry nor external_entry is",
                argument="dynamics.entry",
            )
