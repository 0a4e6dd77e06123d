"""The table of operations: arguments (the Python names) and result fields of each op.

See :mod:`clearing_bindings.schema` for what is built from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clearing import MECHANISMS

__all__ = ["OPS", "Field", "Op"]


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a request or of a result.

    ``kind`` names a JSON type of :mod:`clearing_bindings.schema` (``numbers`` is an array of
    numbers or nulls, ``table`` an object of column name to array, ...). ``where`` says where
    the HTTP binding takes an argument from: the JSON body, the path or the query string.
    """

    name: str
    kind: str
    doc: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    max_length: int | None = None
    result: bool = False
    where: str = "body"


@dataclass(frozen=True, slots=True)
class Op:
    """One operation: its JSON-lines name, the function it calls and its HTTP route."""

    name: str
    function: str
    model: str
    method: str
    path: str
    doc: str
    fields: tuple[Field, ...]
    result: tuple[Field, ...]
    by_name: dict[str, Field] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})


def _out(name: str, kind: str, doc: str) -> Field:
    return Field(name, kind, doc, result=True)


_MAX_ID = 2**62 - 1
_SEED = Field("rng", "integer", "seed of the random draws (only 'sbba' draws)", minimum=0)
_MECH = Field(
    "mechanism", "string", "double-auction mechanism", default="uniform", choices=MECHANISMS
)
_PRICES = Field(
    "prices",
    "string",
    "competitive price vectors to compute ('none': the solver's own duals only)",
    default="min",
    choices=("min", "max", "both", "none"),
)
_VALUE = Field(
    "value", "matrix", "value[i][j] of provider j to request i; -inf forbids", required=True
)
_COST = Field("cost", "cost", "cost per provider (array) or per pair (matrix); +inf forbids")
_FORBIDDEN = Field("forbidden", "flags", "true marks pairs that must not be matched")
_MARKET = Field(
    "market",
    "string",
    "name of the order book (one book per market, created on its first order)",
    required=True,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
    where="path",
)
_ORDER_ID = Field("order_id", "integer", "order id in [0, 2**62)", minimum=0, maximum=_MAX_ID)
_OWNER = Field("owner", "integer", "owner id for self-trade prevention", minimum=0, maximum=_MAX_ID)
_ORDER_ID_PATH = Field(
    "order_id", "integer", "order id", required=True, minimum=0, maximum=_MAX_ID, where="path"
)
_SIDE = Field("side", "string", "buy or sell", required=True, choices=("buy", "sell"))
_QTY = Field("quantity", "number", "quantity (finite, > 0)", required=True)

_REPORT = (
    _out("market", "string", "the order book"),
    _out("order_id", "integer", "the event's order (the id assigned when none was given)"),
    _out("state", "string", "RESTING, FILLED, CANCELLED, EXPIRED or REJECTED"),
    _out("reason", "string", "why the order ended in its state (NONE, UNKNOWN_ID, ...)"),
    _out("filled", "number", "quantity traded in this event"),
    _out("remaining", "number", "quantity still resting afterwards"),
    _out("fills", "fills", "trades in sequence order"),
    _out("self_trade_cancelled", "cancelled", "resting orders removed by self-trade prevention"),
)

