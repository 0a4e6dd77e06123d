"""clear(): known answers for every rule, explanations, tables, and bad input."""

from __future__ import annotations

import copy
import doctest
import importlib

import numpy as np
import pytest

from clearing import Clearing, InputError, Policy, PolicyError, clear
from clearing.market._tables import Table


def _req(**cols):
    n = len(cols["quantity"])
    base = {"request_id": [f"r{i}" for i in range(n)], "team": ["t1"] * n, "service": ["legal"] * n}
    base.update(cols)
    return base


def _off(**cols):
    n = len(cols["capacity"])
    base = {
        "offer_id": [f"o{i}" for i in range(n)],
        "provider": [f"p{i}" for i in range(n)],
        "service": ["legal"] * n,
    }
    base.update(cols)
    return base


def _reasons(c: Clearing) -> list[tuple[str, str, float]]:
    u = c.unmatched
    ids = [r if r is not None else o for r, o in zip(u["request_id"], u["offer_id"], strict=True)]
    return list(zip(ids, u["reason"].tolist(), u["quantity"].tolist(), strict=True))


def test_docstring_example_and_tables():
    requests = _req(quantity=[2.0, 1.0], max_price=[120.0, 90.0], team=["t1", "t2"])
    offers = _off(capacity=[2.0, 5.0], ask=[60.0, 50.0], external=[False, True])
    c = clear(
        requests,
        offers,
        Policy(services={"legal": {"price_cap": 100.0, "external_allowed": False}}),
    )
    a = c.allocations
    assert a.columns[:9] == (
        "request_id",
        "offer_id",
        "team",
        "provider",
        "service",
        "quantity",
        "unit_price",
        "amount",
        "provider_price",
    )
    assert a.row(0) | {} == a.row(0)
    assert (a["request_id"][0], a["offer_id"][0], a["quantity"][0], a["unit_price"][0]) == (
        "r0",
        "o0",
        2.0,
        95.0,
    )
    assert a["amount"][0] == 190.0
    m = c.markets.row(0)
    assert m["service"] == "legal" and m["route"] == "double_auction"
    assert (m["price"], m["price_low"], m["price_high"], m["volume"]) == (95.0, 90.0, 100.0, 2.0)
    assert m["hhi"] == 1.0 and m["efficiency"] == 1.0
    assert _reasons(c) == [("r1", "priced_out", 1.0), ("o1", "external_not_allowed", 5.0)]
    msgs = c.unmatched["message"].tolist()
    assert "cleared at 95" in msgs[0]
    assert "services.legal.external_allowed" in msgs[1]
    assert "Clearing(" in repr(c) and "Table(" in repr(a)
    assert c.spend() == {"t1": 190.0}
    pytest.importorskip("pandas")
    df = a.to_pandas()
    assert list(df.columns) == list(a.columns) and len(df) == 1
    assert set(c.to_dict()) == {
        "allocations",
        "markets",
        "unmatched",
        "negotiations",
        "mechanism",
        "policy",
    }


def test_price_cap_and_floor_exclude_and_clip():
    requests = _req(quantity=[1.0, 1.0, 1.0], max_price=[150.0, 30.0, 8.0], team=["a", "b", "c"])
    offers = _off(capacity=[1.0, 1.0, 1.0], ask=[5.0, 120.0, 40.0])
    pol = Policy(services={"legal": {"price_cap": 100.0, "price_floor": 10.0}})
    c = clear(requests, offers, pol, mechanism="pay_as_bid")
    a = c.allocations
    assert (a["request_id"].tolist(), a["offer_id"].tolist()) == (["r0"], ["o0"])
    # the bid of 150 is clipped to the cap, the ask of 5 raised to the floor
    assert (a["unit_price"][0], a["provider_price"][0]) == (100.0, 10.0)
    assert _reasons(c) == [
        ("r1", "priced_out", 1.0),
        ("r2", "price_floor", 1.0),
        ("o1", "price_cap", 1.0),
        ("o2", "priced_out", 1.0),
    ]


