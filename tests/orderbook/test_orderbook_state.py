"""Stateful property test: the jitted book and the reference book on random event streams."""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from reference import orderbook as ref

from clearing import OrderBook, OrderState

TICK = 0.5
SIDES = {"buy": ref.BUY, "sell": ref.SELL}
TIFS = {"GTC": ref.GTC, "IOC": ref.IOC, "FOK": ref.FOK}
STPS = {"none": ref.STP_NONE, "cancel_taker": ref.STP_CANCEL_TAKER,
        "cancel_resting": ref.STP_CANCEL_RESTING}  # fmt: skip

ticks = st.integers(95, 105)
qtys = st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0])
ids = st.one_of(st.none(), st.integers(0, 40))
owners = st.one_of(st.none(), st.integers(0, 2))


def ref_report(r: tuple) -> tuple:
    state, reason, filled, remaining, oid, records = r
    fills = tuple((s, t, m, p * TICK, q) for s, t, m, p, q, k in records if k == 0)
    cancels = tuple((m, q) for s, t, m, p, q, k in records if k == 1)
    return (oid, state, reason, filled, remaining, fills, cancels)


def our_report(r) -> tuple:
    return (r.order_id, int(r.state), int(r.reason), r.filled, r.remaining,
            tuple((f.seq, f.taker, f.maker, f.price, f.quantity) for f in r.fills),
            r.self_trade_cancelled)  # fmt: skip


class BookMachine(RuleBasedStateMachine):
    @initialize(stp=st.sampled_from(sorted(STPS)))
    def start(self, stp: str) -> None:
        self.stp = stp
        self.book = OrderBook(TICK, self_trade_prevention=stp, capacity=2)
        self.ref = ref.ReferenceBook(STPS[stp])
        self.owner_of: dict[int, int] = {}

    def check(self, ours, theirs, tif: str | None, qty: float | None, owner: int) -> None:
        a, b = our_report(ours), ref_report(theirs)
        assert a == b, (a, b)
        if ours.state != OrderState.REJECTED and qty is not None:
            self.owner_of[ours.order_id] = owner
        if tif == "FOK":
            assert ours.filled in (0.0, qty)
        if tif in ("IOC", "FOK", None) and qty is not None:
            assert ours.state != OrderState.RESTING
        for f in ours.fills:
            if self.stp != "none" and owner >= 0:
                assert self.owner_of.get(f.maker, -1) != owner

    @rule(side=st.sampled_from(["buy", "sell"]), t=ticks, q=qtys, oid=ids, owner=owners,
          tif=st.sampled_from(["GTC", "GTC", "IOC", "FOK"]))  # fmt: skip
    def limit(self, side, t, q, oid, owner, tif) -> None:
        ours = self.book.limit(side, t * TICK, q, order_id=oid, owner=owner, tif=tif)
        own = -1 if owner is None else owner
        theirs = self.ref.event(ref.LIMIT, SIDES[side], t, q, -1 if oid is None else oid, own,
                                TIFS[tif])  # fmt: skip
        self.check(ours, theirs, tif, q, own)

    @rule(side=st.sampled_from(["buy", "sell"]), q=qtys, owner=owners)
    def market(self, side, q, owner) -> None:
        ours = self.book.market(side, q, owner=owner)
        own = -1 if owner is None else owner
        theirs = self.ref.event(ref.MARKET, SIDES[side], 0, q, -1, own, ref.IOC)
        self.check(ours, theirs, None, q, own)

    @rule(oid=st.integers(0, 45))
    def cancel(self, oid) -> None:
        self.check(self.book.cancel(oid), self.ref.event(ref.CANCEL, 0, 0, 0.0, oid, -1, 0),
                   "-", None, -1)  # fmt: skip

    @rule(oid=st.integers(0, 45), q=qtys)
    def reduce(self, oid, q) -> None:
        self.check(self.book.reduce(oid, q), self.ref.event(ref.REDUCE, 0, 0, q, oid, -1, 0),
                   "-", None, -1)  # fmt: skip

    @rule(events=st.lists(st.tuples(st.sampled_from([0, 0, 0, 1, 2, 3]),
                                    st.sampled_from([1, -1]), ticks, qtys,
                                    st.integers(-1, 40), st.integers(-1, 2),
                                    st.sampled_from([0, 0, 1, 2])),
                          min_size=1, max_size=12))  # fmt: skip
    def batch(self, events) -> None:
        kind, side, t, q, oid, owner, tif = (np.array(c) for c in zip(*events, strict=True))
        oid = np.where(kind >= 2, np.abs(oid), oid)
        rep = self.book.submit_batch(kind, side, t * TICK, q, order_id=oid, owner=owner, tif=tif)
        fills = []
        for e in range(len(events)):
            k = int(kind[e])
            tf = int(tif[e]) if k == 0 else (ref.IOC if k == 1 else 0)
            s = ref.BUY if side[e] == 1 else ref.SELL
            r = self.ref.event(k, s, int(t[e]), float(q[e]), int(oid[e]), int(owner[e]), tf)
            assert (rep.state[e], rep.reason[e], rep.filled[e], rep.remaining[e],
                    rep.order_id[e]) == r[:5]  # fmt: skip
            fills += [(e, sq, tk, mk, p * TICK, qq) for sq, tk, mk, p, qq, kk in r[5] if kk == 0]
        got = list(zip(rep.fill_event.tolist(), rep.fill_seq.tolist(), rep.fill_taker.tolist(),
                       rep.fill_maker.tolist(), rep.fill_price.tolist(),
                       rep.fill_quantity.tolist(), strict=True))  # fmt: skip
        assert got == fills
        for e in range(len(events)):
            if rep.state[e] != OrderState.REJECTED and kind[e] < 2:
                self.owner_of[int(rep.order_id[e])] = int(owner[e])

    @rule()
    def snapshot_restore(self) -> None:
        self.book = OrderBook.restore(self.book.snapshot())

    @invariant()
    def same_state(self) -> None:
        if not hasattr(self, "book"):
            return
        for side, code in SIDES.items():
            r = self.book.resting(side)
            got = list(zip(r.order_id.tolist(), (r.price / TICK).tolist(), r.quantity.tolist(),
                           r.owner.tolist(), strict=True))  # fmt: skip
            assert got == self.ref.resting(code)
        assert len(self.book) == len(self.ref.orders)

    @invariant()
    def never_crossed(self) -> None:
        if (
            hasattr(self, "book")
            and self.book.best_bid is not None
            and self.book.best_ask is not None
        ):
            assert self.book.best_bid < self.book.best_ask

    @invariant()
    def conserved(self) -> None:
        if not hasattr(self, "book"):
            return
        t = self.book.totals()
        assert t["submitted"] == 2 * t["traded"] + t["resting"] + t["cancelled"] + t["expired"]
        assert (t["submitted"], t["traded"], t["cancelled"], t["expired"]) == (
            self.ref.submitted,
            self.ref.traded,
            self.ref.cancelled,
            self.ref.expired,
        )


BookMachine.TestCase.settings = settings(stateful_step_count=50)
TestBookMachine = BookMachine.TestCase
