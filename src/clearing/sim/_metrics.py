"""Per-service figures of one round: the rows of :func:`clearing.sim.simulate`'s DataFrame."""

from __future__ import annotations

import numpy as np

from ._providers import Providers
from ._round import RoundOutcome

__all__ = ["COLUMNS", "first_best", "round_metrics"]

COLUMNS = (
    "round",
    "service",
    "price",
    "volume",
    "welfare",
    "efficiency",
    "consumer_surplus",
    "provider_profit",
    "market_surplus",
    "hhi",
    "lerner",
    "mean_quality",
    "providers",
    "entries",
    "dissolutions",
    "backoffice_cost_per_team",
    "unserved",
    "negotiations",
)


def _per(keys: np.ndarray, weights: np.ndarray, s: int) -> np.ndarray:
    return np.bincount(keys, weights=weights, minlength=s).astype(float)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.asarray(np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0))


def first_best(pv: Providers, out: RoundOutcome, s: int) -> np.ndarray:
    """Best gross surplus per service: every need served by its best provider, capacity aside.

    A unit of need *i* served by provider *j* is worth ``value_i - weight_i * (5 - quality_j)
    - unit_cost_j`` (true quality and cost); the first-best serves each unit where this is
    largest, when positive. Capacity limits are ignored, so this is an upper bound, exact
    when capacity does not bind.
    """
    act = np.flatnonzero(out.offered)
    order = act[np.argsort(pv.service[act], kind="stable")]
    svc = pv.service[order]
    count = np.bincount(svc, minlength=s)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    slot = np.arange(len(order)) - start[svc]
    width = int(count.max()) if len(count) else 0
    gain = np.full((s, max(width, 1)), -np.inf)
    gain_q = np.zeros((s, max(width, 1)))
    gain[svc, slot] = -pv.unit_cost[order]
    gain_q[svc, slot] = pv.quality[order]
    rs = out.req_service
    per_unit = (
        out.req_value[:, None] - out.req_weight[:, None] * (5.0 - gain_q[rs]) + gain[rs]
    ).max(axis=1)
    return _per(rs, np.maximum(per_unit, 0.0) * out.req_quantity, s)


def round_metrics(
    r: int,
    names: np.ndarray,
    pv: Providers,
    out: RoundOutcome,
    teams: int,
) -> dict[str, np.ndarray]:
    """The round's figures per service (``entries`` and ``dissolutions`` come after)."""
    s = len(names)
    sv, pid, q = out.alloc_service, out.alloc_provider, out.quantity
    volume = _per(sv, q, s)
    paid = _per(sv, out.amount, s)
    unit_price = np.divide(out.amount, q, out=np.zeros_like(q), where=q > 0)
    cost = pv.unit_cost[pid]
    margin = np.divide(unit_price - cost, unit_price, out=np.zeros_like(q), where=unit_price > 0)
    on = out.offered
    psvc = pv.service
    cs = _per(sv, out.consumer_surplus, s)
    profit = _per(psvc[on], out.provider_profit[on], s)
    delivered = np.where(out.failed, 0.0, q)
    gross = _per(sv, delivered * out.unit_value - cost * q, s)
    share = np.divide(
        out.provider_sold, volume[psvc], out=np.zeros(len(pv)), where=volume[psvc] > 0
    )
    internal_cost = _per(psvc[on & ~pv.external], out.provider_cost[on & ~pv.external], s)
    vendor_bill = _per(sv, np.where(pv.external[pid], out.amount, 0.0), s)

    c = out.clearing
    m = c.markets
    m_idx = np.searchsorted(names, np.asarray(m["service"]).astype(str))
    market_surplus = np.zeros(s)
    market_surplus[m_idx] = np.asarray(m["welfare"], dtype=float)
    n = c.negotiations
    n_idx = (
        np.searchsorted(names, np.asarray(n["service"]).astype(str)) if len(n) else np.zeros(0, int)
    )
    negotiated_q = _per(n_idx, np.asarray(n["quantity"], dtype=float) if len(n) else np.zeros(0), s)
    requested = _per(out.req_service, out.req_quantity, s)
    return {
        "round": np.full(s, r, np.int64),
        "service": names,
        "price": _ratio(paid, volume),
        "volume": volume,
        "welfare": cs + profit,
        "efficiency": _ratio(gross, first_best(pv, out, s)),
        "consumer_surplus": cs,
        "provider_profit": profit,
        "market_surplus": market_surplus,
        "hhi": np.where(volume > 0, _per(psvc, share**2, s), np.nan),
        "lerner": _ratio(_per(sv, margin * q, s), volume),
        "mean_quality": _ratio(_per(sv, pv.quality[pid] * q, s), volume),
        "providers": np.bincount(psvc[on], minlength=s).astype(np.int64),
        "backoffice_cost_per_team": (internal_cost + vendor_bill) / teams,
        "unserved": np.maximum(requested - volume - negotiated_q, 0.0),
        "negotiations": np.bincount(n_idx, minlength=s).astype(np.int64),
    }
