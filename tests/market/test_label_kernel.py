"""The label kernels (packing characters into words, hashing the words to codes) agree with
their reference twins, and the ranks built on them agree with ``np.unique``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.labels import first_seen_codes as reference_codes
from reference.labels import pack_words as reference_words

from clearing._kernels.market.labels import first_seen_codes, pack_words
from clearing.market._labels import _HASH_FROM, _rank

# few distinct values (many repeats, long probe runs) as well as the whole 64-bit range
KEYS = st.one_of(
    st.lists(st.integers(0, 5), max_size=60),
    st.lists(st.integers(0, 2**64 - 1), max_size=60),
    st.lists(st.sampled_from([0, 1, 2**63, 2**64 - 1, 2**32]), max_size=60),
)


@settings(max_examples=200, deadline=None)
@given(KEYS, st.integers(1, 8))
def test_kernel_matches_reference(values: list[int], bits: int) -> None:
    keys = np.array(values, dtype=np.uint64)
    n = len(keys)
    want_codes, want_first = reference_codes(keys)
    # a first table of 2 to 256 slots: long probe runs that wrap round, and growth while
    # the rows are read
    codes = np.full(n, -7, dtype=np.int64)
    first = np.full(n, -7, dtype=np.int64)
    k = first_seen_codes(keys, 1 << bits, codes, first)
    assert k == len(want_first)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(first[:k], want_first)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda width: st.tuples(
            st.just(width),
            st.lists(st.lists(st.integers(0, 2**21), min_size=width, max_size=width), max_size=30),
            st.integers(0, width),
            st.integers(0, width),
        )
    )
)
def test_pack_words_matches_reference(case: tuple[int, list[list[int]], int, int]) -> None:
    width, rows, a, b = case
    lo, hi = min(a, b), max(a, b)
    chars = np.array(rows, dtype=np.uint32).reshape(len(rows), width)
    top = int(chars[:, lo:hi].max()) if chars.size and hi > lo else 0
    bits = max(1, top.bit_length())
    hi = min(hi, lo + 64 // bits)
    words = np.full(len(rows), 7, dtype=np.uint64)
    pack_words(chars, lo, hi, np.uint64(bits), words)
    np.testing.assert_array_equal(words, reference_words(chars, lo, hi, bits))


@settings(max_examples=200, deadline=None)
@given(KEYS)
def test_rank_matches_numpy_unique(values: list[int]) -> None:
    keys = np.array(values, dtype=np.uint64)
    codes, first = _rank(np.tile(keys, _HASH_FROM // max(len(keys), 1) + 1))  # hashed
    if len(keys):
        assert (codes[: len(keys)] == _rank(keys)[0]).all()  # sorted (a short column)
    codes, first = _rank(keys)
    uniq, inverse = np.unique(keys, return_inverse=True)
    np.testing.assert_array_equal(codes, inverse.ravel())
    np.testing.assert_array_equal(keys[first], uniq)


def test_rank_grows_the_table_for_many_labels() -> None:
    rng = np.random.default_rng(13)
    for n_distinct in (1, 2048, 2049, 20_000):  # one, half the first table, one more, more
        pool = np.unique(rng.integers(0, 2**64 - 1, 2 * n_distinct, dtype=np.uint64))
        pool = rng.permutation(pool)[:n_distinct]
        keys = rng.permutation(np.concatenate([pool, rng.choice(pool, 30_000)]))
        codes, first = _rank(keys)
        uniq, inverse = np.unique(keys, return_inverse=True)
        assert len(uniq) == n_distinct
        np.testing.assert_array_equal(codes, inverse.ravel())
        np.testing.assert_array_equal(keys[first], uniq)
