"""Real processes: settlements killed with SIGKILL mid-flight, and writers racing each other."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from typing import Any

import pytest
from ledger_markets import market
from sqlalchemy import func, select, text

from clearing.ledger import InsufficientFunds, Ledger
from clearing.ledger._schema import transfers

CTX = mp.get_context("fork")
KILLS = int(os.environ.get("CLEARING_LEDGER_KILLS", "100"))  # per backend


def _settle_in_child(url: str, clearing: Any, sid: str, ready: Any) -> None:
    try:
        led = Ledger(url)
        ready.set()  # the parent's random delay starts when the settlement does
        led.settle(clearing, sid, period="2026-11")
    finally:
        os._exit(0)  # no inherited finaliser runs


def _count(led: Ledger, sid: str) -> int:
    with led._store.engine.connect() as conn:
        q = select(func.count()).select_from(transfers).where(transfers.c.operation == sid)
        return int(conn.execute(q).scalar_one())


def _wait_for_orphaned_backends(led: Ledger) -> None:
    """Wait until PostgreSQL has finished the work of clients that died.

    A client killed just after sending ``COMMIT`` leaves its server backend committing: the
    commit may become visible only after the parent's next read. Counting before then would
    see none of a settlement that is, a moment later, all there. SQLite commits in the
    client process, so there is nothing to wait for.
    """
    if led._store.engine.dialect.name != "postgresql":
        return
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        " AND state IS DISTINCT FROM 'idle'"
    )
    deadline = time.monotonic() + 30
    while True:
        with led._store.engine.connect() as conn:
            if conn.execute(busy).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "a killed client's backend is still at work"
        time.sleep(0.005)


def test_sigkill_during_settlement_leaves_all_or_nothing(ledger_url: str, open_ledger: Any) -> None:
    led = open_ledger(ledger_url)
    clearing = market(11, n_requests=600, n_offers=600)
    for team in ("ops", "care", "sales"):
        led.grant(team, 10**12, period="2026-11", grant_id=f"g-{team}")
    t0 = time.perf_counter()
    probe = led.settle(clearing, "probe", period="2026-11")
    full = time.perf_counter() - t0
    expected = probe.transfers
    assert _count(led, "probe") == expected > 500
    rng = random.Random(20261201)
    print(f"crash test: seed 20261201, {KILLS} kills, one settlement takes {full:.3f}s")
    seen = {"none": 0, "all": 0}
    for k in range(KILLS):
        sid = f"s{k}"
        ready = CTX.Event()
        child = CTX.Process(target=_settle_in_child, args=(ledger_url, clearing, sid, ready))
        child.start()
        assert ready.wait(30)
        time.sleep(rng.uniform(0.0, 1.2 * full))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        _wait_for_orphaned_backends(led)
        n = _count(led, sid)
        assert n in (0, expected), f"partial settlement {sid}: {n} of {expected} transfers"
        seen["all" if n else "none"] += 1
        led.check()
        again = led.settle(clearing, sid, period="2026-11")
        assert again.replayed == bool(n)
        assert _count(led, sid) == expected
    led.check()
    print(f"crash test: killed before commit {seen['none']}, after {seen['all']}")
    assert seen["none"] > KILLS // 4  # most kills land inside the settlement


def _racer(url: str, clearings: dict[str, Any], order: list[str], out: Any) -> None:
    try:
        led = Ledger(url)
        for sid in order:
            try:
                s = led.settle(clearings[sid], sid, period="2026-11")
                out.put((sid, "replayed" if s.replayed else "settled", s.charged))
            except InsufficientFunds:
                out.put((sid, "refused", 0))
        led.close()
    finally:
        out.put(None)
        out.close()
        out.join_thread()  # flush the queue before leaving without finalisers
        os._exit(0)


def test_concurrent_processes_never_double_settle_or_overdraw(
    ledger_url: str, open_ledger: Any
) -> None:
    led = open_ledger(ledger_url)
    clearings = {f"s{k}": market(100 + k, teams=("shared",)) for k in range(16)}
    costs = {sid: sum(c.spend().values()) for sid, c in clearings.items()}
    budget = round(sum(costs.values()) * 100 * 0.6)  # funds about 60% of them
    led.grant("shared", budget, period="2026-11", grant_id="g")
    rng = random.Random(7)
    queue = CTX.Queue()
    procs = []
    for _ in range(4):
        order = list(clearings)
        rng.shuffle(order)
        p = CTX.Process(target=_racer, args=(ledger_url, clearings, order, queue))
        p.start()
        procs.append(p)
    results: list[tuple[str, str, int]] = []
    done = 0
    while done < len(procs):
        item = queue.get(timeout=120)
        if item is None:
            done += 1
        else:
            results.append(item)
    for p in procs:
        p.join()
    settled = [sid for sid, how, _ in results if how == "settled"]
    assert len(settled) == len(set(settled)), "a settlement was applied twice"
    assert 0 < len(settled) < len(clearings)
    # budgets only shrink here: an id is refused by everyone, or settled once and replayed
    for sid in clearings:
        outcomes = sorted(how for s, how, _ in results if s == sid)
        assert outcomes in (["refused"] * 4, ["replayed"] * 3 + ["settled"]), (sid, outcomes)
    charged = sum(ch for sid, how, ch in results if how == "settled")
    b = led.balances().set_index("account")["balance"]
    assert b["team:shared"] == budget - charged >= 0
    for sid in clearings:
        n = _count(led, sid)
        assert (n > 0) == (sid in settled)
    led.check()


@pytest.mark.parametrize("n", [3])
def test_concurrent_retries_of_one_id_apply_once(ledger_url: str, open_ledger: Any, n: int) -> None:
    led = open_ledger(ledger_url)
    c = market(55)
    for team in ("ops", "care", "sales"):
        led.grant(team, 10**10, period="2026-11", grant_id=f"g-{team}")
    queue = CTX.Queue()
    procs = [
        CTX.Process(target=_racer, args=(ledger_url, {"x": c}, ["x"] * 3, queue)) for _ in range(n)
    ]
    for p in procs:
        p.start()
    results = []
    done = 0
    while done < n:
        item = queue.get(timeout=120)
        done += item is None
        if item is not None:
            results.append(item[1])
    for p in procs:
        p.join()
    assert sorted(results).count("settled") == 1 and len(results) == 3 * n
    led.check()
