"""The order book's id index (``_kernels/orderbook/index.py``) against a dict."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clearing._kernels.orderbook import index as ix

DCAP, HCAP = 8, 16  # a small hash table: long probe runs, wrap-around and backward shifts

keys = st.one_of(st.integers(0, 2 * DCAP), st.integers(0, 2**62),
                 st.sampled_from([DCAP + HCAP * m for m in range(1, 12)]))  # fmt: skip
ops = st.lists(st.tuples(st.sampled_from(["insert", "delete", "find"]), keys), max_size=80)


def empty_index(dcap: int = DCAP, hcap: int = HCAP) -> np.ndarray:
    H = np.zeros(2 + dcap + 2 * hcap, np.int64)
    H[0] = dcap
    return H


@settings(max_examples=300)
@given(ops)
def test_index_agrees_with_a_dict(seq: list[tuple[str, int]]) -> None:
    H, twin = empty_index(), {}
    for n, (op, key) in enumerate(seq):
        hashed = sum(k >= DCAP for k in twin)
        if op == "insert" and key not in twin and (key < DCAP or hashed < HCAP - 1):
            ix.hash_insert(H, key, n)
            twin[key] = n
        elif op == "delete":
            ix.hash_delete(H, key)
            twin.pop(key, None)
        assert ix.hash_find(H, key) == twin.get(key, -1)
        assert all(ix.hash_find(H, k) == v for k, v in twin.items())
    bigger = empty_index(2 * DCAP, 2 * HCAP)
    ix.rehash(H, bigger)
    assert all(ix.hash_find(bigger, k) == v for k, v in twin.items())
    assert ix.hash_find(bigger, 2**62 + 1) == -1


def test_colliding_keys_survive_deleting_the_first() -> None:
    H = empty_index()
    mask = HCAP - 1
    same_home = [k for k in range(DCAP, 10**6) if ix._home(k, mask) == 3][:5]
    for slot, k in enumerate(same_home):
        ix.hash_insert(H, k, slot)
    ix.hash_delete(H, same_home[0])
    assert [ix.hash_find(H, k) for k in same_home] == [-1, 1, 2, 3, 4]
    ix.hash_delete(H, same_home[2])
    assert [ix.hash_find(H, k) for k in same_home] == [-1, 1, -1, 3, 4]
