"""Label columns of the input tables: integer codes, sorted labels, flags, unique ids.

A column of names (teams, services, providers, ids) becomes :class:`~clearing._records.Labels`:
sorted distinct labels and one integer code per row. Text is not compared string by string:
each label is packed into one unsigned 64-bit word per few characters, whose integer order
is the text order (:func:`clearing._kernels.market.labels.pack_words`), and the words
get dense codes by hashing (:func:`clearing._kernels.market.labels.first_seen_codes`) and
one sort of the distinct words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._kernels.market.labels import first_seen_codes, pack_words
from .._records import Labels, exact_text
from ..errors import InputError

__all__ = ["as_flag", "check_unique", "factorize"]


def _bad_label(fn: str, arg: str, arr: np.ndarray, bad: np.ndarray, what: str) -> None:
    idx = int(np.flatnonzero(bad)[0])
    count = int(np.count_nonzero(bad))
    raise InputError(
        f"{fn}: {arg}[{idx}] is {arr[idx]!r}; {what} ({count} bad)",
        argument=arg,
        index=idx,
        value=arr[idx],
    )


def factorize(values: Any, arg: str, fn: str, *, objects: bool = True) -> Labels:
    """Sorted unique labels and integer codes for a column of names (str or int).

    The labels are Python ``str`` / ``int`` objects in an object array; with
    ``objects=False`` (for ids, which are mostly distinct) a str or integer column keeps
    its numpy dtype and :meth:`Labels.take` makes the objects of the rows it takes only.
    """
    if str(getattr(values, "dtype", "")) == "category":
        cat = values.array
        codes = np.asarray(cat.codes, dtype=np.int64)
        if codes.size and codes.min() < 0:
            _bad_label(fn, arg, np.asarray(values, dtype=object), codes < 0, "a name is required")
        labels = np.asarray(cat.categories, dtype=object)
        order = np.argsort(labels.astype(str), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return Labels(np.ascontiguousarray(rank[codes], dtype=np.int64), labels[order])
    arr = np.asarray(values)
    if arr.size == 0:
        return Labels(np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    sorted_text: np.ndarray | None = None
    if arr.dtype.kind == "O":
        text = exact_text(arr.tolist())
        if text is not None:  # Python strings (a DataFrame's): sorted without comparing them
            codes, first = _text_codes(text)
            uniq, sorted_text = arr[first], text[first]
            objects = True
        else:
            uniq, codes = _object_codes(arr, arg, fn)
    elif arr.dtype.kind in "US":
        codes, first = _text_codes(arr)
        uniq = arr[first]
        sorted_text = uniq if arr.dtype.kind == "U" else None
    elif arr.dtype.kind in "iu":
        if len(arr) > 1 and (arr[1:] > arr[:-1]).all():  # ids in increasing order
            uniq, codes = arr.copy(), np.arange(len(arr))
        else:
            uniq, codes = np.unique(arr, return_inverse=True)
    else:
        raise InputError(
            f"{fn}: {arg} must hold names (strings or integers), got dtype {arr.dtype}",
            argument=arg,
        )
    codes = np.ascontiguousarray(codes.ravel(), dtype=np.int64)
    if not objects:
        return Labels(codes, uniq)
    if uniq is sorted_text:  # a str column: the label objects are made when read
        return Labels(codes, None, sorted_text)
    if uniq.dtype.kind == "O":  # already Python objects
        return Labels(codes, uniq, sorted_text)
    labels = np.empty(len(uniq), dtype=object)
    labels[:] = uniq.tolist()  # Python str / int objects
    return Labels(codes, labels, sorted_text)


def _object_codes(arr: np.ndarray, arg: str, fn: str) -> tuple[np.ndarray, np.ndarray]:
    ok = np.array(
        [isinstance(v, str | int | np.integer) and not isinstance(v, bool) for v in arr],
        dtype=bool,
    )
    if not ok.all():
        _bad_label(fn, arg, arr, ~ok, "names must be strings or integers")
    try:
        uniq, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        _bad_label(
            fn,
            arg,
            arr,
            np.array([not isinstance(v, str) for v in arr]),
            "names must not mix strings and integers",
        )
    return uniq, codes


#: slots of the first hash table: up to half as many distinct labels fit before it grows
_SMALL_TABLE = 4096
#: columns shorter than this are sorted instead: as fast at that size, and the hashing
#: kernel is then not compiled for a first call on a small table
_HASH_FROM = 2048


def _rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ranks of unsigned 64-bit ``keys`` (equal keys, equal rank) and one index per rank.

    The codes of ``np.unique(keys, return_inverse=True)``, without sorting the rows: they
    get codes in order of first appearance by hashing, and only the distinct keys are
    sorted. Any index of a key can stand for it; this is its first row.
    """
    n = len(keys)
    if n < _HASH_FROM:
        return _rank_by_sort(keys)
    codes = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    size = 2 * min(_SMALL_TABLE, 1 << n.bit_length())
    k = first_seen_codes(keys, size, codes, first)  # type: ignore[no-untyped-call]
    first = first[:k]
    order = np.argsort(keys[first])  # distinct keys: any sort gives the one order
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[codes], first[order]


