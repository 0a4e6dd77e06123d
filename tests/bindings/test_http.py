"""The HTTP service, against a real ``clearing serve --http`` on 127.0.0.1."""

from __future__ import annotations

import concurrent.futures
import json
import os

import pytest

from clearing import double_auction

if os.environ.get("CLEARING_CI") == "1":  # under CI a missing [service] extra is a failure
    import httpx
else:
    httpx = pytest.importorskip("httpx")

AUCTION = {
    "bid_prices": [10, 9],
    "bid_quantities": [1, 1],
    "ask_prices": [1, 2],
    "ask_quantities": [1, 1],
}


def test_auction_matches_the_library(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/auction", json={**AUCTION, "mechanism": "vcg"})
    assert r.status_code == 200
    expected = double_auction(**AUCTION, mechanism="vcg")
    body = r.json()
    assert body["budget_surplus"] == expected.budget_surplus
    assert body["bid_filled"] == expected.bid_filled.tolist()
    assert body["price"] is None  # NaN in the library, null in JSON


@pytest.mark.parametrize(
    ("body", "status", "argument", "index"),
    [
        ({**AUCTION, "bid_quantities": [1, -1]}, 400, "bid_quantities", 1),
        ({**AUCTION, "bid_prices": [1, "x"]}, 422, "bid_prices", 1),
        ({**AUCTION, "extra": 1}, 422, "extra", None),
        ({"bid_prices": [1]}, 422, "bid_quantities", None),
        ({**AUCTION, "mechanism": "nope"}, 422, "mechanism", None),
        ({**AUCTION, "bid_prices": [1, 2, 3]}, 400, "bid_quantities", None),
    ],
)
def test_bad_input_is_4xx_with_argument_and_index(client, body, status, argument, index) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/auction", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["argument"] == argument and err["index"] == index
    assert err["message"]


def test_matrix_error_index_is_a_pair(client) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"value": [[1, 2], [3, float("nan")]]})  # NaN: Python's JSON extension
    r = client.post("/v1/assign", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["index"] == [1, 1]


@pytest.mark.parametrize("op", ["assign", "transport"])
def test_ragged_matrix_is_400(client, op) -> None:  # type: ignore[no-untyped-def]
    # found by schemathesis: a ragged cost matrix made numpy raise inside the library
    body = {"value": [[1.0, 2.0], [3.0, 4.0]], "cost": [[1.0, 2.0], [3.0]]}
    if op == "transport":
        body.update(demand=[1, 1], capacity=[1, 1])
    r = client.post(f"/v1/{op}", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["argument"] == "cost" and r.json()["error"]["index"] == 1


def test_malformed_json_is_400(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/auction", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not JSON" in r.json()["error"]["message"]


def test_clear_and_books(client) -> None:  # type: ignore[no-untyped-def]
    req = {
        "request_id": ["r1", "r2"],
        "team": ["t", "u"],
        "service": ["it", "it"],
        "quantity": [2, 1],
        "max_price": [50, 45],
        "priority": [0, 1],
    }
    off = {"offer_id": ["o1"], "provider": ["p"], "service": ["it"], "capacity": [2], "ask": [40]}
    r = client.post(
        "/v1/clear",
        json={"requests": req, "offers": off, "policy": {"services": {"it": {"price_cap": 48}}}},
    )
    assert r.status_code == 200, r.text
    from clearing import clear

    expected = clear(req, off, {"services": {"it": {"price_cap": 48}}})
    assert r.json()["allocations"]["unit_price"] == expected.allocations["unit_price"].tolist()
    assert r.json()["unmatched"]["reason"] == expected.unmatched["reason"].tolist()
    bad = client.post("/v1/clear", json={"requests": req, "offers": off, "policy": {"x": 1}})
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "PolicyError"

    assert (
        client.post(
            "/v1/books/t1/orders", json={"side": "sell", "price": 10, "quantity": 5, "order_id": 1}
        ).status_code
        == 200
    )
    r = client.post("/v1/books/t1/market-orders", json={"side": "buy", "quantity": 2})
    assert r.json()["filled"] == 2.0
    r = client.post("/v1/books/t1/orders/1/reduce", json={"quantity": 1})
    assert r.json()["remaining"] == 2.0
    assert client.get("/v1/books/t1/depth", params={"levels": 1}).json()["ask_quantity"] == [2.0]
    assert client.delete("/v1/books/t1/orders/1").json()["state"] == "CANCELLED"
    assert client.delete("/v1/books/t1/orders/1").json()["reason"] == "UNKNOWN_ID"
    assert client.get("/v1/books/t1/depth", params={"levels": 0}).status_code == 422
    assert (
        client.post(
            "/v1/books/t1/orders", json={"side": "buy", "price": 10.003, "quantity": 1}
        ).status_code
        == 400
    )
    assert client.get("/v1/books/no%20spaces/depth").status_code == 422


def test_one_writer_per_book_under_concurrency(server) -> None:  # type: ignore[no-untyped-def]
    n = 200

    def submit(i: int) -> dict:  # type: ignore[type-arg]
        with httpx.Client(base_url=server.url, timeout=30) as c:
            side = "buy" if i % 2 else "sell"
            return c.post(
                "/v1/books/race/orders",
                json={"side": side, "price": 10, "quantity": 1, "order_id": i},
            ).json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        reports = list(pool.map(submit, range(n)))
    filled = sum(r["filled"] for r in reports)
    seqs = sorted(f["seq"] for r in reports for f in r["fills"])
    assert filled == n // 2  # 100 trades of one unit, each reported once, by its taker
    assert seqs == sorted(set(seqs)) and len(seqs) == n // 2  # no fill reported twice
    depth = httpx.get(server.url + "/v1/books/race/depth").json()
    assert depth["resting"] == 0


def test_limits_413(extra_server) -> None:  # type: ignore[no-untyped-def]
    small = extra_server("--max-body-bytes", "2000", "--max-orders", "50", "--no-warmup")
    big = {**AUCTION, "bid_prices": [1.0] * 600, "bid_quantities": [1.0] * 600}
    r = httpx.post(small.url + "/v1/auction", json=big)
    assert r.status_code == 413 and "limit is 2000" in r.json()["error"]["message"]
    many = {**AUCTION, "bid_prices": [1] * 60, "bid_quantities": [1] * 60}
    r = httpx.post(small.url + "/v1/auction", json=many)
    assert r.status_code == 413 and "limit is 50" in r.json()["error"]["message"]


def test_bearer_token(extra_server) -> None:  # type: ignore[no-untyped-def]
    locked = extra_server("--token", "s3cret", "--no-warmup")
    assert httpx.post(locked.url + "/v1/auction", json=AUCTION).status_code == 401
    wrong = {"Authorization": "Bearer nope"}  # a token the service does not know: RFC 6750
    assert httpx.post(locked.url + "/v1/auction", json=AUCTION, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert httpx.post(locked.url + "/v1/auction", json=AUCTION, headers=right).status_code == 200
    assert httpx.get(locked.url + "/metrics").status_code == 401
    assert httpx.get(locked.url + "/healthz").status_code == 200


def test_metrics_count_requests_clears_and_volume(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/v1/auction", json=AUCTION)
    text = client.get("/metrics").text
    assert 'clearing_http_requests_total{op="auction",status="200"}' in text
    assert 'clearing_http_request_seconds_bucket{le="0.01",op="auction"}' in text
    assert 'clearing_clears_total{op="auction"}' in text
    assert 'clearing_volume_total{op="auction"}' in text


def test_committed_openapi_is_what_the_server_serves(client) -> None:  # type: ignore[no-untyped-def]
    from clearing_bindings.http.openapi import COMMITTED

    served = client.get("/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, (
        "the OpenAPI document drifted: run `python -m clearing_bindings.http.openapi`"
    )


def test_committed_openapi_matches_the_schema() -> None:
    pytest.importorskip("fastapi")
    from clearing_bindings.http.app import create_app
    from clearing_bindings.http.openapi import COMMITTED, document, dumps

    assert dumps(document(create_app(warmup=False))) == COMMITTED.read_text(encoding="utf-8")
