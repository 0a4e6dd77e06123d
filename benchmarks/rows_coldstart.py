"""Cold-start rows for ``compare.py``: the first call of each public entry point.

Each row runs a fresh interpreter with an empty temporary ``NUMBA_CACHE_DIR`` (so numba
compiles everything that call needs and writes it to that cache), which reports, timed
inside it with ``perf_counter``:

- ``import clearing``;
- the **first call**, from the first attribute access on ``clearing`` (which imports that
  layer, numba included) to its return: the figure compared to the budget;
- the second call in the same process (warm);
- the CPU time of the first call (``process_time``): on a shared machine the wall time
  grows with the load, the CPU time much less.

A second fresh interpreter then repeats the script on the now filled cache: its first call
(loading the compiled kernels) goes in the note with the wall time of both processes.
``clearing demo`` is timed as a whole command (interpreter start to exit), cold then warm.

Budgets: 3 s for the first call of any entry point, 8 s for the first ``clearing demo``;
with ``--cold-suite``, 180 s for the README's test command (``pytest`` at the repository
root) on an empty cache. These rows are left out of ``--quick`` unless asked for with
``--only coldstart`` (each compiles from nothing: a few minutes in all).
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

from _harness import Measurement, Row

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENTRY_BUDGET_S = 3.0
DEMO_BUDGET_S = 8.0
SUITE_BUDGET_S = 180.0
LAST_CPU = [0.0]  # CPU seconds of the last process run by _run

_PRELUDE = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import clearing
t_import = time.perf_counter() - t0
"""

_TIMED = """
def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0
(first, first_cpu), (second, _) = timed(run), timed(run)
print(json.dumps({"import": t_import, "first": first, "first_cpu": first_cpu, "second": second}))
"""

# Each body defines ``run()``: one call of the entry point on a small valid input. The
# inputs are built inside ``run`` only as far as the call needs them.
ENTRY_POINTS: dict[str, str] = {
    "double_auction": """
p = np.arange(50, dtype=np.float64)
def run():
    assert clearing.double_auction(p, np.ones(50), p + 0.5, np.ones(50)).volume > 0
""",
    "double_auction_batch": """
p = np.arange(40, dtype=np.float64)
ids = np.repeat(np.arange(4), 10)
def run():
    clearing.double_auction_batch(
        p, np.ones(40), p + 0.5, np.ones(40), bid_market=ids, ask_market=ids
    )
""",
    "linear_sum_assignment": """
c = np.random.default_rng(0).random((50, 50))
def run():
    clearing.linear_sum_assignment(c)
""",
    "assign": """
v = np.random.default_rng(0).random((50, 50))
def run():
    clearing.assign(v)
""",
    "assign_batch": """
v = np.random.default_rng(0).random((100, 8, 8))
def run():
    clearing.assign_batch(v)
""",
    "transport": """
v = np.random.default_rng(0).random((20, 5))
def run():
    clearing.transport(v, demand=np.ones(20, np.int64), capacity=np.full(5, 4, np.int64))
""",
    "OrderBook.limit": """
def run():
    book = clearing.OrderBook()
    book.limit("buy", 10.0, 5.0)
    book.limit("sell", 10.0, 2.0)
""",
    "OrderBook.submit_batch": """
def run():
    book = clearing.OrderBook()
    book.submit_batch(
        np.zeros(4, np.int64), np.array([1, -1, 1, -1]),
        np.array([10.0, 10.0, 9.99, 10.02]), np.array([5.0, 2.0, 1.0, 1.0]),
    )
""",
    "clear": """
requests = {
    "request_id": np.arange(3), "team": np.array(["a", "b", "c"]),
    "service": np.array(["legal"] * 3), "quantity": np.array([1.0, 2.0, 1.0]),
    "max_price": np.array([100.0, 90.0, 80.0]),
}
offers = {
    "offer_id": np.array(["o1", "o2"]), "provider": np.array(["p", "q"]),
    "service": np.array(["legal", "legal"]), "capacity": np.array([2.0, 2.0]),
    "ask": np.array([70.0, 85.0]),
}
def run():
    clearing.clear(requests, offers)
""",
}


