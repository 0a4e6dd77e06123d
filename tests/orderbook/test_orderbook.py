"""Order book: known answers, rules, bad input, batch = one by one, snapshots, growth."""

from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from clearing import InputError, OrderBook, OrderReason, OrderState

S = OrderState
R = OrderReason


def state(book: OrderBook) -> tuple:
    """Everything observable about a book, for 'unchanged' checks."""
    out = [tuple(book.resting(side).to_dict()[k].tolist() for k in ("order_id", "price",
           "quantity", "owner", "arrival")) for side in ("buy", "sell")]  # fmt: skip
    return (*out, tuple(sorted(book.totals().items())), tuple(sorted(book.stats.items())))


# ---------------------------------------------------------------- matching rules
def test_price_time_priority_and_maker_price() -> None:
    book = OrderBook(tick_size=1)
    book.limit("sell", 101, 2, order_id=1)
    book.limit("sell", 100, 1, order_id=2)
    book.limit("sell", 100, 1, order_id=3)
    book.limit("sell", 102, 5, order_id=4)
    r = book.limit("buy", 101, 3, order_id=9)
    assert r.state is S.FILLED and r.filled == 3.0 and r.remaining == 0.0
    assert [(f.maker, f.price, f.quantity) for f in r.fills] == [(2, 100.0, 1.0), (3, 100.0, 1.0),
                                                                 (1, 101.0, 1.0)]  # fmt: skip
    assert [f.seq for f in r.fills] == [0, 1, 2]
    assert all(f.taker == 9 for f in r.fills)
    assert book.best_ask == 101.0 and book.best_bid is None
    r = book.limit("buy", 103, 10, order_id=10)
    assert r.state is S.RESTING and r.filled == 6.0 and r.remaining == 4.0
    assert book.best_bid == 103.0 and book.best_ask is None


def test_partial_fill_keeps_priority_and_reduce_keeps_it_too() -> None:
    book = OrderBook(tick_size=1)
    book.limit("buy", 10, 5, order_id=1)
    book.limit("buy", 10, 5, order_id=2)
    assert book.reduce(1, 3).remaining == 2.0
    r = book.market("sell", 3)
    assert [(f.maker, f.quantity) for f in r.fills] == [(1, 2.0), (2, 1.0)]
    assert r.state is S.FILLED
    assert book.reduce(2, 4).state is S.CANCELLED
    assert len(book) == 0


def test_tif_ioc_fok_and_market() -> None:
    book = OrderBook(tick_size=1)
    book.limit("sell", 10, 2, order_id=1)
    book.limit("sell", 11, 2, order_id=2)
    r = book.limit("buy", 10, 5, tif="IOC")
    assert (r.state, r.filled) == (S.EXPIRED, 2.0)
    assert len(book) == 1
    before = state(book)
    r = book.limit("buy", 11, 3, tif="FOK")
    assert (r.state, r.reason, r.filled, r.fills) == (S.EXPIRED, R.NOT_FILLABLE, 0.0, ())
    assert state(book)[:2] == before[:2]
    r = book.limit("buy", 11, 2, tif="FOK")
    assert (r.state, r.filled) == (S.FILLED, 2.0)
    r = book.market("buy", 1)
    assert (r.state, r.filled) == (S.EXPIRED, 0.0)
    t = book.totals()
    assert t["submitted"] == 2 * t["traded"] + t["resting"] + t["cancelled"] + t["expired"]


@pytest.mark.parametrize("tif", ["GTC", "FOK"])
def test_self_trade_cancel_taker(tif: str) -> None:
    book = OrderBook(tick_size=1)
    book.limit("sell", 10, 1, order_id=1, owner=5)
    book.limit("sell", 10, 1, order_id=2, owner=7)
    r = book.limit("buy", 10, 2, order_id=3, owner=7, tif=tif)
    if tif == "GTC":  # the fill before the own order stands, then the taker is cancelled
        assert (r.state, r.reason, r.filled) == (S.CANCELLED, R.SELF_TRADE, 1.0)
    else:  # FOK counts only what it could fill before its own order: nothing happens
        assert (r.state, r.reason, r.filled) == (S.EXPIRED, R.NOT_FILLABLE, 0.0)
    assert 2 in book.resting("sell").order_id.tolist()


