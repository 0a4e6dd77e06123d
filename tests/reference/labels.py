"""Reference twin of the label kernel ``clearing._kernels.market.labels.first_seen_codes``:
a dictionary from key to code, filled in row order."""

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
