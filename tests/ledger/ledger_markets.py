"""Real clearings to settle: small random organisations cleared by :func:`clearing.clear`."""

from __future__ import annotations

import numpy as np

from clearing import Clearing, Policy, clear

TERMS = {"refund_share": 0.5, "penalty": 1.25, "rating_change": -0.5}


def market(
    seed: int,
    *,
    n_requests: int = 6,
    n_offers: int = 4,
    teams: tuple[str, ...] = ("ops", "care", "sales"),
    providers: tuple[str, ...] = ("legal_a", "legal_b", "firm_x"),
    mechanism: str = "uniform",
) -> Clearing:
    """One service, random prices with fractions of a cent, the last provider external."""
    rng = np.random.default_rng(seed)
    requests = {
        "request_id": [f"r{seed}_{i}" for i in range(n_requests)],
        "team": rng.choice(teams, n_requests).tolist(),
        "service": ["legal"] * n_requests,
        "quantity": rng.integers(1, 5, n_requests).astype(float),
        "max_price": rng.uniform(60, 140, n_requests).round(4),
    }
    offers = {
        "offer_id": [f"o{seed}_{j}" for j in range(n_offers)],
        "provider": [providers[j % len(providers)] for j in range(n_offers)],
        "service": ["legal"] * n_offers,
        "capacity": rng.integers(1, 6, n_offers).astype(float),
        "ask": rng.uniform(40, 110, n_offers).round(4),
        "external": [providers[j % len(providers)] == providers[-1] for j in range(n_offers)],
    }
    policy = Policy(services={"legal": {"failure": TERMS}})
    return clear(requests, offers, policy, mechanism=mechanism)


def negotiated(seed: int, team: str = "ops") -> Clearing:
    """A clearing whose every request goes to negotiation with two providers."""
    rng = np.random.default_rng(seed)
    n = 3
    requests = {
        "request_id": [f"n{seed}_{i}" for i in range(n)],
        "team": [team] * n,
        "service": ["payroll"] * n,
        "quantity": rng.integers(1, 4, n).astype(float),
        "max_price": rng.uniform(50, 90, n).round(2),
    }
    offers = {
        "offer_id": ["p1", "p2"],
        "provider": ["pay_int", "pay_ext"],
        "service": ["payroll"] * 2,
        "capacity": [10.0, 10.0],
        "ask": [40.0, 45.0],
    }
    policy = Policy.from_dict(
        {"negotiate": [{"service": "payroll", "min_quantity": 0, "name": "all payroll"}]}
    )
    return clear(requests, offers, policy)
