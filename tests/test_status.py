"""Kernel codes: the registries agree with the kernels, every code has an outcome, and every
code is produced by some input (through the public functions where the code is observable,
through the kernel where the wrapper turns it into an error)."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import pytest

import clearing
from clearing import _status
from clearing._kernels.assignment import lap as lap_kernels
from clearing._kernels.assignment.surplus import surplus_csr, surplus_rows
from clearing._kernels.auction import codes as auction_kernels
from clearing._kernels.orderbook import book as book_kernels
from clearing.errors import ClearingError
from clearing.policy._explain import REASONS

REGISTRIES: list[type[enum.IntEnum]] = [
    _status.AuctionCode,
    _status.AssignStatus,
    _status.SurplusCheck,
    _status.AssignReason,
    _status.BookStateCode,
    _status.BookReason,
    _status.MarketCode,
]
# the public enum each reported status names (see _status.OUTCOMES)
PUBLIC = {
    "AuctionReason": clearing.AuctionReason,
    "AssignmentReason": clearing.AssignmentReason,
    "OrderState": clearing.OrderState,
    "OrderReason": clearing.OrderReason,
}
# codes a kernel module or the façade's table defines that nothing produces
NEVER_PRODUCED = {"UNCROSS"}
NEVER_PRODUCED_MARKET = {18: "no_eligible_request"}


def members() -> list[enum.IntEnum]:
    return [m for codes in REGISTRIES for m in codes]


def test_every_code_has_one_outcome() -> None:
    assert set(_status.OUTCOMES) == {(type(m), int(m)) for m in members()}
    for member in members():
        result = _status.outcome(member)
        assert result is None or isinstance(result, str) or issubclass(result, ClearingError)


@pytest.mark.parametrize(
    ("codes", "module"),
    [
        (_status.AuctionCode, auction_kernels),
        (_status.BookStateCode, book_kernels),
        (_status.BookReason, book_kernels),
    ],
)
def test_registries_agree_with_the_kernel_constants(codes: type[enum.IntEnum], module) -> None:  # type: ignore[no-untyped-def]
    for member in codes:
        assert getattr(module, member.name) == member, member
    # a kernel constant in the registry's range that the registry misses
    names = {m.name for m in codes}
    values = {int(m) for m in codes}
    if codes is _status.AuctionCode:
        kernel = {n for n in dir(module) if n.isupper() and getattr(module, n) in values}
        kernel -= {"UNIFORM", "MCAFEE", "SBBA", "HUANG", "VCG", "PAY_AS_BID"}  # mechanisms
        kernel = {n for n in kernel if not n.startswith(("S_", "N_"))}
        assert kernel == names
    if codes is _status.BookReason:
        public = {m.name for m in clearing.OrderReason}
        assert public - names == NEVER_PRODUCED


def test_other_registries_agree() -> None:
    assert lap_kernels.INFEASIBLE == _status.AssignStatus.INFEASIBLE
    assert lap_kernels.OK == _status.AssignStatus.OK
    produced = {code: name for code, name in REASONS.items() if code not in NEVER_PRODUCED_MARKET}
    assert {m.value: m.name.lower() for m in _status.MarketCode} == produced
    assert {code: REASONS[code] for code in NEVER_PRODUCED_MARKET} == NEVER_PRODUCED_MARKET


def test_reported_statuses_name_public_members() -> None:
    for (codes, value), result in _status.OUTCOMES.items():
        if isinstance(result, str) and not result.startswith("reason:"):
            enum_name, name = result.split(".")
            assert PUBLIC[enum_name][name] == value == codes[name], result


def test_raise_for_status() -> None:
    _status.raise_for_status(_status.AssignStatus.OK, "f")
    with pytest.raises(clearing.InfeasibleError, match="f: kernel reported INFEASIBLE") as info:
        _status.raise_for_status(_status.AssignStatus.INFEASIBLE, "f", argument="cost")
    assert info.value.argument == "cost"
    with pytest.raises(clearing.InputError, match="f: x"):
        _status.raise_for_status(5, "f", "x", codes=_status.SurplusCheck)
    with pytest.raises(RuntimeError, match="unknown status 99"):
        _status.raise_for_status(99, "f")


def test_overflowing_python_ints_are_input_errors() -> None:
    with pytest.raises(clearing.InputError, match="bid_prices") as info:
        clearing.double_auction([10**400], [1], [1], [1])
    assert info.value.argument == "bid_prices"


# ------------------------------------------------------------------ reachability


def test_every_auction_code_is_produced() -> None:
    rng = np.random.default_rng(7)
    seen: set[int] = set()
    for mechanism in clearing.MECHANISMS:
        for _ in range(40):
            nb, na = rng.integers(1, 8, size=2)
            bq = rng.integers(0, 4, nb).astype(float)
            aq = rng.integers(0, 4, na).astype(float)
            r = clearing.double_auction(
                rng.integers(5, 15, nb), bq, rng.integers(5, 15, na), aq,
                mechanism=mechanism, rng=1,
            )  # fmt: skip
            seen |= set(r.bid_reason.tolist()) | set(r.ask_reason.tolist())
    assert seen == {int(m) for m in _status.AuctionCode}


def test_every_assignment_status_is_produced() -> None:
    ok = clearing.linear_sum_assignment([[1.0, 2.0], [2.0, 1.0]])
    assert ok[1].tolist() == [0, 1]
    x, y = np.empty(2, np.int64), np.empty(2, np.int64)
    u, v = np.empty(2), np.empty(2)
    infeasible = np.array([[1.0, np.inf], [2.0, np.inf]])
    assert lap_kernels.lap_dense(infeasible, x, y, u, v) == _status.AssignStatus.INFEASIBLE
    with pytest.raises(clearing.InfeasibleError) as info:
        clearing.linear_sum_assignment(infeasible)
    assert info.value.argument == "cost_matrix"


def _surplus(value, cost=None, forbidden=None) -> int:  # type: ignore[no-untyped-def]
    v = np.asarray(value, np.float64)
    n, m = v.shape
    c2 = np.asarray(cost, np.float64) if cost is not None else np.empty((0, m))
    forb = np.asarray(forbidden, np.bool_) if forbidden is not None else np.empty((0, m), bool)
    w = np.empty((n, m))
    reason = np.empty(n, np.int8)
    code, _ = surplus_rows(v, np.empty(0), c2, forb, w, reason)
    return int(code)


def test_every_surplus_check_code_is_produced() -> None:
    S = _status.SurplusCheck
    assert _surplus([[1.0, 2.0]]) == S.OK
    assert _surplus([[1.0, np.nan]]) == S.NAN_VALUE
    assert _surplus([[np.inf, 1.0]]) == S.POSINF_VALUE
    assert _surplus([[1.0, 1.0]], cost=[[0.0, np.nan]]) == S.NAN_COST
    assert _surplus([[1.0, 1.0]], cost=[[-np.inf, 0.0]]) == S.NEGINF_COST
    assert _surplus([[1e308, 1.0]], cost=[[-1e308, 0.0]]) == S.SURPLUS_TOO_LARGE
    # the CSR pass returns the same codes for the value checks
    ptr, idx = np.array([0, 1]), np.array([0])
    e = np.empty(0)
    out = (np.empty(2, np.int64), np.empty(1, np.int64), np.empty(1), np.empty(1, np.int8))
    for data, code in [(np.nan, S.NAN_VALUE), (np.inf, S.POSINF_VALUE), (1.0, S.OK)]:
        got, _ = surplus_csr(ptr, idx, np.array([data]), e, e, np.empty(0, bool), *out)
        assert got == code
    got, _ = surplus_csr(
        ptr, idx, np.array([2e300]), np.array([-1e300]), e, np.empty(0, bool), *out
    )
    assert got == S.SURPLUS_TOO_LARGE
    # and each is an InputError naming the argument through the public functions
    for value in ([[1.0, np.nan]], [[np.inf, 1.0]], [[1e308, 1.0]]):
        with pytest.raises(clearing.InputError) as info:
            clearing.assign(value, [[0.0, 0.0]] if value[0][0] != 1e308 else [[-1e308, 0.0]])
        assert info.value.argument in ("value", "cost")


def test_every_assignment_reason_is_produced() -> None:
    value = [[5.0, 0.5], [4.0, -np.inf], [-np.inf, -np.inf], [-1.0, 0.0]]
    r = clearing.assign(value)
    reasons = dict(zip(r.unmatched.tolist(), r.reason[r.unmatched].tolist(), strict=True))
    R = _status.AssignReason
    assert reasons == {1: R.LOST_TO_COMPETITION, 2: R.NO_ELIGIBLE_PROVIDER, 3: R.NEGATIVE_SURPLUS}
    batch = clearing.assign_batch([value])
    assert set(batch.reason[0].tolist()) == {int(m) for m in R}


def _states(reports) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {(int(r.state), int(r.reason)) for r in reports}


def test_every_order_book_code_is_produced() -> None:
    St, Re = _status.BookStateCode, _status.BookReason
    book = clearing.OrderBook(tick_size=1, self_trade_prevention="cancel_taker")
    seen = _states(
        [
            book.limit("sell", 10, 2, order_id=1, owner=1),  # resting
            book.limit("sell", 11, 1, order_id=2, owner=2),
            book.limit("buy", 10, 1, order_id=3, owner=3),  # filled
            book.limit("sell", 12, 1, order_id=1, owner=1),  # duplicate id
            book.cancel(99),  # unknown id
            book.cancel(2),  # cancelled
            book.limit("buy", 10, 1, order_id=4, owner=1),  # self trade
            book.limit("buy", 10, 5, order_id=5, owner=3, tif="FOK"),  # not fillable
            book.market("buy", 5, owner=3),  # expired after a fill
        ]
    )
    book.open_call()
    seen |= _states([book.market("buy", 1, owner=3)])  # call phase
    produced = {s for s, _ in seen} | {r for _, r in seen}
    expected_states = {St.RESTING, St.FILLED, St.CANCELLED, St.EXPIRED, St.REJECTED}
    assert {s for s, _ in seen} == expected_states
    reported = {Re.NONE, Re.DUPLICATE_ID, Re.UNKNOWN_ID, Re.SELF_TRADE, Re.NOT_FILLABLE}
    assert {r for _, r in seen} == reported | {Re.CALL_PHASE}
    assert produced
    # the internal codes: the kernel produces them, the wrapper grows or raises
    small = clearing.OrderBook(tick_size=1, capacity=2)
    event = book_kernels.event
    assert event(small._state.buf, 9, 0, 1.0, 1.0, 7, 1, 0)[:2] == (St.REJECTED, Re.BAD_EVENT)
    assert event(small._state.buf, 0, 0, 1.5, 1.0, 8, 1, 0)[:2] == (St.REJECTED, Re.BAD_PRICE)
    assert event(small._state.buf, 3, 0, 0.0, 0.0, 8, 1, 0)[:2] == (St.REJECTED, Re.BAD_QUANTITY)
    states = [event(small._state.buf, 0, 0, 1.0, 1.0, 100 + i, 1, 0)[0] for i in range(4)]
    assert St.NEED_SPACE in states
    with pytest.raises(clearing.InputError):
        clearing.OrderBook(tick_size=1).limit("buy", 1.5, 1)
    with pytest.raises(clearing.InputError):
        clearing.OrderBook(tick_size=1).reduce(1, 0)
    grown = clearing.OrderBook(tick_size=1, capacity=2)
    assert all(grown.limit("buy", 1, 1).state == St.RESTING for _ in range(8))


def _requests(**columns: Any) -> dict[str, Any]:
    n = len(columns["quantity"])
    out = {"request_id": [f"r{i}" for i in range(n)], "team": ["t1"] * n, "service": ["s"] * n}
    return out | columns


def _offers(**columns: Any) -> dict[str, Any]:
    n = len(columns["capacity"])
    out = {"offer_id": [f"o{i}" for i in range(n)], "provider": [f"p{i}" for i in range(n)]}
    return out | {"service": ["s"] * n} | columns


ONE_REQUEST = _requests(quantity=[1.0], max_price=[50.0])
ONE_OFFER = _offers(capacity=[1.0], ask=[40.0])
UNIT_MARKET = (
    _requests(quantity=[1.0] * 3, max_price=[50.0, 45.0, 44.5]),
    _offers(capacity=[1.0] * 3, ask=[10.0, 20.0, 46.0]),
)
# (reason, requests, offers, policy, options of clear)
MARKET_CASES: list[tuple[str, Any, Any, dict[str, Any], dict[str, Any]]] = [
    ("forbidden", ONE_REQUEST, ONE_OFFER, {"forbidden": [{"provider": "p0"}]}, {}),
    ("mandatory_provider", ONE_REQUEST, _offers(capacity=[1.0, 1.0], ask=[40.0, 30.0]),
     {"services": {"s": {"mandatory_provider": "p0"}}}, {}),
    ("external_not_allowed", ONE_REQUEST, _offers(capacity=[1.0], ask=[40.0], external=[True]),
     {"services": {"s": {"external_allowed": False}}}, {}),
    ("min_quality", ONE_REQUEST, _offers(capacity=[1.0], ask=[40.0], quality=[1.0]),
     {"services": {"s": {"min_quality": 3.0}}}, {}),
    ("price_cap", ONE_REQUEST, ONE_OFFER, {"services": {"s": {"price_cap": 30.0}}}, {}),
    ("price_floor", ONE_REQUEST, ONE_OFFER, {"services": {"s": {"price_floor": 60.0}}}, {}),
    ("no_eligible_offer", ONE_REQUEST, ONE_OFFER, {"forbidden": [{"provider": "p0"}]}, {}),
    ("no_offer", _requests(quantity=[1.0], max_price=[50.0], service=["x"]), ONE_OFFER, {}, {}),
    ("no_demand", ONE_REQUEST,
     _offers(capacity=[1.0, 1.0], ask=[40.0, 40.0], service=["s", "y"]), {}, {}),
    ("budget", _requests(quantity=[3.0], max_price=[50.0]), _offers(capacity=[3.0], ask=[40.0]),
     {"budgets": {"t1": 60.0}}, {}),
    ("concentration_cap", _requests(quantity=[4.0], max_price=[50.0]),
     _offers(capacity=[4.0, 1.0], ask=[10.0, 45.0]),
     {"services": {"s": {"concentration_cap": 0.5}}}, {}),
    ("priced_out", _requests(quantity=[1.0, 1.0], max_price=[50.0, 10.0]), ONE_OFFER, {}, {}),
    ("trade_reduction", *UNIT_MARKET, {}, {"mechanism": "mcafee"}),
    ("lottery", _requests(quantity=[2.0] * 4, max_price=[5.0, 3.0, 3.0, 1.0]),
     _offers(capacity=[2.0] * 3, ask=[1.0, 1.0, 2.0]), {}, {"mechanism": "sbba", "rng": 1}),
    ("price_setter", *UNIT_MARKET, {}, {"mechanism": "huang"}),
    ("rationed", _requests(quantity=[1.0, 1.0], max_price=[5.0, 9.0]),
     _offers(capacity=[2.0, 2.0], ask=[2.0, 5.0]), {}, {"mechanism": "huang"}),
    ("outcompeted", _requests(quantity=[1.0], max_price=[50.0], quality_weight=[1.0]),
     _offers(capacity=[1.0, 1.0], ask=[40.0, 40.0], quality=[1.0, 5.0]), {}, {}),
    ("marginal", _requests(quantity=[2.0], max_price=[50.0]), ONE_OFFER, {}, {}),
]  # fmt: skip


def test_every_market_reason_is_produced() -> None:
    assert {case[0] for case in MARKET_CASES} == {m.name.lower() for m in _status.MarketCode}
    for reason, requests, offers, policy, options in MARKET_CASES:
        c = clearing.clear(requests, offers, clearing.Policy.from_dict(policy), **options)
        assert reason in c.unmatched["reason"].tolist(), reason
