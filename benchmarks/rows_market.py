"""Market façade: ``clear`` on a whole organisation vs the bare core calls on the same markets.

The organisation: 15,000 teams, 20 services, 50 providers (10 of them outside vendors),
about 100,000 requests and 400 offers, under a typical policy (price caps, two internal-only
services, a mandatory provider, concentration caps, minimum ratings, forbidden pairs, 3,000
team budgets, a negotiation rule). Four services are quality-weighted and go to
``transport``; the other sixteen are cleared in one ``double_auction_batch`` call. The
second row sets every quality weight to zero, so every service is a double auction
(target: ``clear`` within 3x the bare calls; the first row's target is 2x).

The peer replays exactly the core calls ``clear`` made (arguments recorded on a first run by
a profile hook that watches the public ``clearing.double_auction_batch`` and
``clearing.transport`` functions, whatever module calls them), so the ratio is the façade's
overhead: reading and validating the tables, the policy, the
explanations and the result tables. Explanation sentences are formatted lazily; the note
reports what formatting all of them costs on first access.
"""

from __future__ import annotations

import inspect
import sys
import time
from typing import Any

import numpy as np
from _harness import Row

import clearing
from clearing import Policy


def make_org(
    n_requests: int = 100_000,
    n_teams: int = 15_000,
    n_services: int = 20,
    n_providers: int = 50,
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Requests and offers of a synthetic organisation (mappings of numpy columns)."""
    rng = np.random.default_rng(seed)
    services = np.array([f"svc{i:02d}" for i in range(n_services)])
    providers = np.array([f"prov{i:02d}" for i in range(n_providers)])
    base = rng.uniform(40, 120, n_services)
    svc = rng.integers(0, n_services, n_requests)
    weighted = np.isin(svc, [0, 1, 2, 3])
    requests = {
        "request_id": np.arange(n_requests),
        "team": np.array([f"team{i:05d}" for i in range(n_teams)])[
            rng.integers(0, n_teams, n_requests)
        ],
        "service": services[svc],
        "quantity": rng.integers(1, 6, n_requests).astype(float),
        "max_price": np.round(base[svc] * rng.uniform(0.6, 1.5, n_requests), 2),
        "priority": rng.integers(0, 3, n_requests).astype(float),
        "quality_weight": np.where(weighted, rng.uniform(1, 8, n_requests), 0.0),
    }
    o_svc, o_prov = [], []
    for p in range(n_providers):  # each provider offers 8 services
        for s in rng.choice(n_services, 8, replace=False):
            o_prov.append(p)
            o_svc.append(s)
    o_svc_a = np.array(o_svc)
    n_off = len(o_svc_a)
    demand = np.bincount(svc, weights=requests["quantity"], minlength=n_services)
    per_offer = demand[o_svc_a] / np.bincount(o_svc_a, minlength=n_services)[o_svc_a]
    offers = {
        "offer_id": np.array([f"off{i:04d}" for i in range(n_off)]),
        "provider": providers[np.array(o_prov)],
        "service": services[o_svc_a],
        "capacity": np.round(per_offer * rng.uniform(0.5, 1.2, n_off)),
        "ask": np.round(base[o_svc_a] * rng.uniform(0.5, 1.3, n_off), 2),
        "quality": np.round(rng.uniform(1.5, 5.0, n_off), 1),
        "external": np.array(o_prov) >= n_providers - 10,
    }
    return requests, offers


def typical_policy(requests: dict[str, Any]) -> Policy:
    """Caps, internal-only services, a mandatory provider, budgets and a negotiation rule."""
    teams = np.unique(requests["team"])[:3000]
    return Policy(
        services={
            "svc00": {"concentration_cap": 0.3, "min_quality": 2.5},
            "svc01": {"price_cap": 100.0, "external_allowed": False},
            "svc04": {
                "price_cap": 90.0,
                "price_floor": 20.0,
                "failure": {"refund_share": 0.5, "penalty": 5.0, "rating_change": -0.5},
            },
            "svc05": {"external_allowed": False, "concentration_cap": 0.4},
            "svc06": {"min_quality": 3.0},
            "svc07": {"concentration_cap": 0.25},
        },
        forbidden=[
            {"team": "team00001", "provider": "prov03", "service": "svc00"},
            {"team": "team00002", "provider": "prov07", "service": "svc02"},
            {"service": "svc09", "provider": "prov45"},
        ],
        budgets={str(t): 150.0 for t in teams},
        negotiate=[{"service": "svc10", "min_quantity": 5}],
    )


def _recorded_calls(requests: Any, offers: Any, policy: Policy) -> list[tuple[Any, ...]]:
    """The core calls (function, args, kwargs) one ``clear`` makes, outermost only."""
    cores = {fn.__code__: fn for fn in (clearing.double_auction_batch, clearing.transport)}
    calls: list[tuple[Any, ...]] = []
    active: list[Any] = []

    def hook(frame: Any, event: str, arg: Any) -> None:
        code = frame.f_code
        if event == "call" and code in cores:
            if not active:
                fn = cores[code]
                params = inspect.signature(fn).parameters
                kwargs = {k: frame.f_locals[k] for k in params if k in frame.f_locals}
                calls.append((fn, (), kwargs))
            active.append(frame)
        elif event == "return" and active and frame is active[-1]:
            active.pop()

    sys.setprofile(hook)
    try:
        clearing.clear(requests, offers, policy, rng=0)
    finally:
        sys.setprofile(None)
    if not calls:
        raise RuntimeError("clear made no call to double_auction_batch or transport")
    return calls


def _row(name: str, requests: Any, offers: Any, policy: Policy, target: float | None) -> Row:
    calls = _recorded_calls(requests, offers, policy)

    def ours() -> object:
        return clearing.clear(requests, offers, policy, rng=0)

    def bare() -> object:
        for fn, a, k in calls:
            fn(*a, **({**k, "rng": 0} if "rng" in k else k))
        return None

    ours()
    res = ours()
    t0 = time.perf_counter()
    msgs = res.unmatched["message"]
    t_msg = time.perf_counter() - t0
    n = len(requests["request_id"])
    note = (
        f"{n:,} requests, {len(offers['offer_id'])} offers, {len(calls)} core calls; "
        f"{len(res.allocations):,} allocations, {len(res.unmatched):,} unmatched rows, "
        f"{len(res.negotiations):,} negotiations; formatting all {len(msgs):,} "
        f"messages on first access: {t_msg * 1e3:.0f} ms"
    )
    return Row(
        name=name,
        ours=ours,
        peer=bare,
        peer_name="bare core calls",
        target=target,
        note=note,
        repeat=3,
    )


def rows(quick: bool) -> list[Row]:
    n = 10_000 if quick else 100_000
    requests, offers = make_org(n_requests=n, n_teams=max(1500, n * 15 // 100))
    policy = typical_policy(requests)
    flat = dict(requests, quality_weight=np.zeros(n))
    flat_policy = Policy(
        services=policy.services,
        forbidden=policy.forbidden[2:],
        budgets=policy.budgets,
        negotiate=policy.negotiate,
    )
    return [
        # the targets are for the full-size organisation; at quick sizes the core calls
        # take milliseconds and the ratio only shows the façade's fixed costs
        _row(
            f"clear: organisation, {n:,} requests", requests, offers, policy, None if quick else 2.0
        ),
        _row(
            f"clear: every service a double auction, {n:,} requests",
            flat,
            offers,
            flat_policy,
            None if quick else 3.0,
        ),
    ]
