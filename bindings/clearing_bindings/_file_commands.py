"""``clearing clear``, ``auction`` and ``assign``: tables on files in, tables on files out.

Each reads its inputs completely, clears, and only then writes (all tables or none) into the
``--out`` directory, in the format of its first input. Any error names the file, the line (or
record, or row) and the column; nothing is written then.
"""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from clearing import MECHANISMS, AssignmentReason, AuctionReason, ClearingError, Policy

from ._registry import OK, arg, command
from .tables import FileInputError, Source, locate, read_table, write_tables

__all__: list[str] = []

_OUT = arg(
    "--out",
    metavar="DIR",
    default=None,
    help="write the result tables into DIR (created if missing)",
)
_FORCE = arg("--force", action="store_true", help="overwrite existing output files")
_MECH = arg(
    "--mechanism",
    default="uniform",
    choices=MECHANISMS,
    help="double-auction mechanism (default uniform)",
)
_SEED = arg("--seed", type=int, default=None, help="seed for the SBBA lottery")
_PROGRESS = arg(
    "--progress",
    action=argparse.BooleanOptionalAction,
    default=None,
    help="progress bar on stderr (default: if it is a terminal)",
)

_REQUEST_NUMBERS = ("quantity", "max_price", "priority", "quality_weight")
_OFFER_NUMBERS = ("capacity", "ask", "quality", "priority")
# the inputs of clear(): two tables and a policy (``clear`` and ``board`` take them alike)
_ORGANISATION = (
    arg("requests", metavar="REQUESTS", help="requests table (.csv, .json or .parquet)"),
    arg("offers", metavar="OFFERS", help="offers table (.csv, .json or .parquet)"),
    arg("--policy", metavar="TOML", default=None, help="guard-rail policy (TOML file)"),
)


def _read_requests(path: str) -> tuple[dict[str, Any], Source]:
    return read_table(path, numeric=lambda c: c in _REQUEST_NUMBERS or c.startswith("value:"))


def _read_offers(path: str) -> tuple[dict[str, Any], Source]:
    return read_table(path, numeric=_OFFER_NUMBERS)


