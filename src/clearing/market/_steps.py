"""The steps of :func:`clearing.clear` around the core calls.

Negotiation routing, the concentration cap (before and after clearing), the transport route
for services where value depends on the provider, and the assembly of the result tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._records import Offers, Requests
from ..policy._eligibility import Eligibility, lex_order, pair_mask, trim_level
from ..policy._explain import CODE
from ._outcome import Outcome, carry
from ._tables import Table

__all__ = [
    "assemble",
    "concentration_precap",
    "concentration_trim",
    "negotiations_table",
    "route_transport",
]


def negotiations_table(
    out: Outcome,
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    go: np.ndarray,
    ask: np.ndarray,
) -> Table:
    """Route requests matching a ``negotiate`` rule; those with no eligible offer stay unmatched.

    The zone of possible agreement runs from the best eligible ask (after the price floor) to
    the request's own ``max_price`` (not lowered to the cap: the band above the cap is what a
    negotiation may settle). When ``zopa_low > zopa_high`` the zone is empty; the row is kept
    so both parties see the gap.
    """
    idx = np.flatnonzero(go & (el.nego_rule >= 0))
    eligible = (el.offer_code == 0) & (off.capacity > 0)
    team = req.team.codes[idx]
    pair_teams = np.array([t for t, *_ in el.pairs], dtype=np.int64)
    # the team matters only via pair rules: one answer per (service, team or -1, rule)
    team = np.where(np.isin(team, pair_teams), team, -1)
    # (service, team + 1, rule) as one integer: its order is the order of the triples
    n_t, n_g = len(req.team) + 1, max(len(el.nego_labels), 1)
    keys = (req.service[idx] * n_t + (team + 1)) * n_g + el.nego_rule[idx]
    uniq, which = np.unique(keys, return_inverse=True)
    groups = np.stack([uniq // (n_t * n_g), uniq // n_g % n_t - 1, uniq % n_g], axis=1)
    names = np.empty(len(groups), dtype=object)
    best = np.full(len(groups), np.nan)
    for k, (s, t, g) in enumerate(groups.tolist()):
        j = np.flatnonzero(eligible & (off.service == s))
        p = el.nego_provider[g]
        if p >= 0:
            j = j[off.provider.codes[j] == p]
        if len(j) and el.pairs:
            j = j[~pair_mask(el, np.array([t]), off.provider.codes[j], s)[0]]
        names[k] = tuple(off.provider.labels[np.unique(off.provider.codes[j])].tolist())
        best[k] = ask[j].min() if len(j) else np.nan
    which = which.ravel()
    providers, low = names[which], best[which]
    keep = np.array([len(v) > 0 for v in names], dtype=bool)[which]
    lost = idx[~keep]
    if lost.size:
        out.unserved(
            0,
            lost,
            req.quantity[lost],
            CODE["no_eligible_offer"],
            other=np.array(
                [
                    f"{el.nego_labels[g]} sends it to negotiation, but no provider is eligible"
                    for g in el.nego_rule[lost]
                ],
                dtype=object,
            ),
        )
        el.nego_rule[lost] = -1
        go[lost] = False  # nothing left to clear: all units are explained
    idx, providers, low = idx[keep], providers[keep], low[keep]
    high = req.max_price[idx]
    # the label columns are made on first access (from arrays nothing changes afterwards)
    labels: dict[str, Callable[[], np.ndarray]] = {
        "request_id": lambda: req.ids.take(idx),
        "team": lambda: req.team.take(idx),
        "service": lambda: services[req.service[idx]],
    }
    cols: dict[str, Any] = {
        "quantity": req.quantity[idx],
        "providers": providers,
        "rule": np.array([el.nego_labels[g] for g in el.nego_rule[idx]], dtype=object),
        "zopa_low": low,
        "zopa_high": high,
        "zopa_empty": low > high,
    }
    cols.update(carry(req.extra, idx, {*labels, *cols}, "request_"))
    return Table(cols, lazy=labels, order=(*labels, *cols))


def concentration_precap(
    out: Outcome,
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    q_bid: np.ndarray,
    ask: np.ndarray,
    o_ok: np.ndarray,
    svc_whole: np.ndarray,
) -> np.ndarray:
    """Effective capacities: 0 for excluded offers; under a concentration cap, each provider
    may offer at most ``cap * requested volume`` of the service, filled into its offers in
    ask order (then input order)."""
    cap = np.where(o_ok, off.capacity, 0.0)
    capped = np.isfinite(el.conc) & (el.conc < 1.0)  # a cap of 1 never binds
    if not capped.any() or not len(off):
        return cap
    demand = np.bincount(req.service, weights=q_bid, minlength=len(services))
    limit = el.conc * demand
    limit = np.where(svc_whole, np.floor(limit + 1e-9), limit)
    j = np.flatnonzero(capped[off.service] & o_ok)
    if j.size == 0:
        return cap
    j = j[np.lexsort((j, ask[j], off.provider.codes[j], off.service[j]))]
    grp = off.service[j] * (len(off.provider.labels) + 1) + off.provider.codes[j]
    c = cap[j]
    before = np.cumsum(c) - c
    start = np.r_[True, grp[1:] != grp[:-1]]
    before -= before[np.flatnonzero(start)][np.cumsum(start) - 1]
    new = np.clip(limit[off.service[j]] - before, 0.0, c)
    cut = c - new
    cap[j] = new
    m = cut > 0
    if m.any():
        s = off.service[j[m]]
        out.unserved(
            1,
            j[m],
            cut[m],
            CODE["concentration_cap"],
            limit=el.conc[s],
            rule=np.array([f"services.{v}.concentration_cap" for v in services[s]], dtype=object),
            base=off.capacity[j[m]],
        )
    return cap


def unit_values(
    req: Requests, off: Offers, bid: np.ndarray, ri: np.ndarray, oi: np.ndarray
) -> np.ndarray:
    """Per-unit value of request ``ri[k]`` for offer ``oi[k]``.

    A ``value:<provider>`` entry when the request has one (NaN = none), else ``max_price -
    quality_weight * (5 - quality)`` (unrated = 0); never above the bid (``max_price``, or the
    price cap when lower), so no team pays more than its ``max_price``.
    """
    quality = np.nan_to_num(off.quality[oi], nan=0.0)
    b = bid[ri]
    value: np.ndarray = b - req.quality_weight[ri] * (5.0 - quality)
    if req.values:
        names = np.array([str(v) for v in off.provider.labels.tolist()], dtype=object)
        prov = names[off.provider.codes[oi]] if len(oi) else names[:0]
        for name, col in req.values.items():
            v = col[ri]
            m = (prov == name) & np.isfinite(v)
            value[m] = np.minimum(v[m], b[m])
    return value


def route_transport(
    out: Outcome,
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    s: int,
    bid: np.ndarray,
    ask: np.ndarray,
    q_bid: np.ndarray,
    cap_eff: np.ndarray,
    stats: dict[int, dict[str, float]],
) -> None:
    """Clear one service by transport: value depends on the provider's quality."""
    from ..assignment._api import transport

    r_all = np.flatnonzero(req.service == s)
    o_all = np.flatnonzero(off.service == s)
    r = r_all[q_bid[r_all] > 0]
    o = o_all[cap_eff[o_all] > 0]
    value = np.empty((len(r), len(o)))
    forbidden = np.zeros((len(r), len(o)), dtype=bool)
    if len(r) and len(o):
        value = unit_values(req, off, bid, np.repeat(r, len(o)), np.tile(o, len(r)))
        value = value.reshape(len(r), len(o))
        forbidden = pair_mask(el, req.team.codes[r], off.provider.codes[o], s)
        forbidden |= value < el.floor[s]
        res = transport(
            value, ask[o], demand=q_bid[r], capacity=cap_eff[o], forbidden=forbidden, prices="min"
        )
        flow = np.asarray(
            res.quantity.toarray() if hasattr(res.quantity, "toarray") else res.quantity
        )
        ii, jj = np.nonzero(flow > 0)
        # prices are a mark-up over cost: request i pays ask[j] + min_prices[j]
        p = ask[o][jj] + np.asarray(res.min_prices, dtype=np.float64)[jj]
        out.add_allocations(r[ii], o[jj], flow[ii, jj].astype(np.float64), p, p)
        served = flow.sum(axis=1)
        sold = flow.sum(axis=0)
        stats[s] = {"price": np.nan, "lo": np.nan, "hi": np.nan, "max_welfare": float(res.welfare)}
    else:
        served = np.zeros(len(r))
        sold = np.zeros(len(o))
        stats[s] = {"price": np.nan, "lo": np.nan, "hi": np.nan, "max_welfare": 0.0}
    surplus = (
        np.where(forbidden, -np.inf, value - ask[o][None, :])
        if len(o)
        else np.full((len(r), 0), -np.inf)
    )
    best = surplus.max(axis=1) if len(o) else np.full(len(r), -np.inf)
    # only the rows with units left are explained (the rule Outcome.unserved applies), so
    # the message column is built for those alone
    left = q_bid[r] - served
    k = np.flatnonzero(left > 1e-12 * np.maximum(np.abs(req.quantity[r]), 1.0))
    code = np.where(
        best[k] == -np.inf,
        CODE["no_eligible_offer"],
        np.where(best[k] < 0, CODE["priced_out"], CODE["outcompeted"]),
    )
    if not len(o_all):
        code[:] = CODE["no_offer"]
    out.unserved(
        0,
        r[k],
        left[k],
        code,
        own=np.where(np.isfinite(best[k]), best[k], bid[r[k]]),
        other="a forbidden pair rule or the policy excludes every offer",
        base=req.quantity[r[k]],
    )
    wanted = (surplus >= 0).any(axis=0) if len(r) else np.zeros(len(o), dtype=bool)
    code = np.where(wanted, CODE["outcompeted"], CODE["priced_out"])
    if not len(r):
        code = np.full(len(o), CODE["no_demand"], dtype=np.int8)
    out.unserved(1, o, cap_eff[o] - sold, code, own=ask[o], base=off.capacity[o])