def test_budget_rationing_is_strict_priority_and_explained():
    # team t1: budget 150; worst-case prices are the bids (max_price)
    requests = _req(
        quantity=[1.0, 2.0, 1.0, 1.0],
        max_price=[100.0, 40.0, 10.0, 50.0],
        priority=[0.0, 1.0, 2.0, 0.0],
        team=["t1", "t1", "t1", "t2"],
    )
    offers = _off(capacity=[10.0], ask=[1.0])
    c = clear(requests, offers, Policy(budgets={"t1": 150.0}), mechanism="pay_as_bid")
    served = dict(zip(c.allocations["request_id"], c.allocations["quantity"], strict=True))
    # r0 funded in full (100), r1 gets 50/40 = 1.25 units, r2 nothing although it would fit
    assert served == {"r0": 1.0, "r1": 1.25, "r3": 1.0}
    assert c.spend()["t1"] == pytest.approx(150.0)
    cut = {i: q for i, r, q in _reasons(c) if r == "budget"}
    assert cut == {"r1": 0.75, "r2": 1.0}
    msg = next(m for m in c.unmatched["message"] if "r2" in m)
    assert "budget of team t1 (150)" in msg


def test_budget_whole_units_floor():
    requests = _req(quantity=[3.0], max_price=[40.0])
    c = clear(
        requests, _off(capacity=[5.0], ask=[1.0]), Policy(budgets={"t1": 100.0}), mechanism="mcafee"
    )
    # 100 / 40 = 2.5 units at the worst-case price: whole units only, so 2 are bid
    assert [(r, q) for _, r, q in _reasons(c) if r == "budget"] == [("budget", 1.0)]
    assert c.spend().get("t1", 0.0) <= 100.0


def test_concentration_cap_precap_and_trim():
    requests = _req(quantity=[10.0], max_price=[100.0])
    offers = _off(capacity=[10.0, 1.0], ask=[1.0, 2.0], provider=["a", "b"])
    c = clear(requests, offers, Policy(services={"legal": {"concentration_cap": 0.5}}))
    vol = dict(zip(c.allocations["provider"], c.allocations["quantity"], strict=True))
    assert vol == {"a": 1.0, "b": 1.0}  # a pre-capped to 5, then trimmed to b's level
    conc = [(i, q) for i, r, q in _reasons(c) if r == "concentration_cap"]
    assert ("o0", 5.0) in conc and ("o0", 4.0) in conc and ("r0", 4.0) in conc
    assert c.markets["hhi"][0] == 0.5


def test_concentration_single_provider_cannot_trade():
    requests = _req(quantity=[4.0], max_price=[100.0])
    offers = _off(capacity=[4.0], ask=[1.0])
    c = clear(requests, offers, Policy(services={"legal": {"concentration_cap": 0.6}}))
    assert len(c.allocations) == 0


def test_mandatory_provider_and_forbidden_pairs():
    requests = _req(
        quantity=[1.0, 1.0], max_price=[100.0, 100.0], team=["t1", "t2"], service=["legal", "it"]
    )
    offers = _off(
        capacity=[1.0, 1.0, 1.0, 1.0],
        ask=[50.0, 10.0, 10.0, 20.0],
        provider=["legal_a", "legal_b", "it_b", "it_c"],
        service=["legal", "legal", "it", "it"],
    )
    pol = Policy.from_toml("""
[services.legal]
mandatory_provider = "legal_a"
[[forbidden]]
team = "t2"
provider = "it_b"
""")
    c = clear(requests, offers, pol)
    pairs = set(zip(c.allocations["request_id"], c.allocations["provider"], strict=True))
    assert pairs == {("r0", "legal_a"), ("r1", "it_c")}
    assert c.markets["route"].tolist() == ["transport", "double_auction"]
    got = dict(((i, r) for i, r, _ in _reasons(c)))
    assert got["o1"] == "mandatory_provider"
    assert (
        "reserves legal for provider legal_a"
        in c.unmatched["message"][c.unmatched["offer_id"].tolist().index("o1")]
    )


