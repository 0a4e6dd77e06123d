"""Random organisations and policies, and a slow, row-by-row checker of clear()'s guarantees.

``check_clearing`` re-derives every hard rule from the raw inputs and the policy, one row at a
time in plain Python, and asserts that the result respects it; it shares no code with the
façade beyond the public ``Policy`` dataclasses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
from hypothesis import strategies as st

from clearing import MECHANISMS, Policy

TOL = 1e-9


@st.composite
def organisations(draw: Any, max_requests: int = 12, max_offers: int = 8) -> tuple[Any, ...]:
    """(requests, offers, policy, mechanism) with whole quantities and random rules."""
    n_svc = draw(st.integers(1, 3))
    services = [f"s{i}" for i in range(n_svc)]
    teams = [f"t{i}" for i in range(draw(st.integers(1, 4)))]
    providers = [f"p{i}" for i in range(draw(st.integers(1, 4)))]
    weighted = {s: draw(st.booleans()) for s in services}
    nr = draw(st.integers(0, max_requests))
    no = draw(st.integers(0, max_offers))
    # the columns come from a drawn seed (hypothesis draws sizes, flags and rules): far fewer
    # draws per example, so thousands of organisations fit in the time budget
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def pick(options: list[Any], n: int) -> list[Any]:
        return [options[k] for k in rng.integers(0, len(options), n).tolist()]

    r_svc = pick(services, nr)
    requests = {
        "request_id": [f"r{i}" for i in range(nr)],
        "team": pick(teams, nr),
        "service": r_svc,
        "quantity": rng.integers(0, 6, nr).astype(float).tolist(),
        "max_price": rng.integers(0, 21, nr).astype(float).tolist(),
        "priority": rng.integers(0, 3, nr).astype(float).tolist(),
        "quality_weight": [float(rng.integers(1, 4)) if weighted[s] else 0.0 for s in r_svc],
    }
    o_prov = pick(providers, no)
    if o_prov and draw(st.booleans()):  # a per-provider value column for one provider
        named = draw(st.sampled_from(sorted(set(o_prov))))
        requests[f"value:{named}"] = pick([np.nan, 0.0, 5.0, 12.0, 30.0], nr)
    offers = {
        "offer_id": [f"o{i}" for i in range(no)],
        "provider": o_prov,
        "service": pick(services, no),
        "capacity": rng.integers(0, 6, no).astype(float).tolist(),
        "ask": rng.integers(0, 21, no).astype(float).tolist(),
        "quality": pick([np.nan, 1.0, 3.0, 4.5, 5.0], no),
        "external": [bool(b) for b in rng.integers(0, 2, no)],
    }
    present = sorted(set(r_svc) | set(offers["service"]))
    offered = {
        s: sorted({p for p, t in zip(offers["provider"], offers["service"], strict=True) if t == s})
        for s in present
    }
    svc_rules: dict[str, dict[str, Any]] = {}
    for s in present:
        if not draw(st.booleans()):
            continue
        rules: dict[str, Any] = {}
        if draw(st.booleans()):
            rules["price_cap"] = float(draw(st.integers(5, 20)))
        if draw(st.booleans()):
            rules["price_floor"] = float(draw(st.integers(0, 5)))
        if draw(st.booleans()):
            rules["external_allowed"] = False
        if offered[s] and draw(st.integers(0, 4)) == 0:
            mp = draw(st.sampled_from(offered[s]))
            rules["mandatory_provider"] = mp
            ext = [
                e
                for p, t, e in zip(
                    offers["provider"], offers["service"], offers["external"], strict=True
                )
                if (p, t) == (mp, s)
            ]
            if all(ext):  # an outside mandatory provider in an internal-only service
                rules.pop("external_allowed", None)  # is a PolicyError (tested elsewhere)
        elif draw(st.booleans()):
            rules["concentration_cap"] = draw(st.sampled_from([0.3, 0.5, 0.6, 1.0]))
        if draw(st.booleans()):
            rules["min_quality"] = draw(st.sampled_from([2.0, 3.0, 4.0]))
        if draw(st.booleans()):
            rules["failure"] = {"refund_share": 0.5, "penalty": 2.0, "rating_change": -0.5}
        svc_rules[s] = rules
    forbidden = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["tp", "sp", "ts", "p"]))
        rule = {
            "team": draw(st.sampled_from(teams)),
            "provider": draw(st.sampled_from(providers)),
            "service": draw(st.sampled_from(present)) if present else None,
        }
        keep = {
            "tp": ("team", "provider"),
            "sp": ("service", "provider"),
            "ts": ("team", "service"),
            "p": ("provider",),
        }[kind]
        rule = {k: v for k, v in rule.items() if k in keep and v is not None}
        mandatory = {
            (s, r["mandatory_provider"]) for s, r in svc_rules.items() if "mandatory_provider" in r
        }
        if "team" not in rule and any(
            rule.get("provider") == p and rule.get("service", s) == s for s, p in mandatory
        ):
            continue
        forbidden.append(rule)
    budgets = {t: float(draw(st.integers(0, 60))) for t in teams if draw(st.booleans())}
    negotiate = []
    if present and draw(st.booleans()):
        rule = {"service": draw(st.sampled_from(present))}
        if draw(st.booleans()):
            rule["min_quantity"] = float(draw(st.integers(2, 5)))
        if draw(st.booleans()):
            rule["above_cap"] = 5.0
        negotiate.append(rule)
    policy = Policy(services=svc_rules, forbidden=forbidden, budgets=budgets, negotiate=negotiate)
    mechanism = draw(st.sampled_from(MECHANISMS))
    return requests, offers, policy, mechanism


def _allowed(policy: Policy, team: str, provider: str, service: str) -> bool:
    for f in policy.forbidden:
        if all(
            v is None or v == w
            for v, w in ((f.team, team), (f.provider, provider), (f.service, service))
        ):
            return False
    return True


def check_clearing(
    requests: dict[str, list[Any]], offers: dict[str, list[Any]], policy: Policy, result: Any
) -> None:
    """Assert every guarantee of clear(), row by row."""
    req = {
        rid: {k: requests[k][i] for k in requests} for i, rid in enumerate(requests["request_id"])
    }
    off = {oid: {k: offers[k][i] for k in offers} for i, oid in enumerate(offers["offer_id"])}
    a = result.allocations
    served: dict[Any, float] = defaultdict(float)
    sold: dict[Any, float] = defaultdict(float)
    spend: dict[Any, float] = defaultdict(float)
    svc_vol: dict[Any, float] = defaultdict(float)
    prov_vol: dict[tuple[Any, Any], float] = defaultdict(float)
    for i in range(len(a)):
        row = a.row(i)
        r, o = req[row["request_id"]], off[row["offer_id"]]
        s = r["service"]
        assert o["service"] == s and row["service"] == s
        assert row["team"] == r["team"] and row["provider"] == o["provider"]
        assert row["quantity"] > 0
        assert _allowed(policy, r["team"], o["provider"], s), row
        rules = policy.services.get(s)
        price = row["unit_price"]
        assert price <= r["max_price"] + TOL, row
        assert row["provider_price"] >= o["ask"] - TOL, row
        if rules is not None:
            cap = math.inf if rules.price_cap is None else rules.price_cap
            floor = 0.0 if rules.price_floor is None else rules.price_floor
            assert floor - TOL <= price <= cap + TOL, (row, cap, floor)
            assert floor - TOL <= row["provider_price"] <= cap + TOL, (row, cap, floor)
            if rules.mandatory_provider is not None:
                assert o["provider"] == rules.mandatory_provider
            if not rules.external_allowed:
                assert not o["external"]
            if rules.min_quality is not None:
                q = 0.0 if np.isnan(o["quality"]) else o["quality"]
                assert q >= rules.min_quality
            f = rules.failure
            terms = (0.0, 0.0, 0.0) if f is None else (f.refund_share, f.penalty, f.rating_change)
            assert (row["refund_share"], row["penalty"], row["rating_change"]) == terms
        assert math.isclose(row["amount"], row["quantity"] * price, rel_tol=1e-12, abs_tol=1e-12)
        served[row["request_id"]] += row["quantity"]
        sold[row["offer_id"]] += row["quantity"]
        spend[row["team"]] += row["amount"]
        svc_vol[s] += row["quantity"]
        prov_vol[(s, o["provider"])] += row["quantity"]
    for team, budget in policy.budgets.items():
        assert spend[team] <= budget * (1 + 1e-12) + 1e-9, (team, spend[team], budget)
    for (s, _p), v in prov_vol.items():
        rules = policy.services.get(s)
        if rules is not None and rules.concentration_cap is not None:
            assert v <= rules.concentration_cap * svc_vol[s] * (1 + 1e-9) + 1e-9, (s, v)
    negotiated: dict[Any, float] = defaultdict(float)
    n = result.negotiations
    for i in range(len(n)):
        row = n.row(i)
        assert row["request_id"] not in served
        assert len(row["providers"]) > 0
        assert row["zopa_high"] == req[row["request_id"]]["max_price"]
        assert row["zopa_empty"] == (row["zopa_low"] > row["zopa_high"])
        negotiated[row["request_id"]] += row["quantity"]
    u = result.unmatched
    msgs = u["message"]
    left_r: dict[Any, float] = defaultdict(float)
    left_o: dict[Any, float] = defaultdict(float)
    for i in range(len(u)):
        row = u.row(i)
        assert row["quantity"] > 0 and isinstance(row["reason"], str) and row["reason"]
        assert isinstance(msgs[i], str) and len(msgs[i]) > 20
        if row["side"] == "request":
            left_r[row["request_id"]] += row["quantity"]
        else:
            left_o[row["offer_id"]] += row["quantity"]
    for rid, r in req.items():
        total = served[rid] + negotiated[rid] + left_r[rid]
        assert math.isclose(total, r["quantity"], rel_tol=1e-9, abs_tol=1e-9), (rid, total, r)
    for oid, o in off.items():
        total = sold[oid] + left_o[oid]
        assert math.isclose(total, o["capacity"], rel_tol=1e-9, abs_tol=1e-9), (oid, total, o)