@pytest.mark.parametrize("tif", ["GTC", "FOK"])
def test_self_trade_cancel_resting(tif: str) -> None:
    book = OrderBook(tick_size=1, self_trade_prevention="cancel_resting")
    book.limit("sell", 10, 1, order_id=1, owner=7)
    book.limit("sell", 10, 1, order_id=2, owner=5)
    r = book.limit("buy", 10, 2, order_id=3, owner=7, tif=tif)
    if tif == "GTC":
        assert (r.state, r.filled, r.remaining) == (S.RESTING, 1.0, 1.0)
        assert r.self_trade_cancelled == ((1, 1.0),)
    else:  # own order does not count: only 1 of 2 is fillable
        assert (r.state, r.reason, r.self_trade_cancelled) == (S.EXPIRED, R.NOT_FILLABLE, ())
        assert len(book) == 2


def test_self_trade_none_and_no_owner() -> None:
    book = OrderBook(tick_size=1, self_trade_prevention="none")
    book.limit("sell", 10, 1, owner=7)
    assert book.limit("buy", 10, 1, owner=7).state is S.FILLED
    book = OrderBook(tick_size=1)
    book.limit("sell", 10, 1)
    assert book.limit("buy", 10, 1).state is S.FILLED  # no owner: the rule does not apply


def test_tick_grid_and_rounding() -> None:
    book = OrderBook(tick_size=0.05)
    assert book.limit("buy", 0.3, 1).state is S.RESTING
    assert book.best_bid == 0.3
    with pytest.raises(InputError, match="tick_size"):
        book.limit("buy", 0.31, 1)
    rounding = OrderBook(tick_size=0.05, round_prices=True)
    rounding.limit("buy", 0.31, 1)
    assert rounding.best_bid == 0.3
    odd = OrderBook(tick_size=0.3)  # 1/tick is not an integer: prices are ticks * tick
    odd.limit("sell", 0.9, 1)
    assert odd.best_ask == pytest.approx(0.9)


def test_auto_ids_and_duplicates() -> None:
    book = OrderBook(tick_size=1)
    assert book.limit("buy", 1, 1).order_id == 0
    assert book.limit("buy", 1, 1, order_id=10).order_id == 10
    assert book.limit("buy", 1, 1).order_id == 11
    before = state(book)
    r = book.limit("sell", 5, 1, order_id=10)
    assert (r.state, r.reason) == (S.REJECTED, R.DUPLICATE_ID)
    assert state(book) == before
    book.cancel(10)
    assert book.limit("sell", 5, 1, order_id=10).state is S.RESTING  # id free again


def test_depth_best_len() -> None:
    book = OrderBook(tick_size=0.5)
    for p, q in [(9.5, 1), (9.5, 2), (9.0, 4), (8.5, 1)]:
        book.limit("buy", p, q)
    book.limit("sell", 10.5, 3)
    d = book.depth(2)
    assert d.bid_price.tolist() == [9.5, 9.0]
    assert d.bid_quantity.tolist() == [3.0, 4.0]
    assert d.bid_orders.tolist() == [2, 1]
    assert d.ask_price.tolist() == [10.5]
    assert book.depth(0).bid_price.size == 0
    assert len(book) == 5
    with pytest.raises(InputError):
        book.depth(-1)


# ---------------------------------------------------------------- bad input
BAD_LIMITS = [
    (("hold", 10, 1), "side"),
    ((0, 10, 1), "side"),
    (("buy", math.nan, 1), "price"),
    (("buy", math.inf, 1), "price"),
    (("buy", "10", 1), "price"),
    (("buy", 10.3, 1), "price"),
    (("buy", 1e300, 1), "price"),
    (("buy", 10, 0), "quantity"),
    (("buy", 10, -1), "quantity"),
    (("buy", 10, math.nan), "quantity"),
    (("buy", 10, "x"), "quantity"),
    (("buy", 10, 1j), "quantity"),
    (("buy", 10, 10**400), "quantity"),
    (("buy", 10**400, 1), "price"),
    (([1], 10, 1), "side"),
]


@pytest.mark.parametrize(("args", "word"), BAD_LIMITS)
def test_bad_limit_raises_and_leaves_book(args: tuple, word: str) -> None:
    book = OrderBook(tick_size=1)
    book.limit("sell", 12, 1, order_id=1)
    before = state(book)
    with pytest.raises(InputError, match=word):
        book.limit(*args)
    assert state(book) == before