_AUCTION = Op(
    "auction",
    "clearing.double_auction",
    "Auction",
    "POST",
    "/v1/auction",
    "Clear one call market: sealed bids against sealed asks.",
    (
        Field("bid_prices", "numbers", "per-unit limit price of each bid", required=True),
        Field("bid_quantities", "numbers", "quantity of each bid (>= 0)", required=True),
        Field("ask_prices", "numbers", "per-unit limit price of each ask", required=True),
        Field("ask_quantities", "numbers", "quantity of each ask (>= 0)", required=True),
        _MECH,
        Field("k", "number", "position of the uniform price in the range", 0, 0.5, None, 0, 1),
        Field("bid_priority", "numbers", "tie-break among bids at one price (lower first)"),
        Field("ask_priority", "numbers", "tie-break among asks at one price (lower first)"),
        _SEED,
    ),
    (
        _out("mechanism", "string", "the mechanism that cleared the market"),
        _out("volume", "number", "units traded"),
        _out("price", "number?", "the one price, null when there is none"),
        _out("buyer_price", "number?", "per-unit price buyers pay"),
        _out("seller_price", "number?", "per-unit price sellers receive"),
        _out("clearing_range", "range", "[lo, hi] of prices that clear the efficient volume"),
        _out("bid_filled", "numbers", "units filled per bid, in input order"),
        _out("ask_filled", "numbers", "units filled per ask"),
        _out("bid_price_paid", "numbers", "per-unit price of each bid (null: not filled)"),
        _out("ask_price_received", "numbers", "per-unit price of each ask (null: not filled)"),
        _out("bid_reason", "strings", "why each bid is not, or only partly, filled"),
        _out("ask_reason", "strings", "why each ask is not, or only partly, filled"),
        _out("trade_bid_index", "integers", "bid index of each trade"),
        _out("trade_ask_index", "integers", "ask index of each trade"),
        _out("trade_quantity", "numbers", "units of each trade"),
        _out("trade_buyer_price", "numbers", "per-unit price the buyer pays in each trade"),
        _out("trade_seller_price", "numbers", "per-unit price the seller gets in each trade"),
        _out("welfare", "number?", "realised gains from trade"),
        _out("max_welfare", "number?", "gains from trade of the efficient allocation"),
        _out("efficiency", "number?", "welfare / max_welfare"),
        _out("budget_surplus", "number?", "paid by buyers minus received by sellers"),
    ),
)

_MATCH_OUT = (
    _out("welfare", "number?", "total surplus of the optimum"),
    _out("row_duals", "numbers", "optimal dual per request"),
    _out("col_duals", "numbers", "optimal dual per provider (the minimum prices when computed)"),
    _out("min_prices", "numbers?", "least competitive price per provider (null: not computed)"),
    _out("max_prices", "numbers?", "greatest competitive price per provider"),
    _out("unmatched", "integers", "requests left (partly) unserved"),
    _out("reason", "strings", "per request, why it is (partly) unserved ('matched' if not)"),
)

_ASSIGN = Op(
    "assign",
    "clearing.assign",
    "Assign",
    "POST",
    "/v1/assign",
    "Match requests to providers to maximise total surplus, with competitive prices.",
    (_VALUE, _COST, _FORBIDDEN, _PRICES),
    (
        _out("request_index", "integers", "matched requests, ascending"),
        _out("provider_index", "integers", "the provider of each matched request"),
        *_MATCH_OUT,
        _out("utility", "numbers", "per request, its gain at the prices col_duals"),
        _out("shape", "pair", "[n_requests, n_providers]"),
    ),
)

_TRANSPORT = Op(
    "transport",
    "clearing.transport",
    "Transport",
    "POST",
    "/v1/transport",
    "Serve whole-unit demand from capacitated providers to maximise total surplus.",
    (
        _VALUE,
        _COST,
        Field("demand", "numbers", "units wanted by each request (whole, >= 0)", required=True),
        Field("capacity", "numbers", "units each provider can serve (whole, >= 0)", required=True),
        _FORBIDDEN,
        _PRICES,
    ),
    (
        _out("quantity", "imatrix", "units of request i served by provider j"),
        _out("served", "integers", "units served per request"),
        _out("unserved", "integers", "units left unserved per request"),
        *_MATCH_OUT,
        _out("load", "integers", "units served by each provider"),
    ),
)