def _env(cache_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = cache_dir
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], cache_dir: str, timeout: float = 900) -> tuple[float, str]:
    """Wall seconds and stdout of ``args`` in a fresh process on ``cache_dir`` (its CPU
    seconds are added to ``LAST_CPU``)."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(
        args, env=_env(cache_dir), capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    wall = time.perf_counter() - t0
    LAST_CPU[0] = _children_cpu() - cpu0
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["no output"]
        raise RuntimeError(f"{' '.join(args[:3])} failed: {lines[-1]}")
    return wall, proc.stdout


def entry_script(name: str) -> str:
    return _PRELUDE + ENTRY_POINTS[name] + _TIMED


def _measure_entry(name: str) -> Measurement:
    script = entry_script(name)
    with tempfile.TemporaryDirectory(prefix="clearing-cold-") as cache:
        wall_cold, out = _run([sys.executable, "-c", script], cache)
        cold = json.loads(out.strip().splitlines()[-1])
        wall_warm, out = _run([sys.executable, "-c", script], cache)
        warm = json.loads(out.strip().splitlines()[-1])
    note = (
        f"empty cache: first call CPU {cold['first_cpu']:.1f} s, import {cold['import']:.2f} s, "
        "second call "
        f"{cold['second'] * 1e3:.2f} ms, process {wall_cold:.1f} s; filled cache: first "
        f"call {warm['first']:.3f} s, process {wall_warm:.1f} s"
    )
    return Measurement(
        ours=cold["first"],
        note=note,
        extra={
            "first_call_cpu_s": cold["first_cpu"],
            "second_call_s": cold["second"],
            "warm_cache_first_s": warm["first"],
        },
    )


def demo_command() -> list[str]:
    script = pathlib.Path(sys.executable).with_name("clearing")
    if script.exists():
        return [str(script), "demo"]
    code = "from clearing_bindings.cli import main; raise SystemExit(main(['demo']))"
    return [sys.executable, "-c", code]


def _measure_demo() -> Measurement:
    with tempfile.TemporaryDirectory(prefix="clearing-cold-") as cache:
        cold, _ = _run(demo_command(), cache)
        cold_cpu = LAST_CPU[0]
        warm, _ = _run(demo_command(), cache)
    note = f"empty cache: CPU {cold_cpu:.1f} s; filled cache: {warm:.2f} s"
    return Measurement(ours=cold, note=note, extra={"cpu_s": cold_cpu, "warm_s": warm})


def _measure_suite() -> Measurement:
    with tempfile.TemporaryDirectory(prefix="clearing-cold-") as cache:
        wall, out = _run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cache, 3600
        )
    cpu = LAST_CPU[0]
    tail = out.strip().splitlines()[-1] if out.strip() else ""
    return Measurement(ours=wall, note=f"CPU {cpu:.0f} s; pytest: {tail}", extra={"cpu_s": cpu})


def rows(quick: bool, cold_suite: bool = False) -> list[Row]:
    """One row per entry point and one for ``clearing demo`` (``quick`` changes nothing:
    a cold start has one size)."""
    out = [
        Row(
            name=f"cold start: first {name}",
            measure=lambda name=name: _measure_entry(name),
            budget=ENTRY_BUDGET_S,
            target=1.0,
            rounds_cap=1,
            input_class="first call, empty numba cache",
        )
        for name in ENTRY_POINTS
    ]
    out.append(
        Row(
            name="cold start: clearing demo (whole command)",
            measure=_measure_demo,
            budget=DEMO_BUDGET_S,
            target=1.0,
            rounds_cap=1,
            input_class="first command, empty numba cache",
        )
    )
    if cold_suite:
        out.append(
            Row(
                name="cold start: README test command (pytest)",
                measure=_measure_suite,
                budget=SUITE_BUDGET_S,
                target=1.0,
                rounds_cap=1,
                input_class="test suite, empty numba cache",
            )
        )
    return out
