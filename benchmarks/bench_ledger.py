"""Ledger speed: settling 100,000 allocations against a bare bulk insert, and the chargeback.

``python benchmarks/bench_ledger.py [--rows 100000] [--export-rows 1000000] [--rounds 3]``

For each backend (a SQLite file, and a throwaway PostgreSQL cluster made with the binaries
under ``/usr/lib/postgresql/*/bin`` or ``$CLEARING_PG_BIN``, or the server at
``$CLEARING_BENCH_PG``):

* ``settle``: :meth:`Ledger.settle` of one clearing with ``--rows`` allocations (validation,
  rounding, the funds check, the transfers, the account totals, one transaction);
* ``bulk insert``: the same transfer rows, already built, inserted into the same table of a
  fresh database of the same backend in one transaction (``conn.execute(insert, rows)``):
  the floor;
* ``chargeback``: :meth:`Ledger.chargeback` over ``--export-rows`` usage rows to pandas, and
  :meth:`Ledger.export_chargeback` to Parquet and CSV.

Prints one table; ratios are settle / bulk insert (target <= 2).
"""

from __future__ import annotations

import argparse
import glob
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from clearing import clear
from clearing.ledger import Ledger
from clearing.ledger._schema import transfers
from clearing.ledger._settle import plan_settlement


def organisation(rows: int, seed: int = 0) -> object:
    """One clearing with about ``rows`` allocations: unit requests, 1,000 teams, 200 providers."""
    rng = np.random.default_rng(seed)
    requests = {
        "request_id": np.arange(rows),
        "team": rng.integers(0, 1000, rows).astype(str).astype(object),
        "service": np.full(rows, "it", dtype=object),
        "quantity": np.ones(rows),
        "max_price": rng.uniform(100, 200, rows).round(3),
    }
    n_off = 200
    offers = {
        "offer_id": np.arange(n_off),
        "provider": np.array([f"p{j}" for j in range(n_off)], dtype=object),
        "service": np.full(n_off, "it", dtype=object),
        "capacity": np.full(n_off, rows / n_off * 1.5),
        "ask": rng.uniform(10, 90, n_off).round(3),
        "external": np.arange(n_off) % 10 == 0,
    }
    return clear(requests, offers)


@contextmanager
def postgres() -> Iterator[str | None]:
    if os.environ.get("CLEARING_BENCH_PG"):
        yield os.environ["CLEARING_BENCH_PG"]
        return
    dirs = [os.environ.get("CLEARING_PG_BIN", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    bindir = next(
        (pathlib.Path(d) for d in dirs if d and (pathlib.Path(d) / "initdb").exists()), None
    )
    if bindir is None:
        yield None
        return
    root = pathlib.Path(tempfile.mkdtemp(prefix="clearing-bench-pg-"))
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if prefix:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *a: subprocess.run([*prefix, *a], check=True, capture_output=True, cwd=root)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(root / "d"), "-U", "postgres", "--auth=trust")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(root / "d"),
        "-o",
        opts,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(root / "d"), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


class Databases:
    """Fresh databases of one backend."""

    def __init__(self, backend: str, base: str | None, tmp: pathlib.Path) -> None:
        self.backend, self.base, self.tmp, self.n = backend, base, tmp, 0

    def new(self) -> str:
        self.n += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / f'b{self.n}.db'}"
        from sqlalchemy import create_engine

        name = f"bench_{os.getpid()}_{self.n}"
        engine = create_engine(f"{self.base}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return f"{self.base}/{name}"


def funded(url: str, clearing: object, times: int = 1) -> Ledger:
    led = Ledger(url)
    for team, spend in clearing.spend().items():  # type: ignore[attr-defined]
        led.grant(str(team), int(spend * 100 * times) + 100, period="2026-11", grant_id=f"g{team}")
    return led


def settle_vs_insert(dbs: Databases, clearing: object, rounds: int) -> tuple[float, float, int]:
    settle_t, insert_t = [], []
    n = 0
    for r in range(rounds):
        led = funded(dbs.new(), clearing)
        t0 = time.perf_counter()
        s = led.settle(clearing, f"bench-{r}", period="2026-11")
        settle_t.append(time.perf_counter() - t0)
        n = s.transfers
        # the floor: the same rows, prebuilt, into a fresh database's transfers table
        floor = funded(dbs.new(), clearing)
        store = floor._store
        with store.begin() as conn:
            plan = plan_settlement(clearing, f"bench-{r}", "2026-11", 100)
            ids = store.account_ids(conn, plan.teams, "x")
            ids.update(store.open_accounts(conn, {p: p.split(":")[0] for p in plan.providers}))
            ids.update(store.account_ids(conn, ["market", "rounding", "external"], "x"))
        rows = plan.posting(f"bench-{r}", ids, "2026-11", 0).rows
        from clearing.ledger._schema import operations

        with store.engine.begin() as conn:
            conn.execute(
                operations.insert().values(
                    id=f"bench-{r}", kind="settle", digest="", ts=0, result=""
                )
            )
        t0 = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(transfers.insert(), rows)
        insert_t.append(time.perf_counter() - t0)
        led.close()
        floor.close()
    return statistics.median(settle_t), statistics.median(insert_t), n


def chargeback_times(
    dbs: Databases, clearing: object, export_rows: int
) -> tuple[int, float, float, float]:
    per = len(clearing.allocations)  # type: ignore[attr-defined]
    times = max(1, round(export_rows / per))
    led = funded(dbs.new(), clearing, times)
    for k in range(times):
        led.settle(clearing, f"cb-{k}", period="2026-11")
    import pandas  # noqa: F401  (imported before timing)

    t0 = time.perf_counter()
    df = led.chargeback()
    t_pd = time.perf_counter() - t0
    out = pathlib.Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    led.export_chargeback(out / "c.parquet")
    t_pq = time.perf_counter() - t0
    t0 = time.perf_counter()
    led.export_chargeback(out / "c.csv")
    t_csv = time.perf_counter() - t0
    led.close()
    shutil.rmtree(out, ignore_errors=True)
    return len(df), t_pd, t_pq, t_csv


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--export-rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    clearing = organisation(args.rows)
    print(
        f"clearing: {len(clearing.allocations):,} allocations in {time.perf_counter() - t0:.2f} s"
    )
    print(
        "| backend | settle | bulk insert | ratio | transfers/s | chargeback rows | to pandas "
        "| Parquet | CSV |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp, postgres() as pg:
        for backend in args.backends.split(","):
            if backend == "postgresql" and pg is None:
                print("| postgresql | (no PostgreSQL binaries) |")
                continue
            dbs = Databases(backend, pg, pathlib.Path(tmp))
            st, ins, n = settle_vs_insert(dbs, clearing, args.rounds)
            rows, t_pd, t_pq, t_csv = chargeback_times(dbs, clearing, args.export_rows)
            print(
                f"| {backend} | {st:.2f} s | {ins:.2f} s | {st / ins:.2f} | {n / st:,.0f} | "
                f"{rows:,} | {t_pd:.2f} s | {t_pq:.2f} s | {t_csv:.2f} s |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
