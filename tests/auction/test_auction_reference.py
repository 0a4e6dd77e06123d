"""Every double-auction mechanism agrees with its unit-expansion twin.

The twin (``tests/reference/auction.py``) expands orders into units and sorts them with the
documented tie-break. Prices live on grids of halves and eighths and quantities on quarters,
so every float the kernel computes is exact and the comparison can be exact too; Huang's
equal-reduction rationing divides by the number of long-side traders, so its fills and the
sums built on them are compared with a 1e-9 relative tolerance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from reference.auction import DYADIC_K, MECHANISMS, assert_matches, markets, reference_auction

from clearing import MECHANISMS as PUBLIC_MECHANISMS
from clearing import double_auction

UNIT_MECHANISMS = ("mcafee", "sbba")
EMPTY = np.zeros(0)


def _market(bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "bid_prices": np.array([p for p, _ in bids], dtype=np.float64),
        "bid_quantities": np.array([q for _, q in bids], dtype=np.float64),
        "ask_prices": np.array([p for p, _ in asks], dtype=np.float64),
        "ask_quantities": np.array([q for _, q in asks], dtype=np.float64),
        "bid_priority": None,
        "ask_priority": None,
    }


#: Hand-picked edges every mechanism must get right, whatever hypothesis happens to draw.
EDGE_MARKETS = {
    "both_empty": _market([], []),
    "no_asks": _market([(5.0, 2.0), (4.0, 1.0)], []),
    "no_bids": _market([], [(1.0, 1.0), (3.0, 2.0)]),
    "single_bid": _market([(5.0, 1.0)], []),
    "single_pair": _market([(5.0, 1.0)], [(3.0, 1.0)]),
    "single_pair_no_trade": _market([(2.0, 1.0)], [(3.0, 1.0)]),
    "all_zero_quantity": _market([(5.0, 0.0), (6.0, 0.0)], [(1.0, 0.0)]),
    "zero_quantity_in_front": _market([(9.0, 0.0), (5.0, 2.0)], [(0.0, 0.0), (1.0, 3.0)]),
    "all_prices_equal": _market([(2.0, 1.0), (2.0, 2.0), (2.0, 1.0)], [(2.0, 2.0), (2.0, 1.0)]),
    "ties_at_margin": _market(
        [(6.0, 1.0), (4.0, 1.0), (4.0, 2.0), (1.0, 1.0)],
        [(2.0, 1.0), (4.0, 1.0), (4.0, 2.0), (7.0, 1.0)],
    ),
    "one_unit_each_side_many": _market([(3.0, 1.0)] * 4, [(1.0, 1.0)] * 2),
    "huang_dropout": _market(
        [(10.0, 0.5), (9.0, 3.0), (8.0, 1.0), (2.0, 1.0)], [(1.0, 1.0), (3.0, 4.0), (11.0, 1.0)]
    ),
}


def _run(market: dict[str, Any], mechanism: str, k: float, seed: int) -> dict[str, Any]:
    return double_auction(**market, mechanism=mechanism, k=k, rng=seed).to_dict()


def _check(market: dict[str, Any], mechanism: str, k: float, seed: int) -> None:
    got = _run(market, mechanism, k, seed)
    want = reference_auction(**market, mechanism=mechanism, k=k, rng=seed)
    assert_matches(got, want, rtol=1e-9 if mechanism == "huang" else 0.0)


def test_twin_covers_every_public_mechanism() -> None:
    assert tuple(PUBLIC_MECHANISMS) == MECHANISMS


def _whole(market: dict[str, Any]) -> bool:
    quantities = np.concatenate([market["bid_quantities"], market["ask_quantities"]])
    return bool(np.all(quantities % 1 == 0))


@pytest.mark.parametrize(
    ("mechanism", "name"),
    [
        (mechanism, name)
        for mechanism in MECHANISMS
        for name in sorted(EDGE_MARKETS)
        if mechanism not in UNIT_MECHANISMS or _whole(EDGE_MARKETS[name])
    ],
)
def test_edge_markets_agree(mechanism: str, name: str) -> None:
    market = EDGE_MARKETS[name]
    for seed in (0, 1, 2):
        _check(market, mechanism, 0.5, seed)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@given(data=st.data())
def test_kernel_agrees_with_twin(mechanism: str, data: st.DataObject) -> None:
    market = data.draw(markets(whole=mechanism in UNIT_MECHANISMS), label="market")
    k = data.draw(st.sampled_from(DYADIC_K), label="k")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    _check(market, mechanism, k, seed)


@given(
    market=markets(),
    k=st.floats(0.0, 1.0, allow_nan=False),
)
def test_uniform_price_formula_any_k(market: dict[str, Any], k: float) -> None:
    """With any k the price is exactly ``lo + k*(hi - lo)`` of the twin's clearing range."""
    got = _run(market, "uniform", k, 0)
    want = reference_auction(**market, mechanism="uniform", k=k)
    for name in ("price", "buyer_price", "seller_price", "clearing_range", "volume"):
        np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(want[name]), name)
    np.testing.assert_array_equal(got["bid_price_paid"], want["bid_price_paid"])
    np.testing.assert_array_equal(got["ask_price_received"], want["ask_price_received"])


