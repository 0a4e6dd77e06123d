"""What the market board shows, kept as plain data: one object, updated by each event.

:class:`BoardState` records clearings, order-book depths and budget balances as they happen
and answers :meth:`BoardState.snapshot`, a JSON-ready dict filtered by team and service.
It holds no web code: the HTTP routes read it, and so can a notebook or a test.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clearing import BookDepth, Clearing

__all__ = ["BoardState", "Budget"]

HISTORY = 500  # points kept per service for the price chart
UNMATCHED = 50  # latest unmatched rows shown
_NAMES = {"request_id", "offer_id", "team", "provider", "party", "service"}


@dataclass(frozen=True, slots=True)
class Budget:
    """A team's budget for the period: what it was given, spent and holds for negotiations."""

    team: str
    granted: float
    spent: float
    pending: float = 0.0

    @property
    def left(self) -> float:
        return self.granted - self.spent - self.pending


def _natural(name: str) -> list[Any]:
    """Sort key: team 2 before team 10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _num(x: Any) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    v = float(x)
    return v if math.isfinite(v) else None


def _rows(table: Any, columns: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of a column table (a :class:`clearing.Clearing` table, a dict of columns or a
    DataFrame), keeping ``columns`` that it has."""
    names = [c for c in columns if c in table]
    data = {c: list(table[c].tolist() if hasattr(table[c], "tolist") else table[c]) for c in names}
    for c in _NAMES.intersection(data):  # integer ids (a simulation's) are names on the page
        data[c] = [str(v) for v in data[c]]
    n = len(next(iter(data.values()))) if data else 0
    return [{c: data[c][i] for c in names} for i in range(n)]


@dataclass
class _History:
    t: list[float] = field(default_factory=list)
    price: list[float | None] = field(default_factory=list)
    price_low: list[float | None] = field(default_factory=list)
    price_high: list[float | None] = field(default_factory=list)
    paid: list[float | None] = field(default_factory=list)
    volume: list[float] = field(default_factory=list)

    def add(self, when: float, row: Mapping[str, Any]) -> None:
        self.t.append(when)
        self.price.append(_num(row["price"]))
        self.price_low.append(_num(row["price_low"]))
        self.price_high.append(_num(row["price_high"]))
        self.paid.append(row["paid"])
        self.volume.append(float(row["volume"]))
        for series in self._series():
            del series[:-HISTORY]

    def _series(self) -> tuple[list[Any], ...]:
        return (self.t, self.price, self.price_low, self.price_high, self.paid, self.volume)

    def to_dict(self) -> dict[str, list[Any]]:
        names = ("t", "price", "price_low", "price_high", "paid", "volume")
        return {name: list(series) for name, series in zip(names, self._series(), strict=True)}


