"""The documented properties of each double-auction mechanism.

Individual rationality, budget balance, efficiency (and its loss bound), conservation of
quantities, and truthfulness of McAfee, SBBA (in expectation over its lottery) and VCG,
checked by brute force over misreports on a price grid in small unit markets.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from reference.auction import MECHANISMS, markets

from clearing import double_auction

UNIT_MECHANISMS = ("mcafee", "sbba")


def _clear(market: dict[str, Any], mechanism: str, *, k: float = 0.5, rng: Any = 0) -> Any:
    return double_auction(**market, mechanism=mechanism, k=k, rng=rng)  # keys are argument names


def _efficient_volume(market: dict[str, Any]) -> float:
    """Brute force: the largest min(demand(p), supply(p)) over every quoted price p."""
    bp, bq = market["bid_prices"], market["bid_quantities"]
    ap, aq = market["ask_prices"], market["ask_quantities"]
    best = 0.0
    for p in np.concatenate([bp, ap]):
        best = max(best, min(float(bq[bp >= p].sum()), float(aq[ap <= p].sum())))
    return best


# --- individual rationality, budget balance, conservation -----------------------------------

#: Grid markets moved anywhere on the real line (ties kept, floats no longer exact).
any_price_markets = st.builds(
    lambda m, shift, scale: {
        **m,
        "bid_prices": m["bid_prices"] * scale + shift,
        "ask_prices": m["ask_prices"] * scale + shift,
    },
    markets(whole=True),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(0.01, 1e3, allow_nan=False),
)


@st.composite
def float_markets(draw: Any, *, max_orders: int = 10) -> dict[str, Any]:
    """Arbitrary finite prices (negative too) and arbitrary non-negative quantities."""
    price = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    quantity = st.one_of(st.just(0.0), st.floats(0.0, 10.0, allow_nan=False, allow_subnormal=False))
    market: dict[str, Any] = {"bid_priority": None, "ask_priority": None}
    for side in ("bid", "ask"):
        n = draw(st.integers(0, max_orders))
        market[f"{side}_prices"] = np.array(draw(st.lists(price, min_size=n, max_size=n)))
        market[f"{side}_quantities"] = np.array(draw(st.lists(quantity, min_size=n, max_size=n)))
        market[f"{side}_prices"] = market[f"{side}_prices"].astype(np.float64).reshape(-1)
        market[f"{side}_quantities"] = market[f"{side}_quantities"].astype(np.float64).reshape(-1)
    return market


def _m(bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "bid_prices": np.array([p for p, _ in bids], dtype=np.float64),
        "bid_quantities": np.array([q for _, q in bids], dtype=np.float64),
        "ask_prices": np.array([p for p, _ in asks], dtype=np.float64),
        "ask_quantities": np.array([q for _, q in asks], dtype=np.float64),
        "bid_priority": None,
        "ask_priority": None,
    }


#: Every kind of market the properties must hold on.
all_markets = st.one_of(markets(), any_price_markets, float_markets())


def _whole(market: dict[str, Any], mechanism: str) -> dict[str, Any]:
    """Round quantities up to whole units for the unit mechanisms."""
    if mechanism not in UNIT_MECHANISMS:
        return market
    return {
        **market,
        "bid_quantities": np.ceil(market["bid_quantities"]),
        "ask_quantities": np.ceil(market["ask_quantities"]),
    }


def _check_individual_rationality(market: dict[str, Any], res: Any) -> None:
    """No buyer pays above its bid, no seller receives below its ask."""
    bought, sold = res.bid_filled > 0, res.ask_filled > 0
    assert np.all(res.bid_price_paid[bought] <= market["bid_prices"][bought])
    assert np.all(res.ask_price_received[sold] >= market["ask_prices"][sold])
    assert np.all(np.isnan(res.bid_price_paid[~bought]))
    assert np.all(np.isnan(res.ask_price_received[~sold]))
    scale = 1.0 + float(
        np.sum(market["bid_quantities"] * np.abs(market["bid_prices"]))
        + np.sum(market["ask_quantities"] * np.abs(market["ask_prices"]))
    )
    assert res.welfare <= res.max_welfare + 1e-12 * scale
    assert res.welfare >= 0.0  # every traded unit has bid >= ask: realised gains are never < 0


def _check_budget(mechanism: str, res: Any) -> None:
    """Uniform and SBBA exactly balanced, VCG a deficit, the others a surplus."""
    surplus = res.budget_surplus
    if mechanism in ("uniform", "sbba"):
        assert surplus == 0.0
    elif mechanism == "vcg":
        assert surplus <= 0.0
    else:  # mcafee, huang, pay_as_bid
        assert surplus >= 0.0
    if res.volume > 0:
        # the surplus is what buyers pay minus what sellers receive, trade by trade
        paid = np.sum(res.trade_quantity * res.trade_buyer_price)
        received = np.sum(res.trade_quantity * res.trade_seller_price)
        scale = max(1.0, float(np.sum(res.trade_quantity * np.abs(res.trade_buyer_price))))
        assert abs((paid - received) - surplus) <= 1e-9 * scale


def _check_conservation(mechanism: str, market: dict[str, Any], res: Any) -> None:
    """Fills within quantities; trades, volume and both sides' fills add up to the same."""
    assert np.all(res.bid_filled >= 0) and np.all(res.ask_filled >= 0)
    assert np.all(res.bid_filled <= market["bid_quantities"])
    assert np.all(res.ask_filled <= market["ask_quantities"])
    assert np.all(res.trade_quantity > 0)
    totals = [
        float(np.sum(res.trade_quantity)),
        float(res.volume),
        float(np.sum(res.ask_filled)),
        float(np.sum(res.bid_filled)),
    ]
    quantities = np.concatenate([market["bid_quantities"], market["ask_quantities"]])
    exact = mechanism != "huang" and np.all(quantities * 4 == np.round(quantities * 4))
    if exact:  # quarter quantities: every sum is exact, whatever the order
        assert totals == [totals[1]] * 4
    else:  # equal reduction divides by a trader count; arbitrary floats round
        np.testing.assert_allclose(totals, totals[1], rtol=1e-9, atol=1e-9)
    # per order, the trades add up to the order's fill
    for trade_side, filled in (
        (res.trade_bid_index, res.bid_filled),
        (res.trade_ask_index, res.ask_filled),
    ):
        per_order = np.bincount(trade_side, res.trade_quantity, minlength=len(filled))
        np.testing.assert_allclose(per_order, filled, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@given(
    market=all_markets,
    k=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
# k = 1 and a range straddling 0: lo + k*(hi - lo) rounds one ulp above hi = the bid
@example(market=_m([(812.421193594774, 1.0)], [(-410.2914761034268, 1.0)]), k=1.0, seed=0)
# prices that are not binary fractions: sums of fill * price round differently per side
@example(market=_m([(7.6, 3), (7.9, 3)], [(5.8, 2), (1.3, 3), (0.9, 1)]), k=0.5, seed=0)
@example(market=_m([(5.8, 3), (7.2, 3)], [(1.7, 3), (5.1, 3), (1.2, 1)]), k=0.5, seed=0)
@example(market=_m([(5.9, 3), (7.8, 3)], [(3.4, 2), (4.9, 2), (4.1, 1)]), k=0.5, seed=0)
@example(market=_m([(8.2, 3), (9.1, 3)], [(6.7, 1), (8.2, 1), (3.0, 3)]), k=0.5, seed=0)
# decimal quantities: 0.8 + 0.1 must not leave a phantom unit of the ask at 4.4
@example(market=_m([(9.3, 2.2)], [(4.4, 0.1), (2.0, 0.8)]), k=0.0, seed=0)
# decimal quantities: the marginal fill 1.7 - 0.4 rounds, so the sides' sums differ
@example(market=_m([(6.6, 1.7)], [(0.0, 0.4), (1.4, 2.5)]), k=0.0, seed=0)
@example(market=_m([(8.3, 2.5), (8.3, 2.9), (3.5, 1.7)], [(8.3, 2.8)]), k=0.5, seed=0)
@example(market=_m([(7.3, 2.5), (9.7, 0.2)], [(6.2, 2.4), (7.3, 1.1)]), k=0.0, seed=0)
def test_rationality_budget_and_conservation(
    mechanism: str, market: dict[str, Any], k: float, seed: int
) -> None:
    market = _whole(market, mechanism)
    res = _clear(market, mechanism, k=k, rng=seed)
    _check_individual_rationality(market, res)
    _check_budget(mechanism, res)
    _check_conservation(mechanism, market, res)


P = 0.44894588662963153

# --- efficiency -----------------------------------------------------------------------------


@given(market=st.one_of(markets(max_orders=8), any_price_markets), k=st.floats(0.0, 1.0))
# the same fills must give the same welfare: efficiency exactly 1
@example(market=_m([(P, 1.0), (P, 1.0), (P + 1.0, 1.0)], [(P, 3.0)]), k=0.0)
def test_uniform_trades_the_efficient_volume(market: dict[str, Any], k: float) -> None:
    res = _clear(market, "uniform", k=k)
    assert res.volume == _efficient_volume(market)
    assert res.welfare == res.max_welfare
    assert res.efficiency == 1.0


@pytest.mark.parametrize("mechanism", UNIT_MECHANISMS)
@given(market=markets(whole=True, max_orders=8), seed=st.integers(0, 2**32 - 1))
def test_unit_mechanisms_lose_at_most_one_trade(
    mechanism: str, market: dict[str, Any], seed: int
) -> None:
    res = _clear(market, mechanism, rng=seed)
    efficient = _efficient_volume(market)
    assert efficient - 1 <= res.volume <= efficient
    assert res.max_welfare == _clear(market, "uniform").welfare


# --- truthfulness -------------------------------------------------------------------------

VALUES = (0.0, 1.0, 2.0, 3.0, 4.0)
REPORTS = tuple(x / 2 for x in range(11))  # 0, 0.5, ..., 5: ties and strict gaps


@cache
def _seed_for(n_units: int, r: int) -> int:
    """A seed whose first draw ``u`` gives ``floor(u * n_units) == r``."""
    for seed in range(10_000):
        if int(np.floor(np.random.default_rng(seed).random() * n_units)) == r:
            return seed
    raise AssertionError("no seed found")  # pragma: no cover


def _unit_market(bids: tuple[float, ...], asks: tuple[float, ...]) -> dict[str, Any]:
    return {
        "bid_prices": np.array(bids, dtype=np.float64),
        "bid_quantities": np.ones(len(bids)),
        "ask_prices": np.array(asks, dtype=np.float64),
        "ask_quantities": np.ones(len(asks)),
        "bid_priority": None,
        "ask_priority": None,
    }


def _expected_utilities(
    mechanism: str, bids: tuple[float, ...], asks: tuple[float, ...], values: Any, costs: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Each trader's utility (true value minus price, times fill); SBBA: mean over the lottery."""
    market = _unit_market(bids, asks)
    if mechanism == "sbba":
        n_units = int(_efficient_volume(market))
        seeds = [_seed_for(n_units, r) for r in range(n_units)] or [0]
    else:
        seeds = [0]
    bu, au = np.zeros(len(bids)), np.zeros(len(asks))
    for seed in seeds:
        res = _clear(market, mechanism, rng=seed)
        bu += np.where(res.bid_filled > 0, res.bid_filled * (values - res.bid_price_paid), 0.0)
        au += np.where(res.ask_filled > 0, res.ask_filled * (res.ask_price_received - costs), 0.0)
    return bu / len(seeds), au / len(seeds)


@pytest.mark.parametrize("mechanism", ("mcafee", "sbba", "vcg"))
@given(
    values=st.lists(st.sampled_from(VALUES), min_size=1, max_size=3),
    costs=st.lists(st.sampled_from(VALUES), min_size=1, max_size=3),
)
def test_truthful(mechanism: str, values: list[float], costs: list[float]) -> None:
    """No single trader gains by reporting anything on the grid instead of its true value."""
    v, c = np.array(values), np.array(costs)
    truth_b, truth_a = _expected_utilities(mechanism, tuple(values), tuple(costs), v, c)
    assert np.all(truth_b >= 0) and np.all(truth_a >= 0)
    for i in range(len(values)):
        for report in REPORTS:
            bids = (*values[:i], report, *values[i + 1 :])
            lie_b, _ = _expected_utilities(mechanism, bids, tuple(costs), v, c)
            assert lie_b[i] <= truth_b[i] + 1e-12, (i, report, lie_b[i], truth_b[i])
    for j in range(len(costs)):
        for report in REPORTS:
            asks = (*costs[:j], report, *costs[j + 1 :])
            _, lie_a = _expected_utilities(mechanism, tuple(values), asks, v, c)
            assert lie_a[j] <= truth_a[j] + 1e-12, (j, report, lie_a[j], truth_a[j])
