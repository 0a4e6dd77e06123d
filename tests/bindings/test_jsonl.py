"""``clearing serve --stdio``: one response per request line, in order, echoing ``id``."""

from __future__ import annotations

import json
import subprocess
import sys

from clearing_bindings.schema import OPS, SCHEMA_VERSION

from clearing import double_auction

AUCTION = {
    "bid_prices": [10, 9],
    "bid_quantities": [1, 1],
    "ask_prices": [1, 2],
    "ask_quantities": [1, 1],
}


def _serve(lines: list[str], *args: str) -> list[dict]:  # type: ignore[type-arg]
    out = subprocess.run(
        [sys.executable, "-m", "clearing_bindings", "serve", "--stdio", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_the_issue_example_and_a_stream_that_goes_on_after_bad_lines() -> None:
    lines = [
        json.dumps({"op": "auction", "id": "a1", **AUCTION}),
        "{not json",
        json.dumps({"op": "auction", "id": 2, **AUCTION, "bid_prices": [10, float("nan")]}),
        json.dumps({"op": "nope", "id": 3}),
        json.dumps({"op": "auction", "id": 4, **AUCTION, "colour": "red"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"op": "auction", "id": [5], "v": 99, **AUCTION}),
        json.dumps(
            {
                "op": "book.limit",
                "id": 6,
                "market": "it",
                "side": "sell",
                "price": 10,
                "quantity": 2,
                "order_id": 1,
            }
        ),
        json.dumps(
            {
                "op": "book.limit",
                "id": 7,
                "market": "it",
                "side": "buy",
                "price": 11,
                "quantity": 3,
                "order_id": 2,
            }
        ),
        json.dumps({"op": "book.depth", "id": 8, "market": "it"}),
        json.dumps({"op": "book.cancel", "id": 9, "market": "it", "order_id": 2}),
    ]
    r = _serve(lines)
    assert [x["id"] for x in r] == ["a1", None, 2, 3, 4, None, [5], 6, 7, 8, 9]
    ok = double_auction(**AUCTION)
    assert r[0]["ok"] and r[0]["result"]["price"] == ok.price == 5.5
    assert r[1]["error"]["type"] == "ParseError" and "line 2" in r[1]["error"]["message"]
    assert r[2]["error"] == {
        "type": "InputError",
        "message": "double_auction: bid_prices[1] is nan; NaN is not allowed (1 bad entry)",
        "argument": "bid_prices",
        "index": 1,
    }
    assert r[3]["error"]["argument"] == "op"
    assert r[4]["error"]["argument"] == "colour"
    assert r[5]["error"]["type"] == "ParseError"
    assert r[6]["error"]["argument"] == "v"
    assert r[7]["result"]["state"] == "RESTING"
    fill = r[8]["result"]["fills"][0]
    assert (fill["maker"], fill["taker"], fill["price"], fill["quantity"]) == (1, 2, 10.0, 2.0)
    assert r[9]["result"]["bid_price"] == [11.0] and r[9]["result"]["bid_quantity"] == [1.0]
    assert r[10]["result"]["state"] == "CANCELLED"


def test_every_op_answers_with_its_result_keys() -> None:
    req = {
        "request_id": ["r1"],
        "team": ["t"],
        "service": ["it"],
        "quantity": [2],
        "max_price": [50],
    }
    off = {"offer_id": ["o1"], "provider": ["p"], "service": ["it"], "capacity": [1], "ask": [40]}
    bodies = {
        "auction": AUCTION,
        "assign": {"value": [[9, 6], [8, 7]], "cost": [1, 1], "prices": "both"},
        "transport": {"value": [[5, 3], [4, 4]], "demand": [2, 1], "capacity": [2, 2]},
        "clear": {"requests": req, "offers": off},
        "book.limit": {"market": "m", "side": "buy", "price": 1, "quantity": 1, "order_id": 1},
        "book.market": {"market": "m", "side": "sell", "quantity": 1},
        "book.cancel": {"market": "m", "order_id": 1},
        "book.reduce": {"market": "m", "order_id": 1, "quantity": 1},
        "book.depth": {"market": "m", "levels": 3},
        "schema": {},
    }
    assert set(bodies) == set(OPS)
    r = _serve([json.dumps({"op": op, "id": op, **b}) for op, b in bodies.items()])
    for resp, op in zip(r, bodies, strict=True):
        assert resp["ok"], resp
        assert set(resp["result"]) == {f.name for f in OPS[op].result}, op
    assert r[-1]["result"]["version"] == SCHEMA_VERSION
    assert r[3]["result"]["unmatched"]["reason"] == ["marginal"]


def test_too_long_line_is_an_error_and_the_stream_goes_on() -> None:
    import io

    from clearing_bindings.jsonl import serve

    out = io.StringIO()
    long = json.dumps({"op": "auction", "id": 1, **AUCTION, "bid_prices": [1.0] * 1000})
    stream = io.BytesIO((long + "\n" + json.dumps({"op": "schema", "id": 2}) + "\n").encode())
    assert serve(stream, out, max_line_bytes=200) == 2
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert "longer than 200 bytes" in first["error"]["message"]
    assert second["id"] == 2 and second["ok"]


def test_order_limit_is_an_error_response() -> None:
    body = {**AUCTION, "bid_prices": [1.0] * 30, "bid_quantities": [1.0] * 30}
    r = _serve([json.dumps({"op": "auction", "id": 1, **body})], "--max-orders", "10")
    assert r[0]["error"]["type"] == "TooLarge"
