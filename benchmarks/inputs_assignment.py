"""Input classes of the assignment rows: cost matrices as users have them, each declared.

Every class states what it produces (``kind``: ``"float"``, ``"int"`` whole numbers or
``"binary"`` 0/1; inclusive bounds ``lo``/``hi``; the shape for a size ``n``), and
``tests/test_benchmarks_rows.py`` checks each generator against its declaration.

Sources of the classes:

- ours: uniform floats on [0, 1), integers 1..10, 1..100, 1..1000 (ratings, hours,
  priorities: tie-heavy), 0/1 eligibility, rectangular shapes;
- scipy's benchmark of ``linear_sum_assignment`` (``benchmarks/benchmarks/optimize_lap.py``
  in the scipy repository): *uniform* on [-20, 20), *spatial* (squared Euclidean distances
  between two sets of points uniform in the square [-1, 1]^2), *logarithmic* (10 to a power
  uniform on [-20, 20)), *integer* (-1000..999) and *binary* (0/1); scipy times square,
  ``n x 2n`` and ``2n x n`` shapes;
- lapx's test matrices (``tests/test_utils.py`` in the lapx repository): integers 1..100
  drawn by ``numpy.random.RandomState(1299821)``, made "hard" by adding to each row, then to
  each column, one integer 0..99 drawn from the same stream; their sparse variant masks a
  share of the entries (and keeps a random permutation so a perfect matching exists).
  lapx's own tests give the optima, which ``tests/test_benchmarks_rows.py`` checks:
  11399 for the 100 x 100 hard matrix, 101078 for 1000 x 1000, 11406 for the 100 x 100
  sparse one (4% masked) and 402541 for 4000 x 4000 (0.4% masked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

LAPX_SEED = 1299821


@dataclass(frozen=True)
class CostClass:
    """A declared family of cost matrices; ``make(n, seed)`` draws one of size ``n``."""

    name: str
    kind: str  # "float", "int" (whole numbers stored as float64) or "binary" (0/1)
    lo: float
    hi: float
    shape: Callable[[int], tuple[int, int]]
    draw: Callable[[np.random.Generator, tuple[int, int]], np.ndarray]
    fixed_seed: bool = False  # reproduces a published matrix: the seed is part of the class

    def make(self, n: int, seed: int = 0) -> np.ndarray:
        shape = self.shape(n)
        rng = np.random.default_rng(seed)
        out = np.ascontiguousarray(self.draw(rng, shape), dtype=np.float64)
        assert out.shape == shape
        return out

    @property
    def integral(self) -> bool:
        return self.kind in ("int", "binary")


def square(n: int) -> tuple[int, int]:
    return (n, n)


def tall(n: int) -> tuple[int, int]:
    return (n, max(1, n // 2))


def wide(n: int) -> tuple[int, int]:
    return (max(1, n // 2), n)


def _ints(lo: int, hi: int) -> Callable[[np.random.Generator, tuple[int, int]], np.ndarray]:
    return lambda rng, shape: rng.integers(lo, hi + 1, shape).astype(np.float64)


def _binary(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.integers(0, 2, shape).astype(np.float64)


def _spatial(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    p = rng.uniform(-1, 1, (shape[0], 2))
    q = rng.uniform(-1, 1, (shape[1], 2))
    return cdist(p, q, "sqeuclidean")


def lapx_hard(n: int, high: int = 100) -> np.ndarray:
    """lapx's "hard" dense integer matrix of size ``n`` (the same stream, the same matrix)."""
    state = np.random.RandomState(LAPX_SEED)
    cost = state.randint(1, high + 1, size=(n, n)).astype(np.float64)
    for row in range(n):  # one scalar draw per row, then per column, as lapx draws them
        cost[row, :] += state.randint(0, high)
    for col in range(n):
        cost[:, col] += state.randint(0, high)
    return cost


def lapx_sparse_hard(n: int, masked: float, high: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """lapx's sparse test matrix: the hard matrix and the mask of the entries that exist.

    A share ``masked`` of the entries (the smallest of a uniform draw, plus one random
    permutation) is taken out; the rest, with a perfect matching kept, are the edges.
    """
    state = np.random.RandomState(LAPX_SEED)
    cost = state.randint(1, high + 1, size=(n, n)).astype(np.float64)
    for row in range(n):
        cost[row, :] += state.randint(0, high)
    for col in range(n):
        cost[:, col] += state.randint(0, high)
    draw = state.rand(n, n)
    thresh = np.percentile(draw.flat, max(0.0, (masked - n / float(n * n)) * 100.0))
    out = draw < thresh
    out[state.permutation(n), state.permutation(n)] = True
    return cost, ~out


CLASSES: dict[str, CostClass] = {
    c.name: c
    for c in [
        CostClass("uniform floats", "float", 0.0, 1.0, square, lambda r, s: r.random(s)),
        CostClass("ints 1..10", "int", 1, 10, square, _ints(1, 10)),
        CostClass("ints 1..100", "int", 1, 100, square, _ints(1, 100)),
        CostClass("ints 1..1000", "int", 1, 1000, square, _ints(1, 1000)),
        CostClass("0/1", "binary", 0, 1, square, _binary),
        CostClass(
            "scipy uniform", "float", -20.0, 20.0, square, lambda r, s: r.uniform(-20, 20, s)
        ),
        CostClass("scipy spatial", "float", 0.0, 8.0, square, _spatial),
        CostClass(
            "scipy logarithmic",
            "float",
            1e-20,
            1e20,
            square,
            lambda r, s: 10.0 ** r.uniform(-20, 20, s),
        ),
        CostClass("scipy integer", "int", -1000, 999, square, _ints(-1000, 999)),
        CostClass("scipy binary", "binary", 0, 1, square, _binary),
        CostClass("scipy binary, 2n x n", "binary", 0, 1, tall, _binary),
        CostClass(
            "scipy uniform, n x 2n", "float", -20.0, 20.0, wide, lambda r, s: r.uniform(-20, 20, s)
        ),
        CostClass("ints 1..100, n/2 x n", "int", 1, 100, wide, _ints(1, 100)),
        CostClass("uniform floats, n x n/2", "float", 0.0, 1.0, tall, lambda r, s: r.random(s)),
        CostClass(
            "lapx hard",
            "int",
            1,
            298,
            square,
            lambda r, s: lapx_hard(s[0]),
            fixed_seed=True,
        ),
    ]
}


def value_of(cost: np.ndarray) -> np.ndarray:
    """A positive value matrix with the same ties: ``cost`` itself when it is positive, else
    shifted by a constant (exact for whole numbers). Maximising it matches everyone on the
    smaller side, so a peer minimising ``-value`` solves the same problem."""
    low = float(cost.min())
    return cost if low > 0 else cost - low + 1.0


class Lazy:
    """A value built on first use and dropped by ``release`` (large inputs live one row),
    with the values ``derive``-d from it (dropped with it)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._value: Any = None
        self._children: list[Lazy] = []

    def __call__(self) -> Any:
        if self._value is None:
            self._value = self._build()
        return self._value

    def derive(self, fn: Callable[[Any], Any]) -> Lazy:
        child = Lazy(lambda: fn(self()))
        self._children.append(child)
        return child

    def release(self) -> None:
        self._value = None
        for child in self._children:
            child.release()
