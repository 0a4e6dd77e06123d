"""Property tests of clear(): random organisations and policies, every guarantee checked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.clear import check_clearing, organisations

from clearing import InputError, clear, double_auction_batch, transport


@given(organisations())
def test_guard_rails_hold(org):
    requests, offers, policy, mechanism = org
    result = clear(requests, offers, policy, mechanism=mechanism, rng=7)
    check_clearing(requests, offers, policy, result)


@pytest.mark.slow
@settings(max_examples=2000)
@given(organisations(max_requests=20, max_offers=12))
def test_guard_rails_hold_many(org):
    requests, offers, policy, mechanism = org
    result = clear(requests, offers, policy, mechanism=mechanism, rng=11)
    check_clearing(requests, offers, policy, result)


@pytest.mark.slow
@settings(max_examples=600)
@given(organisations(max_requests=20, max_offers=12))
def test_empty_policy_equals_direct_core_calls_many(org):
    test_empty_policy_equals_direct_core_calls.hypothesis.inner_test(org)


def _codes(labels, values):
    where = {v: i for i, v in enumerate(labels)}
    return np.array([where[v] for v in values], dtype=np.int64)


@given(organisations())
def test_empty_policy_equals_direct_core_calls(org):
    requests, offers, _, mechanism = org
    result = clear(requests, offers, None, mechanism=mechanism, rng=3)
    services = sorted(set(requests["service"]) | set(offers["service"]))
    r_svc = _codes(services, requests["service"])
    o_svc = _codes(services, offers["service"])
    qw = np.asarray(requests["quality_weight"], dtype=float)
    vcols = {k[6:]: np.asarray(v, float) for k, v in requests.items() if k.startswith("value:")}
    specific = qw > 0
    for v in vcols.values():
        specific |= np.isfinite(v)
    weighted = {s for s, w in zip(requests["service"], specific, strict=True) if w}
    r_da = np.array([s not in weighted for s in requests["service"]], dtype=bool)
    o_da = np.array([s not in weighted for s in offers["service"]], dtype=bool)
    expected = []
    if r_da.any() or o_da.any():
        res = double_auction_batch(
            np.asarray(requests["max_price"], float)[r_da],
            np.asarray(requests["quantity"], float)[r_da],
            np.asarray(offers["ask"], float)[o_da],
            np.asarray(offers["capacity"], float)[o_da],
            bid_market=r_svc[r_da],
            ask_market=o_svc[o_da],
            mechanism=mechanism,
            bid_priority=np.asarray(requests["priority"], float)[r_da],
            rng=3,
        )
        ri, oi = np.flatnonzero(r_da), np.flatnonzero(o_da)
        for b, a, q, p, sp in zip(
            res.trade_bid_index,
            res.trade_ask_index,
            res.trade_quantity,
            res.trade_buyer_price,
            res.trade_seller_price,
            strict=True,
        ):
            expected.append((f"r{ri[b]}", f"o{oi[a]}", q, p, sp))
    for s in sorted(weighted):
        ri = np.flatnonzero((r_svc == services.index(s)) & (np.asarray(requests["quantity"]) > 0))
        oi = np.flatnonzero((o_svc == services.index(s)) & (np.asarray(offers["capacity"]) > 0))
        if not (len(ri) and len(oi)):
            continue
        q = np.nan_to_num(np.asarray(offers["quality"], float)[oi])
        bid = np.asarray(requests["max_price"], float)[ri]
        value = bid[:, None] - qw[ri][:, None] * (5.0 - q)[None, :]
        for name, v in vcols.items():
            for jj, o in enumerate(oi):
                if offers["provider"][o] == name:
                    own = v[ri]
                    value[:, jj] = np.where(np.isfinite(own), np.minimum(own, bid), value[:, jj])
        ask = np.asarray(offers["ask"], float)[oi]
        res = transport(
            value,
            ask,
            demand=np.asarray(requests["quantity"])[ri].astype(int),
            capacity=np.asarray(offers["capacity"])[oi].astype(int),
        )
        for i, j in zip(*np.nonzero(res.quantity), strict=True):
            p = ask[j] + res.min_prices[j]
            expected.append((f"r{ri[i]}", f"o{oi[j]}", float(res.quantity[i, j]), p, p))
    expected.sort(key=lambda t: (int(t[0][1:]), int(t[1][1:])))
    a = result.allocations
    got = list(
        zip(
            a["request_id"],
            a["offer_id"],
            a["quantity"],
            a["unit_price"],
            a["provider_price"],
            strict=True,
        )
    )
    assert [(r, o) for r, o, *_ in got] == [(r, o) for r, o, *_ in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[2:] == pytest.approx(e[2:], rel=0, abs=0)


@given(organisations())
def test_deterministic_with_a_seed(org):
    requests, offers, policy, _ = org
    one = clear(requests, offers, policy, mechanism="sbba", rng=42)
    two = clear(requests, offers, policy, mechanism="sbba", rng=np.random.default_rng(42))
    for name in ("allocations", "markets", "unmatched", "negotiations"):
        t1, t2 = getattr(one, name), getattr(two, name)
        assert t1.columns == t2.columns
        for col in t1.columns:
            np.testing.assert_array_equal(t1[col], t2[col])


_CORRUPTIONS = [
    ("requests", "max_price", np.nan),
    ("requests", "quantity", -1.0),
    ("requests", "request_id", "dup"),
    ("requests", "team", None),
    ("offers", "ask", np.inf),
    ("offers", "capacity", np.nan),
    ("offers", "offer_id", "dup"),
    ("offers", "quality", 9.0),
    ("requests", "max_price", "drop"),
    ("offers", "provider", "drop"),
]


@given(organisations(), st.sampled_from(_CORRUPTIONS), st.integers(0, 10**6))
def test_corrupted_input_is_an_input_error_and_nothing_else(org, corruption, where):
    requests, offers, policy, mechanism = org
    table_name, column, bad = corruption
    table = {k: list(v) for k, v in (requests if table_name == "requests" else offers).items()}
    n = len(table[column])
    if bad == "drop":
        del table[column]
    elif bad == "dup":
        if n < 2:
            return
        table[column][where % n] = table[column][(where + 1) % n]
    else:
        if n == 0:
            return
        table[column][where % n] = bad
    args = (table, offers) if table_name == "requests" else (requests, table)
    with pytest.raises(InputError, match=f"{table_name}"):
        clear(*args, policy, mechanism=mechanism)