def concentration_trim(
    out: Outcome,
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    svc_whole: np.ndarray,
    prio: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Trim providers above ``cap * cleared volume`` to the exact level where the cap holds.

    The level comes from :func:`trim_level`; a trimmed provider loses its allocations in
    reverse buyer order (priority, then input order: the last served is cut first). Prices
    are not recomputed.
    """
    ri, oi, qty, price, pprice = out.allocations()
    capped = np.flatnonzero(np.isfinite(el.conc)).tolist()
    if capped:
        qty = qty.copy()
        svc = off.service[oi]
    for s in capped:
        a = np.flatnonzero(svc == s)
        if a.size == 0:
            continue
        prov = off.provider.codes[oi[a]]
        vol = np.bincount(prov, weights=qty[a], minlength=len(off.provider.labels)).astype(float)
        level = trim_level(vol, float(el.conc[s]), bool(svc_whole[s]))
        excess = np.maximum(vol - level, 0.0)
        if not (excess > 0).any():
            continue
        a = a[excess[prov] > 0]
        a = a[np.lexsort((-ri[a], -prio[ri[a]], off.provider.codes[oi[a]]))]
        p = off.provider.codes[oi[a]]
        before = np.cumsum(qty[a]) - qty[a]
        start = np.r_[True, p[1:] != p[:-1]]
        before -= before[np.flatnonzero(start)][np.cumsum(start) - 1]
        cut = np.clip(excess[p] - before, 0.0, qty[a])
        qty[a] -= cut
        m = cut > 0
        rule = f"services.{services[s]}.concentration_cap"
        names = off.provider.labels[p[m]]
        out.unserved(
            0, ri[a[m]], cut[m], CODE["concentration_cap"], limit=el.conc[s], rule=rule, other=names
        )
        out.unserved(1, oi[a[m]], cut[m], CODE["concentration_cap"], limit=el.conc[s], rule=rule)
    keep = qty > 0
    if keep.all():  # nothing to drop: no copy of the five columns
        return ri, oi, qty, price, pprice
    return ri[keep], oi[keep], qty[keep], price[keep], pprice[keep]


def assemble(
    alloc: tuple[np.ndarray, ...],
    req: Requests,
    off: Offers,
    el: Eligibility,
    services: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    transport: np.ndarray,
    stats: dict[int, dict[str, float]],
    nego: Table,
    value: Any = None,
) -> tuple[Table, Table]:
    """The ``allocations`` and ``markets`` tables from the final allocations.

    The label columns of ``allocations`` are built on first access (from arrays nothing
    changes after :func:`clearing.clear` returns); the numbers and extra columns now.
    """
    ri, oi, qty, price, pprice = alloc
    order = lex_order((oi, ri))
    ri, oi, qty, price, pprice = ri[order], oi[order], qty[order], price[order], pprice[order]
    s = req.service[ri]
    # one column of the failure terms at a time: three contiguous columns
    terms = [el.failure[:, c][s] if el.failure[:, c].any() else np.zeros(len(ri)) for c in range(3)]
    labels: dict[str, Callable[[], np.ndarray]] = {
        "request_id": lambda: req.ids.take(ri),
        "offer_id": lambda: off.ids.take(oi),
        "team": lambda: req.team.take(ri),
        "provider": lambda: off.provider.take(oi),
        "service": lambda: services[s],
    }
    cols: dict[str, Any] = {
        "quantity": qty,
        "unit_price": price,
        "amount": qty * price,
        "provider_price": pprice,
        "refund_share": terms[0],
        "penalty": terms[1],
        "rating_change": terms[2],
        "external": off.external[oi],
    }
    taken = {*labels, *cols}
    cols.update(carry(req.extra, ri, taken, "request_"))
    cols.update(carry(off.extra, oi, taken, "offer_"))
    allocations = Table(cols, lazy=labels, order=(*labels, *cols))

    n_s = len(services)
    unit_value = bid[ri]
    if transport.any():
        unit_value = np.where(transport[s], unit_values(req, off, bid, ri, oi), unit_value)
    welfare = np.bincount(s, weights=qty * (unit_value - ask[oi]), minlength=n_s)
    volume = np.bincount(s, weights=qty, minlength=n_s)
    n_p = len(off.provider.labels) or 1
    pv: np.ndarray = np.bincount(s * n_p + off.provider.codes[oi], weights=qty, minlength=n_s * n_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = pv.reshape(n_s, n_p) / volume[:, None]
        hhi = np.where(volume > 0, np.nansum(share**2, axis=1), 0.0)
    lo = np.full(n_s, np.nan)
    hi = np.full(n_s, np.nan)
    one = np.full(n_s, np.nan)
    max_w = np.zeros(n_s)
    for m, st in stats.items():
        one[m], lo[m], hi[m], max_w[m] = st["price"], st["lo"], st["hi"], st["max_welfare"]
    for m in np.flatnonzero(transport & (volume > 0)).tolist():
        p = price[s == m]
        lo[m], hi[m] = p.min(), p.max()
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(max_w > 0, welfare / max_w, 1.0)
    requested = np.bincount(req.service, weights=req.quantity, minlength=n_s)
    negotiated = np.zeros(n_s)
    if len(nego):
        where = {v: i for i, v in enumerate(services.tolist())}
        codes = np.array([where[v] for v in nego["service"].tolist()], dtype=np.int64)
        negotiated = np.bincount(codes, weights=nego["quantity"], minlength=n_s).astype(float)
    markets = Table(
        {
            "service": services,
            "route": np.where(transport, "transport", "double_auction"),
            "price": one,
            "price_low": lo,
            "price_high": hi,
            "volume": volume,
            "requested": requested,
            "negotiated": negotiated,
            "welfare": welfare,
            "max_welfare": max_w,
            "efficiency": eff,
            "hhi": hhi,
        }
    )
    return allocations, markets
