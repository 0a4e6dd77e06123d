"""Reference twins of the label kernels of ``clearing._kernels.market.labels``: Python
integers for ``pack_words``, a dictionary from key to code, filled in row order, for
``first_seen_codes``."""

from __future__ import annotations

import numpy as np


def first_seen_codes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes in order of first appearance, and the first row of each code."""
    seen: dict[int, int] = {}
    first: list[int] = []
    codes = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys.tolist()):
        if key not in seen:
            seen[key] = len(first)
            first.append(i)
        codes[i] = seen[key]
    return codes, np.array(first, dtype=np.int64)


def pack_words(chars: np.ndarray, lo: int, hi: int, bits: int) -> np.ndarray:
    """Characters ``lo..hi-1`` of each row as the digits (base ``2**bits``) of one integer."""
    words = []
    for row in chars.tolist():
        w = 0
        for ch in row[lo:hi]:
            w = w * 2**bits + ch
        words.append(w)
    return np.array(words, dtype=np.uint64)
