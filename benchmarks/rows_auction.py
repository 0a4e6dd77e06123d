"""Call-market double auction workloads for ``compare.py``.

Rows (``ratio = ours / peer`` of the times; lower is better):

- ``uniform`` on 1,000,000 bids + 1,000,000 asks vs ``np.sort`` of the same 2,000,000 prices;
- ``double_auction_batch`` on 100,000 markets x 20 orders (market ids shuffled) vs ``np.sort``
  of all 2,000,000 prices, serial and (where supported) with ``parallel=True``;
- ``huang`` on 1,000 + 1,000 orders vs pymarket's ``HuangAuction`` on the same market, run in
  its own virtual environment (see the notes below);
- a fresh interpreter that imports :mod:`clearing` and clears a 100-order market with a warm
  numba cache, against a budget of 1 s; the first-ever (cold cache) figure goes in the note.

pymarket notes. pymarket 0.7.6 (the last release) imports pandas, matplotlib, networkx and
pulp, and needs ``pandas < 3``; the main environment has pandas 3, so pymarket is not part of
the ``[bench]`` extra. It installs and imports on Python 3.11 in an environment of its own,
which this module builds on first use at ``$CLEARING_BENCH_CACHE/pymarket-venv`` (default
``~/.cache/clearing-bench``) with::

    pip install "pymarket==0.7.6" "pandas>=1.5,<3" "numpy>=1.23,<2" "matplotlib<4" \
        "networkx<4" pulp

Every round of the row runs pymarket there, in a subprocess, on the market this module
writes to a temporary ``.npz``: it builds the bids ``DataFrame`` before the clock starts,
then times ``pymarket.mechanisms.HuangAuction(bids).run()`` itself with ``perf_counter``
(one warm-up call, then the best of several), so the interpreter start and the pandas import
are never counted against pymarket. That measured time is the peer's figure; ours is timed
the same way in this process. Prices are distinct multiples of 0.001, so pymarket's merging
of equal prices (rounded to 5 decimals) leaves the market unchanged; a row whose prices or
traded volume differ from pymarket's is an error. If the environment cannot be built, the
row is skipped with the reason. ``--quick`` never builds it (it uses one that exists).
"""

from __future__ import annotations

import atexit
import inspect
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numba
import numpy as np
from _harness import Measurement, Row, best_time

try:
    import clearing
except ImportError:  # a plain checkout: use the working tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
    import clearing

SRC = pathlib.Path(clearing.__file__).resolve().parents[1]
CACHE = pathlib.Path(
    os.environ.get("CLEARING_BENCH_CACHE", pathlib.Path.home() / ".cache" / "clearing-bench")
)
PYMARKET_VENV = CACHE / "pymarket-venv"
PYMARKET_PINS = [
    "pymarket==0.7.6",
    "pandas>=1.5,<3",
    "numpy>=1.23,<2",
    "matplotlib<4",
    "networkx<4",
    "pulp",
]
BUDGET_S = 1.0  # seconds: the fresh-process budget

_PYMARKET_SCRIPT = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np
import pandas, pymarket
from pymarket.mechanisms import HuangAuction

data = np.load(sys.argv[1])
repeats = int(sys.argv[2])
bm = pymarket.BidManager()
user = 0
for q, p in zip(data["bid_quantities"].tolist(), data["bid_prices"].tolist()):
    bm.add_bid(q, p, user, True)
    user += 1
for q, p in zip(data["ask_quantities"].tolist(), data["ask_prices"].tolist()):
    bm.add_bid(q, p, user, False)
    user += 1
bids = bm.get_df()
trans, extra = HuangAuction(bids).run()  # warm-up
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    trans, extra = HuangAuction(bids).run()
    times.append(time.perf_counter() - t0)
