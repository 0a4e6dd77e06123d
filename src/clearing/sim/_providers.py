"""Provider state: one numpy array per attribute, one entry per provider ever created.

Dissolved providers keep their entry (``active`` false) so indices stay stable: the offer id
of provider *k* in every round's ``clear`` call is *k*.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._config import SimConfig

__all__ = ["Providers"]

_FIELDS = (
    "service",
    "external",
    "unit_cost",
    "fixed_cost",
    "capacity",
    "quality",
    "reliability",
    "rating",
    "markup",
    "rate",
    "active",
    "loss_streak",
    "low_streak",
)


class Providers:
    """The providers of one simulation run (internal teams and outside vendors)."""

    service: np.ndarray
    external: np.ndarray
    unit_cost: np.ndarray
    fixed_cost: np.ndarray
    capacity: np.ndarray
    quality: np.ndarray
    reliability: np.ndarray
    rating: np.ndarray
    markup: np.ndarray
    rate: np.ndarray
    active: np.ndarray
    loss_streak: np.ndarray
    low_streak: np.ndarray

    def __init__(self, config: SimConfig, rng: np.random.Generator) -> None:
        p = config.providers
        s = config.services
        service = np.concatenate([np.arange(p.internal) % s, np.arange(p.external) % s])
        external = np.concatenate([np.zeros(p.internal, bool), np.ones(p.external, bool)])
        n_per = np.bincount(service, minlength=s)
        t = config.teams
        expected = t.count * t.demand_rate * t.quantity_mean  # units per service and round
        capacity = np.maximum(1.0, np.round(p.capacity * expected / n_per[service]))
        for name in _FIELDS:
            setattr(self, name, np.empty(0))
        self.service = np.empty(0, np.int64)
        self.external = np.empty(0, bool)
        self.active = np.empty(0, bool)
        self.loss_streak = np.empty(0, np.int64)
        self.low_streak = np.empty(0, np.int64)
        self.add(config, rng, service, external, capacity, expected / n_per[service])

    def add(
        self,
        config: SimConfig,
        rng: np.random.Generator,
        service: np.ndarray,
        external: np.ndarray,
        capacity: np.ndarray,
        expected_volume: np.ndarray,
    ) -> None:
        """Create providers (at the start, or entrants) with drawn costs and qualities."""
        p = config.providers
        n = len(service)
        spread = rng.uniform(1.0 - p.cost_spread, 1.0 + p.cost_spread, n)
        unit_cost = p.unit_cost * spread * np.where(external, p.external_cost, 1.0)
        quality = np.clip(p.quality + rng.uniform(-p.quality_spread, p.quality_spread, n), 0.0, 5.0)
        fixed = np.where(external, p.external_fixed_cost, p.fixed_cost)
        volume = np.maximum(expected_volume, 1.0)
        new: dict[str, Any] = {
            "service": service.astype(np.int64),
            "external": external.astype(bool),
            "unit_cost": unit_cost,
            "fixed_cost": fixed.astype(float),
            "capacity": capacity.astype(float),
            "quality": quality,
            "reliability": np.full(n, p.reliability),
            "rating": np.full(n, config.dynamics.initial_rating),
            "markup": np.full(n, config.pricing.initial_markup),
            "rate": unit_cost + fixed / volume,  # cost allocation: budgeted average cost
            "active": np.ones(n, bool),
            "loss_streak": np.zeros(n, np.int64),
            "low_streak": np.zeros(n, np.int64),
        }
        for name in _FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))

    def __len__(self) -> int:
        return len(self.service)

    def asks(self, rule: str) -> np.ndarray:
        """Each provider's ask per unit under the pricing rule."""
        if rule == "cost_allocation":
            return np.asarray(self.rate)
        return np.asarray(self.unit_cost * (1.0 + self.markup))