class _Progress:
    """Steps of a command on a tqdm bar when tqdm is installed and the bar is wanted."""

    def __init__(self, steps: int, wanted: bool | None, desc: str) -> None:
        self._bar: Any = None
        if wanted is None:
            wanted = sys.stderr.isatty()
        if wanted:
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self._bar = tqdm(total=steps, desc=desc, file=sys.stderr, leave=False, unit="step")

    def step(self, label: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(label)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def _located(sources: Mapping[str, tuple[Source, str | None]]) -> Iterator[None]:
    """Turn a library error into one that names the file, line and column it came from."""
    try:
        yield
    except ClearingError as exc:
        where = locate(sources, exc)
        raise FileInputError(f"{where}: {exc}" if where else str(exc)) from None


def _write(args: argparse.Namespace, tables: Mapping[str, Any], fmt: str) -> None:
    if args.out is None:
        return
    for path in write_tables(args.out, tables, fmt, force=args.force):
        print(f"wrote {path}")


def _policy(path: str | None) -> Policy | None:
    if path is None:
        return None
    p = pathlib.Path(path)
    if not p.is_file():
        raise FileInputError(f"{p}: no such file (the policy)")
    try:
        return Policy.from_toml(p)
    except ClearingError as exc:
        raise FileInputError(f"{p}: {exc}") from None


@command(
    "clear",
    "clear service requests against offers inside a policy",
    *_ORGANISATION,
    _MECH,
    _SEED,
    _OUT,
    _FORCE,
    _PROGRESS,
)
def _clear(args: argparse.Namespace) -> int:
    """Clear the requests table against the offers table inside the policy and print the
    markets; with --out, write allocations, markets, unmatched and negotiations tables in
    the format of REQUESTS."""
    from clearing import clear

    bar = _Progress(5, args.progress, "clear")
    try:
        req, rsrc = _read_requests(args.requests)
        bar.step("requests read")
        off, osrc = _read_offers(args.offers)
        bar.step("offers read")
        policy = _policy(args.policy)
        bar.step("policy read")
        with _located({"requests": (rsrc, None), "offers": (osrc, None)}):
            c = clear(req, off, policy, mechanism=args.mechanism, rng=args.seed)
        bar.step("cleared")
        m = c.markets
        for i in range(len(m)):
            print(
                f"{m['service'][i]}: {m['route'][i]}, volume {m['volume'][i]:g} of "
                f"{m['requested'][i]:g} requested, prices {m['price_low'][i]:.6g} to "
                f"{m['price_high'][i]:.6g}"
            )
        print(
            f"{len(c.allocations)} allocations, {len(c.unmatched)} unmatched rows, "
            f"{len(c.negotiations)} negotiations"
        )
        tables = {
            "allocations": c.allocations,
            "markets": c.markets,
            "unmatched": c.unmatched,
            "negotiations": c.negotiations,
        }
        _write(args, tables, rsrc.fmt)
        bar.step("written")
    finally:
        bar.close()
    return OK


def _side(path: str, name: str) -> tuple[dict[str, Any], Source]:
    cols, src = read_table(path, numeric=("price", "quantity", "priority"))
    for need in ("price", "quantity"):
        if need not in cols:
            raise FileInputError(
                f"{src.path}: no column {need!r} (the {name} need price, quantity)"
            )
    return cols, src


@command(
    "auction",
    "clear one call market: bids against asks",
    arg("bids", metavar="BIDS", help="bids table: price, quantity[, priority, ...]"),
    arg("asks", metavar="ASKS", help="asks table: price, quantity[, priority, ...]"),
    _MECH,
    arg("--k", type=float, default=0.5, help="uniform price position in [0, 1]"),
    _SEED,
    _OUT,
    _FORCE,
)
def _auction(args: argparse.Namespace) -> int:
    """Clear the bids against the asks (one call market) and print the price and volume;
    with --out, write bids and asks (with fills, prices and reasons) and trades tables."""
    from clearing import double_auction

    bids, bsrc = _side(args.bids, "bids")
    asks, asrc = _side(args.asks, "asks")
    sources = {
        f"{side}_{what}": (src, col)
        for side, src in (("bid", bsrc), ("ask", asrc))
        for what, col in (("prices", "price"), ("quantities", "quantity"), ("priority", "priority"))
    }
    with _located(sources):
        r = double_auction(
            bids["price"],
            bids["quantity"],
            asks["price"],
            asks["quantity"],
            mechanism=args.mechanism,
            k=args.k,
            bid_priority=bids.get("priority"),
            ask_priority=asks.get("priority"),
            rng=args.seed,
        )
    lo, hi = r.clearing_range
    print(
        f"{r.mechanism}: volume {r.volume:g}, price {r.price:.6g}, clearing range "
        f"[{lo:.6g}, {hi:.6g}], welfare {r.welfare:.6g}, budget surplus {r.budget_surplus:.6g}"
    )
    names = [x.name.lower() for x in AuctionReason]
    tables = {
        "bids": {
            **bids,
            "filled": r.bid_filled,
            "price_paid": r.bid_price_paid,
            "reason": [names[c] for c in r.bid_reason],
        },
        "asks": {
            **asks,
            "filled": r.ask_filled,
            "price_received": r.ask_price_received,
            "reason": [names[c] for c in r.ask_reason],
        },
        "trades": {
            "bid_row": r.trade_bid_index,
            "ask_row": r.trade_ask_index,
            "quantity": r.trade_quantity,
            "buyer_price": r.trade_buyer_price,
            "seller_price": r.trade_seller_price,
        },
    }
    _write(args, tables, bsrc.fmt)
    return OK


@command(
    "assign",
    "match requests to providers by value, with competitive prices",
    arg(
        "values",
        metavar="VALUES",
        help="wide table: first column the request, one column per provider; "
        "an empty cell forbids the pair",
    ),
    arg(
        "--prices",
        default="both",
        choices=("min", "max", "both"),
        help="competitive price vectors to compute (default both)",
    ),
    _OUT,
    _FORCE,
)
def _assign(args: argparse.Namespace) -> int:
    """Match each request (a row of VALUES) to at most one provider (a column) to maximise
    total value, and print the matching with the range of competitive prices; with --out,
    write assignments (one row per request) and prices (one row per provider) tables."""
    from clearing import assign

    raw, src = read_table(args.values)
    names = list(raw)
    if len(names) < 2:
        raise FileInputError(f"{src.path}: needs a request column and at least one provider")
    cols, _ = read_table(args.values, numeric=names[1:])
    requests = raw[names[0]]
    providers = names[1:]
    value = np.column_stack([cols[p] for p in providers]) if len(requests) else np.zeros((0, 1))
    value = np.where(np.isnan(value), -np.inf, value)  # an empty cell forbids the pair
    with _located({"value": (src, None)}):
        r = assign(value, prices=args.prices)
    provider = np.full(len(requests), "", dtype=object)
    provider[r.request_index] = [providers[j] for j in r.provider_index]
    got = np.full(len(requests), np.nan)
    got[r.request_index] = value[r.request_index, r.provider_index]
    reason = np.array([AssignmentReason(c).name.lower() for c in r.reason], dtype=object)
    for i, j in zip(r.request_index, r.provider_index, strict=True):
        print(f"{requests[i]} -> {providers[j]} (value {value[i, j]:g})")
    print(f"welfare {r.welfare:g}; {len(r.unmatched)} request(s) unmatched")
    nan = np.full(len(providers), np.nan)
    tables = {
        "assignments": {
            names[0]: requests,
            "provider": provider,
            "value": got,
            "utility": r.utility,
            "reason": reason,
        },
        "prices": {
            "provider": providers,
            "min_price": nan if r.min_prices is None else r.min_prices,
            "max_price": nan if r.max_prices is None else r.max_prices,
        },
    }
    _write(args, tables, src.fmt)
    return OK
