"""One round of the simulator: needs, the ``clear`` call, deliveries, money and ratings.

Everything is a numpy operation over all teams, requests, allocations or providers at once;
the only Python loops are over services (at most 100) where a service has lost its last
provider candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from clearing import Clearing, Policy, clear

from ._config import SimConfig, service_names
from ._providers import Providers

__all__ = ["Ledger", "Market", "RoundOutcome"]


def _sums(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per-provider sums of ``weights``; float64 also when nothing traded (numpy's
    ``bincount`` of an empty index returns int64 zeros)."""
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


class Ledger(Protocol):
    """What :func:`clearing.sim.simulate` needs of a ledger: one settlement per round.

    Examples
    --------
    >>> from clearing.sim import preset, simulate
    >>> class Settlements:  # any object with this method will do
    ...     def __init__(self):
    ...         self.ids = []
    ...     def settle(self, clearing, settlement_id):
    ...         self.ids.append(settlement_id)
    >>> ledger = Settlements()
    >>> config = preset("internal_competition", teams=30, services=1)
    >>> _ = simulate(config, 2, rng=1, ledger=ledger)
    >>> len(ledger.ids)
    2
    """

    def settle(self, clearing: Clearing, settlement_id: str) -> Any:
        """Post the transfers of one cleared round under a unique id.

        Examples
        --------
        >>> import os, tempfile
        >>> from clearing.ledger import Ledger
        >>> from clearing.sim import preset, simulate
        >>> ledger = Ledger(f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'l.db')}")
        >>> for team in range(30):
        ...     _ = ledger.grant(str(team), 10**9, grant_id=f"g{team}")
        >>> config = preset("internal_competition", teams=30, services=1)
        >>> _ = simulate(config, 1, rng=1, ledger=ledger)
        >>> ledger.check()["accounts"] > 30
        True
        """


@dataclass(frozen=True, slots=True, eq=False)
class RoundOutcome:
    """What a round produced: the clearing and the per-allocation economics."""

    clearing: Clearing
    req_service: np.ndarray
    req_quantity: np.ndarray
    req_value: np.ndarray
    req_weight: np.ndarray
    alloc_service: np.ndarray
    alloc_provider: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray
    failed: np.ndarray
    unit_value: np.ndarray
    consumer_surplus: np.ndarray
    provider_profit: np.ndarray
    provider_cost: np.ndarray
    provider_sold: np.ndarray
    offered: np.ndarray