@given(market=markets(whole=True, max_orders=8))
def test_sbba_lottery_follows_the_draw(market: dict[str, Any]) -> None:
    """The SBBA lottery drops ask unit ``floor(u*Q)`` with ``u`` the market's one draw."""
    for seed in range(4):
        u = float(np.random.default_rng(seed).random())
        got = _run(market, "sbba", 0.5, seed)
        want = reference_auction(**market, mechanism="sbba", u=u)
        assert_matches(got, want)


# --- decimal quantities: the kernel's float sums against the twin's exact ones ----------------

DIVISIBLE = ("uniform", "huang", "vcg", "pay_as_bid")
STRUCTURE = (
    "bid_reason",
    "ask_reason",
    "clearing_range",
    "price",
    "buyer_price",
    "seller_price",
    "bid_price_paid",
    "ask_price_received",
    "trade_bid_index",
    "trade_ask_index",
    "trade_buyer_price",
    "trade_seller_price",
)
AMOUNTS = (
    "bid_filled",
    "ask_filled",
    "volume",
    "welfare",
    "max_welfare",
    "efficiency",
    "budget_surplus",
    "trade_quantity",
)


@st.composite
def decimal_markets(draw: Any) -> dict[str, Any]:
    """Quantities in tenths (0.1 is not a binary fraction) and prices in tenths."""
    market = dict(draw(markets(max_orders=6)))
    for side in ("bid", "ask"):
        n = len(market[f"{side}_prices"])
        tenths = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
        market[f"{side}_quantities"] = np.array(tenths, dtype=np.float64).reshape(-1) / 10
        if draw(st.booleans()):
            cents = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
            market[f"{side}_prices"] = np.array(cents, dtype=np.float64).reshape(-1) / 10
    return market


@pytest.mark.parametrize("mechanism", DIVISIBLE)
@given(market=decimal_markets(), k=st.sampled_from(DYADIC_K))
# orders fully consumed although float running sums leave a residue of one ulp
@example(market=_market([(0.0, 0.2), (0.0, 0.1), (0.0, 0.2)], [(0.0, 0.6)]), k=0.5)
@example(market=_market([(0.5, 0.8)], [(0.0, 0.2), (0.0, 0.5)]), k=0.5)
@example(market=_market([(9.3, 2.2)], [(4.4, 0.1), (2.0, 0.8)]), k=0.0)
# every price equal: no unit has any surplus, so max_welfare is 0 and efficiency 1
@example(market=_market([(0.5, 0.1), (0.5, 3.0)], [(0.5, 0.3), (0.5, 2.8)]), k=0.0)
def test_decimal_quantities_agree_with_exact_twin(
    mechanism: str, market: dict[str, Any], k: float
) -> None:
    """Same answer as exact arithmetic, except on knife edges where reading the quantities as
    decimals (0.1 + 0.2 == 0.3) and as the binary floats they are (0.1 + 0.2 > 0.3) differ."""
    exact = reference_auction(**market, mechanism=mechanism, k=k)
    as_decimals = {
        **market,
        "bid_quantities": np.round(market["bid_quantities"] * 10),
        "ask_quantities": np.round(market["ask_quantities"] * 10),
    }
    decimal = reference_auction(**as_decimals, mechanism=mechanism, k=k)
    knife_edge = any(
        not np.array_equal(np.asarray(exact[f]), np.asarray(decimal[f]), equal_nan=True)
        for f in STRUCTURE
    )
    assume(not knife_edge)
    got = _run(market, mechanism, k, 0)
    assert_matches(got, {f: exact[f] for f in STRUCTURE})
    assert_matches(got, {f: exact[f] for f in AMOUNTS}, rtol=1e-9)
