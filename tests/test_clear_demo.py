"""The bundled organisation and the façade part of the demo."""

from __future__ import annotations

from reference.clear import check_clearing

from clearing import clear
from clearing._demo_market import load_organisation, market_demo


def test_bundled_organisation_respects_its_policy():
    requests, offers, policy = load_organisation()
    as_lists = (
        {k: v.tolist() for k, v in requests.items()},
        {k: v.tolist() for k, v in offers.items()},
    )
    result = clear(requests, offers, policy, rng=2026)
    check_clearing(*as_lists, policy, result)
    assert len(result.negotiations) == 1
    assert {
        "external_not_allowed",
        "mandatory_provider",
        "min_quality",
        "budget",
        "concentration_cap",
    } <= set(result.unmatched["reason"].tolist())


def test_market_demo_report():
    text = market_demo()
    for needle in (
        "Markets",
        "transport",
        "Negotiations",
        "large payroll runs",
        "services.legal.external_allowed = false",
        "cut by the budget",
        "Spend against budgets",
    ):
        assert needle in text
