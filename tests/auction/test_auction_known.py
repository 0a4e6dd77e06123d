"""Known answers, worked by hand from the definitions in the papers.

Notation: bids sorted by price descending, asks ascending, each order expanded into units;
k units trade efficiently; b_k, s_k are the prices of the last matched bid and ask units,
b_{k+1}, s_{k+1} those of the first unmatched ones (-inf / +inf when absent).
Reasons: FILLED=0, PRICED_OUT=1, TRADE_REDUCTION=2, LOTTERY=3, PRICE_SETTER=4, RATIONED=5,
ZERO_QUANTITY=6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from clearing import AuctionReason, double_auction

nan = np.nan

# Market A (divisible, but whole numbers so every mechanism accepts it).
#   bids (price x qty): 10 x 2, 8 x 1, 6 x 2      -> bid units 10 10 8 6 6
#   asks:                3 x 1, 5 x 2, 7 x 2, 9 x 1 -> ask units 3 5 5 7 7 9
#   unit pairs: (10,3) (10,5) (8,5) trade; (6,7) does not -> k = 3
#   b_k = 8, s_k = 5, b_{k+1} = 6, s_{k+1} = 7
#   clearing range = [max(s_k, b_{k+1}), min(b_k, s_{k+1})] = [max(5,6), min(8,7)] = [6, 7]
#   efficient fills: bids 2, 1, 0; asks 1, 2, 0, 0
#   max welfare = (10*2 + 8*1) - (3*1 + 5*2) = 28 - 13 = 15
A = ([10.0, 8.0, 6.0], [2.0, 1.0, 2.0], [3.0, 5.0, 7.0, 9.0], [1.0, 2.0, 2.0, 1.0])


def _check_efficient_fills(res: Any) -> None:
    np.testing.assert_array_equal(res.bid_filled, [2, 1, 0])
    np.testing.assert_array_equal(res.ask_filled, [1, 2, 0, 0])
    np.testing.assert_array_equal(res.bid_reason, [0, 0, 1])
    np.testing.assert_array_equal(res.ask_reason, [0, 0, 1, 1])


def test_reason_codes() -> None:
    assert [int(r) for r in AuctionReason] == list(range(7))
    assert (
        AuctionReason.TRADE_REDUCTION == 2
        and AuctionReason.LOTTERY == 3
        and AuctionReason.RATIONED == 5
    )


@pytest.mark.parametrize(("k", "price"), [(0.0, 6.0), (0.5, 6.5), (1.0, 7.0), (0.25, 6.25)])
def test_uniform_k_double_auction(k: float, price: float) -> None:
    # price = lo + k*(hi - lo) = 6 + k*(7 - 6); everyone pays / receives it
    res = double_auction(*A, mechanism="uniform", k=k)
    _check_efficient_fills(res)
    assert tuple(res.clearing_range) == (6.0, 7.0)
    assert res.price == res.buyer_price == res.seller_price == price
    np.testing.assert_array_equal(res.bid_price_paid, [price, price, nan])
    np.testing.assert_array_equal(res.ask_price_received, [price, price, nan, nan])
    assert res.volume == 3.0 and res.welfare == res.max_welfare == 15.0
    assert res.efficiency == 1.0 and res.budget_surplus == 0.0
    # trades pair filled orders in input order: bid0 (2) with ask0 (1) then ask1 (1),
    # then bid1 (1) with the rest of ask1 (1)
    np.testing.assert_array_equal(res.trade_bid_index, [0, 0, 1])
    np.testing.assert_array_equal(res.trade_ask_index, [0, 1, 1])
    np.testing.assert_array_equal(res.trade_quantity, [1.0, 1.0, 1.0])


def test_uniform_partial_fill_of_the_marginal_order() -> None:
    # bids 9 x 1.5, 4 x 1; asks 2 x 0.75, 3 x 2
    # units: [0, .75) 9 vs 2; [.75, 1.5) 9 vs 3; [1.5, 2.5) 4 vs 3 -> matched up to 2.5
    #   (ask 3 holds [0.75, 2.75)); bids run out at 2.5 -> k = 2.5
    # b_k = 4, s_k = 3, b_{k+1} = -inf, s_{k+1} = 3 -> range [3, min(4, 3)] = [3, 3]
    # the ask at 3 is the marginal order: filled 1.75 of 2 -> PRICED_OUT
    res = double_auction([9.0, 4.0], [1.5, 1.0], [2.0, 3.0], [0.75, 2.0], mechanism="uniform")
    np.testing.assert_array_equal(res.bid_filled, [1.5, 1.0])
    np.testing.assert_array_equal(res.ask_filled, [0.75, 1.75])
    np.testing.assert_array_equal(res.ask_reason, [AuctionReason.FILLED, AuctionReason.PRICED_OUT])
    assert tuple(res.clearing_range) == (3.0, 3.0) and res.price == 3.0
    # welfare = 9*1.5 + 4*1 - (2*0.75 + 3*1.75) = 17.5 - 6.75 = 10.75
    assert res.volume == 2.5 and res.welfare == 10.75


def test_vcg_deficit() -> None:
    # buyers pay lo = max(b_{k+1}, s_k) = max(6, 5) = 6;
    # sellers receive hi = min(s_{k+1}, b_k) = min(7, 8) = 7
    # budget = 3 units * (6 - 7) = -3 (a deficit, reported)
    res = double_auction(*A, mechanism="vcg")
    _check_efficient_fills(res)
    assert res.buyer_price == 6.0 and res.seller_price == 7.0 and np.isnan(res.price)
    np.testing.assert_array_equal(res.bid_price_paid, [6.0, 6.0, nan])
    np.testing.assert_array_equal(res.ask_price_received, [7.0, 7.0, nan, nan])
    assert res.budget_surplus == -3.0 and res.welfare == 15.0


def test_pay_as_bid() -> None:
    # each buyer pays its bid, each seller receives its ask:
    # surplus = (10*2 + 8*1) - (3*1 + 5*2) = 28 - 13 = 15 (the whole gain stays with the market)
    res = double_auction(*A, mechanism="pay_as_bid")
    _check_efficient_fills(res)
    np.testing.assert_array_equal(res.bid_price_paid, [10.0, 8.0, nan])
    np.testing.assert_array_equal(res.ask_price_received, [3.0, 5.0, nan, nan])
    assert np.isnan(res.buyer_price) and np.isnan(res.seller_price) and np.isnan(res.price)
    assert res.budget_surplus == 15.0
    np.testing.assert_array_equal(res.trade_buyer_price, [10.0, 10.0, 8.0])
    np.testing.assert_array_equal(res.trade_seller_price, [3.0, 5.0, 5.0])


def test_mcafee_no_reduction() -> None:
    # p0 = (b_{k+1} + s_{k+1}) / 2 = (6 + 7) / 2 = 6.5 and s_k = 5 <= 6.5 <= b_k = 8:
    # all k = 3 units trade at 6.5 (McAfee 1992, case 1)
    res = double_auction(*A, mechanism="mcafee")
    _check_efficient_fills(res)
    assert res.price == res.buyer_price == res.seller_price == 6.5
    assert res.budget_surplus == 0.0 and res.efficiency == 1.0


def test_mcafee_trade_reduction() -> None:
    # unit bids 10, 8, 1 and asks 3, 5, 6: (10,3) (8,5) trade, (1,6) not -> k = 2
    # b_k = 8, s_k = 5, b_{k+1} = 1, s_{k+1} = 6; p0 = (1 + 6)/2 = 3.5 < s_k = 5
    # -> case 2: the k-th pair (bid 8, ask 5) is excluded, buyer pays b_k = 8,
    #    seller receives s_k = 5, the market keeps 8 - 5 = 3
    res = double_auction(
        [10.0, 8.0, 1.0], [1, 1, 1], [3.0, 5.0, 6.0], [1, 1, 1], mechanism="mcafee"
    )
    np.testing.assert_array_equal(res.bid_filled, [1, 0, 0])
    np.testing.assert_array_equal(res.ask_filled, [1, 0, 0])
    np.testing.assert_array_equal(
        res.bid_reason, [0, AuctionReason.TRADE_REDUCTION, AuctionReason.PRICED_OUT]
    )
    np.testing.assert_array_equal(
        res.ask_reason, [0, AuctionReason.TRADE_REDUCTION, AuctionReason.PRICED_OUT]
    )
    assert res.buyer_price == 8.0 and res.seller_price == 5.0 and np.isnan(res.price)
    assert res.budget_surplus == 3.0
    # welfare = 10 - 3 = 7 of max (10 - 3) + (8 - 5) = 10
    assert res.welfare == 7.0 and res.max_welfare == 10.0 and res.efficiency == 0.7
    assert tuple(res.clearing_range) == (5.0, 6.0)


def test_mcafee_reduction_when_a_side_has_no_next_unit() -> None:
    # bids 10 x 1, 8 x 2; asks 3, 5, 9 (units). The marginal bid order (8 x 2) holds both
    # unit k and unit k+1.
    res = double_auction([10.0, 8.0], [1, 2], [3.0, 5.0, 9.0], [1, 1, 1], mechanism="mcafee")
    # bid units 10, 8, 8; ask units 3, 5, 9 -> pairs (10,3) (8,5); (8,9) no -> k = 2,
    # b_{k+1} = 8, s_{k+1} = 9, p0 = 8.5 > b_k = 8 -> reduction: bid order 1 fills 1 - 1 = 0
    np.testing.assert_array_equal(res.bid_filled, [1, 0])
    np.testing.assert_array_equal(res.ask_filled, [1, 0, 0])
    assert res.bid_reason[1] == AuctionReason.TRADE_REDUCTION
    assert res.buyer_price == 8.0 and res.seller_price == 5.0 and res.budget_surplus == 3.0
    # and with no bid beyond the k-th at all (b_{k+1} = -inf, p0 undefined -> reduction):
    res = double_auction([10.0, 8.0], [1, 1], [3.0, 5.0], [1, 1], mechanism="mcafee")
    np.testing.assert_array_equal(res.bid_filled, [1, 0])
    assert res.volume == 1.0 and res.budget_surplus == 3.0


def test_sbba_single_price_no_lottery() -> None:
    # s_{k+1} = 7 <= b_k = 8: all k = 3 units trade at p = s_{k+1} = 7 (SBBA, case 1)
    res = double_auction(*A, mechanism="sbba", rng=0)
    _check_efficient_fills(res)
    assert res.price == res.buyer_price == res.seller_price == 7.0
    assert res.budget_surplus == 0.0


@pytest.mark.parametrize(("seed", "loser"), [(2, 0), (0, 1)])
def test_sbba_lottery(seed: int, loser: int) -> None:
    # unit bids 10, 8, 1; asks in input order 5, 3, 9: sorted asks 3, 5, 9
    # pairs (10,3) (8,5) trade, (1,9) not -> k = 2; b_k = 8 < s_{k+1} = 9 -> case 2:
    # p = b_k = 8 for everyone; the k-th buyer (bid 8) is excluded (TRADE_REDUCTION);
    # one of the k efficient sellers is excluded by lottery: r = floor(u*2), walking the
    # efficient asks in INPUT order (ask 0 at 5, then ask 1 at 3).
    # seed 2: u = 0.2616... -> r = 0 -> ask 0 loses; seed 0: u = 0.6369... -> r = 1 -> ask 1
    res = double_auction(
        [10.0, 8.0, 1.0], [1, 1, 1], [5.0, 3.0, 9.0], [1, 1, 1], mechanism="sbba", rng=seed
    )
    np.testing.assert_array_equal(res.bid_filled, [1, 0, 0])
    np.testing.assert_array_equal(
        res.bid_reason, [0, AuctionReason.TRADE_REDUCTION, AuctionReason.PRICED_OUT]
    )
    expected = [1.0, 1.0, 0.0]
    expected[loser] = 0.0
    np.testing.assert_array_equal(res.ask_filled, expected)
    assert res.ask_reason[loser] == AuctionReason.LOTTERY
    assert res.price == 8.0 and res.budget_surplus == 0.0 and res.volume == 1.0
    winner = 1 - loser
    assert res.ask_price_received[winner] == 8.0
    # same answer with a Generator in place of the seed
    again = double_auction(
        [10.0, 8.0, 1.0],
        [1, 1, 1],
        [5.0, 3.0, 9.0],
        [1, 1, 1],
        mechanism="sbba",
        rng=np.random.default_rng(seed),
    )
    np.testing.assert_array_equal(again.ask_filled, expected)


def test_huang_simple() -> None:
    # price setters: the marginal bid order (8 x 1) and the marginal ask order (5 x 2) do not
    # trade. Participants: buyers {bid0: 2} -> D = 2; sellers {ask0: 1} -> S = 1.
    # Buyers are the long side: E = 1, n = 1, share = 1 -> bid0 trades 2 - 1 = 1.
    # Buyers pay b_k = 8, sellers receive s_k = 5; surplus = 1 * (8 - 5) = 3.
    res = double_auction(*A, mechanism="huang")
    np.testing.assert_allclose(res.bid_filled, [1, 0, 0])
    np.testing.assert_allclose(res.ask_filled, [1, 0, 0, 0])
    np.testing.assert_array_equal(
        res.bid_reason, [AuctionReason.RATIONED, AuctionReason.PRICE_SETTER, 1]
    )
    np.testing.assert_array_equal(res.ask_reason, [0, AuctionReason.PRICE_SETTER, 1, 1])
    assert res.buyer_price == 8.0 and res.seller_price == 5.0 and np.isnan(res.price)
    assert res.volume == 1.0 and res.budget_surplus == 3.0 and res.welfare == 7.0


def test_huang_rationing_with_a_dropout() -> None:
    # bids 10 x 0.5, 9 x 3, 8 x 1, 2 x 1; asks 1 x 1, 3 x 4, 11 x 1
    # units: [0,.5) 10 vs 1; [.5,1) 9 vs 1; [1,3.5) 9 vs 3; [3.5,4.5) 8 vs 3; [4.5,..) 2 vs 3 no
    # -> k = 4.5, b_k = 8 (bid 2 is the price setter), s_k = 3 (ask 1, filled 3.5 of 4)
    # Participants: buyers {bid0: 0.5, bid1: 3} D = 3.5; sellers {ask0: 1} S = 1.
    # Buyers long: E = 2.5, n = 2, share = 1.25; bid0 has 0.5 < 1.25 -> drops out;
    # E = 2.5 - 0.5 = 2, n = 1, share = 2; bid1 3 >= 2 stays: fill 3 - 2 = 1.
    # volume = 1; buyer pays 8, seller receives 3; surplus 5; welfare = 9 - 1 = 8
    res = double_auction(
        [10.0, 9.0, 8.0, 2.0], [0.5, 3.0, 1.0, 1.0], [1.0, 3.0, 11.0], [1.0, 4.0, 1.0],
        mechanism="huang",
    )  # fmt: skip
    np.testing.assert_allclose(res.bid_filled, [0.0, 1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(res.ask_filled, [1.0, 0.0, 0.0], atol=1e-12)
    R = AuctionReason
    np.testing.assert_array_equal(res.bid_reason, [R.RATIONED, R.RATIONED, R.PRICE_SETTER, 1])
    np.testing.assert_array_equal(res.ask_reason, [R.FILLED, R.PRICE_SETTER, R.PRICED_OUT])
    assert np.isnan(res.bid_price_paid[0]) and res.bid_price_paid[1] == 8.0
    assert res.ask_price_received[0] == 3.0
    assert res.volume == pytest.approx(1.0) and res.budget_surplus == pytest.approx(5.0)
    assert res.welfare == pytest.approx(8.0)
    # max welfare = 10*.5 + 9*3 + 8*1 - (1*1 + 3*3.5) = 40 - 11.5 = 28.5
    assert res.max_welfare == 28.5
    assert tuple(res.clearing_range) == (3.0, 3.0)


def test_huang_equal_reduction_of_sellers() -> None:
    # bids 10 x 3, 5 x 1; asks 1 x 2, 2 x 1.5, 3 x 1
    # units: [0,3) 10 vs asks 1 then 2; [3,3.5) 5 vs 2; [3.5,4) 5 vs 3 -> k = 4 (bids run out)
    # price setters: bid1 (5), ask2 (3, filled 0.5). D = 3 (bid0); S = 2 + 1.5 = 3.5.
    # Sellers long: E = 0.5, n = 2, share = 0.25; nobody below it -> fills 1.75 and 1.25.
    # welfare = 30 - (1.75 + 2.5) = 25.75; surplus = 3 * (5 - 3) = 6
    res = double_auction(
        [10.0, 5.0], [3.0, 1.0], [1.0, 2.0, 3.0], [2.0, 1.5, 1.0], mechanism="huang"
    )
    np.testing.assert_allclose(res.bid_filled, [3.0, 0.0])
    np.testing.assert_allclose(res.ask_filled, [1.75, 1.25, 0.0])
    np.testing.assert_array_equal(
        res.bid_reason, [AuctionReason.FILLED, AuctionReason.PRICE_SETTER]
    )
    np.testing.assert_array_equal(
        res.ask_reason, [AuctionReason.RATIONED, AuctionReason.RATIONED, AuctionReason.PRICE_SETTER]
    )
    assert res.welfare == pytest.approx(25.75) and res.budget_surplus == pytest.approx(6.0)
    np.testing.assert_array_equal(res.trade_bid_index, [0, 0])
    np.testing.assert_array_equal(res.trade_ask_index, [0, 1])
    np.testing.assert_allclose(res.trade_quantity, [1.75, 1.25])


def test_priority_breaks_price_ties() -> None:
    # three unit bids at 5 with priorities 2, 0, 1 (lower first); one ask 3 x 2
    # order: bid1, bid2, bid0 -> bids 1 and 2 trade; bid0 is priced out by the tie-break
    # b_k = 5, s_k = 3, b_{k+1} = 5, s_{k+1} = +inf -> range [5, 5]
    res = double_auction([5.0, 5.0, 5.0], [1, 1, 1], [3.0], [2], bid_priority=[2, 0, 1])
    np.testing.assert_array_equal(res.bid_filled, [0, 1, 1])
    assert tuple(res.clearing_range) == (5.0, 5.0) and res.price == 5.0
    # without priorities the input order decides: bids 0 and 1 trade
    res = double_auction([5.0, 5.0, 5.0], [1, 1, 1], [3.0], [2])
    np.testing.assert_array_equal(res.bid_filled, [1, 1, 0])


def test_zero_quantity_orders_take_no_part() -> None:
    # the 0-quantity bid at 100 and ask at 0 would otherwise set the margin
    res = double_auction([100.0, 5.0], [0.0, 1.0], [0.0, 4.0], [0.0, 1.0], mechanism="uniform")
    np.testing.assert_array_equal(
        res.bid_reason, [AuctionReason.ZERO_QUANTITY, AuctionReason.FILLED]
    )
    np.testing.assert_array_equal(
        res.ask_reason, [AuctionReason.ZERO_QUANTITY, AuctionReason.FILLED]
    )
    # k = 1: b_k = 5, s_k = 4, nothing beyond -> range [4, 5], price 4.5
    assert tuple(res.clearing_range) == (4.0, 5.0) and res.price == 4.5
