"""The market-façade part of the demo: an organisation cleared inside its guard rails.

The bundled example (``clearing/data/org_requests.csv``, ``org_offers.csv`` and
``org_policy.toml``): six front-line teams buy legal review, compliance work, IT tickets and
payroll runs from two internal legal departments, two internal IT departments, an internal
payroll team and three outside vendors. The policy keeps legal review internal (the two
legal departments compete, as VkusVill's do), sends compliance to legal department A only,
caps any IT provider at 60% of the volume and below-3 ratings out, forbids one team x provider
pair, sets two team budgets, routes large payroll runs to negotiation, and attaches
consequences of failure to payroll allocations.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

import numpy as np

from ..policy import Policy
from ._clear import Clearing, clear

__all__ = ["load_organisation", "market_demo"]

_FLOAT = {"quantity", "max_price", "priority", "quality_weight", "capacity", "ask", "quality"}


def _read_csv(name: str) -> dict[str, np.ndarray]:
    text = resources.files("clearing").joinpath("data", name).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    cols: dict[str, np.ndarray] = {}
    for key in rows[0]:
        values = [r[key] for r in rows]
        if key in _FLOAT:
            cols[key] = np.array(values, dtype=np.float64)
        elif key == "external":
            cols[key] = np.array([v.strip().lower() == "true" for v in values])
        else:
            cols[key] = np.array(values, dtype=object)
    return cols


def load_organisation() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Policy]:
    """The bundled example organisation: ``(requests, offers, policy)``.

    Examples
    --------
    >>> from clearing.market._demo import load_organisation
    >>> requests, offers, policy = load_organisation()
    >>> len(requests["request_id"]), len(offers["offer_id"]), sorted(policy.services)
    (15, 10, ['compliance', 'it', 'legal', 'payroll'])
    """
    text = resources.files("clearing").joinpath("data", "org_policy.toml").read_text("utf-8")
    return _read_csv("org_requests.csv"), _read_csv("org_offers.csv"), Policy.from_toml(text)


def _fmt(x: Any) -> str:
    if isinstance(x, float | np.floating):
        return "-" if x != x else f"{x:,.2f}".rstrip("0").rstrip(".")
    if isinstance(x, tuple):
        return ", ".join(map(str, x))
    return str(x)


def _table(table: Any, columns: dict[str, str]) -> str:
    """The ``columns`` of a result table (column name -> header), aligned for print."""
    header = list(columns.values())
    data = [table[c] for c in columns]
    cells = [[_fmt(col[i]) for col in data] for i in range(len(table))]
    widths = [max(len(c) for c in col) for col in zip(header, *cells, strict=True)]

    def line(r: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 or not _numeric(c) else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, cells)])


def _numeric(s: str) -> bool:
    return s.replace(",", "").replace(".", "").replace("-", "").isdigit()


def market_demo(seed: int = 2026) -> str:
    """Clear the bundled organisation inside its policy; return the printed report."""
    requests, offers, policy = load_organisation()
    c: Clearing = clear(requests, offers, policy, rng=seed)
    m, a, n, u = c.markets, c.allocations, c.negotiations, c.unmatched
    out = [
        f"An organisation: {len(set(requests['team']))} teams, {len(requests['request_id'])} "
        f"requests for {len(m)} services; {len(set(offers['provider']))} providers "
        f"({int(offers['external'].sum())} offers from outside vendors). Guard rails from "
        "org_policy.toml: legal internal only, compliance to legal_a, IT capped at 60% per "
        "provider and rated 3+, one forbidden pair, two budgets, large payroll runs negotiated.",
        "",
        "Markets (double auction where every provider is alike, transport where quality matters):",
        _table(
            m,
            {
                "service": "service",
                "route": "route",
                "price_low": "price low",
                "price_high": "price high",
                "volume": "volume",
                "requested": "requested",
                "negotiated": "negotiated",
                "hhi": "HHI",
            },
        ),
        "",
        "Allocations (unit price paid per hour or ticket; failure terms from the policy):",
        _table(
            a,
            {
                "request_id": "request",
                "team": "team",
                "provider": "provider",
                "service": "service",
                "quantity": "units",
                "unit_price": "unit price",
                "amount": "amount",
                "refund_share": "refund",
                "penalty": "penalty",
            },
        ),
        "",
        "Negotiations (the gray zone: handed to both parties, not forced):",
        _table(
            n,
            {
                "request_id": "request",
                "team": "team",
                "providers": "providers",
                "quantity": "units",
                "zopa_low": "ZOPA low",
                "zopa_high": "ZOPA high",
                "rule": "rule",
            },
        ),
        "",
        "Why units were not served (every unmatched unit has a reason):",
        *(f"  {q:>7g}  {msg}" for q, msg in zip(u["quantity"], u["message"], strict=True)),
        "",
        "Spend against budgets: "
        + "; ".join(
            f"{t} {c.spend().get(t, 0.0):,.2f} of {b:,.2f}" for t, b in policy.budgets.items()
        ),
    ]
    return "\n".join(out)
