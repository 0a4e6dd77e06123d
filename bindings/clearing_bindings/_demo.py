"""The text of ``clearing demo``: the bundled legal-review market under every mechanism, then
the bundled organisation cleared inside its guard rails."""

from __future__ import annotations

import math
from collections.abc import Sequence

from clearing import MECHANISMS, AuctionResult, datasets, double_auction
from clearing.market._demo import market_demo

__all__ = ["demo", "format_table"]


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _price_cell(r: AuctionResult) -> str:
    if r.volume == 0:
        return "no trade"
    if r.mechanism == "pay_as_bid":
        return "each at own price"
    if not math.isnan(r.price):
        return _money(r.price)
    return f"buy {_money(r.buyer_price)} / sell {_money(r.seller_price)}"


def format_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Align ``rows`` under ``header``: the first column left, the others right."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = (str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def demo(seed: int = 2026) -> str:
    """Clear the bundled legal-review market with every mechanism; return the report."""
    m = datasets.legal_review()
    n_internal = int((~m.ask_external).sum())
    lines = [
        "Legal review, one week: "
        f"{len(m.bid_party)} front-line teams want {m.bid_hours.sum():.0f} hours; "
        f"{n_internal} internal legal departments and {len(m.ask_party) - n_internal} "
        f"outside firms offer {m.ask_hours.sum():.0f} hours (prices per hour).",
        "",
    ]
    rows = []
    uniform = None
    for mechanism in MECHANISMS:
        r = double_auction(
            m.bid_prices, m.bid_hours, m.ask_prices, m.ask_hours, mechanism=mechanism, rng=seed
        )
        uniform = uniform or r
        lo, hi = r.clearing_range
        rows.append(
            [
                mechanism,
                _price_cell(r),
                f"[{_money(lo)}, {_money(hi)}]",
                f"{r.volume:g}",
                _money(r.welfare),
                f"{r.efficiency:.2%}",
                _money(r.budget_surplus),
            ]
        )
    header = ["mechanism", "price", "clearing range", "hours", "welfare", "efficiency", "surplus"]
    lines.append(format_table(rows, header))
    assert uniform is not None
    lines += ["", "Who buys and who sells under the uniform price:"]
    detail = [
        [name, f"{want:g}", f"{got:g}", _money(price)]
        for name, want, got, price in zip(
            m.bid_party + m.ask_party,
            [*m.bid_hours, *m.ask_hours],
            [*uniform.bid_filled, *uniform.ask_filled],
            [*m.bid_prices, *m.ask_prices],
            strict=True,
        )
    ]
    lines.append(format_table(detail, ["party", "hours", "traded", "limit price"]))
    lines += ["", "=" * 100, "", market_demo(seed)]
    return "\n".join(lines)
