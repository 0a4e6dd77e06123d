"""Reference twin of the order book kernel: dictionaries and lists, no cleverness.

``ReferenceBook.event`` takes the same kernel-level arguments as
``clearing._kernels.orderbook.book.process_event`` (codes, prices in ticks) and returns
``(state, reason, filled, remaining, order_id, records)`` where ``records`` lists
``(seq, taker, maker, price_ticks, quantity, kind)`` with kind 0 = fill, 1 = resting order
cancelled by self-trade prevention. It follows the rules in ``clearing.orderbook`` step by
step: validate, then (for orders) check FOK feasibility walking the opposite side in
priority order, then match level by level, order by order.
"""

from __future__ import annotations

from typing import Any

LIMIT, MARKET, CANCEL, REDUCE = range(4)
BUY, SELL = 0, 1
GTC, IOC, FOK = range(3)
STP_NONE, STP_CANCEL_TAKER, STP_CANCEL_RESTING = range(3)
RESTING, FILLED, CANCELLED, EXPIRED, REJECTED = range(5)
(NONE, DUPLICATE_ID, UNKNOWN_ID, BAD_QUANTITY, BAD_EVENT, SELF_TRADE, NOT_FILLABLE,
 UNCROSS, CALL_PHASE) = range(9)  # fmt: skip


class ReferenceBook:
    def __init__(self, stp: int = STP_CANCEL_TAKER) -> None:
        self.stp = stp
        # id -> [side, price, quantity, owner, arrival]
        self.orders: dict[int, list[Any]] = {}
        self.levels: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})
        self.next_id = 0
        self.arrival = 0
        self.seq = 0
        self.call = False
        self.submitted = 0.0
        self.traded = 0.0
        self.cancelled = 0.0
        self.expired = 0.0

    # -- helpers ---------------------------------------------------------------------------
    def priority(self, side: int) -> list[int]:
        """Ids of ``side`` in priority order: best price first, then arrival."""
        prices = sorted(self.levels[side], reverse=(side == BUY))
        return [oid for p in prices for oid in self.levels[side][p]]

    def crosses(self, side: int, price: int, level_price: int, market: bool) -> bool:
        if market:
            return True
        return level_price <= price if side == BUY else level_price >= price

    def remove(self, oid: int) -> None:
        side, price = self.orders[oid][0], self.orders[oid][1]
        self.levels[side][price].remove(oid)
        if not self.levels[side][price]:
            del self.levels[side][price]
        del self.orders[oid]

    def add(self, side: int, price: int, qty: float, oid: int, owner: int) -> None:
        self.orders[oid] = [side, price, qty, owner, self.arrival]
        self.arrival += 1
        self.levels[side].setdefault(price, []).append(oid)

    def record(
        self, records: list[Any], taker: int, maker: int, price: int, q: float, kind: int
    ) -> None:
        records.append((self.seq, taker, maker, price, q, kind))
        if kind == 0:  # the sequence counts fills only (Fill.seq)
            self.seq += 1

    # -- the event ---------------------------------------------------------------------------
    def event(
        self, kind: int, side: int, price: int, qty: float, oid: int, owner: int, tif: int
    ) -> Any:
        records: list[Any] = []
        if kind in (CANCEL, REDUCE):
            if kind == REDUCE and not qty > 0:
                return REJECTED, BAD_QUANTITY, 0.0, 0.0, oid, records
            if oid not in self.orders:
                return REJECTED, UNKNOWN_ID, 0.0, 0.0, oid, records
            left = self.orders[oid][2]
            if kind == REDUCE and qty < left:
                self.orders[oid][2] = left - qty
                self.cancelled += qty
                return RESTING, NONE, 0.0, left - qty, oid, records
            self.cancelled += left
            self.remove(oid)
            return CANCELLED, NONE, 0.0, 0.0, oid, records
        if kind not in (LIMIT, MARKET) or side not in (BUY, SELL):
            return REJECTED, BAD_EVENT, 0.0, 0.0, oid, records
        if not (qty > 0 and qty <= 2.0**53):  # the largest order quantity
            return REJECTED, BAD_QUANTITY, 0.0, 0.0, oid, records
        if tif not in (GTC, IOC, FOK):
            return REJECTED, BAD_EVENT, 0.0, 0.0, oid, records
        if oid >= 0 and oid in self.orders:
            return REJECTED, DUPLICATE_ID, 0.0, 0.0, oid, records
        market = kind == MARKET
        if self.call and (market or tif != GTC):
            return REJECTED, CALL_PHASE, 0.0, 0.0, oid, records
        if oid < 0:
            oid = self.next_id
        self.next_id = max(self.next_id, oid + 1)
        self.submitted += qty
        if self.call:
            self.add(side, price, qty, oid, owner)
            return RESTING, NONE, 0.0, qty, oid, records
        stp = self.stp if owner >= 0 else STP_NONE
        opp = 1 - side
        if tif == FOK:
            avail = 0.0
            for mid in self.priority(opp):
                o = self.orders[mid]
                if not self.crosses(side, price, o[1], market):
                    break
                if stp != STP_NONE and o[3] == owner:
                    if stp == STP_CANCEL_TAKER:
                        break
                    continue
                avail += o[2]
                if avail >= qty:
                    break
            if avail < qty:
                self.expired += qty
                return EXPIRED, NOT_FILLABLE, 0.0, 0.0, oid, records
        rem = qty
        stopped = False
        for mid in self.priority(opp):
            if rem <= 0:
                break
            o = self.orders[mid]
            if not self.crosses(side, price, o[1], market):
                break
            if stp != STP_NONE and o[3] == owner:
                if stp == STP_CANCEL_TAKER:
                    stopped = True
                    break
                self.record(records, oid, mid, o[1], o[2], 1)
                self.cancelled += o[2]
                self.remove(mid)
                continue
            q = min(rem, o[2])
            self.record(records, oid, mid, o[1], q, 0)
            rem -= q
            self.traded += q
            o[2] -= q
            if o[2] == 0:
                self.remove(mid)
        filled = qty - rem
        if rem == 0:
            return FILLED, NONE, filled, 0.0, oid, records
        if stopped:
            self.cancelled += rem
            return CANCELLED, SELF_TRADE, filled, 0.0, oid, records
        if market or tif != GTC:
            self.expired += rem
            return EXPIRED, NONE, filled, 0.0, oid, records
        self.add(side, price, rem, oid, owner)
        return RESTING, NONE, filled, rem, oid, records

    # -- views -------------------------------------------------------------------------------
    def resting(self, side: int) -> list[tuple[int, int, float, int]]:
        """``(order_id, price_ticks, quantity, owner)`` in priority order."""
        return [
            (oid, self.orders[oid][1], self.orders[oid][2], self.orders[oid][3])
            for oid in self.priority(side)
        ]

    def best(self, side: int) -> int | None:
        if not self.levels[side]:
            return None
        return max(self.levels[side]) if side == BUY else min(self.levels[side])
