"""Order book rows for ``compare.py``: a 1,000,000-event stream (70% limit, 10% market,
20% cancel), built by :func:`make_stream` with a fixed seed.

Rows (each runs the whole stream on a fresh book):

- ``submit_batch`` (one call, validation included) vs liquibook, one Python call per event
  (liquibook is the faster peer on this stream; lightmatchingengine's events/s are in the
  note);
- one :class:`clearing.OrderBook` call per event (``limit``/``market``/``cancel``) vs
  liquibook 2.0.1 (SWIG bindings of a C++ book) on the whole stream, and vs
  lightmatchingengine 2019.1.4 (pure Python) and liquibook on its first 100,000 events, each
  with one call per event. The stream leaves about 400,000 orders resting by its end (only a
  fifth of the events cancel); liquibook's cost per event grows with the book, so the
  small-book row (no target) shows the regime that favours it.

Ratios. ``compare.py`` (``_harness.measure``) prints ``ratio = our time / peer time`` on the
same stream. For these throughput rows that is ``peer events/s / our events/s``, so each row
states the equivalent throughput ratio ``ours events/s / peer events/s = 1 / ratio`` in its
note (**higher is better**; the target ``ratio <= 1`` is the same as ``events/s ratio >= 1``).
The notes also give the events/s measured while the rows are built (median of 3 runs for
``submit_batch``, one run for the per-call rows) and the ``submit_batch`` target of
5,000,000 events/s.

Peer notes. liquibook: ``SimpleOrder(is_buy, price_ticks, qty)`` + ``book.add``; a market
order is price 0; cancel needs the order object, kept in a dict by our id. No listener is
attached, so liquibook produces no reports (ours does). lightmatchingengine keeps filled
orders in its id map and asserts when they are cancelled, so the driver only cancels orders
with ``leaves_qty > 0``; its best-price search and cancel scan whole price levels, so it runs
on the first 100,000 events of the stream only (ours runs the same prefix in that row).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
from _harness import Row

TICK = 0.01
MID = 10_000  # ticks


def make_stream(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Events: ``kind`` 0 limit / 1 market / 2 cancel, ``side`` +1/-1, ``ticks``, ``qty``,
    ``oid`` (limit ids are 0, 1, 2...; a cancel names a random one of the last 1,000 limits,
    which may have traded or been cancelled already and is then rejected)."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    kind = np.where(u < 0.7, 0, np.where(u < 0.8, 1, 2)).astype(np.int64)
    side = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int64)
    # 10% of limits are priced through the mid (they trade at once), the rest rest at one of
    # 500 levels, so levels stay short (a peer whose cancel scans a level is not penalised)
    offset = np.where(rng.random(n) < 0.1, rng.integers(-5, 1, n), rng.integers(1, 501, n))
    ticks = np.where(side == 1, MID - offset, MID + offset).astype(np.int64)
    qty = rng.integers(1, 100, n).astype(np.float64)
    is_lim = kind == 0
    lim_id = np.cumsum(is_lim) - 1
    oid = np.where(is_lim, lim_id, -1).astype(np.int64)
    cancels = np.flatnonzero(kind == 2)
    issued = lim_id[cancels]
    back = rng.integers(0, 1000, cancels.size)
    oid[cancels] = np.maximum(issued - back, 0)
    # a cancel before any limit has nothing to name: make it a limit-free no-op id
    oid[cancels[issued < 0]] = 0
    ticks[kind != 0] = 0
    return {"kind": kind, "side": side, "ticks": ticks, "qty": qty, "oid": oid}


def _lists(stream: dict[str, np.ndarray]) -> tuple[list, ...]:
    return (
        stream["kind"].tolist(),
        ["buy" if s == 1 else "sell" for s in stream["side"].tolist()],
        (stream["ticks"] / (1 / TICK)).tolist(),
        stream["qty"].tolist(),
        stream["oid"].tolist(),
        stream["ticks"].tolist(),
        (stream["side"] == 1).tolist(),
        stream["qty"].astype(np.int64).tolist(),
    )


def ours_one_by_one(stream: dict[str, np.ndarray]):
    """One Python call per event: ``limit`` / ``market`` / ``cancel``."""
    from clearing import OrderBook

    kinds, sides, prices, qty, oid = _lists(stream)[:5]
    n = len(kinds)

    def run() -> None:
        book = OrderBook(TICK)
        limit, market, cancel = book.limit, book.market, book.cancel
        for e in range(n):
            k = kinds[e]
            if k == 0:
                limit(sides[e], prices[e], qty[e], order_id=oid[e])
            elif k == 1:
                market(sides[e], qty[e])
            else:
                cancel(oid[e])

    return run


def ours_batch(stream: dict[str, np.ndarray]):
    """All events in one ``submit_batch`` call (validation included)."""
    from clearing import OrderBook

    kind, side, qty = stream["kind"], stream["side"], stream["qty"]
    price = stream["ticks"] / (1 / TICK)
    oid = np.where(kind == 1, -1, stream["oid"])

    def run() -> None:
        OrderBook(TICK).submit_batch(kind, side, price, qty, order_id=oid)

    return run


def liquibook_one_by_one(stream: dict[str, np.ndarray]):
    """liquibook's SWIG bindings (C++ book): one ``add``/``cancel`` call per event."""
    import liquibook

    kinds, _, _, _, oid, ticks, is_buy, iqty = _lists(stream)
    n = len(kinds)

    def run() -> None:
        book = liquibook.liquibook_book_OrderBook()
        order_cls = liquibook.SimpleOrder
        orders: dict[int, object] = {}
        for e in range(n):
            k = kinds[e]
            if k == 0:
                o = order_cls(is_buy[e], ticks[e], iqty[e])
                orders[oid[e]] = o
                book.add(o)
            elif k == 1:
                book.add(order_cls(is_buy[e], 0, iqty[e]))  # price 0: market order
            else:
                o = orders.get(oid[e])
                if o is not None:
                    book.cancel(o)

    return run