print(json.dumps({
    "times": times,
    "price_buy": None if extra.get("price_buy") is None else float(extra["price_buy"]),
    "price_sell": None if extra.get("price_sell") is None else float(extra["price_sell"]),
    "volume": float(extra.get("quantity_traded", 0.0)),
    "versions": "pymarket %s, pandas %s, numpy %s"
    % (pymarket.__version__, pandas.__version__, np.__version__),
}))
"""

_FRESH_SCRIPT = (
    "import numpy as np\n"
    "import clearing\n"
    "p = np.arange(50, dtype=np.float64)\n"
    "r = clearing.double_auction(p, np.ones(50), p + 0.5, np.ones(50))\n"
    "assert r.volume > 0\n"
)


def _market(n_bids: int, n_asks: int, seed: int) -> tuple[np.ndarray, ...]:
    """Uniform random prices in [0, 1) and whole quantities 1..10 (as float64)."""
    rng = np.random.default_rng(seed)
    bid_prices = rng.random(n_bids)
    ask_prices = rng.random(n_asks)
    bid_quantities = rng.integers(1, 11, n_bids).astype(np.float64)
    ask_quantities = rng.integers(1, 11, n_asks).astype(np.float64)
    return bid_prices, bid_quantities, ask_prices, ask_quantities


def _grid_market(n_bids: int, n_asks: int, seed: int) -> tuple[np.ndarray, ...]:
    """Like ``_market`` but every price distinct, a multiple of 0.001 in [0, 100)."""
    rng = np.random.default_rng(seed)
    prices = rng.permutation(100_000)[: n_bids + n_asks] / 1000.0
    bid_quantities = rng.integers(1, 11, n_bids).astype(np.float64)
    ask_quantities = rng.integers(1, 11, n_asks).astype(np.float64)
    return prices[:n_bids], bid_quantities, prices[n_bids:], ask_quantities


def _uniform_row(quick: bool) -> Row:
    n = 10_000 if quick else 1_000_000
    bp, bq, ap, aq = _market(n, n, seed=1)
    prices = np.concatenate([bp, ap])

    def ours() -> object:
        return clearing.double_auction(bp, bq, ap, aq, mechanism="uniform")

    ours()  # fails here, not mid-table, if the call is broken
    return Row(
        name=f"auction uniform {n:,}+{n:,}",
        ours=ours,
        peer=lambda: np.sort(prices),
        peer_name=f"np.sort {2 * n:,} prices",
        target=2.0,
        repeat=3 if not quick else 5,
    )


def _batch_row(quick: bool, parallel: bool = False) -> Row:
    n_markets = 1_000 if quick else 100_000
    per_side = 10
    rng = np.random.default_rng(2)
    bp, bq, ap, aq = _market(n_markets * per_side, n_markets * per_side, seed=3)
    ids = np.repeat(np.arange(n_markets, dtype=np.int64), per_side)
    bid_market = rng.permutation(ids)
    ask_market = rng.permutation(ids)
    prices = np.concatenate([bp, ap])

    options = {"parallel": True} if parallel else {}

    def ours() -> object:
        return clearing.double_auction_batch(
            bp, bq, ap, aq, bid_market=bid_market, ask_market=ask_market, **options
        )

    ours()  # fails here, not mid-table, if the call is broken
    return Row(
        name=f"auction batch {n_markets:,} markets x {2 * per_side}"
        + (", parallel" if parallel else ""),
        ours=ours,
        peer=lambda: np.sort(prices),
        peer_name=f"np.sort {prices.size:,} prices",
        target=2.0,
        repeat=3 if not quick else 5,
        note=f"{numba.get_num_threads()} threads; np.sort uses one" if parallel else "",
    )


def _parallel_batch_row(quick: bool) -> Row:
    return _batch_row(quick, parallel=True)


def _pymarket_python(build: bool) -> tuple[pathlib.Path | None, str]:
    """The venv's interpreter if pymarket imports there (building it if allowed)."""
    python = PYMARKET_VENV / "bin" / "python"

    def works() -> bool:
        probe = [str(python), "-c", "import pymarket.mechanisms"]
        return python.exists() and subprocess.run(probe, capture_output=True).returncode == 0

    if works():
        return python, ""
    if not build:
        return None, f"no pymarket venv at {PYMARKET_VENV} (a full run builds it)"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(PYMARKET_VENV)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *PYMARKET_PINS],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not build the pymarket venv: {exc}"
    if not works():
        return None, "pymarket does not import in its venv"
    return python, ""


