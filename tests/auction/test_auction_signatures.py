"""One compiled specialisation per kernel, whatever the caller passes.

Every extra type signature is a full compile on a first call, so the wrappers hand the
kernels arrays of one type (float64 or int64, C-contiguous, writeable) and the house
dispatcher drops literal types. The one exception is chosen: ``clear_market`` compiles
once without the code of the mechanisms that adjust the efficient fills, once with it,
and likewise with and without the tie sort by priority (an argument ``None`` or ``True``:
numba drops the branches on a ``None`` argument before typing).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from clearing import MECHANISMS, double_auction, double_auction_batch
from clearing._kernels.auction import call_market, grouping, margin, mechanisms


def _readonly(x: list[float]) -> np.ndarray:
    a = np.array(x)
    a.flags.writeable = False
    return a


@pytest.mark.skipif(
    os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="NUMBA_DISABLE_JIT=1: nothing is compiled"
)
def test_one_signature_per_kernel() -> None:
    for mechanism in MECHANISMS:
        double_auction(_readonly([10, 8, 6]), _readonly([1, 1, 1]), [4, 7, 9], [1, 1, 1],
                       mechanism=mechanism, rng=0)  # fmt: skip
        double_auction(np.array([10, 8, 6], dtype=np.int32), [True, True, True], [4, 7, 9],
                       [1, 1, 1], bid_priority=[2, 1, 0], mechanism=mechanism, rng=0)  # fmt: skip
        double_auction_batch([10, 8, 5], [1, 1, 2], [4, 7, 3], [1, 1, 1],
                             bid_market=[7, 7, 2], ask_market=np.array([7, 7, 2], np.uint8),
                             ask_priority=[0, 1, 0], mechanism=mechanism, rng=0)  # fmt: skip
        double_auction_batch([10, 8, 5], [1, 1, 2], [4, 7, 3], [1, 1, 1], bid_market=[7, 7, 2],
                             ask_market=[7, 7, 2], mechanism=mechanism, rng=0)  # fmt: skip
    for module in (call_market, grouping, margin, mechanisms):
        for name, obj in vars(module).items():
            if hasattr(obj, "signatures") and obj.py_func.__module__ == module.__name__:
                # apart from the switches passed as None or True, one signature
                others = {
                    tuple(str(t) for t in sig if str(t) not in _SWITCH) for sig in obj.signatures
                }
                assert len(others) <= 1, (name, obj.signatures)
    # the switches on purpose: ``adjusts=None`` (uniform, VCG, pay-as-bid: the other
    # mechanisms' code is left out of that compile) or True (McAfee, SBBA, Huang),
    # ``ranked=None`` (no priorities: no tie sort compiled) or True, and for one market
    # ``search=None`` (the crossing searched by the caller, with only the search it needs)
    switches = {tuple(map(str, sig[9:12])) for sig in call_market.clear_market.signatures}
    assert switches == {(a, r, "none") for a in ("none", "bool") for r in ("none", "bool")}
    switches = {tuple(map(str, sig[-2:])) for sig in call_market.clear_markets.signatures}
    assert switches == {(a, r) for a in ("none", "bool") for r in ("none", "bool")}


_SWITCH = ("none", "bool")
