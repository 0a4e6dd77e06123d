"""Label words and their dense codes: characters packed into 64-bit words, and the words
numbered by hashing in one pass over the rows, no sort of them.

The façade packs each label (a team, a service name) into unsigned 64-bit words whose
integer order is the labels' order (``clearing.market._labels``) with :func:`pack_words`;
:func:`first_seen_codes` gives every row the code of its word in order of first
appearance, and one row per distinct word. Sorting the few distinct words then turns those
codes into sorted ones.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit, jit_inline

#: Fibonacci hashing: the odd 64-bit multiplier nearest 2**64 / golden ratio
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@jit
def pack_words(chars, lo, hi, bits, words):
    """Pack characters ``lo..hi-1`` of every row into one word, the first in the highest bits.

    Parameters
    ----------
    chars : uint32 array, shape (n, width)
        The characters (code points, or ranks of them) of each row, each below
        ``2**bits``; a shorter string is padded with 0, which orders it first.
    lo, hi : int
        The characters to pack, ``(hi - lo) * bits <= 64``.
    bits : uint64
        Bits per character.
    words : uint64 array, shape (n,)
        Written: the packed word of each row.
    """
    for i in range(chars.shape[0]):
        w = np.uint64(0)
        for c in range(lo, hi):
            w = (w << bits) | np.uint64(chars[i, c])
        words[i] = w


@jit_inline
def _slot(key, shift):
    """The home slot of ``key`` in a table of ``2**(64 - shift)`` slots."""
    return np.int64((key * GOLDEN) >> shift)


@jit
def first_seen_codes(keys, size, codes, first):
    """Code of every key in order of first appearance; returns the number of distinct keys.

    Open addressing with linear probing: a key starts at the slot given by the top bits of
    its Fibonacci hash and walks to the next slot (wrapping) until it finds its own code or
    an empty slot. The table starts at ``size`` slots (a column of a few labels then probes
    a small table that stays in cache) and is kept at most half full: when it would fill
    more, it grows fourfold and the distinct keys seen so far are placed again, so the pass
    over the rows is never restarted.

    Parameters
    ----------
    keys : uint64 array, shape (n,)
        The keys.
    size : int
        Slots of the first table, a power of two >= 2.
    codes : int64 array, shape (n,)
        Written: ``codes[i]`` is the number of distinct keys whose first occurrence comes
        before the first occurrence of ``keys[i]``.
    first : int64 array, shape (n,)
        Written up to the returned count ``k``: ``first[c]`` is the first row holding the
        key of code ``c``.

    Returns
    -------
    int
        ``k``, the number of distinct keys.
    """
    bits = 0
    while (1 << bits) < size:
        bits += 1
    table = np.full(1 << bits, -1, dtype=np.int64)
    shift = np.uint64(64 - bits)
    mask = (1 << bits) - 1
    k = 0
    for i in range(keys.size):
        key = keys[i]
        h = _slot(key, shift)
        while True:
            c = table[h]
            if c < 0:
                if 2 * (k + 1) > mask + 1:  # the table grows, the key is placed after
                    bits += 2
                    table = np.full(1 << bits, -1, dtype=np.int64)
                    shift = np.uint64(64 - bits)
                    mask = (1 << bits) - 1
                    for d in range(k):
                        g = _slot(keys[first[d]], shift)
                        while table[g] >= 0:
                            g = (g + 1) & mask
                        table[g] = d
                    h = _slot(key, shift)
                    continue
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