def _run_pymarket(python: pathlib.Path, market: tuple[np.ndarray, ...], repeats: int) -> dict:
    bp, bq, ap, aq = market
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "market.npz"
        np.savez(path, bid_prices=bp, bid_quantities=bq, ask_prices=ap, ask_quantities=aq)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        proc = subprocess.run(
            [str(python), "-c", _PYMARKET_SCRIPT, str(path), str(repeats)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _huang_row(quick: bool) -> Row:
    n = 200 if quick else 1_000
    name = f"auction huang {n:,}+{n:,}"
    python, why = _pymarket_python(build=not quick)
    if python is None:
        return Row(name=name, peer_name="pymarket", skip=why)
    market = _grid_market(n, n, seed=4)
    repeats = 3 if quick else 7

    def ours() -> object:
        return clearing.double_auction(*market, mechanism="huang")

    def measure() -> Measurement:
        out = _run_pymarket(python, market, repeats=repeats)
        mine = ours()
        agree = (
            out["price_buy"] is not None
            and np.isclose(out["price_buy"], mine.buyer_price)
            and np.isclose(out["price_sell"], mine.seller_price)
            and np.isclose(out["volume"], mine.volume)
        )
        if not agree:
            raise RuntimeError(
                f"pymarket and ours differ: pymarket buy {out['price_buy']}, sell "
                f"{out['price_sell']}, volume {out['volume']}; ours buy {mine.buyer_price}, "
                f"sell {mine.seller_price}, volume {mine.volume}"
            )
        peer_s = min(out["times"])
        ours_s = best_time(ours, 101)
        note = (
            f"{out['versions']} in its own venv, best of {len(out['times'])} in-process "
            f"runs; ours {peer_s / ours_s:,.0f}x faster; same prices and volume"
        )
        return Measurement(ours=ours_s, peers={"pymarket HuangAuction": peer_s}, note=note)

    return Row(name=name, measure=measure, peer_name="pymarket HuangAuction", target=0.001)


# The floor under the fresh-process row: a new interpreter that imports numpy and numba
# and calls one trivial function from numba's on-disk cache. numba's first dispatch loads
# its typing and lowering registries, which import scipy.linalg (numba checks for BLAS).
_FLOOR_SCRIPT = (
    "import numpy as np\n"
    "import numba\n"
    "@numba.njit(cache=True)\n"
    "def one(x):\n"
    "    return x + 1\n"
    "assert one(np.float64(1.0)) == 2.0\n"
)


def _fresh_process(cache_dir: str | None, script: list[str] | None = None) -> float:
    """Wall time of a new interpreter run with arguments ``script`` (by default: import
    clearing and clear 100 orders)."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    args = script if script is not None else ["-c", _FRESH_SCRIPT]
    proc = subprocess.run([sys.executable, *args], env=env, capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        raise RuntimeError(f"the fresh process failed: {lines[-1]}")
    return elapsed


def _fresh_row(quick: bool) -> Row:
    if quick:  # the default cache, already filled by the in-process rows above
        cache_dir = None
        note = "warm numba cache; the cold-cache figure is measured in full runs only"
    else:
        cache_dir = tempfile.mkdtemp(prefix="clearing-numba-cache-")
        atexit.register(shutil.rmtree, cache_dir, ignore_errors=True)
        cold = _fresh_process(cache_dir)  # first ever: compiles and fills the cache
        with tempfile.TemporaryDirectory(prefix="numba-floor-") as floor_dir:
            floor_py = pathlib.Path(floor_dir) / "floor.py"  # numba caches file functions only
            floor_py.write_text(_FLOOR_SCRIPT)
            _fresh_process(floor_dir, [str(floor_py)])  # fills its cache
            floor = statistics.median(_fresh_process(floor_dir, [str(floor_py)]) for _ in range(3))
        note = (
            f"warm numba cache; cold cache (empty NUMBA_CACHE_DIR, first run): {cold:.2f} s; "
            f"floor (numpy + numba + one trivial cached function): {floor:.2f} s"
        )
    runs = 1 if quick else 3

    def measure() -> Measurement:
        best = min(_fresh_process(cache_dir) for _ in range(runs))
        return Measurement(ours=best, note=note)

    return Row(
        name="fresh process: import + clear 100 orders",
        measure=measure,
        budget=BUDGET_S,
        target=1.0,
        note=note,
    )


def _guarded(build: Callable[[bool], Row], quick: bool) -> Row:
    """Build a row; a failure while preparing it becomes a skipped row saying why."""
    try:
        return build(quick)
    except Exception as exc:  # reported in the table rather than aborting the other rows
        name = build.__name__.strip("_").replace("_row", "")
        why = f"{type(exc).__name__}: {exc}"
        return Row(name=f"auction {name}", peer_name="-", skip=why)


def rows(quick: bool) -> list[Row]:
    """The auction rows; ``quick`` uses small sizes and never builds the pymarket venv."""
    if not hasattr(clearing, "double_auction"):
        why = "clearing.double_auction is not available yet"
        return [Row(name="auction", peer_name="-", skip=why)]
    builders = [_uniform_row, _batch_row, _huang_row, _fresh_row]
    if "parallel" in inspect.signature(clearing.double_auction_batch).parameters:
        builders.insert(2, _parallel_batch_row)
    return [_guarded(build, quick) for build in builders]