def _rank_by_sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_rank` by one unstable sort of the keys (any index of a key stands for it)."""
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    codes = np.empty(len(keys), dtype=np.int64)
    codes[order] = np.cumsum(new) - 1
    return codes, order[new]


def _text_codes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a non-empty 1-D str or bytes array in sorted order, and an index of each label.

    The same labels and codes as ``np.unique(arr, return_inverse=True)``, without comparing
    strings: as many characters as fit are packed into one unsigned 64-bit word, first
    character in the highest bits (the NUL padding of shorter strings is 0, lowest, as in
    numpy's comparison). When the code points are too wide for a whole string to fit, each
    character is first replaced by its rank among the characters in use (a monotone map,
    so the order of strings is kept). One word per string is
    then sorted as an integer; longer strings are ranked word by word (the rank of the
    prefix so far times the number of distinct next words, plus the next word's rank).
    """
    n = len(arr)
    width = arr.dtype.itemsize // (4 if arr.dtype.kind == "U" else 1)
    if width == 0:  # numpy's empty-string dtype: every label is ""
        return np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)
    chars: npt.NDArray[np.uint32] = np.ascontiguousarray(arr).view(
        np.uint32 if arr.dtype.kind == "U" else np.uint8
    )
    chars = chars.reshape(n, width).astype(np.uint32, copy=False)  # bytes: one kernel type
    top = int(chars.max())
    if width * top.bit_length() > 64:  # ranks of the characters in use pack tighter
        used = np.flatnonzero(np.bincount(chars.ravel()))
        rank = np.zeros(top + 1, dtype=np.uint32)
        rank[used] = np.arange(len(used))
        chars, top = rank.take(chars), len(used) - 1
    bits = max(1, top.bit_length())
    per_word = 64 // bits
    codes, first = np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)
    word = np.empty(n, dtype=np.uint64)
    for start in range(0, width, per_word):
        pack_words(chars, start, min(start + per_word, width), np.uint64(bits), word)  # type: ignore[no-untyped-call]
        word_code, word_first = _rank(word)
        if start == 0:
            codes, first = word_code, word_first
        elif len(word_first) > 1:
            key = codes.astype(np.uint64) * np.uint64(len(word_first))
            codes, first = _rank(key + word_code.astype(np.uint64))
    return codes, first


def check_unique(labels: Labels, arg: str, fn: str) -> None:
    """Raise :class:`InputError` naming the first repeated id."""
    if len(labels.labels) == len(labels.codes):
        return
    counts = np.bincount(labels.codes, minlength=len(labels.labels))
    dup = counts[labels.codes] > 1
    first = np.flatnonzero(dup)
    i = int(first[0])
    code = labels.codes[i]
    j = int(np.flatnonzero(labels.codes == code)[1])
    value = labels.labels[code]
    value = value.item() if isinstance(value, np.generic) else value
    raise InputError(
        f"{fn}: {arg}[{j}] repeats {value!r} (first seen at index {i}); ids must "
        f"be unique ({int(np.count_nonzero(counts > 1))} repeated ids)",
        argument=arg,
        index=j,
        value=value,
    )


def as_flag(values: Any, arg: str, fn: str) -> np.ndarray:
    """A boolean column: bool, 0/1 numbers or the strings true/false/yes/no."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return np.ascontiguousarray(arr, dtype=bool)
    if arr.dtype.kind in "iuf":
        bad = ~np.isin(arr, (0, 1))
        if arr.size and bad.any():
            _bad_label(fn, arg, arr, bad, "flags must be true/false or 0/1")
        return np.ascontiguousarray(arr == 1)
    text = np.array([str(v).strip().lower() for v in arr], dtype=object)
    true = np.isin(text, ("true", "yes", "1"))
    bad = ~(true | np.isin(text, ("false", "no", "0")))
    if arr.size and bad.any():
        _bad_label(fn, arg, arr, bad, "flags must be true/false or 0/1")
    return np.ascontiguousarray(true)
