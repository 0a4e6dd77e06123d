"""Order book rows: a 1,000,000-event stream (70% limit, 20% cancel, 10% market).

Throughput rows: the ratio printed is ``ours events/s / peer events/s`` (computed as peer
time / our time on the same stream), so **higher is better** and the target is ``>=``.
"""

from __future__ import annotations

import numpy as np

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
                limit(sides[e], prices[e], qty[e], oid[e])
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
        OrderBook(TICK).submit_batch(kind, side, price, qty, oid)

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
