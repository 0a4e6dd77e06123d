"""The records the market and its rules share: factorised labels, validated requests and offers.

:func:`clearing.clear` reads its two tables into :class:`Requests` and :class:`Offers`
(``clearing.market``); the policy's eligibility rules judge them (``clearing.policy``). Both
layers depend on these records, neither on the other's modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import FloatArray, IntArray

__all__ = ["Labels", "Offers", "Requests"]


@dataclass(frozen=True, slots=True)
class Labels:
    """Factorised labels: ``labels[codes]`` restores the column; labels are sorted."""

    codes: IntArray
    labels: np.ndarray

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