@pytest.mark.parametrize(
    "kwargs",
    [{"tif": "DAY"}, {"order_id": -1}, {"order_id": 1.5}, {"order_id": "a"}, {"owner": -2},
     {"order_id": 2**63}],
)  # fmt: skip
def test_bad_limit_options(kwargs: dict) -> None:
    book = OrderBook(tick_size=1)
    before = state(book)
    with pytest.raises(InputError):
        book.limit("buy", 10, 1, **kwargs)
    assert state(book) == before


def test_unknown_cancel_reduce_and_bad_calls() -> None:
    book = OrderBook(tick_size=1)
    book.limit("buy", 10, 2, order_id=1)
    before = state(book)
    for r in (book.cancel(2), book.reduce(2, 1)):
        assert (r.state, r.reason) == (S.REJECTED, R.UNKNOWN_ID)
    assert state(book) == before
    for call in (lambda: book.cancel(-1), lambda: book.cancel("1"), lambda: book.reduce(1, 0),
                 lambda: book.reduce(1, math.nan), lambda: book.market("buy", 0),
                 lambda: book.market("up", 1)):  # fmt: skip
        with pytest.raises(InputError):
            call()
    assert state(book) == before
    assert book.cancel(np.int64(1)).state is S.CANCELLED


@pytest.mark.parametrize(
    "kwargs",
    [{"tick_size": 0}, {"tick_size": math.nan}, {"tick_size": "a"},
     {"self_trade_prevention": "maybe"}, {"capacity": 0}],
)  # fmt: skip
def test_bad_constructor(kwargs: dict) -> None:
    with pytest.raises(InputError):
        OrderBook(**kwargs)


