"""Reference twins of ``clearing.double_auction`` and ``clearing.double_auction_batch``.

Every order is expanded into units of one common size (``1/L`` where ``L`` is the least
common multiple of the quantities' denominators, so whole quantities give whole units and
multiples of 0.25 give quarter units); the units are sorted with the documented tie-break
(price, then priority, then input index) and the i-th bid unit is matched with the i-th ask
unit while the bid price is at least the ask price. Fills are exact ``Fraction`` values and
every sum is taken exactly, then rounded once to float64. Prices that the definitions write
as a float formula (``lo + k*(hi - lo)``, ``(b + s)/2``) are computed with that formula.

The twins return plain dictionaries with the field names of ``AuctionResult`` and
``BatchAuctionResult``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

MECHANISMS = ("uniform", "mcafee", "sbba", "huang", "vcg", "pay_as_bid")

FILLED, PRICED_OUT, TRADE_REDUCTION, LOTTERY, PRICE_SETTER, RATIONED, ZERO_QUANTITY = range(7)

MAX_UNITS = 200_000
NAN = float("nan")


def _unit_denominator(quantities: list[Fraction]) -> int:
    denominator = 1
    for q in quantities:
        denominator = math.lcm(denominator, q.denominator)
    return denominator


def _expand(order: list[int], units: list[int]) -> list[int]:
    """Order indices repeated once per unit, in the given order."""
    out: list[int] = []
    for i in order:
        out.extend([i] * units[i])
    return out


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
        "trade_bid": np.array([r[0] for r in rows], dtype=np.int64),
        "trade_ask": np.array([r[1] for r in rows], dtype=np.int64),
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
    bp = [float(x) for x in np.asarray(bid_prices, dtype=np.float64)]
    ap = [float(x) for x in np.asarray(ask_prices, dtype=np.float64)]
    bq = [_exact(float(x)) for x in np.asarray(bid_quantities, dtype=np.float64)]
    aq = [_exact(float(x)) for x in np.asarray(ask_quantities, dtype=np.float64)]
    nb, na = len(bp), len(ap)
    bprio = [0.0] * nb if bid_priority is None else [float(x) for x in bid_priority]
    aprio = [0.0] * na if ask_priority is None else [float(x) for x in ask_priority]

    # --- the efficient allocation, unit by unit -------------------------------------------
    L = _unit_denominator(bq + aq)
    b_units = [int(q * L) for q in bq]
    a_units = [int(q * L) for q in aq]
    if sum(b_units) + sum(a_units) > MAX_UNITS:
        raise ValueError("market too large for the unit-expansion reference")
    bid_order = sorted(range(nb), key=lambda i: (-bp[i], bprio[i], i))
    ask_order = sorted(range(na), key=lambda j: (ap[j], aprio[j], j))
    bu = _expand(bid_order, b_units)
    au = _expand(ask_order, a_units)
    n_units = 0
    while n_units < len(bu) and n_units < len(au) and bp[bu[n_units]] >= ap[au[n_units]]:
        n_units += 1
    eff_b = [Fraction(0)] * nb
    eff_a = [Fraction(0)] * na
    for t in range(n_units):
        eff_b[bu[t]] += Fraction(1, L)
        eff_a[au[t]] += Fraction(1, L)
    Q = Fraction(n_units, L)

    if n_units:
        b_k, s_k = bp[bu[n_units - 1]], ap[au[n_units - 1]]
        marg_b, marg_a = bu[n_units - 1], au[n_units - 1]
        b_next = bp[bu[n_units]] if n_units < len(bu) else -math.inf
        s_next = ap[au[n_units]] if n_units < len(au) else math.inf
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
    "trade_bid",
    "trade_ask",
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
        trades["trade_bid"].append(bi[one["trade_bid"]])
        trades["trade_ask"].append(ai[one["trade_ask"]])
        for name in ("trade_quantity", "trade_buyer_price", "trade_seller_price"):
            trades[name].append(one[name])
        trades["trade_market"].append(np.full(len(one["trade_bid"]), m, dtype=np.int64))
    out["market"] = np.array(markets, dtype=np.int64)
    for name in MARKET_SCALARS:
        out[name] = np.array(per_market[name], dtype=np.float64)
    out["clearing_range"] = np.array(per_market["clearing_range"], dtype=np.float64).reshape(-1, 2)
    for name, parts in trades.items():
        dtype = np.int64 if name in ("trade_bid", "trade_ask", "trade_market") else np.float64
        out[name] = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return out
