"""Compiling ahead with ``clearing.warmup``, and the one line a compiling first call prints.

Each test runs fresh interpreters against a throwaway ``NUMBA_CACHE_DIR``, so what it sees
is what a new install sees; what it checks is numba's own record (compile events and cache
hits), not wall time.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

import clearing

NOTICE = "clearing: compiling kernels"

# Counts numba's compiles of our kernels (an event numba raises on a cache miss only) and
# the cache hits of the single-market kernel, then makes two first calls.
_FIRST_CALLS = """
import clearing
from numba.core import event
class Count(event.Listener):
    n = 0
    def on_start(self, ev):
        if ev.data["dispatcher"].py_func.__module__.startswith("clearing."):
            Count.n += 1
    def on_end(self, ev):
        pass
event.register("numba:compile", Count())
clearing.double_auction([10, 8, 6], [1, 1, 1], [4, 7, 9], [1, 1, 1], mechanism="huang")
clearing.double_auction([10, 8], [1, 1], [4, 7], [1, 1], bid_priority=[1, 0])
from clearing._kernels.auction.call_market import clear_market
print(Count.n, sum(clear_market._cache_hits.values()))
"""


def _run(code: str, cache: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )


@pytest.mark.slow
def test_first_call_says_it_compiles_once_and_a_warm_cache_is_silent(
    tmp_path: pathlib.Path,
) -> None:
    cold = _run("import clearing\n" + _FIRST_CALLS, tmp_path)
    compiles, _ = map(int, cold.stdout.split())
    assert compiles > 0
    assert cold.stderr.count(NOTICE) == 1, cold.stderr
    assert "for double_auction" in cold.stderr
    warm = _run(_FIRST_CALLS, tmp_path)
    compiles, hits = map(int, warm.stdout.split())
    assert (compiles, warm.stderr) == (0, "")
    assert hits == 2  # clear_market's two specialisations: huang, then uniform


def test_import_prints_nothing(tmp_path: pathlib.Path) -> None:
    out = _run("import clearing, clearing._jit, clearing.auction; clearing.warmup", tmp_path)
    assert out.stderr == "" and out.stdout == ""


@pytest.mark.slow
def test_after_warmup_a_new_process_compiles_nothing(tmp_path: pathlib.Path) -> None:
    warmed = _run(
        "import clearing; clearing.warmup(entry_points=['double_auction'], progress=False)",
        tmp_path,
    )
    assert warmed.stderr == ""  # warmup reports through its own progress only
    after = _run(_FIRST_CALLS, tmp_path)
    compiles, hits = map(int, after.stdout.split())
    assert (compiles, after.stderr) == (0, "")
    assert hits == 2


def test_warmup_progress_lines_without_tqdm(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    seconds = clearing.warmup(entry_points=["double_auction"])
    err = capsys.readouterr().err
    assert err.startswith("clearing: compiling kernels for double_auction...\n")
    assert "clearing: double_auction ready (" in err
    assert seconds >= 0


def test_warmup_rejects_unknown_names() -> None:
    with pytest.raises(clearing.InputError, match="unknown entry point 'auction'") as info:
        clearing.warmup(entry_points=["auction"])
    assert info.value.argument == "entry_points"


def test_warmup_knows_every_public_entry_point() -> None:
    from clearing._warmup import ENTRY_POINTS

    callables = {"double_auction", "double_auction_batch", "linear_sum_assignment", "assign"}
    callables |= {"assign_batch", "transport", "OrderBook", "clear"}
    assert set(ENTRY_POINTS) == callables
    assert callables <= set(clearing.__all__)


@pytest.mark.slow
def test_the_notice_names_the_public_method_called(tmp_path: pathlib.Path) -> None:
    cold = _run("import clearing\nclearing.OrderBook(tick_size=1).limit('buy', 10, 1)", tmp_path)
    assert cold.stderr.startswith(f"{NOTICE} for OrderBook (once per install"), cold.stderr