# ---------------------------------------------------------------- batch
def random_events(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    kind = rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 3], n)
    oid = np.where(kind >= 2, rng.integers(0, max(n // 2, 1), n), -1)
    return {
        "kind": kind,
        "side": rng.choice([1, -1], n),
        "price": rng.integers(90, 111, n) * 0.5,
        "quantity": rng.integers(1, 9, n) * 0.5,
        "order_id": oid,
        "owner": rng.integers(-1, 4, n),
        "tif": rng.choice([0, 0, 0, 1, 2], n),
    }


def one_by_one(book: OrderBook, ev: dict[str, np.ndarray]) -> list[tuple]:
    out = []
    tifs = ["GTC", "IOC", "FOK"]
    for e in range(ev["kind"].size):
        k, side = int(ev["kind"][e]), "buy" if ev["side"][e] == 1 else "sell"
        oid, owner = int(ev["order_id"][e]), int(ev["owner"][e])
        oid_ = None if oid < 0 else oid
        own = None if owner < 0 else owner
        if k == 0:
            r = book.limit(side, float(ev["price"][e]), float(ev["quantity"][e]), order_id=oid_,
                           owner=own, tif=tifs[int(ev["tif"][e])])  # fmt: skip
        elif k == 1:
            r = book.market(side, float(ev["quantity"][e]), order_id=oid_, owner=own)
        elif k == 2:
            r = book.cancel(oid)
        else:
            r = book.reduce(oid, float(ev["quantity"][e]))
        out.append(r)
    return out


@pytest.mark.parametrize("stp", ["cancel_taker", "cancel_resting", "none"])
def test_batch_equals_one_by_one_and_replay(stp: str) -> None:
    ev = random_events(3000, seed=1)
    a = OrderBook(tick_size=0.5, self_trade_prevention=stp, capacity=4)
    reports = one_by_one(a, ev)
    b = OrderBook(tick_size=0.5, self_trade_prevention=stp, capacity=4)
    rep = b.submit_batch(**ev)
    assert [int(r.state) for r in reports] == rep.state.tolist()
    assert [int(r.reason) for r in reports] == rep.reason.tolist()
    assert [r.order_id for r in reports] == rep.order_id.tolist()
    assert [r.filled for r in reports] == rep.filled.tolist()
    assert [r.remaining for r in reports] == rep.remaining.tolist()
    fills = [
        (e, f.seq, f.taker, f.maker, f.price, f.quantity)
        for e, r in enumerate(reports)
        for f in r.fills
    ]
    got = list(zip(rep.fill_event.tolist(), rep.fill_seq.tolist(), rep.fill_taker.tolist(),
                   rep.fill_maker.tolist(), rep.fill_price.tolist(), rep.fill_quantity.tolist(),
                   strict=True))  # fmt: skip
    assert got == fills and len(fills) > 100
    cancels = [(e, *c) for e, r in enumerate(reports) for c in r.self_trade_cancelled]
    got_c = list(zip(rep.cancel_event.tolist(), rep.cancel_order.tolist(),
                     rep.cancel_quantity.tolist(), strict=True))  # fmt: skip
    assert got_c == cancels
    assert state(a)[:3] == state(b)[:3]
    # replaying the event log (with the ids that were assigned) reproduces every fill
    log = dict(ev, order_id=np.where(ev["kind"] < 2, rep.order_id, ev["order_id"]))
    again = OrderBook(tick_size=0.5, self_trade_prevention=stp).submit_batch(**log)
    assert again.fill_quantity.tolist() == rep.fill_quantity.tolist()
    assert again.fill_maker.tolist() == rep.fill_maker.tolist()
    assert again.state.tolist() == rep.state.tolist()


def test_batch_strings_scalars_and_pandas() -> None:
    book = OrderBook(tick_size=1)
    rep = book.submit_batch(["limit", "limit", "market", "reduce", "cancel"],
                            ["buy", "buy", "sell", "buy", "buy"], [10, 9, np.nan, 0, 0],
                            [2, 2, 3, 1, 0], order_id=[1, 2, -1, 2, 1], tif="GTC")  # fmt: skip
    assert rep.state.tolist() == [S.RESTING, S.RESTING, S.FILLED, S.CANCELLED, S.REJECTED]
    assert rep.fill_maker.tolist() == [1, 2]
    pd = pytest.importorskip("pandas")
    assert isinstance(rep.to_pandas(table="fills"), pd.DataFrame)
    assert rep.to_pandas(table="events")["state"].tolist()[0] == "RESTING"
    assert len(rep.to_pandas(table="cancels")) == 0
    with pytest.raises(ValueError, match="table"):
        rep.to_pandas(table="nope")
    empty = book.submit_batch(np.zeros(0, dtype=np.int64))
    assert empty.state.size == 0 and empty.fill_seq.size == 0


BAD_BATCH = [
    ({"kind": [0, 5]}, "kind"),
    ({"kind": ["limit", "stop"]}, "kind"),
    ({"kind": [[0]]}, "kind"),
    ({"side": [1, 0]}, "side"),
    ({"side": ["buy", "up"]}, "side"),
    ({"side": None}, "side"),
    ({"price": [10, np.nan]}, "price"),
    ({"price": [10, 10.5]}, "price"),
    ({"price": [10, 10, 10]}, "price"),
    ({"price": None}, "price"),
    ({"quantity": [1, 0]}, "quantity"),
    ({"quantity": [1, -1]}, "quantity"),
    ({"quantity": [1, np.inf]}, "quantity"),
    ({"quantity": ["a", "b"]}, "quantity"),
    ({"quantity": [1, 10**400]}, "quantity"),
    ({"price": [10, 10**400]}, "price"),
    ({"order_id": [1, -2]}, "order_id"),
    ({"order_id": [1.5, 2]}, "order_id"),
    ({"order_id": [1, 10**400]}, "order_id"),
    ({"order_id": [1, 2**63]}, "order_id"),
    ({"owner": [1, -5]}, "owner"),
    ({"tif": ["GTC", "DAY"]}, "tif"),
    ({"tif": [0, 7]}, "tif"),
]


@pytest.mark.parametrize(("change", "word"), BAD_BATCH)
def test_bad_batch_raises_before_any_event(change: dict, word: str) -> None:
    book = OrderBook(tick_size=1)
    book.limit("sell", 10, 1, order_id=7)
    before = state(book)
    args = {"kind": [0, 0], "side": [1, 1], "price": [10, 10], "quantity": [1, 1],
            "order_id": [1, 2], "owner": [-1, -1], "tif": [0, 0]}  # fmt: skip
    args.update(change)
    with pytest.raises(InputError, match=word):
        book.submit_batch(**args)
    assert state(book) == before


def test_batch_cancel_needs_ids() -> None:
    with pytest.raises(InputError, match="order_id"):
        OrderBook(tick_size=1).submit_batch([2], [0], [0], [0])
    with pytest.raises(InputError, match="order_id"):
        OrderBook(tick_size=1).submit_batch([2], order_id=[-1])


# ---------------------------------------------------------------- snapshots and growth
def test_snapshot_restore_continue_equals_uninterrupted() -> None:
    ev = random_events(2000, seed=2)
    first = {k: v[:900] for k, v in ev.items()}
    rest = {k: v[900:] for k, v in ev.items()}
    whole = OrderBook(tick_size=0.5, capacity=2)
    whole.submit_batch(**first)
    snap = whole.snapshot()
    expected = whole.submit_batch(**rest)
    copy = OrderBook.restore(snap)
    got = copy.submit_batch(**rest)
    for field in ("state", "filled", "remaining", "fill_seq", "fill_maker", "fill_quantity"):
        assert getattr(got, field).tolist() == getattr(expected, field).tolist()
    assert state(copy)[:3] == state(whole)[:3]
    assert snap.state.flags.writeable is False
    with pytest.raises(InputError):
        OrderBook.restore("not a snapshot")  # type: ignore[arg-type]


def test_options_are_keyword_only() -> None:
    book = OrderBook(tick_size=1)
    calls = [lambda: book.limit("buy", 10, 1, 5), lambda: book.market("buy", 1, 5),
             lambda: book.submit_batch([0], [1], [10.0], [1.0], [3])]  # fmt: skip
    for call in calls:
        with pytest.raises(TypeError, match="positional"):
            call()
    assert len(book) == 0
    assert book.limit("buy", 10, 1, order_id=5, owner=2, tif="GTC").order_id == 5


def test_stats_name_the_counters() -> None:
    book = OrderBook(tick_size=1, capacity=4)
    empty = book.stats
    assert empty == {"bid_levels": 0, "ask_levels": 0, "resting_bids": 0, "resting_asks": 0,
                     "next_order_id": 0, "arrivals": 0, "fills": 0, "in_call": 0,
                     "free_slot": -1, "slots_used": 0}  # fmt: skip
    book.limit("buy", 9, 1, order_id=4)
    book.limit("buy", 8, 1)
    book.limit("sell", 11, 2)
    book.limit("buy", 11, 1)  # trades one against the ask
    book.cancel(4)
    s = book.stats
    assert (s["bid_levels"], s["ask_levels"], s["resting_bids"], s["resting_asks"]) == (1, 1, 1, 1)
    assert (s["next_order_id"], s["arrivals"], s["fills"], s["slots_used"]) == (8, 3, 1, 3)
    assert s["free_slot"] == 0 and s["in_call"] == 0  # slot 0 (order 4) was released
    book.open_call()
    assert book.stats["in_call"] == 1
    s["fills"] = 99  # a copy: the book is not changed through it
    assert book.stats["fills"] == 1


def test_storage_grows_without_losing_orders() -> None:
    book = OrderBook(tick_size=1, capacity=1)
    n = 5000
    for i in range(n):
        book.limit("buy" if i % 2 else "sell", 1000 + (i % 2) * -500 + i % 37, 1.0, order_id=i)
    assert len(book) == n and book.capacity >= n
    assert sorted(book.resting("buy").order_id.tolist() + book.resting("sell").order_id.tolist()) \
        == list(range(n))  # fmt: skip
    r = book.market("buy", 3000)  # one event filling 2,500 orders: the report buffer grows
    assert len(r.fills) == n // 2 and r.filled == n / 2
    for i in range(1, n, 2):
        assert book.cancel(i).state is S.CANCELLED
    assert len(book) == 0
    t = book.totals()
    assert t["submitted"] == 2 * t["traded"] + t["resting"] + t["cancelled"] + t["expired"]


# ---------------------------------------------------------------- JIT off
JIT_SCRIPT = """
import json
import numpy as np
from clearing import OrderBook
rng = np.random.default_rng(5)
n = 400
kind = rng.choice([0, 0, 0, 0, 1, 2, 3], n)
ev = dict(kind=kind, side=rng.choice([1, -1], n), price=rng.integers(90, 111, n) * 0.5,
          quantity=rng.integers(1, 9, n) * 0.25, order_id=np.where(kind >= 2,
          rng.integers(0, 200, n), -1), owner=rng.integers(-1, 3, n), tif=rng.choice([0, 1, 2], n))
book = OrderBook(tick_size=0.5, self_trade_prevention="cancel_resting", capacity=2)
rep = book.submit_batch(**ev)
r = book.limit("buy", 52.5, 3.25, owner=1)
book.open_call()
book.limit("sell", 40.0, 2)
u = book.uncross("huang")
out = {k: v.tolist() for k, v in rep.to_dict().items()}
fills = [[f.seq, f.taker, f.maker, f.price, f.quantity] for f in r.fills]
out["single"] = [r.state.value, r.filled, fills]
out["uncross"] = [u.trade_quantity.tolist(), u.cancelled_order_id.tolist()]
out["totals"] = book.totals()
print(json.dumps(out))
"""


def _run_script(disable_jit: bool) -> dict:
    root = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["NUMBA_DISABLE_JIT"] = "1" if disable_jit else "0"
    out = subprocess.run([sys.executable, "-c", JIT_SCRIPT], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    result: dict = json.loads(out.stdout)
    return result


def test_jit_on_and_off_identical() -> None:
    assert _run_script(disable_jit=True) == _run_script(disable_jit=False)


def test_sparse_large_ids_match_reference() -> None:
    """Ids far above the direct table go through the hash table; growth rebuilds both."""
    from reference import orderbook as ref

    rng = np.random.default_rng(11)
    n = 4000
    pool = np.concatenate([rng.integers(0, 2**62, 300), np.arange(50)])  # sparse and dense
    kind = rng.choice([0, 0, 0, 1, 2, 2, 3], n)
    ev = {
        "kind": kind,
        "side": rng.choice([1, -1], n),
        "price": rng.integers(95, 106, n) * 1.0,
        "quantity": rng.integers(1, 5, n) * 1.0,
        "order_id": np.where(kind == 1, -1, rng.choice(pool, n)),
        "owner": rng.integers(-1, 3, n),
        "tif": rng.choice([0, 0, 1, 2], n),
    }
    book = OrderBook(tick_size=1, capacity=1)
    rep = book.submit_batch(**ev)
    twin = ref.ReferenceBook(ref.STP_CANCEL_TAKER)
    for e in range(n):
        k = int(kind[e])
        tif = int(ev["tif"][e]) if k == 0 else (ref.IOC if k == 1 else 0)
        side = ref.BUY if ev["side"][e] == 1 else ref.SELL
        price = int(ev["price"][e]) if k == 0 else 0
        qty = float(ev["quantity"][e]) if k != 2 else 0.0
        r = twin.event(k, side, price, qty, int(ev["order_id"][e]), int(ev["owner"][e]), tif)
        got = (rep.state[e], rep.reason[e], rep.filled[e], rep.remaining[e], rep.order_id[e])
        assert got == r[:5], e
    for side, code in (("buy", ref.BUY), ("sell", ref.SELL)):
        assert book.resting(side).order_id.tolist() == [o[0] for o in twin.resting(code)]
    assert (rep.state == OrderState.REJECTED).any() and (rep.state == OrderState.CANCELLED).any()


@pytest.mark.parametrize("batch", [False, True])
def test_report_buffer_grows_for_self_trade_sweeps(batch: bool) -> None:
    book = OrderBook(tick_size=1, self_trade_prevention="cancel_resting")
    n = 1500  # 3,000 report rows for one event: more than the initial buffer
    owners = np.tile([1, 2], n)
    book.submit_batch(np.zeros(2 * n, dtype=np.int64), -np.ones(2 * n, dtype=np.int64),
                      np.full(2 * n, 10.0), np.ones(2 * n), owner=owners)  # fmt: skip
    if batch:
        rep = book.submit_batch([0], [1], [10.0], [float(n)], owner=[1])
        fills, cancels = rep.fill_quantity.size, rep.cancel_order.size
        assert rep.state.tolist() == [OrderState.FILLED]
    else:
        r = book.limit("buy", 10, n, owner=1)
        fills, cancels = len(r.fills), len(r.self_trade_cancelled)
        assert r.state is OrderState.FILLED
    assert (fills, cancels) == (n, n) and len(book) == 0


def test_emptied_levels_are_reused_and_compacted() -> None:
    book = OrderBook(tick_size=1, capacity=4)  # four level rows per side
    book.limit("buy", 100, 1, order_id=0)
    for i, price in enumerate([1, 2, 3, 5, 6, 7], start=1):  # each leaves an empty level
        book.limit("buy", price, 1, order_id=i)
        book.cancel(i)
    book.limit("buy", 2, 1, order_id=20)
    book.limit("buy", 50, 2, order_id=21)
    assert book.capacity == 4
    assert book.resting("buy").order_id.tolist() == [0, 21, 20]
    d = book.depth(10)
    assert d.bid_price.tolist() == [100.0, 50.0, 2.0] and d.bid_orders.tolist() == [1, 1, 1]
    assert book.depth(2).bid_price.tolist() == [100.0, 50.0]
    assert book.market("sell", 3).fills[-1].maker == 21
    assert book.best_bid == 2.0
