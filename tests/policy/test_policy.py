"""Policy: declared in Python or loaded from TOML, validated on load with the location named."""

from __future__ import annotations

import pytest

from clearing import Policy, PolicyError
from clearing.policy import FailureTerms, Forbidden, Negotiate, ServiceRules

ISSUE_EXAMPLE = """
[services.legal]
price_cap = 100.0
external_allowed = false
mandatory_provider = "legal_a"
[services.it]
concentration_cap = 0.5
min_quality = 3.0
[[forbidden]]
team = "team1"
provider = "it_b"
[budgets]
team2 = 150.0
[[negotiate]]
service = "payroll"
min_quantity = 5
"""


def test_issue_example_loads():
    p = Policy.from_toml(ISSUE_EXAMPLE)
    legal = p.services["legal"]
    assert legal.price_cap == 100.0
    assert legal.external_allowed is False
    assert legal.mandatory_provider == "legal_a"
    assert p.services["it"].concentration_cap == 0.5
    assert p.services["it"].min_quality == 3.0
    assert p.forbidden == (Forbidden(team="team1", provider="it_b"),)
    assert dict(p.budgets) == {"team2": 150.0}
    assert p.negotiate == (Negotiate(service="payroll", min_quantity=5),)
    assert not p.is_empty
    assert Policy().is_empty


def test_from_path_and_python_agree(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(ISSUE_EXAMPLE)
    a = Policy.from_toml(path)
    b = Policy.from_toml(str(path))
    c = Policy(
        services={
            "legal": ServiceRules(
                price_cap=100.0, external_allowed=False, mandatory_provider="legal_a"
            ),
            "it": {"concentration_cap": 0.5, "min_quality": 3.0},
        },
        forbidden=[{"team": "team1", "provider": "it_b"}],
        budgets={"team2": 150.0},
        negotiate=[Negotiate(service="payroll", min_quantity=5)],
    )
    for p in (a, b, c):
        assert dict(p.services) == dict(a.services)
        assert p.forbidden == a.forbidden and p.negotiate == a.negotiate
        assert dict(p.budgets) == dict(a.budgets)


def test_failure_terms_load():
    p = Policy.from_toml(
        "[services.payroll.failure]\nrefund_share = 0.5\npenalty = 10\nrating_change = -0.5\n"
    )
    want = FailureTerms(refund_share=0.5, penalty=10.0, rating_change=-0.5)
    assert p.services["payroll"].failure == want


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("[services.legal]\nprice_cp = 1.0\n", "services.legal.price_cp"),
        ("[services.legal]\nprice_cap = -1.0\n", "services.legal.price_cap"),
        ("[services.legal]\nprice_cap = nan\n", "services.legal.price_cap"),
        ("[services.legal]\nprice_cap = 'x'\n", "services.legal.price_cap"),
        ("[services.legal]\nprice_floor = 5.0\nprice_cap = 4.0\n", "services.legal.price_floor"),
        ("[services.it]\nconcentration_cap = 0.0\n", "services.it.concentration_cap"),
        ("[services.it]\nconcentration_cap = 1.5\n", "services.it.concentration_cap"),
        ("[services.it]\nmin_quality = 6\n", "services.it.min_quality"),
        ("[services.it]\nexternal_allowed = 'no'\n", "services.it.external_allowed"),
        (
            "[services.it]\nmandatory_provider = 'a'\nconcentration_cap = 0.5\n",
            "services.it.concentration_cap",
        ),
        ("[services.it.failure]\nrefund_share = 2\n", "services.it.failure.refund_share"),
        ("[services.it.failure]\nrefund = 0.5\n", "services.it.failure.refund"),
        ("[[forbidden]]\n", "forbidden[0]"),
        ("[[forbidden]]\nteam = 't'\nprovder = 'p'\n", "forbidden[0].provder"),
        ("[[forbidden]]\nteam = 't'\n[[forbidden]]\nprovider = 3.5\n", "forbidden[1].provider"),
        (
            "[services.legal]\nmandatory_provider = 'a'\n[[forbidden]]\nprovider = 'a'\n",
            "forbidden[0]",
        ),
        (
            "[services.legal]\nmandatory_provider = 'a'\n[[forbidden]]\nservice = 'legal'\n",
            "forbidden[0]",
        ),
        ("[budgets]\nt1 = -5\n", "budgets.t1"),
        ("[budgets]\nt1 = 'lots'\n", "budgets.t1"),
        ("[[negotiate]]\nname = 'everything'\n", "negotiate[0]"),
        ("[[negotiate]]\nservice = 'x'\nmin_quantity = -1\n", "negotiate[0].min_quantity"),
        ("[[negotiate]]\nservice = 'x'\nthreshold = 1\n", "negotiate[0].threshold"),
        ("budget = 1\n", "budget"),
        ("services = 3\n", "services"),
        ("forbidden = {team = 'a'}\n", "forbidden"),
    ],
)
def test_bad_policy_names_location(text, location):
    with pytest.raises(PolicyError) as exc:
        Policy.from_toml(text)
    assert location in str(exc.value)
    assert exc.value.argument == location


def test_toml_syntax_error_and_missing_file(tmp_path):
    with pytest.raises(PolicyError, match="invalid TOML"):
        Policy.from_toml("[services.legal\nprice_cap = 1\n")
    with pytest.raises(PolicyError, match="cannot read"):
        Policy.from_toml(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[services.legal]\nprice_cap = -1\n")
    with pytest.raises(PolicyError, match=r"bad\.toml"):
        Policy.from_toml(bad)


def test_python_declared_rules_validate():
    with pytest.raises(PolicyError, match=r"ServiceRules\.price_cap"):
        ServiceRules(price_cap=-1.0)
    with pytest.raises(PolicyError, match="Forbidden"):
        Forbidden()
    with pytest.raises(PolicyError, match=r"services\.legal\.price_cap"):
        Policy(services={"legal": {"price_cap": float("inf")}})
    with pytest.raises(PolicyError, match=r"FailureTerms\.penalty"):
        FailureTerms(penalty=-1.0)


def test_policy_is_frozen():
    p = Policy.from_toml(ISSUE_EXAMPLE)
    with pytest.raises(AttributeError):
        p.budgets = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.budgets["team2"] = 1.0  # type: ignore[index]
    assert "legal" in repr(p)


def test_negotiate_describe():
    assert Negotiate(service="payroll", name="big payroll runs").describe("x") == (
        "big payroll runs"
    )
    assert "min_quantity=5" in Negotiate(service="payroll", min_quantity=5).describe("negotiate[0]")


def test_a_request_for_nothing_is_not_sent_to_negotiation() -> None:
    # min_quantity = 0 matches every request; one of quantity 0 has nothing to agree on
    from clearing import clear

    requests = {"request_id": ["R1", "R2"], "team": ["a", "a"], "service": ["s", "s"],
                "quantity": [0.0, 4.0], "max_price": [0.0, 9.0]}  # fmt: skip
    offers = {"offer_id": ["O1"], "provider": ["p"], "service": ["s"], "capacity": [5.0],
              "ask": [3.0]}  # fmt: skip
    policy = Policy.from_dict({"negotiate": [{"service": "s", "min_quantity": 0}]})
    c = clear(requests, offers, policy)
    assert c.negotiations["request_id"].tolist() == ["R2"]
    assert len(c.allocations) == 0
    assert 0.0 not in c.unmatched["quantity"].tolist()
