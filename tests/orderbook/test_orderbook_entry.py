"""The per-call entry point of the event kernel: the compiled function and its fallback."""

from __future__ import annotations

import numpy as np

from clearing._kernels.orderbook import book as kb
from clearing._kernels.orderbook import layout as kl
from clearing.orderbook._entry import compiled_entry
from clearing.orderbook._state import BookState


def _run(call, events) -> tuple[list, BookState]:
    state = BookState.new(0.5, stp="cancel_resting", rnd=False, capacity=2)
    results = []
    for kind, side, price, qty, oid, owner, tif in events:
        while True:
            r = call(state.buf, kind, side, price, qty, oid, owner, tif)
            if r[0] != kl.NEED_SPACE:
                break
            state.make_room()
        rows = state.reports[: r[5]].tolist(), state.report_qty[: r[5]].tolist()
        results.append((tuple(r), rows))
    return results, state


def _events(n: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind = int(rng.integers(0, 4))
        side = int(rng.integers(0, 2))
        price = 0.5 * int(rng.integers(180, 220))  # a few off-grid prices are refused
        if rng.random() < 0.05:
            price += 0.25
        qty = float(rng.integers(1, 6))
        oid = int(rng.integers(0, 60)) if kind >= 2 or rng.random() < 0.5 else -1
        owner = int(rng.integers(-1, 3))
        out.append((kind, side, price, qty, oid, owner, int(rng.integers(0, 3))))
    return out


def test_compiled_entry_and_dispatcher_give_identical_books() -> None:
    events = _events(3000, seed=1)
    example = BookState.new(1.0, stp="none", rnd=False, capacity=1)
    fast = compiled_entry(kb.event, example.buf, kl.CANCEL, 0, 0.0, 0.0, 0, -1, 0)
    got, state = _run(fast, events)
    want, reference = _run(kb.event, events)
    assert got == want
    assert np.array_equal(state.buf, reference.buf)
    assert any(r[0][5] > 0 for r in got) and len(state.buf) > len(example.buf)  # fills, growth


def test_compiled_entry_is_the_compiled_function_with_the_jit_on() -> None:
    example = BookState.new(1.0, stp="none", rnd=False, capacity=1)
    fast = compiled_entry(kb.event, example.buf, kl.CANCEL, 0, 0.0, 0.0, 0, -1, 0)
    if hasattr(kb.event, "overloads"):  # numba dispatcher (not NUMBA_DISABLE_JIT=1)
        assert fast is not kb.event
        args = (kl.LIMIT, kl.BUY, 10.0, 2.0, 7, -1, kl.GTC)
        assert fast(example.buf, *args)[:5] == (kl.RESTING, kl.NONE, 0.0, 2.0, 7)
    else:
        assert fast is kb.event


def test_compiled_entry_falls_back_to_what_it_was_given() -> None:
    def plain(a: int, b: float) -> float:
        return a + b

    assert compiled_entry(plain, 1, 2.0) is plain

    class NoTypes:  # a dispatcher-like object whose compiled versions cannot be looked up
        overloads: dict = {}  # noqa: RUF012

        def __call__(self, a: int) -> int:
            return a

        def typeof_pyval(self, a: object) -> object:
            raise ValueError("untypable")

    odd = NoTypes()
    assert compiled_entry(odd, 3) is odd
