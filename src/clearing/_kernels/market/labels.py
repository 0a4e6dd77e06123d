"""Dense codes of 64-bit keys by hashing: one pass over the rows, no sort of them.

The façade packs each label (a team, a service name) into an unsigned 64-bit word whose
integer order is the labels' order (``clearing.market._labels``); this kernel gives every
row the code of its word in order of first appearance, and one row per distinct word.
Sorting the few distinct words then turns those codes into sorted ones.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit


@jit
def first_seen_codes(keys, hashed, table, codes, first):
    """Code of every key in order of first appearance; returns the number of distinct keys.

    Open addressing with linear probing: a key starts at the slot given by the top bits of
    its hash and walks to the next slot (wrapping) until it finds its own code or an empty
    slot. The table is kept at most half full: when the distinct keys would fill more, the
    pass stops and returns -1 (the caller retries with a larger table), so that a column of
    few distinct labels probes a small table that stays in cache.

    Parameters
    ----------
    keys : uint64 array, shape (n,)
        The keys.
    hashed : uint64 array, shape (n,)
        A hash of each key (equal keys, equal hashes); its top bits choose the slot.
    table : int64 array, shape (size,)
        The hash table, ``size`` a power of two >= 2, all ``-1`` on entry; overwritten.
    codes : int64 array, shape (n,)
        Written: ``codes[i]`` is the number of distinct keys whose first occurrence comes
        before the first occurrence of ``keys[i]``.
    first : int64 array, shape (n,)
        Written up to the returned count ``k``: ``first[c]`` is the first row holding the
        key of code ``c``.

    Returns
    -------
    int
        ``k``, the number of distinct keys, or -1 if they are more than ``size // 2``.
    """
    size = table.size
    bits = 0
    while (1 << bits) < size:
        bits += 1
    shift = np.uint64(64 - bits)
    mask = size - 1
    k = 0
    for i in range(keys.size):
        key = keys[i]
        h = np.int64(hashed[i] >> shift)
        while True:
            c = table[h]
            if c < 0:
                if 2 * (k + 1) > size:
                    return -1
                table[h] = k
                first[k] = i
                codes[i] = k
                k += 1
                break
            if keys[first[c]] == key:
                codes[i] = c
                break
            h = (h + 1) & mask
    return k