class BoardState:
    """The live state behind the market board.

    Every ``record_*`` call replaces the part it concerns and bumps :attr:`version`;
    :meth:`wait` blocks until the version moves past a given one (what the event stream
    of the board waits on). Safe to share between threads.

    Examples
    --------
    >>> from clearing import clear, datasets
    >>> org = datasets.organisation()
    >>> board = BoardState()
    >>> board.record_clearing(clear(org.requests, org.offers, org.policy), offers=org.offers)
    1
    >>> snap = board.snapshot(service="legal")
    >>> [s["service"] for s in snap["services"]], snap["services"][0]["price"]
    (['legal'], 95.0)
    """

    def __init__(self, *, axis: str = "time") -> None:
        if axis not in ("time", "round"):
            raise ValueError(f"BoardState: axis must be 'time' or 'round', got {axis!r}")
        self.axis = axis
        self._caption = ""
        self._closed = False
        self._lock = threading.Condition()
        self._version = 0
        self._updated = 0.0
        self._markets: dict[str, dict[str, Any]] = {}
        self._history: dict[str, _History] = {}
        self._providers: list[dict[str, Any]] = []
        self._negotiations: list[dict[str, Any]] = []
        self._unmatched: list[dict[str, Any]] = []
        self._books: dict[str, dict[str, list[list[float]]]] = {}
        self._budgets: dict[str, Budget] = {}
        self._policy_budgets: dict[str, float] = {}
        self._spent: dict[str, float] = {}
        self._from_ledger = False
        self._teams: set[str] = set()

    @property
    def version(self) -> int:
        """How many updates the board has seen."""
        return self._version

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called: open event streams end."""
        return self._closed

    def close(self) -> None:
        """End every open event stream of this board (its server is stopping)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def _bump(self, when: float | None) -> int:
        self._version += 1
        self._updated = time.time() if when is None else when
        self._lock.notify_all()
        return self._version

    def record_clearing(
        self,
        clearing: Clearing,
        *,
        offers: Any = None,
        when: float | None = None,
        at: float | None = None,
    ) -> int:
        """Show the outcome of a :func:`clearing.clear` call; returns the new version.

        ``offers`` (the offers table that was cleared) supplies provider ratings from its
        ``quality`` column, for providers that sold nothing as well. ``when`` is the time
        of the clearing (default: now) and ``at`` its place on the price charts' x axis
        (default: ``when``; the round number on a board made with ``axis="round"``).
        """
        stamp = time.time() if when is None else when
        x = stamp if at is None else float(at)
        markets = _rows(
            clearing.markets,
            ["service", "route", "price", "price_low", "price_high", "volume", "requested",
             "negotiated", "hhi", "efficiency"],
        )  # fmt: skip
        alloc = clearing.allocations
        volume: dict[tuple[str, str], float] = {}
        for row in _rows(alloc, ["service", "provider", "quantity"]):
            key = (row["service"], row["provider"])
            volume[key] = volume.get(key, 0.0) + float(row["quantity"])
        ratings: dict[tuple[str, str], float | None] = {}
        if offers is not None:
            for o in _rows(offers, ["service", "provider", "quality"]):
                ratings[(o["service"], o["provider"])] = _num(o.get("quality", math.nan))
        spent: dict[str, float] = {}
        amounts: dict[str, float] = {}  # per service, for the mean price paid
        for row in _rows(alloc, ["team", "service", "amount"]):
            spent[row["team"]] = spent.get(row["team"], 0.0) + float(row["amount"])
            amounts[row["service"]] = amounts.get(row["service"], 0.0) + float(row["amount"])
        units: dict[str, float] = {}
        for (service, _), q in volume.items():
            units[service] = units.get(service, 0.0) + q
        for m in markets:
            u = units.get(m["service"], 0.0)
            m["paid"] = amounts[m["service"]] / u if u > 0 else None
        with self._lock:
            for m in markets:
                self._history.setdefault(m["service"], _History()).add(x, m)
                self._markets[m["service"]] = {
                    k: (_num(v) if isinstance(v, float) else v) for k, v in m.items()
                }
            self._providers = [
                {
                    "service": service,
                    "provider": provider,
                    "rating": ratings.get((service, provider)),
                    "volume": volume.get((service, provider), 0.0),
                    "share": volume.get((service, provider), 0.0) / units[service]
                    if units.get(service)
                    else 0.0,
                }
                for service, provider in sorted(set(volume) | set(ratings))
            ]
            negotiation_columns = ["request_id", "team", "service", "quantity", "rule",
                                   "zopa_low", "zopa_high", "zopa_empty"]  # fmt: skip
            self._negotiations = [
                {k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in _rows(clearing.negotiations, negotiation_columns)
            ]
            unmatched = clearing.unmatched
            rows = _rows(unmatched, ["side", "party", "service", "quantity", "reason"])
            messages = unmatched["message"].tolist() if "message" in unmatched else []
            for r, msg in zip(rows, messages, strict=False):
                r["message"] = msg
            self._unmatched = rows[-UNMATCHED:]
            self._policy_budgets = {
                str(k): float(v) for k, v in dict(clearing.policy.budgets).items()
            }
            self._spent = spent
            self._teams |= set(spent) | set(self._policy_budgets)
            self._teams |= {n["team"] for n in self._negotiations}
            self._teams |= {u["party"] for u in rows if u["side"] == "request"}
            return self._bump(stamp)

    def record_caption(self, caption: str, *, when: float | None = None) -> int:
        """Show a line saying what the board is of (e.g. which simulation, which round)."""
        with self._lock:
            self._caption = str(caption)
            return self._bump(when)

    def record_book(self, market: str, depth: BookDepth, *, when: float | None = None) -> int:
        """Show one continuous market's depth (:meth:`clearing.OrderBook.depth`)."""
        bids = zip(depth.bid_price.tolist(), depth.bid_quantity.tolist(), strict=True)
        asks = zip(depth.ask_price.tolist(), depth.ask_quantity.tolist(), strict=True)
        with self._lock:
            self._books[str(market)] = {
                "bids": [[p, q] for p, q in bids],
                "asks": [[p, q] for p, q in asks],
            }
            return self._bump(when)

    def record_budgets(self, budgets: Iterable[Budget], *, when: float | None = None) -> int:
        """Show budgets as the ledger holds them (they replace those derived from clearings)."""
        with self._lock:
            self._budgets = {b.team: b for b in budgets}
            self._teams |= set(self._budgets)
            self._from_ledger = True
            return self._bump(when)

    def _budget_rows(self) -> list[dict[str, Any]]:
        if self._from_ledger:
            budgets = list(self._budgets.values())
        else:
            budgets = [
                Budget(team, granted, self._spent.get(team, 0.0))
                for team, granted in self._policy_budgets.items()
            ]
        return [
            {"team": b.team, "granted": b.granted, "spent": b.spent, "pending": b.pending,
             "left": b.left}
            for b in sorted(budgets, key=lambda b: _natural(b.team))
        ]  # fmt: skip

    def wait(self, version: int, timeout: float) -> int:
        """Block until :attr:`version` exceeds ``version`` or ``timeout`` seconds pass."""
        with self._lock:
            self._lock.wait_for(lambda: self._version > version, timeout=timeout)
            return self._version

    def snapshot(self, *, team: str | None = None, service: str | None = None) -> dict[str, Any]:
        """Everything the board shows, as JSON-ready data.

        ``team`` keeps only that team's negotiations, budget and unserved requests (offers'
        rows stay: they are public market information); ``service`` keeps one service.
        """

        def keep_service(row: Mapping[str, Any]) -> bool:
            return service is None or row.get("service") == service

        def keep_team(row: Mapping[str, Any], key: str = "team") -> bool:
            return team is None or row.get(key) == team

        with self._lock:
            return {
                "version": self._version,
                "updated": self._updated,
                "axis": self.axis,
                "caption": self._caption,
                "filters": {"team": team, "service": service},
                "teams": sorted(self._teams, key=_natural) if team is None else [team],
                "service_names": sorted(set(self._markets) | set(self._books)),
                "services": [m for m in self._markets.values() if keep_service(m)],
                "history": {
                    s: h.to_dict() for s, h in self._history.items() if keep_service({"service": s})
                },
                "books": dict(self._books),
                "negotiations": [n for n in self._negotiations if keep_service(n) and keep_team(n)],
                "budgets": [b for b in self._budget_rows() if keep_team(b)],
                "providers": [p for p in self._providers if keep_service(p)],
                "unmatched": [
                    u
                    for u in self._unmatched
                    if keep_service(u) and (u["side"] == "offer" or keep_team(u, "party"))
                ],
            }