def lightmatchingengine_one_by_one(stream: dict[str, np.ndarray]):
    """lightmatchingengine (pure Python): one ``add_order``/``cancel_order`` call per event."""
    from lightmatchingengine.lightmatchingengine import LightMatchingEngine

    kinds, _, _, _, oid, ticks, is_buy, iqty = _lists(stream)
    n = len(kinds)

    def run() -> None:
        engine = LightMatchingEngine()
        orders: dict[int, object] = {}
        for e in range(n):
            k = kinds[e]
            side = 1 if is_buy[e] else 2
            if k == 0:
                order, _ = engine.add_order("X", ticks[e], iqty[e], side)
                orders[oid[e]] = order
            elif k == 1:
                engine.add_order("X", 0, iqty[e], side)
            else:
                # lightmatchingengine keeps filled orders in its id map and then fails an
                # assertion when they are cancelled: only cancel orders still open
                order = orders.get(oid[e])
                if order is not None and order.leaves_qty > 0:
                    engine.cancel_order(order.order_id, "X")

    return run


def _rate(fn: Callable[[], None], n: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return n / statistics.median(times)


def _peer(name: str, build: Callable[[dict[str, np.ndarray]], Callable[[], None]],
          stream: dict[str, np.ndarray]) -> tuple[Callable[[], None] | None, str]:  # fmt: skip
    try:
        run = build(stream)
    except ImportError as exc:
        return None, f"{name} is not installed ({exc}); pip install clearing[bench]"
    try:
        run()  # warm-up, and proof that it works on this stream
    except Exception as exc:  # a peer failing on the stream is reported, not fatal
        return None, f"{name} failed on the stream: {type(exc).__name__}: {exc}"
    return run, ""


def rows(quick: bool) -> list[Row]:
    """The order book rows; ``quick`` uses 20,000 events (5,000 for the small rows)."""
    n = 20_000 if quick else 1_000_000
    n_small = 5_000 if quick else 100_000
    stream = make_stream(n)
    prefix = {k: v[:n_small] for k, v in stream.items()}
    batch = ours_batch(stream)
    one = ours_one_by_one(stream)
    one_prefix = ours_one_by_one(prefix)
    batch()
    one_prefix()
    liquibook, why_lb = _peer("liquibook", liquibook_one_by_one, stream)
    liquibook_prefix, _ = _peer("liquibook", liquibook_one_by_one, prefix)
    lme, why_lme = _peer("lightmatchingengine", lightmatchingengine_one_by_one, prefix)

    rate_batch = _rate(batch, n, 3)
    rate_one = _rate(one, n, 1)
    rate_one_prefix = _rate(one_prefix, n_small, 3)
    rate_lb = _rate(liquibook, n, 1) if liquibook else 0.0
    rate_lb_prefix = _rate(liquibook_prefix, n_small, 3) if liquibook_prefix else 0.0
    rate_lme = _rate(lme, n_small, 1) if lme else 0.0

    def note(ours: float, peer: float, peer_name: str) -> str:
        ratio = f"{ours / peer:.2f}" if peer else "n/a"
        return (f"ours {ours:,.0f} events/s, {peer_name} {peer:,.0f} events/s; "
                f"events/s ratio ours/peer = 1/ratio = {ratio} (higher is better)")  # fmt: skip

    target = "met" if rate_batch >= 5e6 else "MISSED"
    batch_note = (note(rate_batch, rate_lb, "liquibook")
                  + f"; lightmatchingengine {rate_lme:,.0f} events/s on the first "
                  f"{n_small:,} events; target 5,000,000 events/s: {target}")  # fmt: skip
    out = []
    if liquibook is not None:
        out.append(Row(name=f"orderbook submit_batch {n:,} events", ours=batch, peer=liquibook,
                       peer_name="liquibook (1 call/event)", target=1.0, repeat=1,
                       note=batch_note))  # fmt: skip
    else:
        out.append(Row(name=f"orderbook submit_batch {n_small:,} events",
                       ours=ours_batch(prefix), peer=lme, skip=why_lme,
                       peer_name="lightmatchingengine (1 call/event)", target=1.0, repeat=1,
                       note=f"ours {rate_batch:,.0f} events/s on {n:,} events; liquibook: "
                       f"{why_lb}; target 5,000,000 events/s: {target}"))  # fmt: skip
    out.append(Row(name=f"orderbook 1 call/event {n:,} events", ours=one, peer=liquibook,
                   peer_name="liquibook (1 call/event)", target=1.0, repeat=1, skip=why_lb,
                   note=note(rate_one, rate_lb, "liquibook")))  # fmt: skip
    out.append(Row(name=f"orderbook 1 call/event first {n_small:,} events", ours=one_prefix,
                   peer=lme, peer_name="lightmatchingengine (1 call/event)", target=1.0,
                   skip=why_lme,
                   note=note(rate_one_prefix, rate_lme, "lightmatchingengine")))  # fmt: skip
    out.append(Row(name=f"orderbook 1 call/event first {n_small:,} events (small book)",
                   ours=one_prefix, peer=liquibook_prefix, peer_name="liquibook (1 call/event)",
                   skip=why_lb, note="informational, no target: the book is still small here, "
                   "where liquibook's per-call cost is lowest; "
                   + note(rate_one_prefix, rate_lb_prefix, "liquibook")))  # fmt: skip
    return out
