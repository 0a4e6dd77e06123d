"""Hostile input to :func:`clear` and to :class:`Policy` (``from_dict``, ``from_toml``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hostile import NASTY, forms, mostly, outcome, property_test
from hypothesis import strategies as st

from clearing import MECHANISMS, InputError, Policy, PolicyError, clear

TD = np.timedelta64(1, "D")
# labels numpy itself keeps apart from names (in a list, ["a", 1.5] becomes two strings
# before clear() sees it)
LABEL_BAD = st.sampled_from([None, TD, ("a",)])
QTY = mostly(st.sampled_from([0.0, 1.0, 2.0, 3.0, 2.5]), st.sampled_from([*NASTY, -1.0]), 0.95)
PRICE = mostly(st.sampled_from([0.0, 4.0, 6.0, 9.0, 12.5]), st.sampled_from([*NASTY, -3.0]), 0.95)
NUMBER_BAD = st.sampled_from([np.nan, np.inf, -1.0, 10**400, 1e308, "5", None, True, [1.0], TD])
POLICIES = st.fixed_dictionaries(
    {},
    optional={
        "services": st.dictionaries(
            st.sampled_from(["s", "t"]),
            st.fixed_dictionaries(
                {},
                optional={
                    "price_cap": mostly(st.sampled_from([5.0, 10.0, 1e300]), NUMBER_BAD, 0.8),
                    "price_floor": mostly(st.sampled_from([0.0, 5.0, 1e300]), NUMBER_BAD, 0.8),
                    "concentration_cap": mostly(st.sampled_from([0.5, 1.0]), NUMBER_BAD, 0.8),
                    "min_quality": mostly(st.sampled_from([0.0, 3.0]), NUMBER_BAD, 0.8),
                    "external_allowed": mostly(st.booleans(), st.sampled_from([1, "no"]), 0.8),
                },
            ),
            max_size=2,
        ),
        "budgets": st.dictionaries(
            st.sampled_from(["a", "b"]),
            mostly(st.sampled_from([0.0, 10.0, 1e300]), NUMBER_BAD, 0.8),
            max_size=2,
        ),
        "negotiate": st.lists(
            st.fixed_dictionaries(
                {"service": st.sampled_from(["s", "t"])},
                optional={"min_quantity": mostly(st.sampled_from([2.0]), NUMBER_BAD, 0.8)},
            ),
            max_size=1,
        ),
    },
)


@st.composite
def tables(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    nr, no = draw(st.integers(0, 5)), draw(st.integers(0, 4))

    def col(s: Any, n: int) -> list[Any]:
        return draw(st.lists(s, min_size=n, max_size=n))

    req = {
        "request_id": list(range(nr)),
        "team": col(st.sampled_from(["a", "b"]), nr),
        "service": col(st.sampled_from(["s", "t"]), nr),
        "quantity": np.array(col(QTY, nr)),
        "max_price": np.array(col(PRICE, nr)),
    }
    off = {
        "offer_id": [f"o{i}" for i in range(no)],
        "provider": col(st.sampled_from(["p", "q", "r"]), no),
        "service": col(st.sampled_from(["s", "t"]), no),
        "capacity": np.array(col(QTY, no)),
        "ask": np.array(col(PRICE, no)),
    }
    if draw(st.integers(0, 999)) < 200:
        req["quality_weight"] = np.array(col(mostly(st.sampled_from([0.0, 1.0]), QTY), nr))
        off["quality"] = np.array(col(st.sampled_from([np.nan, 0.0, 3.0, 5.0, 6.0, -1.0]), no))
    if draw(st.integers(0, 999)) < 150 and no:
        req[f"value:{off['provider'][0]}"] = np.array(col(mostly(PRICE, st.just(np.nan)), nr))
    if draw(st.integers(0, 999)) < 200:
        off["external"] = col(mostly(st.booleans(), st.sampled_from(["yes", 2, None])), no)
    return req, off


def check_clearing(c: Any, req: dict[str, Any], off: dict[str, Any]) -> None:
    a, u, n, m = c.allocations, c.unmatched, c.negotiations, c.markets
    for t in (a, u, n):
        q = t["quantity"] if len(t) else np.zeros(0)
        assert np.all(np.isfinite(q)) and np.all(q > 0)
    if len(a):
        assert np.all(np.isfinite(a["unit_price"])) and np.all(np.isfinite(a["amount"]))
        assert np.all(a["unit_price"] >= 0)
    for col in ("volume", "welfare", "max_welfare", "requested"):
        assert np.all(np.isfinite(m[col])), (col, m[col])
    qty = np.asarray(req["quantity"], dtype=float)
    for i, rid in enumerate(req["request_id"]):
        got = a["quantity"][a["request_id"] == rid].sum() if len(a) else 0.0
        left = u["quantity"][u["request_id"] == rid].sum() if len(u) else 0.0
        nego = n["quantity"][n["request_id"] == rid].sum() if len(n) else 0.0
        assert abs(got + left + nego - qty[i]) <= 1e-9 * max(1.0, qty[i]), (rid, got, left, nego)
        mp = float(np.asarray(req["max_price"], dtype=float)[i])
        if len(a):
            assert np.all(a["unit_price"][a["request_id"] == rid] <= mp * (1 + 1e-12) + 1e-12)
    cap = np.asarray(off["capacity"], dtype=float)
    for j, oid in enumerate(off["offer_id"]):
        sold = a["quantity"][a["offer_id"] == oid].sum() if len(a) else 0.0
        assert sold <= cap[j] * (1 + 1e-12)


@property_test(
    1.5,
    t=tables(),
    policy=mostly(POLICIES, st.sampled_from([[], "x", 3])),
    mechanism=mostly(st.sampled_from(MECHANISMS), st.just("VCG"), 0.95),
    rng=mostly(st.sampled_from([None, 0, 5]), st.sampled_from([-1, 1.5, "x"]), 0.95),
    data=st.data(),
)
def test_clear(t: Any, policy: Any, mechanism: str, rng: Any, data: Any) -> None:
    req, off = t
    names = {"requests", "offers", "policy", "mechanism", "rng", "services", "budgets",
             "negotiate", "forbidden"}  # fmt: skip
    call_req, call_off = dict(req), dict(off)
    numeric, empty = True, False
    framed = data.draw(st.booleans())  # the same tables as DataFrames with an odd index
    if data.draw(st.integers(0, 999)) < 400:
        table, name = data.draw(
            st.sampled_from(
                [
                    (call_req, "quantity"),
                    (call_req, "max_price"),
                    (call_off, "capacity"),
                    (call_off, "ask"),
                ]
            )
        )
        base = np.asarray(table[name], float)
        # (a DataFrame broadcasts a 0-d column: shapes are checked on mappings only)
        _, table[name], numeric = data.draw(forms(base, shape_errors=not framed))
        empty = not base.size
    if data.draw(st.integers(0, 999)) < 100:
        table, name = data.draw(
            st.sampled_from([(call_req, "request_id"), (call_req, "team"), (call_off, "service")])
        )
        if table[name]:
            table[name] = [*table[name][:-1], data.draw(LABEL_BAD)]
            numeric = False
    if framed:
        call_req = _frame(call_req)
        call_off = _frame(call_off)
        numeric = numeric or empty  # pandas keeps an empty column of text as an empty
        # object column, which holds no non-number: an empty input, not an error
    c = outcome(lambda: clear(call_req, call_off, policy, mechanism=mechanism, rng=rng), names)
    if not numeric:
        assert c is None, "a column of non-numbers or of bad labels was accepted"
    if c is None:
        return
    check_clearing(c, req, off)


def _frame(cols: dict[str, Any]) -> Any:
    try:
        n = len(next(iter(cols.values())))
        return pd.DataFrame(cols, index=np.arange(n)[::-1] * 3)
    except (ValueError, TypeError):  # a column pandas itself refuses: pass the mapping
        return cols


@property_test(1, policy=POLICIES, as_toml=st.booleans())
def test_policy(policy: dict[str, Any], as_toml: bool) -> None:
    if as_toml:
        text = _toml(policy)
        if text is None:
            return
        p = outcome(lambda: Policy.from_toml(text))
    else:
        p = outcome(lambda: Policy.from_dict(policy))
    if p is None:
        return
    for rules in p.services.values():
        for x in (rules.price_cap, rules.price_floor, rules.concentration_cap):
            assert x is None or np.isfinite(x)
    assert all(np.isfinite(b) and b >= 0 for b in p.budgets.values())


def _toml(policy: dict[str, Any]) -> str | None:
    def value(x: Any) -> str | None:
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, int):
            return str(x)
        if isinstance(x, float):
            return "nan" if np.isnan(x) else ("inf" if x == np.inf else repr(x))
        if isinstance(x, str):
            return f'"{x}"'
        return None

    lines = []
    for name, rules in policy.get("services", {}).items():
        lines.append(f"[services.{name}]")
        lines += [f"{k} = {value(v)}" for k, v in rules.items()]
    lines.append("[budgets]")
    lines += [f"{k} = {value(v)}" for k, v in policy.get("budgets", {}).items()]
    for rule in policy.get("negotiate", []):
        lines.append("[[negotiate]]")
        lines += [f"{k} = {value(v)}" for k, v in rule.items()]
    return None if any("None" in line for line in lines) else "\n".join(lines)


@pytest.mark.parametrize(
    "text",
    [
        "[budgets]\nt0 = 1" + "0" * 400,
        "[services.s]\nprice_cap = 1" + "0" * 400,
        "[[negotiate]]\nmin_quantity = 1" + "0" * 400,
        "\x00",
    ],
)
def test_seen_policy_errors(text: str) -> None:
    """Issue 11, item 3: an OverflowError (huge TOML integers) and a ValueError (NUL)."""
    with pytest.raises(PolicyError) as e:
        Policy.from_toml(text)
    assert e.value.argument


def test_huge_integers_through_from_dict() -> None:
    for data in ({"budgets": {"t": 10**400}}, {"services": {"s": {"price_cap": 10**400}}}):
        with pytest.raises(PolicyError) as e:
            Policy.from_dict(data)
        assert e.value.argument in ("budgets.t", "services.s.price_cap")


def _tables() -> tuple[dict[str, Any], dict[str, Any]]:
    req = {"request_id": [1], "team": ["t"], "service": ["s"], "quantity": [1.0],
           "max_price": [10.0]}  # fmt: skip
    off = {"offer_id": [1], "provider": ["p"], "service": ["s"], "capacity": [1.0], "ask": [1.0]}
    return req, off


def test_seen_clear_errors() -> None:
    """Issue 11: a datetime capacity counted 18262 units, a negative seed leaked a
    ValueError, totals that overflow gave welfare inf."""
    req, off = _tables()
    for cap in (
        [np.datetime64("2020-01-01")],
        pd.Series([np.datetime64("2020-01-01")], dtype=object),
        np.array([pd.Timestamp("2020-01-01")], dtype=object),
    ):
        with pytest.raises(InputError) as e:
            clear(req, {**off, "capacity": cap})
        assert e.value.argument == "offers.capacity"
    with pytest.raises(InputError) as e:
        clear(req, off, rng=-1)
    assert e.value.argument == "rng"
    with pytest.raises(InputError, match="total value") as e:
        clear({**req, "quantity": [1e300], "max_price": [1e300]}, {**off, "capacity": [1e300]})
    assert e.value.argument == "requests.quantity"


def test_optional_number_columns_take_no_strings() -> None:
    """``value:<provider>`` and ``quality`` accept None (no value, unrated), never text."""
    req, off = _tables()
    for r, o, arg in (
        ({**req, "value:p": np.array(["4"], dtype=object)}, off, "requests.value:p"),
        (req, {**off, "quality": np.array(["3"], dtype=object)}, "offers.quality"),
        (req, {**off, "quality": np.array([np.datetime64("2020-01-01")], dtype=object)},
         "offers.quality"),
    ):  # fmt: skip
        with pytest.raises(InputError) as e:
            clear(r, o)
        assert e.value.argument == arg
    c = clear({**req, "value:p": np.array([None], dtype=object)},
              {**off, "quality": np.array([None], dtype=object)})  # fmt: skip
    assert c.allocations["quantity"].tolist() == [1.0]
