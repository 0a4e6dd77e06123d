"""Turning a :class:`clearing.Clearing` into one balanced set of transfers.

The market account is the clearing house: each allocation is one ``usage`` transfer from the
team to the market (the team's charge, with the allocation's context for the chargeback),
then the market pays each provider its total in one ``payout`` transfer, and each outside
vendor's payout leaves the organisation through the ``external`` account. The rounding
residue (see :mod:`clearing.ledger._amounts`) goes to the ``rounding`` account.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidAmount, LedgerError
from ._amounts import LIMIT, apportion, rint_total
from ._store import Posting, digest

__all__ = ["Plan", "plan_settlement"]

_NUMERIC = ("quantity", "unit_price", "provider_price", "refund_share", "penalty", "rating_change")
_NAMES = ("request_id", "offer_id", "team", "provider", "service")


class Plan:
    """The settlement of one clearing, computed before the database is touched."""

    def __init__(self, content: str, cols: dict[str, np.ndarray], scale: int) -> None:
        self.content = content
        self.cols = cols
        self.scale = scale
        n = len(cols["quantity"])
        self.n = n
        q = cols["quantity"]
        b = q * cols["unit_price"] * scale
        p = q * cols["provider_price"] * scale
        team_labels, team_code = np.unique(cols["team"].astype(str), return_inverse=True)
        ext = cols["external"]
        pkey = np.where(ext, "vendor:", "provider:").astype(object) + cols["provider"].astype(str)
        prov_labels, prov_code = np.unique(pkey.astype(str), return_inverse=True)
        team_code = team_code.ravel().astype(np.int64)
        prov_code = prov_code.ravel().astype(np.int64)
        team_total = rint_total(b, team_code, len(team_labels))
        self.charge = apportion(b, team_code, team_total)
        self.payout = rint_total(p, prov_code, len(prov_labels))
        self.margin = round(math.fsum((b - p).tolist()))
        self.residue = int(self.charge.sum()) - int(self.payout.sum()) - self.margin
        self.teams = ["team:" + str(t) for t in team_labels.tolist()]
        self.team_total = team_total
        self.team_code = team_code
        self.providers = [str(x) for x in prov_labels.tolist()]
        self.provider_account = pkey
        self.list_cost = np.rint(b).astype(np.int64)
        self.refund_due = np.rint(cols["refund_share"] * self.charge).astype(np.int64)
        self.penalty_due = np.rint(cols["penalty"] * q * scale).astype(np.int64)

    def posting(self, sid: str, ids: dict[str, int], period: str, ts: int) -> Posting:
        """The rows, with per-account effects computed in bulk."""
        c = self.cols
        keep = np.flatnonzero(self.charge > 0)
        team_ids = np.array([ids[t] for t in self.teams], dtype=np.int64)
        market = ids["market"]
        debit = team_ids[self.team_code[keep]].tolist()
        rid = c["request_id"][keep].tolist()
        oid = c["offer_id"][keep].tolist()
        svc = c["service"][keep].tolist()
        qty = c["quantity"][keep].tolist()
        amount = self.charge[keep].tolist()
        lcost = self.list_cost[keep].tolist()
        rdue = self.refund_due[keep].tolist()
        pdue = self.penalty_due[keep].tolist()
        rating = c["rating_change"][keep].tolist()
        prov = self.provider_account[keep].tolist()
        rows: list[dict[str, Any]] = [
            {
                "id": f"{sid}/{i}",
                "operation": sid,
                "debit": debit[k],
                "credit": market,
                "amount": amount[k],
                "flags": 0,
                "pending_id": None,
                "code": "usage",
                "period": period,
                "ts": ts,
                "request_id": str(rid[k]),
                "offer_id": str(oid[k]),
                "service": str(svc[k]),
                "quantity": qty[k],
                "list_cost": lcost[k],
                "refund_due": rdue[k],
                "penalty_due": pdue[k],
                "rating_change": rating[k],
                "note": str(prov[k]),
            }
            for k, i in enumerate(keep.tolist())
        ]
        extra: list[dict[str, Any]] = []

        def simple(tid: str, debit: int, credit: int, amount: int, code: str, note: str) -> None:
            extra.append(
                {
                    **dict.fromkeys(
                        ("pending_id", "request_id", "offer_id", "service", "quantity"), None
                    ),
                    **dict.fromkeys(("list_cost", "refund_due", "penalty_due"), None),
                    "rating_change": None,
                    "id": tid,
                    "operation": sid,
                    "debit": debit,
                    "credit": credit,
                    "amount": amount,
                    "flags": 0,
                    "code": code,
                    "period": period,
                    "ts": ts,
                    "note": note,
                }
            )

        for name, total in zip(self.providers, self.payout.tolist(), strict=True):
            if total > 0:
                simple(f"{sid}/payout/{name}", market, ids[name], total, "payout", name)
                if name.startswith("vendor:"):
                    simple(f"{sid}/out/{name}", ids[name], ids["external"], total, "payout", name)
        if self.residue:
            pair = (market, ids["rounding"]) if self.residue > 0 else (ids["rounding"], market)
            simple(f"{sid}/rounding", *pair, abs(self.residue), "rounding", "residue")
        posting = Posting.of(extra)
        # usage rows in bulk: each team's debits, the market's credits
        for tid, total in zip(team_ids.tolist(), self.team_total.tolist(), strict=True):
            posting.deltas.setdefault(tid, [0, 0, 0, 0])[0] += total
        posting.deltas.setdefault(market, [0, 0, 0, 0])[1] += int(self.charge.sum())
        posting.rows = rows + extra
        return posting

    def summary(self) -> dict[str, Any]:
        return {
            "transfers": int(np.count_nonzero(self.charge > 0))
            + sum(
                1 + n.startswith("vendor:")
                for n, t in zip(self.providers, self.payout, strict=False)
                if t > 0
            )
            + (self.residue != 0),
            "charged": int(self.charge.sum()),
            "paid_out": int(self.payout.sum()),
            "margin": self.margin,
            "rounding": self.residue,
            "teams": dict(zip(self.teams, self.team_total.tolist(), strict=True)),
        }


def _column(a: Any, name: str, sid: str) -> np.ndarray:
    try:
        return np.asarray(a[name])
    except KeyError:
        raise LedgerError(
            f"settle {sid!r}: the clearing's allocations have no column {name!r}; pass the "
            "result of clearing.clear",
            argument="clearing",
            value=name,
        ) from None


def plan_settlement(clearing: Any, sid: str, period: str, scale: int) -> Plan:
    """Check the allocations (finite, non-negative, bounded) and plan the transfers.

    Raises :class:`InvalidAmount` naming the settlement id and the first bad allocation.
    """
    a = getattr(clearing, "allocations", None)
    if a is None:
        raise LedgerError(
            f"settle {sid!r}: expected a clearing.Clearing, got {type(clearing).__name__}",
            argument="clearing",
        )
    cols: dict[str, np.ndarray] = {}
    for name in _NUMERIC:
        raw = _column(a, name, sid)
        if raw.dtype.kind not in "iuf":
            raise InvalidAmount(
                f"settle {sid!r}: allocations[{name!r}] has dtype {raw.dtype}, expected numbers",
                argument=f"clearing.allocations.{name}",
            )
        col = raw.astype(np.float64)
        bad = ~np.isfinite(col)
        if name != "rating_change":
            bad |= col < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidAmount(
                f"settle {sid!r}: allocations[{name!r}][{i}] is {float(col[i])!r} (request "
                f"{_column(a, 'request_id', sid)[i]!r}); amounts must be finite and "
                f"non-negative ({int(bad.sum())} bad rows); nothing was written",
                argument=f"clearing.allocations.{name}",
                index=i,
                value=float(col[i]),
            )
        cols[name] = col
    for name in _NAMES:
        cols[name] = _column(a, name, sid).astype(object)
    ext = np.asarray(a["external"]) if "external" in a else np.zeros(len(cols["quantity"]))
    cols["external"] = ext.astype(bool)
    q = cols["quantity"]
    total = float(np.sum(q * np.maximum(cols["unit_price"], cols["provider_price"]))) * scale
    if not total < LIMIT / 4:
        raise InvalidAmount(
            f"settle {sid!r}: the settlement totals {total:.3g} minor units, beyond what the "
            "ledger's 64-bit integers hold",
            argument="clearing",
            value=total,
        )
    parts: list[Any] = [period, scale]
    parts += [cols[n].tobytes() for n in _NUMERIC]
    parts += ["\x1f".join(map(str, cols[n].tolist())) for n in _NAMES]
    parts.append(cols["external"].tobytes())
    return Plan(digest(*parts), cols, scale)