def test_min_quality_and_quality_weighted_transport():
    requests = _req(
        quantity=[2, 1],
        max_price=[100.0, 100.0],
        quality_weight=[10.0, 0.0],
        service=["it", "it"],
        team=["a", "b"],
    )
    offers = _off(
        capacity=[1, 2, 5],
        ask=[30.0, 20.0, 1.0],
        quality=[5.0, 3.0, np.nan],
        provider=["good", "ok", "unrated"],
        service=["it"] * 3,
    )
    c = clear(requests, offers, Policy(services={"it": {"min_quality": 2.5}}))
    assert c.markets["route"].tolist() == ["transport"]
    a = c.allocations
    pairs = sorted(zip(a["request_id"], a["provider"], a["quantity"], strict=True))
    assert pairs == [("r0", "good", 1.0), ("r0", "ok", 1.0), ("r1", "ok", 1.0)]
    assert (a["unit_price"] <= 100.0).all()
    assert dict((i, r) for i, r, _ in _reasons(c))["o2"] == "min_quality"


def test_negotiation_rules_and_zone():
    requests = _req(
        quantity=[8.0, 1.0, 1.0, 6.0],
        max_price=[90.0, 110.0, 200.0, 20.0],
        team=["a", "b", "c", "d"],
    )
    offers = _off(capacity=[20.0], ask=[30.0])
    pol = Policy.from_toml("""
[services.legal]
price_cap = 100.0
[[negotiate]]
service = "legal"
min_quantity = 5
name = "large legal jobs"
[[negotiate]]
service = "legal"
above_cap = 20.0
""")
    c = clear(requests, offers, pol)
    n = c.negotiations
    rows = {n.row(i)["request_id"]: n.row(i) for i in range(len(n))}
    assert set(rows) == {"r0", "r1", "r3"}
    assert rows["r0"]["rule"] == "large legal jobs"
    assert rows["r0"]["providers"] == ("p0",)
    assert (rows["r0"]["zopa_low"], rows["r0"]["zopa_high"]) == (30.0, 90.0)
    assert rows["r1"]["rule"].startswith("negotiate[1]")
    assert (rows["r1"]["zopa_low"], rows["r1"]["zopa_high"]) == (30.0, 110.0)
    assert rows["r3"]["zopa_empty"] and not rows["r0"]["zopa_empty"]
    # r2 bids above the band: clipped to the cap and cleared
    assert c.allocations["request_id"].tolist() == ["r2"]
    assert c.allocations["unit_price"][0] <= 100.0
    assert c.markets["negotiated"][0] == 15.0


def test_negotiation_without_eligible_provider_is_unmatched():
    requests = _req(quantity=[8.0], max_price=[90.0])
    offers = _off(capacity=[20.0], ask=[30.0], external=[True])
    pol = Policy(
        services={"legal": {"external_allowed": False}},
        negotiate=[{"service": "legal", "provider": "p0"}],
    )
    c = clear(requests, offers, pol)
    assert len(c.negotiations) == 0
    assert ("r0", "no_eligible_offer", 8.0) in _reasons(c)


def test_failure_terms_and_extra_columns():
    requests = _req(quantity=[1.0], max_price=[100.0], cost_center=["cc7"], note=["x"])
    offers = _off(capacity=[1.0], ask=[10.0], sla_hours=[48], note=["y"])
    pol = Policy.from_toml(
        "[services.legal.failure]\nrefund_share = 0.5\npenalty = 3\nrating_change = -1\n"
    )
    a = clear(requests, offers, pol).allocations
    assert (a["refund_share"][0], a["penalty"][0], a["rating_change"][0]) == (0.5, 3.0, -1.0)
    assert a["cost_center"][0] == "cc7" and a["sla_hours"][0] == 48
    assert a["note"][0] == "x" and a["offer_note"][0] == "y"


def test_pandas_and_categorical_input_match_mappings():
    requests = _req(quantity=[1.0, 2.0, 3.0], max_price=[50.0, 60.0, 70.0], team=["b", "a", "b"])
    offers = _off(capacity=[4.0, 1.0], ask=[40.0, 45.0])
    pd = pytest.importorskip("pandas")
    rdf = pd.DataFrame(requests).astype({"team": "category"})
    odf = pd.DataFrame(offers)
    one = clear(requests, offers)
    two = clear(rdf, odf)
    for name in ("allocations", "markets", "unmatched"):
        for col in getattr(one, name).columns:
            np.testing.assert_array_equal(getattr(one, name)[col], getattr(two, name)[col])


