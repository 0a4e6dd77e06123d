"""Mesa 3 adapter: teams and providers as Mesa agents, a market that clears through the engine.

Each :meth:`BackOfficeModel.step`, every :class:`TeamAgent` states its needs, every
:class:`ProviderAgent` its ask, capacity and rating; the model clears them in one
:func:`clearing.clear` call under its :class:`clearing.Policy`, tells each agent what it got,
and the agents adapt (providers move their mark-up toward what their share allows; teams rate
what they received). A ``mesa.DataCollector`` records price, volume and the Herfindahl index.

Examples
--------
>>> from clearing_bindings.mesa import BackOfficeModel
>>> model = BackOfficeModel(teams=30, providers=3, rng=4)
>>> for _ in range(5):
...     model.step()
>>> frame = model.datacollector.get_model_vars_dataframe()
>>> frame.columns.tolist()
['price', 'volume', 'hhi']
>>> len(frame), bool((frame["volume"] > 0).all())
(5, True)
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from clearing import Clearing, Policy, clear

__all__ = ["BackOfficeModel", "ProviderAgent", "TeamAgent"]


class TeamAgent(mesa.Agent):  # type: ignore[misc]
    """A front-line team: a need per step, a value per unit, a quality weight, a budget."""

    def __init__(self, model: BackOfficeModel, value: float, weight: float) -> None:
        super().__init__(model)
        self.value = value
        self.weight = weight
        self.need = 0.0
        self.received = 0.0

    def state_need(self) -> None:
        self.need = float(1 + self.model.rng.poisson(1.0))


class ProviderAgent(mesa.Agent):  # type: ignore[misc]
    """A back-office team or vendor with a unit cost, a capacity, a quality and a mark-up."""

    def __init__(
        self, model: BackOfficeModel, cost: float, capacity: float, quality: float
    ) -> None:
        super().__init__(model)
        self.cost = cost
        self.capacity = capacity
        self.quality = quality
        self.rating = 3.0
        self.markup = 0.3
        self.sold = 0.0

    @property
    def ask(self) -> float:
        return self.cost * (1.0 + self.markup)

    def adapt(self, share: float) -> None:
        lerner = min(share / 2.0, 0.75)
        fill = self.sold / self.capacity
        target = lerner / (1.0 - lerner)
        self.markup = max(0.0, self.markup + 0.3 * (target - self.markup) + 0.1 * (fill - 0.8))


class BackOfficeModel(mesa.Model):  # type: ignore[misc]
    """One service, ``teams`` teams and ``providers`` providers, cleared each step by ``clear``.

    Parameters
    ----------
    teams, providers : int
        Numbers of agents.
    policy : clearing.Policy, optional
        Guard rails of every step (the service is called ``"service"``).
    rng : int, optional
        Seed of the model's random generator (``mesa.Model.rng``).
    """

    def __init__(
        self, teams: int = 100, providers: int = 3, *, policy: Policy | None = None, rng: Any = None
    ) -> None:
        super().__init__(rng=rng)
        self.policy = policy if policy is not None else Policy()
        for _ in range(teams):
            TeamAgent(
                self,
                float(self.rng.lognormal(np.log(150.0), 0.3)),
                float(self.rng.exponential(6.0)),
            )
        expected = teams * 2.0
        for _ in range(providers):
            ProviderAgent(
                self,
                float(self.rng.uniform(40.0, 60.0)),
                float(np.round(1.3 * expected / providers)),
                float(self.rng.uniform(2.0, 5.0)),
            )
        self.last: Clearing | None = None
        self.datacollector = mesa.DataCollector(
            model_reporters={"price": "price", "volume": "volume", "hhi": "hhi"}
        )
        self.price = float("nan")
        self.volume = 0.0
        self.hhi = float("nan")

    def step(self) -> None:
        teams = list(self.agents_by_type[TeamAgent])
        provs = list(self.agents_by_type[ProviderAgent])
        self.agents_by_type[TeamAgent].do("state_need")
        requests = {
            "request_id": [t.unique_id for t in teams],
            "team": [t.unique_id for t in teams],
            "service": ["service"] * len(teams),
            "quantity": [t.need for t in teams],
            "max_price": [t.value for t in teams],
            "quality_weight": [t.weight for t in teams],
        }
        offers = {
            "offer_id": [p.unique_id for p in provs],
            "provider": [p.unique_id for p in provs],
            "service": ["service"] * len(provs),
            "capacity": [p.capacity for p in provs],
            "ask": [p.ask for p in provs],
            "quality": [p.rating for p in provs],
        }
        result = clear(requests, offers, self.policy)
        self.last = result
        a = result.allocations
        by_id = {agent.unique_id: agent for agent in teams + provs}
        for agent in teams + provs:
            agent.received = agent.sold = 0.0
        for rid, oid, q in zip(
            a["request_id"].tolist(), a["offer_id"].tolist(), a["quantity"].tolist(), strict=True
        ):
            by_id[rid].received += q
            by_id[oid].sold += q
            rating = by_id[oid].quality + float(self.rng.normal(0.0, 0.5))
            by_id[oid].rating = 0.9 * by_id[oid].rating + 0.1 * min(max(rating, 0.0), 5.0)
        self.volume = float(a["quantity"].sum()) if len(a) else 0.0
        self.price = float(a["amount"].sum()) / self.volume if self.volume else float("nan")
        shares = [p.sold / self.volume if self.volume else 0.0 for p in provs]
        self.hhi = float(sum(s * s for s in shares)) if self.volume else float("nan")
        for p, s in zip(provs, shares, strict=True):
            p.adapt(s)
        self.datacollector.collect(self)