_CLEAR = Op(
    "clear",
    "clearing.clear",
    "Clear",
    "POST",
    "/v1/clear",
    "Clear service requests against offers inside the organisation's guard rails.",
    (
        Field(
            "requests",
            "table",
            "columns request_id, team, service, quantity, max_price, ...",
            required=True,
        ),
        Field(
            "offers",
            "table",
            "columns offer_id, provider, service, capacity, ask, ...",
            required=True,
        ),
        Field("policy", "object", "guard rails: the mapping a policy TOML file parses to"),
        _MECH,
        _SEED,
    ),
    (
        _out("mechanism", "string", "the double-auction mechanism used"),
        _out("allocations", "table_out", "one row per (request, offer) pair that trades"),
        _out("markets", "table_out", "one row per service"),
        _out("unmatched", "table_out", "every unserved unit, with its reason and message"),
        _out("negotiations", "table_out", "requests routed to a bilateral negotiation"),
    ),
)

_BOOK = "/v1/books/{market}"
_BOOK_OPS = (
    Op(
        "book.limit",
        "clearing.OrderBook.limit",
        "BookLimit",
        "POST",
        _BOOK + "/orders",
        "Submit a limit order to a market's book.",
        (
            _MARKET,
            _SIDE,
            Field("price", "number", "limit price on the book's tick grid", required=True),
            _QTY,
            _ORDER_ID,
            _OWNER,
            Field("tif", "string", "time in force", default="GTC", choices=("GTC", "IOC", "FOK")),
        ),
        _REPORT,
    ),
    Op(
        "book.market",
        "clearing.OrderBook.market",
        "BookMarket",
        "POST",
        _BOOK + "/market-orders",
        "Submit a market order: it trades what it can at once, the rest expires.",
        (_MARKET, _SIDE, _QTY, _ORDER_ID, _OWNER),
        _REPORT,
    ),
    Op(
        "book.cancel",
        "clearing.OrderBook.cancel",
        "BookCancel",
        "DELETE",
        _BOOK + "/orders/{order_id}",
        "Cancel a resting order (REJECTED / UNKNOWN_ID when it is not resting).",
        (_MARKET, _ORDER_ID_PATH),
        _REPORT,
    ),
    Op(
        "book.reduce",
        "clearing.OrderBook.reduce",
        "BookReduce",
        "POST",
        _BOOK + "/orders/{order_id}/reduce",
        "Reduce a resting order by a quantity, keeping its time priority.",
        (_MARKET, _ORDER_ID_PATH, _QTY),
        _REPORT,
    ),
    Op(
        "book.depth",
        "clearing.OrderBook.depth",
        "BookDepth",
        "GET",
        _BOOK + "/depth",
        "The best price levels of each side of a market's book, best first.",
        (
            _MARKET,
            Field(
                "levels",
                "integer",
                "price levels per side",
                False,
                10,
                None,
                1,
                1000,
                where="query",
            ),
        ),
        (
            _out("market", "string", "the order book"),
            _out("bid_price", "numbers", "bid price levels, best first"),
            _out("bid_quantity", "numbers", "total quantity per bid level"),
            _out("bid_orders", "integers", "orders per bid level"),
            _out("ask_price", "numbers", "ask price levels, best first"),
            _out("ask_quantity", "numbers", "total quantity per ask level"),
            _out("ask_orders", "integers", "orders per ask level"),
            _out("best_bid", "number?", "highest resting buy price (null: none)"),
            _out("best_ask", "number?", "lowest resting sell price (null: none)"),
            _out("resting", "integer", "number of resting orders"),
        ),
    ),
)

_SCHEMA_OP = Op(
    "schema",
    "clearing_bindings.schema.json_schema",
    "Schema",
    "GET",
    "/v1/schema",
    "This schema: its version and the request and response of every op.",
    (),
    (
        _out("version", "integer", "schema version"),
        _out("ops", "object", "request and response schema per op"),
        _out("error", "object", "schema of an error"),
    ),
)

#: Every operation by its JSON-lines name.
OPS: dict[str, Op] = {
    op.name: op for op in (_AUCTION, _ASSIGN, _TRANSPORT, _CLEAR, *_BOOK_OPS, _SCHEMA_OP)
}