def test_integer_labels_and_empty_inputs():
    c = clear(
        {
            "request_id": [1, 2],
            "team": [7, 8],
            "service": [3, 3],
            "quantity": [1, 1],
            "max_price": [10, 20],
        },
        {"offer_id": [5], "provider": [9], "service": [3], "capacity": [1], "ask": [1]},
        {"budgets": {"7": 0.0}},
    )
    assert c.allocations["request_id"].tolist() == [2]
    assert "budget" in c.unmatched["reason"].tolist()
    empty_r = {k: [] for k in ("request_id", "team", "service", "quantity", "max_price")}
    empty_o = {k: [] for k in ("offer_id", "provider", "service", "capacity", "ask")}
    e = clear(empty_r, empty_o)
    assert len(e.allocations) == len(e.markets) == len(e.unmatched) == 0
    assert e.unmatched["message"].shape == (0,)


def test_table_behaviour():
    t = Table(
        {"a": np.array([1, 2]), "b": np.array(["x", "y"], dtype=object)},
        lazy={"c": lambda: np.array([0.5, 1.5])},
    )
    assert len(t) == 2 and "c" in t and list(t) == ["a", "b", "c"]
    assert t["c"].tolist() == [0.5, 1.5]
    with pytest.raises(KeyError, match="columns are a, b, c"):
        t["d"]
    with pytest.raises(ValueError):
        t["a"][0] = 5
    d = t.to_dict()
    d["a"][0] = 9
    assert t["a"][0] == 1
    assert "2 rows" in repr(t)


# ----------------------------------------------------------------------------- bad input

GOOD_R = _req(quantity=[1.0, 2.0], max_price=[10.0, 20.0])
GOOD_O = _off(capacity=[1.0], ask=[5.0])


def _with(table, **changes):
    out = copy.deepcopy(table)
    for k, v in changes.items():
        if v is None:
            out.pop(k)
        else:
            out[k] = v
    return out


@pytest.mark.parametrize(
    ("requests", "offers", "match"),
    [
        (
            _with(GOOD_R, max_price=None),
            GOOD_O,
            "missing column.*'max_price'; expected columns request_id, team, service, quantity, "
            "max_price",
        ),
        (
            _with(GOOD_R, max_price=None, max_prce=[1.0, 2.0]),
            GOOD_O,
            "'max_prce' looks like a misspelling of 'max_price'",
        ),
        (GOOD_R, _with(GOOD_O, ask=None, Ask=[1.0]), "offers is missing column.*'ask'"),
        (_with(GOOD_R, request_id=["r0", "r0"]), GOOD_O, r"requests.request_id\[1\] repeats 'r0'"),
        (GOOD_R, _with(GOOD_O, capacity=[-1.0]), r"offers.capacity\[0\] is -1.0"),
        (_with(GOOD_R, quantity=[1.0, -2.0]), GOOD_O, r"requests.quantity\[1\]"),
        (_with(GOOD_R, max_price=[np.nan, 1.0]), GOOD_O, r"requests.max_price\[0\] is nan"),
        (GOOD_R, _with(GOOD_O, ask=[np.inf]), r"offers.ask\[0\] is inf"),
        (_with(GOOD_R, max_price=[-1.0, 1.0]), GOOD_O, r"requests.max_price\[0\]"),
        (_with(GOOD_R, max_price=["a", "b"]), GOOD_O, "requests.max_price must hold numbers"),
        (_with(GOOD_R, quantity=[1.0]), GOOD_O, "has length 1"),
        (_with(GOOD_R, quantity=[[1.0, 2.0]]), GOOD_O, "must be 1-D"),
        (_with(GOOD_R, team=[None, "t"]), GOOD_O, r"requests.team\[0\] is None"),
        (_with(GOOD_R, team=[1.5, 2.5]), GOOD_O, "requests.team must hold names"),
        (GOOD_R, _with(GOOD_O, quality=[7.0]), r"offers.quality\[0\] is 7.0"),
        (GOOD_R, _with(GOOD_O, external=["maybe"]), r"offers.external\[0\]"),
        (_with(GOOD_R, priority=[0.0, np.nan]), GOOD_O, r"requests.priority\[1\] is nan"),
        (_with(GOOD_R, quality_weight=[0.0, -1.0]), GOOD_O, r"requests.quality_weight\[1\]"),
        ([1, 2], GOOD_O, "requests must be a pandas DataFrame or a mapping"),
        (
            _with(GOOD_R, quantity=[1.5, 1.0], quality_weight=[1.0, 0.0]),
            GOOD_O,
            r"requests.quantity\[0\] is 1.5.*whole units",
        ),
    ],
)
def test_bad_input(requests, offers, match):
    before = copy.deepcopy((requests, offers))
    with pytest.raises(InputError, match=match):
        clear(requests, offers)
    assert repr((requests, offers)) == repr(before)  # nothing touched


