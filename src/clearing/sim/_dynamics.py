"""Between rounds: prices learn, unprofitable or badly rated providers go, profits attract entry."""

from __future__ import annotations

import numpy as np

from ._config import SimConfig
from ._providers import Providers
from ._round import RoundOutcome

__all__ = ["adapt"]


def _reprice(config: SimConfig, pv: Providers, out: RoundOutcome) -> None:
    s = config.services
    sold = out.provider_sold
    if config.pricing.rule == "cost_allocation":
        avg = np.divide(
            pv.fixed_cost + pv.unit_cost * sold, sold, out=pv.rate.copy(), where=sold > 0
        )
        pv.rate = np.where(out.offered & (sold > 0), avg, pv.rate)
        return
    p = config.pricing
    volume = np.bincount(pv.service, weights=sold, minlength=s)[pv.service]
    share = np.divide(sold, volume, out=np.zeros_like(sold), where=volume > 0)
    lerner = np.minimum(share / p.elasticity, p.max_lerner)
    target = lerner / (1.0 - lerner)
    fill = np.divide(sold, pv.capacity, out=np.zeros_like(sold), where=pv.capacity > 0)
    step = p.learning_rate * (target - pv.markup) + p.fill_step * (fill - p.fill_target)
    pv.markup = np.where(out.offered, np.clip(pv.markup + step, 0.0, p.max_markup), pv.markup)


def _dissolve(config: SimConfig, pv: Providers, out: RoundOutcome) -> np.ndarray:
    d = config.dynamics
    on = out.offered
    pv.loss_streak = np.where(on & (out.provider_profit < 0), pv.loss_streak + 1, 0)
    pv.low_streak = np.where(on & (pv.rating < d.min_rating), pv.low_streak + 1, 0)
    if not d.dissolution:
        return np.zeros(len(pv), bool)
    going = pv.active & ((pv.loss_streak >= d.exit_rounds) | (pv.low_streak >= d.exit_rounds))
    staying = np.bincount(pv.service[pv.active & ~going], minlength=config.services)
    for s in np.flatnonzero(staying == 0):  # keep the best of a service's last providers
        mine = np.flatnonzero(going & (pv.service == s))
        if len(mine):
            going[mine[np.argmax(out.provider_profit[mine])]] = False
    pv.active = pv.active & ~going
    return going


def _enter(
    config: SimConfig, pv: Providers, out: RoundOutcome, rng: np.random.Generator
) -> np.ndarray:
    d = config.dynamics
    s = config.services
    draw = rng.random(s)
    kind = rng.random(s)
    if not d.entry:
        return np.zeros(s, np.int64)
    on = out.offered
    count = np.bincount(pv.service[on], minlength=s)
    profit = np.bincount(pv.service[on], weights=out.provider_profit[on], minlength=s)
    mean = np.divide(profit, count, out=np.zeros(s), where=count > 0)
    active_now = np.bincount(pv.service[pv.active], minlength=s)
    enter = (
        (mean > d.entry_profit) & (active_now < d.max_per_service) & (draw < d.entry_probability)
    )
    where = np.flatnonzero(enter)
    if len(where) == 0:
        return np.zeros(s, np.int64)
    if d.internal_entry and d.external_entry:
        external = kind[where] < 0.5
    else:
        external = np.full(len(where), d.external_entry)
    cap_sum = np.bincount(pv.service[pv.active], weights=pv.capacity[pv.active], minlength=s)
    capacity = np.maximum(1.0, np.round(cap_sum[where] / np.maximum(active_now[where], 1)))
    pv.add(config, rng, where, external, capacity, capacity)
    return np.bincount(where, minlength=s)


def adapt(
    config: SimConfig, pv: Providers, out: RoundOutcome, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Update prices, dissolve and admit providers; entries and dissolutions per service."""
    _reprice(config, pv, out)
    gone = _dissolve(config, pv, out)
    dissolutions = np.bincount(pv.service[gone], minlength=config.services)
    entries = _enter(config, pv, out, rng)
    return entries, dissolutions