class Market:
    """The state of one run: teams' values and spend, providers, and the round counter."""

    def __init__(self, config: SimConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        t = config.teams
        s = config.services
        self.names = np.array(service_names(s))
        sig = t.value_sigma
        self.value = t.value_mean * np.exp(sig * rng.standard_normal((t.count, s)) - sig**2 / 2)
        self.weight = (
            rng.exponential(t.quality_weight, t.count) if t.quality_weight else (np.zeros(t.count))
        )
        self.spent = np.zeros(t.count)
        self.providers = Providers(config, rng)
        self.rules = config.policy
        self.cap = np.full(s, np.inf)  # providers never ask above a price cap they know
        for name, rules in config.policy.services.items():
            if rules.price_cap is not None:
                self.cap[service_names(s).index(str(name))] = rules.price_cap

    def _needs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        t = self.config.teams
        s = self.config.services
        need = np.flatnonzero(self.rng.random(t.count * s) < t.demand_rate)
        team, svc = need // s, need % s
        qty = 1.0 + self.rng.poisson(t.quantity_mean - 1.0, len(need))
        n = t.value_noise
        noise = np.exp(n * self.rng.standard_normal(len(need)) - n**2 / 2)
        return team, svc, qty, self.value[team, svc] * noise

    def _policy(self, team: np.ndarray, worst: np.ndarray) -> Policy:
        """The round's policy: the configured rules plus budgets for the teams they can bind.

        A team whose requests cost at most its remaining budget even at their ``max_price``
        cannot be rationed by it, so its budget is left out (same outcome, smaller policy).
        """
        left = np.maximum(self.config.teams.budget - self.spent, 0.0)
        at_risk = np.bincount(team, weights=worst, minlength=len(left)) > left
        teams = np.flatnonzero(at_risk)
        return Policy(
            services=self.rules.services,
            forbidden=self.rules.forbidden,
            negotiate=self.rules.negotiate,
            budgets=dict(zip(teams.tolist(), left[teams].tolist(), strict=True)),
        )

    def step(
        self,
        r: int,
        ledger: Ledger | None,
        on_round: Callable[[int, Clearing, dict[str, Any]], object] | None = None,
    ) -> RoundOutcome:
        cfg = self.config
        pv = self.providers
        s = cfg.services
        if r % cfg.teams.budget_period == 0:
            self.spent[:] = 0.0
        team, svc, qty, value = self._needs()
        w = self.weight[team]
        act = np.flatnonzero(pv.active)
        asks = np.minimum(pv.asks(cfg.pricing.rule), self.cap[pv.service])
        count = np.bincount(pv.service[act], minlength=s)
        if cfg.pricing.rule == "cost_allocation":  # no price, no choice: every need is asked
            only = np.zeros(s, np.int64)
            only[pv.service[act]] = act
            max_price = asks[only[svc]]
            q_weight = np.zeros(len(team))
        else:
            choice = count[svc] > 1
            only = np.zeros(s, np.int64)
            only[pv.service[act]] = act  # the provider of a one-provider service
            single = value - w * (5.0 - pv.rating[only[svc]])
            max_price = np.where(choice, value, np.maximum(single, 0.0))
            q_weight = np.where(choice, w, 0.0)
        requests = {
            "request_id": np.arange(len(team)),
            "team": team,
            "service": self.names[svc],
            "quantity": qty,
            "max_price": max_price,
            "priority": self.rng.random(len(team)),  # random order among equal bids
            "quality_weight": q_weight,
        }
        offers = {
            "offer_id": act,
            "provider": act,
            "service": self.names[pv.service[act]],
            "capacity": pv.capacity[act],
            "ask": asks[act],
            "quality": pv.rating[act],
            "external": pv.external[act],
        }
        result = clear(requests, offers, self._policy(team, max_price * qty))
        if ledger is not None:
            ledger.settle(result, f"{cfg.name}/round-{r}")
        if on_round is not None:
            on_round(r, result, offers)
        return self._settle(result, team, svc, qty, value, w, act)

    def _settle(
        self,
        result: Clearing,
        team: np.ndarray,
        svc: np.ndarray,
        qty: np.ndarray,
        value: np.ndarray,
        w: np.ndarray,
        act: np.ndarray,
    ) -> RoundOutcome:
        cfg = self.config
        pv = self.providers
        a = result.allocations
        rid = np.asarray(a["request_id"], dtype=np.int64)
        pid = np.asarray(a["offer_id"], dtype=np.int64)
        q = np.asarray(a["quantity"], dtype=float)
        amount = np.asarray(a["amount"], dtype=float)
        received = np.asarray(a["provider_price"], dtype=float) * q
        failed = self.rng.random(len(q)) > pv.reliability[pid]
        refund = np.where(failed, amount * np.asarray(a["refund_share"], dtype=float), 0.0)
        penalty = np.where(failed, np.asarray(a["penalty"], dtype=float) * q, 0.0)
        unit_value = value[rid] - w[rid] * (5.0 - pv.quality[pid])
        delivered = np.where(failed, 0.0, q)
        cs = delivered * unit_value - amount + refund + penalty

        np.add.at(self.spent, team[rid], amount)
        budget = cfg.teams.budget
        if (self.spent > budget * (1.0 + 1e-9) + 1e-9).any():  # pragma: no cover - invariant
            worst = int(np.argmax(self.spent))
            raise RuntimeError(f"team {worst} overspent: {self.spent[worst]} > {budget}")

        n = len(pv)
        sold = _sums(pid, q, n)
        revenue = _sums(pid, received - refund - penalty, n)
        offered = np.zeros(n, bool)
        offered[act] = True
        cost = np.where(offered, pv.fixed_cost + pv.unit_cost * sold, 0.0)
        profit = np.where(offered, revenue - cost, 0.0)

        d = cfg.dynamics
        rating_given = np.where(failed, d.failure_rating, pv.quality[pid])
        rating_given = rating_given + d.rating_noise * self.rng.standard_normal(len(q))
        rating_given = np.clip(
            rating_given + np.where(failed, np.asarray(a["rating_change"], dtype=float), 0.0),
            0.0,
            5.0,
        )
        heard = _sums(pid, rating_given * q, n)
        fresh = np.divide(heard, sold, out=pv.rating.copy(), where=sold > 0)
        pv.rating = np.where(
            sold > 0, d.rating_memory * pv.rating + (1 - d.rating_memory) * fresh, pv.rating
        )
        return RoundOutcome(
            clearing=result,
            req_service=svc,
            req_quantity=qty,
            req_value=value,
            req_weight=w,
            alloc_service=svc[rid],
            alloc_provider=pid,
            quantity=q,
            amount=amount,
            failed=failed,
            unit_value=unit_value,
            consumer_surplus=cs,
            provider_profit=profit,
            provider_cost=cost,
            provider_sold=sold,
            offered=offered,
        )
