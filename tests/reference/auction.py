"""Reference twins of ``clearing.double_auction`` and ``clearing.double_auction_batch``.

Orders are sorted with the documented tie-break (price, then priority, then input index)
and expanded into units: both sorted sides are cut at every order boundary of either side,
so the i-th unit is one slice of one bid order facing one slice of one ask order (whole
quantities give units of at most 1, quarters units of at most 1/4, and any float quantity
is cut exactly). The i-th bid unit is matched with the i-th ask unit while the bid price is
at least the ask price. Quantities are exact ``Fraction`` values, every sum is taken exactly
and rounded once to float64. Prices that the definitions write as a float formula
(``lo + k*(hi - lo)``, ``(b + s)/2``) are computed with that formula.

The twins return plain dictionaries with the field names of ``AuctionResult`` and
``BatchAuctionResult``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np

MECHANISMS = ("uniform", "mcafee", "sbba", "huang", "vcg", "pay_as_bid")

FILLED, PRICED_OUT, TRADE_REDUCTION, LOTTERY, PRICE_SETTER, RATIONED, ZERO_QUANTITY = range(7)

NAN = float("nan")


def _units(
    bid_order: list[int], bq: list[Fraction], ask_order: list[int], aq: list[Fraction]
) -> list[tuple[Fraction, int | None, int | None]]:
    """Cut both sorted sides into units at every order boundary of either side.

    Each unit is ``(width, bid order or None, ask order or None)``: the i-th unit is where
    the i-th slice of the sorted bid curve meets the i-th slice of the sorted ask curve.
    With whole quantities every unit is at most one; with quarters, at most a quarter;
    with any float quantity the boundaries are exact fractions, so nothing is rounded.
    """

    def spans(order: list[int], q: list[Fraction]) -> list[tuple[Fraction, Fraction, int]]:
        out, start = [], Fraction(0)
        for i in order:
            if q[i] > 0:
                out.append((start, start + q[i], i))
                start += q[i]
            # zero-quantity orders hold no unit
        return out

    bids, asks = spans(bid_order, bq), spans(ask_order, aq)
    cuts = sorted({Fraction(0)} | {e for _, e, _ in bids} | {e for _, e, _ in asks})

    def owner(side: list[tuple[Fraction, Fraction, int]], x: Fraction) -> int | None:
        return next((i for lo, hi, i in side if lo <= x < hi), None)

    return [(hi - lo, owner(bids, lo), owner(asks, lo)) for lo, hi in itertools.pairwise(cuts)]


def _exact(x: float) -> Fraction:
    return Fraction(x)


def _pair_trades(
    bid_fill: list[Fraction],
    ask_fill: list[Fraction],
    bid_paid: list[float],
    ask_received: list[float],
) -> dict[str, np.ndarray]:
    """Pair filled bids with filled asks in input order (two-pointer merge over quantities)."""
    bids = [i for i, f in enumerate(bid_fill) if f > 0]
    asks = [j for j, f in enumerate(ask_fill) if f > 0]
    assert sum(bid_fill) == sum(ask_fill), "both sides must trade the same volume"
    rows: list[tuple[int, int, Fraction]] = []
    i = j = 0
    left_bid = bid_fill[bids[0]] if bids else Fraction(0)
    left_ask = ask_fill[asks[0]] if asks else Fraction(0)
    while i < len(bids) and j < len(asks):
        q = min(left_bid, left_ask)
        rows.append((bids[i], asks[j], q))
        left_bid -= q
        left_ask -= q
        if left_bid == 0:
            i += 1
            left_bid = bid_fill[bids[i]] if i < len(bids) else Fraction(0)
        if left_ask == 0:
            j += 1
            left_ask = ask_fill[asks[j]] if j < len(asks) else Fraction(0)
    return {
        "trade_bid_index": np.array([r[0] for r in rows], dtype=np.int64),
        "trade_ask_index": np.array([r[1] for r in rows], dtype=np.int64),
        "trade_quantity": np.array([float(r[2]) for r in rows], dtype=np.float64),
        "trade_buyer_price": np.array([bid_paid[r[0]] for r in rows], dtype=np.float64),
        "trade_seller_price": np.array([ask_received[r[1]] for r in rows], dtype=np.float64),
    }


def _draw(rng: Any) -> float:
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return float(generator.random())


def _huang_ration(quantities: dict[int, Fraction], excess: Fraction) -> tuple[dict, Fraction]:
    """Equal reduction of the long side: returns ({order: fill}, share)."""
    active = dict(quantities)
    share = Fraction(0)
    while active:
        share = excess / len(active)
        dropping = [t for t, q in active.items() if q < share]
        if not dropping:
            break
        for t in dropping:  # dropping all at once or one at a time gives the same end state
            excess -= active.pop(t)
    fills = {t: Fraction(0) for t in quantities}
    for t, q in active.items():
        fills[t] = q - share
    return fills, share


def reference_auction(
    bid_prices: Any,
    bid_quantities: Any,
    ask_prices: Any,
    ask_quantities: Any,
    *,
    mechanism: str = "uniform",
    k: float = 0.5,
    bid_priority: Any = None,
    ask_priority: Any = None,
    rng: Any = None,
    u: float | None = None,
) -> dict[str, Any]:
    """Clear one market by unit expansion. ``u`` overrides the SBBA lottery draw."""
    if mechanism not in MECHANISMS:
        raise ValueError(mechanism)
    if mechanism in ("mcafee", "sbba"):
        assert all(float(q).is_integer() for q in [*bid_quantities, *ask_quantities])
    bp = [float(x) for x in np.asarray(bid_prices, dtype=np.float64)]
    ap = [float(x) for x in np.asarray(ask_prices, dtype=np.float64)]
    bq = [_exact(float(x)) for x in np.asarray(bid_quantities, dtype=np.float64)]
    aq = [_exact(float(x)) for x in np.asarray(ask_quantities, dtype=np.float64)]
    nb, na = len(bp), len(ap)
    bprio = [0.0] * nb if bid_priority is None else [float(x) for x in bid_priority]
    aprio = [0.0] * na if ask_priority is None else [float(x) for x in ask_priority]

    # --- the efficient allocation, unit by unit -------------------------------------------
    bid_order = sorted(range(nb), key=lambda i: (-bp[i], bprio[i], i))
    ask_order = sorted(range(na), key=lambda j: (ap[j], aprio[j], j))
    units = _units(bid_order, bq, ask_order, aq)
    n_units = 0  # match the i-th bid unit with the i-th ask unit while bid >= ask
    while n_units < len(units):
        _, i, j = units[n_units]
        if i is None or j is None or bp[i] < ap[j]:
            break
        n_units += 1
    eff_b = [Fraction(0)] * nb
    eff_a = [Fraction(0)] * na
    for width, i, j in units[:n_units]:
        eff_b[i] += width
        eff_a[j] += width
    Q = sum(eff_b, Fraction(0))

    if n_units:
        _, marg_b, marg_a = units[n_units - 1]
        b_k, s_k = bp[marg_b], ap[marg_a]
        _, next_b, next_a = units[n_units] if n_units < len(units) else (0, None, None)
        b_next = bp[next_b] if next_b is not None else -math.inf
        s_next = ap[next_a] if next_a is not None else math.inf
        lo, hi = max(s_k, b_next), min(b_k, s_next)
    else:
        b_k = s_k = b_next = s_next = lo = hi = NAN
        marg_b = marg_a = -1

    # --- default reasons: zero quantity / filled / priced out ------------------------------
    def base_reason(q: Fraction, f: Fraction) -> int:
        if q == 0:
            return ZERO_QUANTITY
        return FILLED if f == q else PRICED_OUT

    b_fill, a_fill = list(eff_b), list(eff_a)
    b_reason = [base_reason(q, f) for q, f in zip(bq, eff_b, strict=True)]
    a_reason = [base_reason(q, f) for q, f in zip(aq, eff_a, strict=True)]
    buyer_price = seller_price = price = NAN
    own_prices = False  # pay_as_bid: each order pays its own price

    if mechanism == "sbba":
        draw = _draw(rng) if u is None else float(u)  # one draw per market, always

    if n_units == 0:
        pass
    elif mechanism == "uniform":
        price = buyer_price = seller_price = lo + k * (hi - lo)
    elif mechanism == "vcg":
        buyer_price, seller_price = lo, hi
    elif mechanism == "pay_as_bid":
        own_prices = True
    elif mechanism == "mcafee":
        p0 = (b_next + s_next) / 2
        if math.isfinite(b_next) and math.isfinite(s_next) and s_k <= p0 <= b_k:
            price = buyer_price = seller_price = p0
        else:
            b_fill[marg_b] -= 1
            a_fill[marg_a] -= 1
            b_reason[marg_b] = TRADE_REDUCTION
            a_reason[marg_a] = TRADE_REDUCTION
            buyer_price, seller_price = b_k, s_k
    elif mechanism == "sbba":
        if s_next <= b_k:
            price = buyer_price = seller_price = s_next
        else:
            price = buyer_price = seller_price = b_k
            b_fill[marg_b] -= 1
            b_reason[marg_b] = TRADE_REDUCTION
            r = min(math.floor(draw * int(Q)), int(Q) - 1)
            start = 0
            for j in range(na):  # asks with a positive efficient fill, in input order
                if eff_a[j] > 0:
                    if start <= r < start + eff_a[j]:
                        a_fill[j] -= 1
                        a_reason[j] = LOTTERY
                        break
                    start += int(eff_a[j])
    elif mechanism == "huang":
        buyers = {i: bq[i] for i in range(nb) if eff_b[i] > 0 and i != marg_b}
        sellers = {j: aq[j] for j in range(na) if eff_a[j] > 0 and j != marg_a}
        assert all(eff_b[i] == q for i, q in buyers.items())
        assert all(eff_a[j] == q for j, q in sellers.items())
        b_fill = [Fraction(0)] * nb
        a_fill = [Fraction(0)] * na
        b_reason[marg_b] = PRICE_SETTER
        a_reason[marg_a] = PRICE_SETTER
        D, S = sum(buyers.values(), Fraction(0)), sum(sellers.values(), Fraction(0))
        long_side, short_side = (buyers, sellers) if D >= S else (sellers, buyers)
        long_fill, long_reason = (b_fill, b_reason) if D >= S else (a_fill, a_reason)
        short_fill = a_fill if D >= S else b_fill
        for t, q in short_side.items():
            short_fill[t] = q
        fills, share = _huang_ration(long_side, abs(D - S))
        for t, f in fills.items():
            long_fill[t] = f
            if share > 0:
                long_reason[t] = RATIONED
        buyer_price, seller_price = b_k, s_k

    volume = sum(b_fill, Fraction(0))
    assert volume == sum(a_fill, Fraction(0))
    if volume == 0:
        price = buyer_price = seller_price = NAN
    if own_prices:
        paid = [bp[i] if b_fill[i] > 0 else NAN for i in range(nb)]
        received = [ap[j] if a_fill[j] > 0 else NAN for j in range(na)]
    else:
        paid = [buyer_price if b_fill[i] > 0 else NAN for i in range(nb)]
        received = [seller_price if a_fill[j] > 0 else NAN for j in range(na)]

    def gains(bf: list[Fraction], af: list[Fraction]) -> Fraction:
        bids = sum((f * _exact(bp[i]) for i, f in enumerate(bf)), Fraction(0))
        asks = sum((f * _exact(ap[j]) for j, f in enumerate(af)), Fraction(0))
        return bids - asks

    welfare, max_welfare = float(gains(b_fill, a_fill)), float(gains(eff_b, eff_a))
    surplus = sum((f * _exact(paid[i]) for i, f in enumerate(b_fill) if f > 0), Fraction(0))
    surplus -= sum((f * _exact(received[j]) for j, f in enumerate(a_fill) if f > 0), Fraction(0))
    out: dict[str, Any] = {
        "bid_filled": np.array([float(f) for f in b_fill], dtype=np.float64),
        "ask_filled": np.array([float(f) for f in a_fill], dtype=np.float64),
        "bid_price_paid": np.array(paid, dtype=np.float64),
        "ask_price_received": np.array(received, dtype=np.float64),
        "bid_reason": np.array(b_reason, dtype=np.int8),
        "ask_reason": np.array(a_reason, dtype=np.int8),
        "volume": float(volume),
        "price": price,
        "buyer_price": buyer_price,
        "seller_price": seller_price,
        "clearing_range": (lo, hi),
        "welfare": welfare,
        "max_welfare": max_welfare,
        "efficiency": welfare / max_welfare if max_welfare != 0 else 1.0,
        "budget_surplus": float(surplus),
    }
    out.update(_pair_trades(b_fill, a_fill, paid, received))
    return out


ORDER_FIELDS = (
    "bid_filled",
    "ask_filled",
    "bid_price_paid",
    "ask_price_received",
    "bid_reason",
    "ask_reason",
)
TRADE_FIELDS = (
    "trade_bid_index",
    "trade_ask_index",
    "trade_quantity",
    "trade_buyer_price",
    "trade_seller_price",
)
MARKET_SCALARS = (
    "volume",
    "price",
    "buyer_price",
    "seller_price",
    "welfare",
    "max_welfare",
    "efficiency",
    "budget_surplus",
)


def reference_batch(
    bid_prices: Any,
    bid_quantities: Any,
    ask_prices: Any,
    ask_quantities: Any,
    *,
    bid_market: Any,
    ask_market: Any,
    mechanism: str = "uniform",
    k: float = 0.5,
    bid_priority: Any = None,
    ask_priority: Any = None,
    rng: Any = None,
) -> dict[str, Any]:
    """A loop of :func:`reference_auction` over markets in ascending id order."""
    bp, bq = np.asarray(bid_prices, dtype=np.float64), np.asarray(bid_quantities, np.float64)
    ap, aq = np.asarray(ask_prices, dtype=np.float64), np.asarray(ask_quantities, np.float64)
    bm, am = np.asarray(bid_market, dtype=np.int64), np.asarray(ask_market, dtype=np.int64)
    bpr = np.zeros(len(bp)) if bid_priority is None else np.asarray(bid_priority, np.float64)
    apr = np.zeros(len(ap)) if ask_priority is None else np.asarray(ask_priority, np.float64)
    markets = sorted(set(bm.tolist()) | set(am.tolist()))
    draws = [None] * len(markets)
    if mechanism == "sbba":
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        draws = [float(x) for x in generator.random(len(markets))]
    out: dict[str, Any] = {
        "bid_filled": np.zeros(len(bp)),
        "ask_filled": np.zeros(len(ap)),
        "bid_price_paid": np.full(len(bp), NAN),
        "ask_price_received": np.full(len(ap), NAN),
        "bid_reason": np.zeros(len(bp), dtype=np.int8),
        "ask_reason": np.zeros(len(ap), dtype=np.int8),
    }
    per_market: dict[str, list[Any]] = {name: [] for name in (*MARKET_SCALARS, "clearing_range")}
    trades: dict[str, list[np.ndarray]] = {name: [] for name in (*TRADE_FIELDS, "trade_market")}
    for m, draw in zip(markets, draws, strict=True):
        bi, ai = np.flatnonzero(bm == m), np.flatnonzero(am == m)
        one = reference_auction(
            bp[bi], bq[bi], ap[ai], aq[ai], mechanism=mechanism, k=k,
            bid_priority=bpr[bi], ask_priority=apr[ai], u=draw,
        )  # fmt: skip
        for name in ORDER_FIELDS:
            out[name][bi if name.startswith("bid") else ai] = one[name]
        for name in (*MARKET_SCALARS, "clearing_range"):
            per_market[name].append(one[name])
        trades["trade_bid_index"].append(bi[one["trade_bid_index"]])
        trades["trade_ask_index"].append(ai[one["trade_ask_index"]])
        for name in ("trade_quantity", "trade_buyer_price", "trade_seller_price"):
            trades[name].append(one[name])
        trades["trade_market"].append(np.full(len(one["trade_bid_index"]), m, dtype=np.int64))
    out["market"] = np.array(markets, dtype=np.int64)
    for name in MARKET_SCALARS:
        out[name] = np.array(per_market[name], dtype=np.float64)
    out["clearing_range"] = np.array(per_market["clearing_range"], dtype=np.float64).reshape(-1, 2)
    for name, parts in trades.items():
        dtype = (
            np.int64
            if name in ("trade_bid_index", "trade_ask_index", "trade_market")
            else np.float64
        )
        out[name] = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return out


# --- shared test helpers: random markets and field-by-field comparison ----------------------

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    st = None

#: Prices on coarse grids (many ties) whose sums and products stay exact in float64.
PRICE_GRIDS = ([x / 2 for x in range(13)], [x / 8 for x in range(201)])


def _market_strategy() -> Any:
    @st.composite
    def markets(
        draw: Any, *, whole: bool = False, max_orders: int = 6, priorities: bool = True
    ) -> dict[str, Any]:
        """One random market: ties, zero quantities, empty sides, equal prices, priorities."""
        grid = draw(st.sampled_from(PRICE_GRIDS))
        price = st.sampled_from(grid)
        if draw(st.integers(0, 7)) == 0:  # every price equal
            price = st.just(draw(price))
        quantity = (
            st.integers(0, 3).map(float) if whole else st.integers(0, 12).map(lambda x: x / 4)
        )
        market: dict[str, Any] = {}
        for side in ("bid", "ask"):
            n = draw(st.integers(0, max_orders))
            market[f"{side}_prices"] = np.array(draw(st.lists(price, min_size=n, max_size=n)))
            market[f"{side}_quantities"] = np.array(
                draw(st.lists(quantity, min_size=n, max_size=n))
            )
            use = priorities and draw(st.booleans())
            prio = draw(st.lists(st.integers(0, 2).map(float), min_size=n, max_size=n))
            market[f"{side}_priority"] = np.array(prio) if use else None
        for side in ("bid", "ask"):  # keep float64 even when a side is empty
            for name in ("prices", "quantities"):
                key = f"{side}_{name}"
                market[key] = np.asarray(market[key], dtype=np.float64).reshape(-1)
        return market

    return markets


markets = _market_strategy() if st is not None else None

#: k values whose prices stay exact in float64 (plus the defaults' edge cases).
DYADIC_K = (0.0, 0.125, 0.25, 0.5, 0.75, 1.0)


def assert_matches(got: dict[str, Any], want: dict[str, Any], *, rtol: float = 0.0) -> None:
    """Every field of ``want`` equals the same field of ``got`` (NaN equals NaN).

    ``rtol == 0`` asks for exact equality; otherwise floats are compared with relative
    tolerance ``rtol`` (and the same absolute tolerance, scaled by the largest value) while
    integer fields, array shapes and NaN positions must still agree exactly.
    """
    for name, w in want.items():
        g = got[name]
        w_arr, g_arr = np.asarray(w), np.asarray(g)
        assert g_arr.shape == w_arr.shape, f"{name}: shape {g_arr.shape} != {w_arr.shape}"
        if isinstance(w, np.ndarray):
            assert g_arr.dtype == w.dtype, f"{name}: dtype {g_arr.dtype} != {w.dtype}"
        if rtol == 0.0 or w_arr.dtype.kind != "f":
            np.testing.assert_array_equal(g_arr, w_arr, err_msg=name, strict=True)
            continue
        np.testing.assert_array_equal(np.isnan(g_arr), np.isnan(w_arr), err_msg=f"{name} NaNs")
        finite = w_arr[~np.isnan(w_arr)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        np.testing.assert_allclose(
            g_arr, w_arr, rtol=rtol, atol=rtol * max(scale, 1.0), equal_nan=True, err_msg=name
        )
