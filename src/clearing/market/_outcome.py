"""Collect what clearing produced (allocations, unserved pieces) and turn it into tables.

Every requested and every offered unit ends in exactly one place: an allocation, a
negotiation (requests only) or an unmatched row with a reason. The pieces are gathered here as
arrays and assembled once into :class:`~clearing.market._tables.Table` objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._records import Labels, Offers, Requests
from ..policy._eligibility import lex_order
from ..policy._explain import explain, reason_names
from ._tables import Table

__all__ = ["Outcome"]

#: The detail of an unserved piece: one value for all its rows, an array with one per row,
#: or a function returning that array (for details only the messages read, built when they
#: are formatted).
Detail = Any

_NUMBERS = ("own", "price", "limit")
_TEXTS = ("rule", "other")


@dataclass(frozen=True, slots=True)
class _Piece:
    side: int
    index: np.ndarray
    qty: np.ndarray
    code: np.ndarray
    details: dict[str, Detail]  # own, price, limit, rule, other: as given, for the messages
    keep: np.ndarray | None  # the indices of the rows kept of the details' rows (None: all)

    def detail(self, name: str) -> np.ndarray:
        """Detail ``name`` as an array over the kept rows."""
        value = self.details[name]
        dtype = object if name in _TEXTS else np.float64
        if callable(value):
            value = value()
        arr = np.asarray(value, dtype=dtype)
        if arr.ndim == 0:
            out = np.empty(len(self.index), dtype=dtype)
            out[...] = value
            return out
        return arr if self.keep is None else arr[self.keep]


def _joined(pieces: list[_Piece], name: str, order: np.ndarray) -> np.ndarray:
    """One detail of every piece, in table order."""
    parts = [pc.detail(name) for pc in pieces]
    if not parts:
        return np.empty(0, dtype=object if name in _TEXTS else np.float64)
    joined: np.ndarray = np.concatenate(parts)
    return np.asarray(joined[order])


@dataclass
class Outcome:
    """Accumulates allocations and unserved pieces while the markets are cleared."""

    alloc: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)

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
                req.astype(np.int64, copy=False),
                off.astype(np.int64, copy=False),
                qty.astype(np.float64, copy=False),
                price.astype(np.float64, copy=False),
                provider_price.astype(np.float64, copy=False),
            )
        )

    def allocations(self) -> tuple[np.ndarray, ...]:
        """Concatenated (request, offer, quantity, unit_price, provider_price) arrays (the
        arrays given, when one call gave them all: read them, do not write them)."""
        if not self.alloc:
            return (
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                np.empty(0),
                np.empty(0),
                np.empty(0),
            )
        if len(self.alloc) == 1:
            return self.alloc[0]
        return tuple(np.concatenate(parts) for parts in zip(*self.alloc, strict=True))

    def unserved(
        self,
        side: int,
        index: np.ndarray,
        qty: np.ndarray,
        code: Any,
        *,
        own: Detail = np.nan,
        price: Detail = np.nan,
        limit: Detail = np.nan,
        rule: Detail = None,
        other: Detail = None,
        base: np.ndarray | None = None,
    ) -> None:
        """Record unserved units (``side`` 0 = request rows, 1 = offer rows).

        Pieces of zero (or rounding-noise) size relative to ``base`` are dropped. The
        details (``own``, ``price``, ``limit``, ``rule``, ``other``) feed the messages only:
        they are kept as given (arrays nobody changes afterwards) and expanded when the
        messages are formatted; a function given for one is called then.
        """
        index = np.asarray(index, dtype=np.int64)
        qty = np.asarray(qty, dtype=np.float64)
        ref = np.maximum(np.abs(base), 1.0) if base is not None else 1.0
        keep: np.ndarray | None = np.flatnonzero(qty > 1e-12 * ref)  # one scan, then takes
        assert keep is not None
        if not len(keep):
            return
        if len(keep) == len(qty):
            keep = None
        else:
            index, qty = index[keep], qty[keep]
        code = np.asarray(code, dtype=np.int8)
        if code.ndim == 0:
            code = np.full(len(index), code, dtype=np.int8)
        elif keep is not None:
            code = code[keep]
        details = {"own": own, "price": price, "limit": limit, "rule": rule, "other": other}
        self.pieces.append(_Piece(side, index, qty, code, details, keep))

    def unmatched_table(self, req: Requests, off: Offers, services: np.ndarray) -> Table:
        """One row per unserved piece, requests first, each with reason and message.

        Only ``quantity`` is built here; the label, reason and message columns are built
        on first access, from arrays nothing changes after :func:`clearing.clear` returns.
        """
        pieces = list(self.pieces)
        if pieces:
            side = np.concatenate([np.full(len(pc.index), pc.side, np.int8) for pc in pieces])
            index = np.concatenate([pc.index for pc in pieces])
            qty = np.concatenate([pc.qty for pc in pieces])
            code = np.concatenate([pc.code for pc in pieces])
        else:
            side, index, code = np.empty(0, np.int8), np.empty(0, np.int64), np.empty(0, np.int8)
            qty = np.empty(0)
        order = lex_order((code, index, side))
        side, index, qty, code = side[order], index[order], qty[order], code[order]
        is_req = side == 0
        ri, oi = index[is_req], index[~is_req]

        def ids_of(which: str) -> Callable[[], np.ndarray]:
            def build() -> np.ndarray:
                out = np.full(len(order), None, dtype=object)
                if which == "request" and len(ri):
                    out[is_req] = req.ids.take(ri)
                elif which == "offer" and len(oi):
                    out[~is_req] = off.ids.take(oi)
                return out

            return build

        def labels(r_labels: Labels | None, o_labels: Labels | None) -> np.ndarray:
            out = np.empty(len(order), dtype=object)
            if len(ri):
                out[is_req] = r_labels.take(ri) if r_labels else services[req.service[ri]]
            if len(oi):
                out[~is_req] = o_labels.take(oi) if o_labels else services[off.service[oi]]
            return out

        request_id, offer_id = ids_of("request"), ids_of("offer")

        def message() -> np.ndarray:
            # the label columns are rebuilt here rather than read from the table, which
            # would then hold itself through this function until the messages are read
            text = explain(
                side,
                code,
                np.where(is_req, request_id(), offer_id()),
                labels(req.team, off.provider),
                labels(None, None),
                qty,
                *(_joined(pieces, name, order) for name in (*_NUMBERS, *_TEXTS)),
            )
            return text()

        return Table(
            {"quantity": qty},
            lazy={
                "side": lambda: np.where(is_req, "request", "offer").astype(object),
                "request_id": request_id,
                "offer_id": offer_id,
                "party": lambda: labels(req.team, off.provider),
                "service": lambda: labels(None, None),
                "reason": lambda: reason_names(code),
                "message": message,
            },
            order=(
                "side",
                "request_id",
                "offer_id",
                "party",
                "service",
                "quantity",
                "reason",
                "message",
            ),
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
