"""``double_auction_batch`` equals a loop of ``double_auction``, JIT on or off.

Markets arrive interleaved in random order, with unsorted, negative and large sparse ids
(10**12), some with orders on one side only; SBBA shares one seeded Generator, whose draws
go to the markets in ascending id order.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference.auction import (
    MARKET_SCALARS,
    MECHANISMS,
    ORDER_FIELDS,
    TRADE_FIELDS,
    assert_matches,
    markets,
    reference_batch,
)

import clearing
from clearing import double_auction, double_auction_batch

IDS = (-7, 0, 3, 5, 10**12, 2**40 + 1)


@st.composite
def batches(draw: Any, *, whole: bool, decimal: bool = False) -> dict[str, Any]:
    """Several markets' orders shuffled together, each side tagged with its market id.

    ``decimal=True`` turns prices and divisible quantities into tenths (not binary fractions),
    so the kernels' float sums round.
    """
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True))
    parts = [draw(markets(whole=whole, max_orders=5)) for _ in ids]
    if decimal:
        for p in parts:
            for side in ("bid", "ask"):
                p[f"{side}_prices"] = np.round(p[f"{side}_prices"] * 1.3, 1)
                if not whole:
                    p[f"{side}_quantities"] = np.round(p[f"{side}_quantities"] * 0.7, 1)
    out: dict[str, Any] = {}
    for side in ("bid", "ask"):
        sizes = [len(p[f"{side}_prices"]) for p in parts]
        n = sum(sizes)
        perm = np.array(draw(st.permutations(range(n))), dtype=np.int64)
        for name in ("prices", "quantities"):
            col = np.concatenate([p[f"{side}_{name}"] for p in parts] + [np.zeros(0)])
            out[f"{side}_{name}"] = col[perm]
        prio = np.concatenate(
            [
                p[f"{side}_priority"] if p[f"{side}_priority"] is not None else np.zeros(s)
                for p, s in zip(parts, sizes, strict=True)
            ]
            + [np.zeros(0)]
        )
        out[f"{side}_priority"] = prio[perm]
        ids_col = np.repeat(np.array(ids, dtype=np.int64), sizes)
        out[f"{side}_market"] = ids_col[perm]
    return out


def _loop(batch: dict[str, Any], mechanism: str, k: float, rng: Any) -> dict[str, Any]:
    """Clear each market alone, in ascending id order, and stitch the results together."""
    bm, am = batch["bid_market"], batch["ask_market"]
    ids = np.unique(np.concatenate([bm, am]))
    nb, na = len(bm), len(am)
    out: dict[str, Any] = {
        "bid_filled": np.zeros(nb),
        "ask_filled": np.zeros(na),
        "bid_price_paid": np.full(nb, np.nan),
        "ask_price_received": np.full(na, np.nan),
        "bid_reason": np.zeros(nb, dtype=np.int8),
        "ask_reason": np.zeros(na, dtype=np.int8),
    }
    scalars: dict[str, list[float]] = {name: [] for name in MARKET_SCALARS}
    ranges, trades = [], {name: [] for name in (*TRADE_FIELDS, "trade_market")}
    for m in ids:
        bi, ai = np.flatnonzero(bm == m), np.flatnonzero(am == m)
        res = double_auction(
            batch["bid_prices"][bi],
            batch["bid_quantities"][bi],
            batch["ask_prices"][ai],
            batch["ask_quantities"][ai],
            mechanism=mechanism,
            k=k,
            bid_priority=batch["bid_priority"][bi],
            ask_priority=batch["ask_priority"][ai],
            rng=rng,
        ).to_dict()
        for name in ORDER_FIELDS:
            out[name][bi if name.startswith("bid") else ai] = res[name]
        for name in MARKET_SCALARS:
            scalars[name].append(res[name])
        ranges.append(res["clearing_range"])
        trades["trade_bid_index"].append(bi[res["trade_bid_index"]])
        trades["trade_ask_index"].append(ai[res["trade_ask_index"]])
        for name in TRADE_FIELDS[2:]:
            trades[name].append(res[name])
        trades["trade_market"].append(np.full(len(res["trade_bid_index"]), m, dtype=np.int64))
    out["market"] = ids.astype(np.int64)
    for name in MARKET_SCALARS:
        out[name] = np.array(scalars[name], dtype=np.float64)
    out["clearing_range"] = np.array(ranges, dtype=np.float64).reshape(-1, 2)
    for name, chunks in trades.items():
        dtype = np.float64 if name in TRADE_FIELDS[2:] else np.int64
        out[name] = np.concatenate([np.zeros(0, dtype), *chunks])
    return out


def _batch(batch: dict[str, Any], mechanism: str, k: float, rng: Any) -> dict[str, Any]:
    # the keys of a batch are the argument names
    return double_auction_batch(**batch, mechanism=mechanism, k=k, rng=rng).to_dict()


@pytest.mark.parametrize("mechanism", MECHANISMS)
@given(data=st.data())
def test_batch_equals_loop(mechanism: str, data: st.DataObject) -> None:
    decimal = data.draw(st.booleans(), label="decimal")
    whole = mechanism in ("mcafee", "sbba")
    batch = data.draw(batches(whole=whole, decimal=decimal), label="batch")
    k = data.draw(st.sampled_from((0.0, 0.25, 0.5, 1.0, 0.3)), label="k")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    got = _batch(batch, mechanism, k, np.random.default_rng(seed))
    # bit for bit, whatever the rounding
    assert_matches(got, _loop(batch, mechanism, k, np.random.default_rng(seed)))
    if decimal or k == 0.3:
        return  # the twin's exact sums may differ from float sums in the last bit
    # and the batch agrees with the unit-expansion twin as well
    want = reference_batch(**batch, mechanism=mechanism, k=k, rng=np.random.default_rng(seed))
    assert_matches(got, want, rtol=1e-9 if mechanism == "huang" else 0.0)


def test_sbba_int_seed_is_one_generator_for_the_whole_batch() -> None:
    # five copies of a market where the SBBA lottery runs (s_{k+1} = 9 > b_k = 8)
    bids, asks = np.array([10.0, 8.0, 1.0]), np.array([3.0, 5.0, 9.0])
    batch = {
        "bid_prices": np.tile(bids, 5),
        "bid_quantities": np.ones(15),
        "ask_prices": np.tile(asks, 5),
        "ask_quantities": np.ones(15),
        "bid_market": np.repeat([40, 10, 30, 20, 50], 3),
        "ask_market": np.repeat([50, 40, 10, 20, 30], 3),
        "bid_priority": np.zeros(15),
        "ask_priority": np.zeros(15),
    }
    got = _batch(batch, "sbba", 0.5, 1234)
    assert_matches(got, _loop(batch, "sbba", 0.5, np.random.default_rng(1234)))
    assert np.count_nonzero(got["ask_reason"] == 3) == 5  # one lottery loser per market


def test_one_sided_and_empty_markets() -> None:
    batch = {
        "bid_prices": np.array([5.0, 4.0, 6.0]),
        "bid_quantities": np.array([1.0, 2.0, 1.0]),
        "ask_prices": np.array([1.0, 2.0]),
        "ask_quantities": np.array([1.0, 0.0]),
        "bid_market": np.array([10**12, 10**12, 3]),
        "ask_market": np.array([-1, 3]),
        "bid_priority": np.zeros(3),
        "ask_priority": np.zeros(2),
    }
    for mechanism in MECHANISMS:
        got = _batch(batch, mechanism, 0.5, 0)
        np.testing.assert_array_equal(got["market"], [-1, 3, 10**12])
        np.testing.assert_array_equal(got["volume"], [0.0, 0.0, 0.0])
        assert_matches(got, _loop(batch, mechanism, 0.5, np.random.default_rng(0)))
    empty = {key: value[:0] for key, value in batch.items()}
    for mechanism in MECHANISMS:
        got = _batch(empty, mechanism, 0.5, 0)
        assert got["market"].shape == (0,) and got["clearing_range"].shape == (0, 2)
        assert got["bid_filled"].shape == (0,) and got["trade_bid_index"].shape == (0,)


# --- JIT on and off give bit-identical results --------------------------------------------

SCRIPT = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np
    from clearing import MECHANISMS, double_auction, double_auction_batch

    gen = np.random.default_rng(20261125)
    nb, na = 60, 50
    bp = np.round(gen.normal(10, 3, nb), 3)
    ap = np.round(gen.normal(9, 3, na), 3)
    bq_div, aq_div = gen.uniform(0, 3, nb), gen.uniform(0, 3, na)
    bq_unit = gen.integers(0, 4, nb).astype(float)
    aq_unit = gen.integers(0, 4, na).astype(float)
    bm = gen.choice([3, -2, 10**12, 7, 0], nb)
    am = gen.choice([3, -2, 10**12, 7, 11], na)
    bprio = gen.integers(0, 3, nb).astype(float)
    out = {}
    for mech in MECHANISMS:
        unit = mech in ("mcafee", "sbba")
        bq, aq = (bq_unit, aq_unit) if unit else (bq_div, aq_div)
        for k in (0.0, 0.3, 1.0):
            one = double_auction(bp, bq, ap, aq, mechanism=mech, k=k, bid_priority=bprio, rng=5)
            out[mech, k, "one"] = one.to_dict()
            many = double_auction_batch(
                bp, bq, ap, aq, bid_market=bm, ask_market=am, mechanism=mech, k=k,
                bid_priority=bprio, rng=np.random.default_rng(9),
            )
            out[mech, k, "batch"] = many.to_dict()
    with open(sys.argv[1], "wb") as fh:
        pickle.dump(out, fh, protocol=4)
    """
)


def _run_script(tmp_path: Path, disable_jit: bool) -> tuple[bytes, dict[Any, Any]]:
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_DISABLE_JIT"}
    if disable_jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    src = str(Path(clearing.__file__).resolve().parents[1])  # the tree this process tests
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    target = tmp_path / f"jit_{'off' if disable_jit else 'on'}.pkl"
    subprocess.run([sys.executable, "-c", SCRIPT, str(target)], env=env, check=True, timeout=300)
    data = target.read_bytes()
    return data, pickle.loads(data)


def _bits(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, float):
        return struct.pack("<d", value)
    if isinstance(value, tuple):
        return tuple(_bits(v) for v in value)
    return value


def test_jit_on_and_off_are_bit_identical(tmp_path: Path) -> None:
    raw_on, on = _run_script(tmp_path, disable_jit=False)
    raw_off, off = _run_script(tmp_path, disable_jit=True)
    assert on.keys() == off.keys()
    for case in on:
        assert on[case].keys() == off[case].keys(), case
        for name in on[case]:
            assert _bits(on[case][name]) == _bits(off[case][name]), (case, name)
    assert raw_on == raw_off
