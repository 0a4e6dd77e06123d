"""The bundled organisation and the façade part of the demo."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

from reference.clear import check_clearing

from clearing import clear
from clearing.market._demo import load_organisation, market_demo


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


_SNIPPET = """
import json
from clearing import clear
from clearing.market._demo import load_organisation
r, o, p = load_organisation()
out = {}
for mech in ("uniform", "sbba", "huang"):
    c = clear(r, o, p, mechanism=mech, rng=5)
    out[mech] = [[repr(v) for v in c.allocations[col].tolist()] for col in c.allocations.columns]
    out[mech + "u"] = [repr(v) for v in c.unmatched["quantity"].tolist()]
print(json.dumps(out))
"""


def _run(env_extra):
    src = str(pathlib.Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src, **env_extra}
    out = subprocess.run(
        [sys.executable, "-c", _SNIPPET], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_jit_on_and_off_agree_bit_for_bit():
    assert _run({}) == _run({"NUMBA_DISABLE_JIT": "1"})


def test_explain_collects_every_sentence_about_an_order():
    requests, offers, policy = load_organisation()
    c = clear(requests, offers, policy)
    assert any("to negotiate with payroll_int, payroll_vendor" in s for s in c.explain("R12"))
    lines = c.explain("O10")
    assert any("unit(s) to request R14" in s for s in lines)
    assert any(s.startswith("offer O10: marginal") for s in lines)
    assert c.explain("O03") == [
        "offer O03: services.legal.external_allowed = false: firm_x is an outside vendor "
        "and legal is internal only"
    ]
    assert c.explain("nobody") == []
