"""The records the market and its rules share: factorised labels, validated requests and offers.

:func:`clearing.clear` reads its two tables into :class:`Requests` and :class:`Offers`
(``clearing.market``); the policy's eligibility rules judge them (``clearing.policy``). Both
layers depend on these records, neither on the other's modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import FloatArray, IntArray

__all__ = ["Labels", "Offers", "Requests", "exact_text"]


def exact_text(values: list[Any]) -> np.ndarray | None:
    """``values``, a list of Python ``str``, as a numpy str array; ``None`` if it is not one.

    ``None`` too when numpy's fixed-width strings would change a value (they drop trailing
    NUL characters): such names must take an exact, slower path.
    """
    if set(map(type, values)) != {str}:
        return None
    text = np.array(values, dtype=str)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if (np.char.str_len(text) != lengths).any():
        return None
    return text


class Labels:
    """Factorised labels: ``labels[codes]`` restores the column; labels are sorted.

    ``text``, when the labels are all ``str``, holds them as a numpy str array too (sorted
    alike), so that names can be looked up with ``np.searchsorted``. Given ``text`` alone,
    the object array ``labels`` (Python ``str``) is made on first access: clearing reads
    the codes, and a column of 15,000 team names need not become 15,000 objects unless a
    result column shows them.
    """

    __slots__ = ("_labels", "codes", "text")

    def __init__(
        self, codes: IntArray, labels: np.ndarray | None, text: np.ndarray | None = None
    ) -> None:
        if labels is None and text is None:
            raise ValueError("Labels: give labels, text or both")
        self.codes = codes
        self._labels = labels
        self.text = text

    @property
    def labels(self) -> np.ndarray:
        """The distinct labels, sorted (an object array)."""
        if self._labels is None:
            assert self.text is not None
            out = np.empty(len(self.text), dtype=object)
            out[:] = self.text.tolist()  # Python str objects
            self._labels = out
        return self._labels

    def __len__(self) -> int:
        """The number of distinct labels."""
        if self._labels is not None:
            return len(self._labels)
        return len(self.text) if self.text is not None else 0

    def take(self, idx: np.ndarray) -> np.ndarray:
        """The label of each index in ``idx`` (an object array)."""
        return np.asarray(self.labels[self.codes[idx]], dtype=object)


@dataclass(frozen=True, slots=True)
class Requests:
    """Validated requests; ``service`` codes index the shared service labels."""

    ids: Labels
    team: Labels
    service: IntArray
    quantity: FloatArray
    max_price: FloatArray
    priority: FloatArray | None
    quality_weight: FloatArray
    values: dict[str, FloatArray]  # provider name -> per-unit value (NaN = default)
    extra: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.quantity)


@dataclass(frozen=True, slots=True)
class Offers:
    """Validated offers; ``service`` codes index the shared service labels."""

    ids: Labels
    provider: Labels
    service: IntArray
    capacity: FloatArray
    ask: FloatArray
    quality: FloatArray
    external: np.ndarray
    priority: FloatArray | None
    extra: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.capacity)