def test_bad_options_and_policy_against_data():
    with pytest.raises(InputError, match="unknown mechanism 'dutch'"):
        clear(GOOD_R, GOOD_O, mechanism="dutch")
    with pytest.raises(InputError, match="whole units"):
        clear(_with(GOOD_R, quantity=[0.5, 1.0]), GOOD_O, mechanism="sbba")
    with pytest.raises(InputError, match="rng"):
        clear(GOOD_R, GOOD_O, rng="seed")
    with pytest.raises(InputError, match="policy must be a Policy"):
        clear(GOOD_R, GOOD_O, policy="policy.toml")
    with pytest.raises(
        PolicyError,
        match=r"services.legl: unknown service 'legl'; services "
        "in the data: legal",
    ):
        clear(GOOD_R, GOOD_O, Policy(services={"legl": {"price_cap": 1.0}}))
    with pytest.raises(PolicyError, match=r"negotiate\[0\].service: unknown service"):
        clear(GOOD_R, GOOD_O, Policy(negotiate=[{"service": "payroll"}]))
    with pytest.raises(PolicyError, match=r"forbidden\[0\].service: unknown service"):
        clear(GOOD_R, GOOD_O, Policy(forbidden=[{"service": "payroll", "provider": "p0"}]))
    with pytest.raises(PolicyError, match="mandatory_provider: provider 'zz' has no offer"):
        clear(GOOD_R, GOOD_O, Policy(services={"legal": {"mandatory_provider": "zz"}}))
    with pytest.raises(PolicyError, match=r"is an outside vendor, but services\.legal\.external"):
        clear(
            GOOD_R,
            _with(GOOD_O, external=[True]),
            Policy(services={"legal": {"mandatory_provider": "p0", "external_allowed": False}}),
        )
    with pytest.raises(PolicyError, match="unknown key"):
        clear(GOOD_R, GOOD_O, {"service": {}})


@pytest.mark.parametrize(
    "name",
    [
        "clearing.market._clear",
        "clearing.policy._policy",
        "clearing.market._tables",
        "clearing.market._demo",
    ],
)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_concentration_cap_of_one_never_binds():
    requests = _req(quantity=[2.0], max_price=[100.0])
    offers = _off(capacity=[10.0], ask=[1.0])
    c = clear(requests, offers, Policy(services={"legal": {"concentration_cap": 1.0}}))
    assert c.allocations["quantity"].tolist() == [2.0]
    assert "concentration_cap" not in c.unmatched["reason"].tolist()


def test_per_provider_value_columns():
    requests = _req(
        quantity=[1, 1],
        max_price=[100.0, 100.0],
        team=["a", "b"],
        **{"value:firm_x": [90.0, np.nan], "value:legal_a": [20.0, 500.0]},
    )
    offers = _off(capacity=[1, 1], ask=[30.0, 10.0], provider=["legal_a", "firm_x"])
    c = clear(requests, offers)
    assert c.markets["route"].tolist() == ["transport"]
    pairs = sorted(zip(c.allocations["request_id"], c.allocations["provider"], strict=True))
    # r0 values firm_x at 90 and legal_a at only 20; r1 values legal_a at 500, capped at 100
    assert pairs == [("r0", "firm_x"), ("r1", "legal_a")]
    assert (c.allocations["unit_price"] <= 100.0).all()
    assert "value:firm_x" not in c.allocations.columns
    with pytest.raises(InputError, match="names provider 'nobody', which has no offer"):
        clear(dict(requests, **{"value:nobody": [1.0, 1.0]}), offers)
    with pytest.raises(InputError, match=r"requests.value:firm_x\[0\] is inf"):
        clear(dict(requests, **{"value:firm_x": [np.inf, 1.0]}), offers)
