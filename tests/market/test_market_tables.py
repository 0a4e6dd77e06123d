"""The façade's table machinery: label factorisation, multi-key order, lazy result columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearing import clear
from clearing.market._labels import factorize
from clearing.market._tables import Table
from clearing.policy._eligibility import lex_order

_TEXT = st.text(
    alphabet=st.sampled_from(["a", "b", "z", "0", "-", " ", "é", "€", "\U0001f600", "\x00"]),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=40), st.booleans())
def test_factorize_matches_numpy_unique(values, as_bytes):
    arr = np.array(values, dtype=str)
    if as_bytes:
        arr = np.char.encode(arr, "utf-8") if arr.size else np.array([], dtype="S1")
    labels = factorize(arr, "x", "f")
    uniq, codes = np.unique(arr, return_inverse=True)
    assert labels.labels.tolist() == uniq.tolist()
    assert labels.codes.tolist() == codes.ravel().tolist()
    assert all(type(v) in (str, bytes) for v in labels.labels.tolist())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=40))
def test_factorize_objects_like_a_dataframe_column(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    labels = factorize(arr, "x", "f")
    assert labels.labels.tolist() == sorted(set(values))
    assert [labels.labels[c] for c in labels.codes] == values


def test_factorize_long_labels_wide_alphabet():
    rng = np.random.default_rng(0)
    pool = np.array([f"department-{chr(0x4E00 + i)}-{i:06d}-ü" for i in range(3000)])
    arr = pool[rng.integers(0, len(pool), 20_000)]
    labels = factorize(arr, "x", "f")
    uniq, codes = np.unique(arr, return_inverse=True)
    assert labels.labels.tolist() == uniq.tolist()
    assert np.array_equal(labels.codes, codes)


def test_increasing_integer_ids_keep_their_values():
    ids = factorize(np.array([3, 7, 10**15]), "x", "f", objects=False)
    assert ids.codes.tolist() == [0, 1, 2]
    assert ids.take(np.array([2, 0])).tolist() == [10**15, 3]
    assert [type(v) for v in ids.take(np.array([1]))] == [int]


_KEY = st.one_of(
    st.lists(st.integers(0, 5), min_size=30, max_size=30).map(np.array),
    st.lists(st.integers(-3, 3), min_size=30, max_size=30).map(lambda v: np.array(v, np.int8)),
    st.lists(st.sampled_from([0.0, -0.0, 1.0, 2.5, -7.0, 1e300]), min_size=30, max_size=30).map(
        np.array
    ),
    st.lists(st.integers(0, 2**64 - 1), min_size=30, max_size=30).map(
        lambda v: np.array(v, np.uint64)
    ),
)


@given(st.lists(_KEY, min_size=1, max_size=3))
def test_lex_order_is_lexsort(keys):
    keys = tuple(keys)
    assert lex_order(keys).tolist() == np.lexsort(keys).tolist()


def test_lazy_column_built_once_and_read_only():
    calls = []

    def build():
        calls.append(1)
        return np.array(["a", "b"], dtype=object)

    t = Table({"n": np.array([1, 2])}, lazy={"name": build}, order=("name", "n"))
    assert t.columns == ("name", "n") and len(t) == 2
    first = t["name"]
    assert t["name"] is first and len(calls) == 1
    with pytest.raises(ValueError):
        first[0] = "c"


def test_result_does_not_follow_later_changes_to_the_inputs():
    requests = {
        "request_id": np.array([1, 2, 3]),
        "team": np.array(["t1", "t2", "t1"]),
        "service": np.array(["it", "it", "legal"]),
        "quantity": np.array([2.0, 1.0, 1.0]),
        "max_price": np.array([50.0, 45.0, 10.0]),
    }
    offers = {
        "offer_id": np.array(["o1", "o2"]),
        "provider": np.array(["p", "q"]),
        "service": np.array(["it", "legal"]),
        "capacity": np.array([2.0, 1.0]),
        "ask": np.array([40.0, 20.0]),
    }
    c = clear(requests, offers, {"budgets": {"t2": 10.0}})
    expected = clear(
        {k: v.copy() for k, v in requests.items()},
        {k: v.copy() for k, v in offers.items()},
        {"budgets": {"t2": 10.0}},
    )
    for arr in (*requests.values(), *offers.values()):  # scribble over every input
        arr[...] = arr[::-1].copy()
    for name in ("allocations", "unmatched", "markets", "negotiations"):
        got, want = getattr(c, name), getattr(expected, name)
        assert got.columns == want.columns
        for col in got.columns:
            if got[col].dtype.kind == "f":
                assert np.array_equal(got[col], want[col], equal_nan=True), (name, col)
            else:
                assert got[col].tolist() == want[col].tolist(), (name, col)
    assert "budget of team t2" in " ".join(c.unmatched["message"])
