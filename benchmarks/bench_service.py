"""Load test of the HTTP service: a real server on loopback, clients in a separate process.

Usage::

    python benchmarks/bench_service.py                       # 3 runs of each workload
    python benchmarks/bench_service.py --requests 2000 --runs 1
    python benchmarks/bench_service.py --markdown            # the table of docs/bench/service.md

Workloads: ``/v1/auction`` on markets of 100 orders (50 bids, 50 asks; a new random market
per request) and ``/v1/clear`` on an organisation of 1,000 requests and 60 offers over four
services. The server is ``clearing serve --http`` (uvicorn, one process); the client is one
process running ``--connections`` keep-alive aiohttp connections in asyncio (the
``[bench]`` extra; httpx's asyncio client costs several times more CPU per request, which on
two cores the server would lose). Each run reports
throughput, p50 and p99 latency (client-side, from sending the request to reading the whole
response) and the 1-minute load average when it ends; the summary row is the median of the
runs. Every response is checked to be a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np


def _auction_bodies(n: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        out.append(
            json.dumps(
                {
                    "bid_prices": np.round(rng.uniform(50, 150, 50), 2).tolist(),
                    "bid_quantities": rng.integers(1, 10, 50).tolist(),
                    "ask_prices": np.round(rng.uniform(40, 140, 50), 2).tolist(),
                    "ask_quantities": rng.integers(1, 10, 50).tolist(),
                }
            ).encode()
        )
    return out


def _organisation(n_requests: int, n_offers: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    services = ["legal", "it", "payroll", "facilities"]
    req = {
        "request_id": [f"R{i}" for i in range(n_requests)],
        "team": [f"team{i % 80}" for i in range(n_requests)],
        "service": [services[i % 4] for i in range(n_requests)],
        "quantity": rng.integers(1, 20, n_requests).tolist(),
        "max_price": np.round(rng.uniform(40, 160, n_requests), 2).tolist(),
    }
    off = {
        "offer_id": [f"O{j}" for j in range(n_offers)],
        "provider": [f"prov{j}" for j in range(n_offers)],
        "service": [services[j % 4] for j in range(n_offers)],
        "capacity": rng.integers(20, 200, n_offers).tolist(),
        "ask": np.round(rng.uniform(30, 130, n_offers), 2).tolist(),
        "external": [bool(j % 3 == 0) for j in range(n_offers)],
    }
    policy = {"services": {"legal": {"price_cap": 140.0}}, "budgets": {"team1": 5000.0}}
    return json.dumps({"requests": req, "offers": off, "policy": policy}).encode()


async def _drive(url: str, bodies: list[bytes], n: int, connections: int) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    bad = 0
    headers = {"content-type": "application/json"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(range(n))

        async def worker() -> None:
            nonlocal bad
            for i in queue:
                t0 = time.perf_counter()
                async with session.post(url, data=bodies[i % len(bodies)], headers=headers) as r:
                    await r.read()
                    bad += r.status != 200
                latencies.append(time.perf_counter() - t0)

        queue = iter(range(min(n, 200)))  # warm-up: open the connections
        await asyncio.gather(*(worker() for _ in range(connections)))
        queue = iter(range(n))
        latencies.clear()
        bad = 0
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - start
    lat = np.array(latencies) * 1e3
    return {
        "requests": n,
        "throughput": n / wall,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "non_200": bad,
        "load1": os.getloadavg()[0],
    }


def _client(url: str, bodies: list[bytes], n: int, connections: int, out: Any) -> None:
    out.put(asyncio.run(_drive(url, bodies, n, connections)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(extra: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "clearing_bindings",
        "serve",
        "--http",
        "--port",
        str(port),
        "--max-orders",
        "1000000",
        *extra,
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not start")


def run(
    workload: str, n: int, connections: int, runs: int, extra: list[str]
) -> list[dict[str, Any]]:
    """``runs`` measurements of one workload, each from a fresh client process."""
    proc, url = _start_server(extra)
    try:
        if workload == "auction":
            bodies, path = _auction_bodies(1000, seed=7), "/v1/auction"
        else:
            bodies, path = [_organisation(1000, 60, seed=s) for s in range(5)], "/v1/clear"
        results = []
        ctx = multiprocessing.get_context("spawn")
        for _ in range(runs):
            q = ctx.Queue()
            p = ctx.Process(target=_client, args=(url + path, bodies, n, connections, q))
            p.start()
            results.append({"workload": path, **q.get()})
            p.join()
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _row(r: dict[str, Any]) -> str:
    return (
        f"| {r['workload']} | {r['requests']:,} | {r['throughput']:,.0f} | {r['p50_ms']:.2f} | "
        f"{r['p99_ms']:.2f} | {r['load1']:.2f} | {r['non_200']} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="auction requests per run")
    parser.add_argument("--clear-requests", type=int, default=1_000, help="clear requests per run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--runs", type=int, default=3, help="runs per workload (median shown)")
    parser.add_argument("--only", choices=("auction", "clear"), default=None)
    parser.add_argument("--server", nargs="*", default=[], help="options of clearing serve")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)
    print(
        f"# {platform.machine()}, {os.cpu_count()} cpus, python {platform.python_version()}, "
        f"{args.connections} connections, load average at start {os.getloadavg()[0]:.2f}"
    )
    print("| workload | requests | req/s | p50 ms | p99 ms | load avg (1 min) | non-200 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    failed = 0
    for workload, n in (("auction", args.requests), ("clear", args.clear_requests)):
        if args.only and workload != args.only:
            continue
        results = run(workload, n, args.connections, args.runs, args.server)
        for r in results:
            print(_row(r), flush=True)
            failed += r["non_200"]
        med = {
            "workload": f"**{results[0]['workload']} median of {len(results)}**",
            "requests": n,
            **{
                k: statistics.median(r[k] for r in results)
                for k in ("throughput", "p50_ms", "p99_ms", "load1", "non_200")
            },
        }
        print(_row(med), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
