"""Collect what clearing produced (allocations, unserved pieces) and turn it into tables.

Every requested and every offered unit ends in exactly one place: an allocation, a
negotiation (requests only) or an unmatched row with a reason. The pieces are gathered here as
arrays and assembled once into :class:`~clearing.market._tables.Table` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._records import Offers, Requests
from ..policy._explain import explain, reason_names
from ._tables import Table

__all__ = ["Outcome"]

_NONE = np.empty(0, dtype=object)


def _col(value: Any, n: int, dtype: Any = None) -> np.ndarray:
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        out = np.empty(n, dtype=arr.dtype if dtype is None else dtype)
        out[...] = value
        return out
    return arr


@dataclass
class Outcome:
    """Accumulates allocations and unserved pieces while the markets are cleared."""

    alloc: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    pieces: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add_allocations(
        self,
        req: np.ndarray,
        off: np.ndarray,
        qty: np.ndarray,
        price: np.ndarray,
        provider_price: np.ndarray,
    ) -> None:
        self.alloc.append(
            (
                req.astype(np.int64),
                off.astype(np.int64),
                qty.astype(np.float64),
                price.astype(np.float64),
                provider_price.astype(np.float64),
            )
        )

    def allocations(self) -> tuple[np.ndarray, ...]:
        """Concatenated (request, offer, quantity, unit_price, provider_price) arrays."""
        if not self.alloc:
            return (
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                np.empty(0),
                np.empty(0),
                np.empty(0),
            )
        return tuple(np.concatenate(parts) for parts in zip(*self.alloc, strict=True))

    def unserved(
        self,
        side: int,
        index: np.ndarray,
        qty: np.ndarray,
        code: Any,
        *,
        own: Any = np.nan,
        price: Any = np.nan,
        limit: Any = np.nan,
        rule: Any = None,
        other: Any = None,
        base: np.ndarray | None = None,
    ) -> None:
        """Record unserved units (``side`` 0 = request rows, 1 = offer rows).

        Pieces of zero (or rounding-noise) size relative to ``base`` are dropped.
        """
        index = np.asarray(index, dtype=np.int64)
        qty = np.asarray(qty, dtype=np.float64)
        ref = np.maximum(np.abs(base), 1.0) if base is not None else 1.0
        keep = qty > 1e-12 * ref
        if not keep.any():
            return
        n = len(index)
        piece = {
            "side": np.full(n, side, dtype=np.int8),
            "index": index,
            "qty": qty,
            "code": _col(code, n, np.int8),
            "own": _col(own, n, np.float64),
            "price": _col(price, n, np.float64),
            "limit": _col(limit, n, np.float64),
            "rule": _col(rule, n, object),
            "other": _col(other, n, object),
        }
        self.pieces.append({k: v[keep] for k, v in piece.items()})

    def unmatched_table(self, req: Requests, off: Offers, services: np.ndarray) -> Table:
        """One row per unserved piece, requests first, each with reason and message."""
        keys = ("side", "index", "qty", "code", "own", "price", "limit", "rule", "other")
        if self.pieces:
            p = {k: np.concatenate([pc[k] for pc in self.pieces]) for k in keys}
        else:
            p = {
                k: np.empty(0, dtype=d)
                for k, d in zip(
                    keys,
                    (np.int8, np.int64, float, np.int8, float, float, float, object, object),
                    strict=True,
                )
            }
        order = np.lexsort((p["code"], p["index"], p["side"]))
        p = {k: v[order] for k, v in p.items()}
        is_req = p["side"] == 0
        ri = np.where(is_req, p["index"], 0)
        oi = np.where(is_req, 0, p["index"])
        n = len(order)
        rid = np.full(n, None, dtype=object)
        oid = np.full(n, None, dtype=object)
        party = np.empty(n, dtype=object)
        service = np.empty(n, dtype=object)
        if len(req):
            rid[is_req] = req.ids.take(ri[is_req])
            party[is_req] = req.team.take(ri[is_req])
            service[is_req] = services[req.service[ri[is_req]]]
        if len(off):
            oid[~is_req] = off.ids.take(oi[~is_req])
            party[~is_req] = off.provider.take(oi[~is_req])
            service[~is_req] = services[off.service[oi[~is_req]]]
        ids = np.where(is_req, rid, oid)
        side = np.where(is_req, "request", "offer").astype(object)
        message = explain(
            p["side"],
            p["code"],
            ids,
            party,
            service,
            p["qty"],
            p["own"],
            p["price"],
            p["limit"],
            p["rule"],
            p["other"],
        )
        return Table(
            {
                "side": side,
                "request_id": rid,
                "offer_id": oid,
                "party": party,
                "service": service,
                "quantity": p["qty"],
                "reason": reason_names(p["code"]),
            },
            lazy={"message": message},
        )


def carry(
    extra: dict[str, np.ndarray], idx: np.ndarray, taken: set[str], prefix: str
) -> dict[str, np.ndarray]:
    """Extra input columns, taken at ``idx``; a clash with an existing name gets ``prefix``."""
    out = {}
    for name, col in extra.items():
        key = name if name not in taken else f"{prefix}{name}"
        taken.add(key)
        out[key] = col[idx] if len(idx) else col[:0]
    return out
